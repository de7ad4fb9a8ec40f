/** What every benchmark needs: the repository root, and `--name value` options with defaults. */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (benchmarks run from dist/bench/). */
export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function option(name: string, def: string, args = process.argv.slice(2)): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
}
