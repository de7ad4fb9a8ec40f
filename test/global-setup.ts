import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Compiles dist/ (what `npx engram` runs) before the CLI tests use it. */
export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  chmodSync('dist/cli/engram.js', 0o755); // the bin npx runs
}
