/**
 * The benchmarks' options (bench/options.ts): `--help` prints the usage and runs nothing, and
 * an unknown option or a missing value exits 2 naming it, before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bench = (...args: string[]) => spawnSync(process.execPath, ['dist/bench/cuba.js', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('benchmark options', () => {
  it('--help prints every option with its default and runs no measurement', () => {
    const r = bench('--help');
    expect(r.status).toBe(0);
    for (const name of ['--sizes', '--duration', '--peer', '--peer-n', '--peer-sizes', '--threads']) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain('[default: "1,2"]');
    expect(r.stdout).not.toContain('engram CUBA benchmark:'); // the header of a measurement
  });

  it('an unknown option or one without its value exits 2 naming it', () => {
    const unknown = bench('--sizez', '4000');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('sizez');
    expect(unknown.stdout).toBe('');
    const missing = bench('--sizes');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('sizes');
  });

  it('a declared option reaches the measurement', () => {
    const r = bench('--child', '1000,grid,0,1', '--duration', '20');
    expect(r.status).toBe(0);
    const row = JSON.parse(r.stdout.trim());
    expect(row.N).toBe(1000);
    expect(row.neuron_steps).toBe(1000 * 200); // 20 ms at dt 0.1 ms
  });
});
