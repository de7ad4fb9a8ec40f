import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The corpus of broken scenarios (test/fixtures/bad): each is answered by the CLI with
 * file:line:column, the field, what was expected, exit code 2 (3 for a run that a plugin
 * stops), and never a stack trace. A fixture's first line says what the message must contain
 * (`# expect: ...`); a `# run:` line makes the test run it instead of validating it, and a
 * `# construct:` line marks a fault that only construction can see (a file a plugin opens, a
 * plugin that throws while it builds): `validate` plans and so passes it, `run` must refuse it
 * with exit code 2 before any simulated time.
 */
const dir = path.resolve('test/fixtures/bad');
const cli = path.resolve('dist/cli/engram.js');
const fixtures = readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

function engram(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: dir, env: { ...process.env, ENGRAM_DEBUG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs every fixture (a few at a time) once, up front. */
async function runAll() {
  const results = new Map<string, Awaited<ReturnType<typeof engram>>>();
  const outs = mkdtempSync(path.join(tmpdir(), 'engram-bad-'));
  const queue = [...fixtures];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const text = readFileSync(path.join(dir, f), 'utf8');
        const run = /^# (run|construct):/m.test(text);
        results.set(f, await engram(run ? ['run', f, '--out', path.join(outs, f), '--quiet'] : ['validate', f]));
      }
    }),
  );
  rmSync(outs, { recursive: true, force: true });
  return results;
}

describe('bad input', () => {
  it('has a corpus of at least 40 broken scenarios', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40);
  });

  it('answers every broken scenario with file:line:column, field and expectation, exit code 2 (3 if it stops a run), no stack trace', async () => {
    const results = await runAll();
    const failures: string[] = [];
    for (const f of fixtures) {
      const text = readFileSync(path.join(dir, f), 'utf8');
      const expectText = /^# expect: ?(.*)$/m.exec(text)?.[1] ?? '';
      const run = /^# run:/m.test(text);
      const construct = /^# construct:/m.test(text);
      const { code, stderr } = results.get(f)!;
      const first = stderr.split('\n')[0];
      const problems = [
        code !== (run ? 3 : 2) && `exit code ${code}`,
        !new RegExp(`^engram: ${f.replace(/\./g, '\\.')}:\\d+:\\d+: `).test(first) &&
          !(run && /^engram: .+ at .+:\d+:\d+/.test(first)) &&
          'no file:line:column first',
        !/expected /.test(stderr) && !run && !construct && 'no expectation',
        !stderr.includes(expectText) && `no "${expectText}"`,
        /^\s+at /m.test(stderr) && 'a stack trace',
        /internal error/.test(stderr) && 'an internal error',
      ].filter(Boolean);
      if (problems.length) failures.push(`${f}: ${problems.join(', ')}\n  ${stderr.trim().split('\n').join('\n  ')}`);
    }
    expect(failures).toEqual([]);
  }, 120_000);
});
