import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGrid } from '../app/sweep.js';
import { tempDir } from './helpers.js';

function engram(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli/engram.js', ...args], { encoding: 'utf8', env: { ...process.env, ENGRAM_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('engram sweep', () => {
  it('parses grids, with lists and mappings as single values', () => {
    expect(parseGrid(['a.b=1,2.5,x', 'c=[1, 2],{k: 3, j: 4}'])).toEqual([
      ['a.b', ['1', '2.5', 'x']],
      ['c', ['[1, 2]', '{k: 3, j: 4}']],
    ]);
    expect(() => parseGrid(['nonsense'])).toThrow(/expected path=value1,value2/);
  });

  it('runs grid x seeds in worker threads, one folder per run, sweep.csv; the same run alone gives the same figures; resumes without redoing finished runs', () => {
    const out = tempDir();
    const common = ['--set', 'training.epochs=1', '--set', 'training.train_samples=60'];
    const tied = 'projections.0.plasticity.params.eta+projections.1.plasticity.params.eta';
    const args = ['sweep', 'scenarios/xor-rate.yaml', '--grid', `${tied}=0,0.002`, '--seeds', '2', '--workers', '2', '--out', out.dir, ...common];
    const r = engram(...args);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\[4\/4\] run-\d/);
    const csv = readFileSync(`${out.dir}/sweep.csv`, 'utf8').trim().split('\n');
    expect(csv[0]).toBe(`run,${tied},seed_index,seed,train_accuracy,test_accuracy,stalled,wall_s`);
    const rows = csv.slice(1).map((l) => l.split(','));
    expect(rows.map((c) => [c[0], c[1], c[2]])).toEqual([
      ['run-0', '0', '0'],
      ['run-1', '0', '1'],
      ['run-2', '0.002', '0'],
      ['run-3', '0.002', '1'],
    ]);
    // Paired seeds: seed index k has the same seed at every grid point, and different k differ.
    expect(rows[0][3]).toBe(rows[2][3]);
    expect(rows[0][3]).not.toBe(rows[1][3]);
    // run-3 repeated by hand with its seed and overrides gives the same test accuracy.
    // (the tied key set both projections' eta)
    const alone = engram(
      'run',
      'scenarios/xor-rate.yaml',
      '--out',
      `${out.dir}/alone`,
      '--seed',
      rows[3][3],
      ...common,
      '--set',
      'projections.0.plasticity.params.eta=0.002',
      '--set',
      'projections.1.plasticity.params.eta=0.002',
    );
    expect(alone.code).toBe(0);
    expect(JSON.parse(readFileSync(`${out.dir}/alone/summary.json`, 'utf8')).training.test_accuracy).toBe(Number(rows[3][5]));
    expect(JSON.parse(readFileSync(`${out.dir}/runs/run-3/summary.json`, 'utf8')).training.test_accuracy).toBe(Number(rows[3][5]));

    // A sweep cut off after three runs: resuming runs only the fourth, and sweep.csv is whole again.
    rmSync(`${out.dir}/runs/run-1/run.json`);
    const status = engram('sweep', '--status', '--out', out.dir);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/xor-rate\.yaml in .*: 3 of 4 runs finished/);
    const again = engram(...args);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a sweep: add --resume/);
    const resumed = engram(...args, '--resume');
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(/\[4\/4\] run-1 /);
    expect(resumed.out).toMatch(/4 runs \(3 finished before, skipped\)/);
    expect(
      readFileSync(`${out.dir}/sweep.csv`, 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').slice(0, 6)),
    ).toEqual(rows.map((c) => c.slice(0, 6)));
    // Another grid in the same folder is refused.
    const other = engram('sweep', 'scenarios/xor-rate.yaml', '--grid', `${tied}=0,0.003`, '--seeds', '2', '--out', out.dir, '--resume', ...common);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/holds a different sweep/);
    out.done();
  });

  it('a grid value that makes the scenario invalid is reported before anything runs', () => {
    const out = tempDir();
    const r = engram('sweep', 'scenarios/xor-rate.yaml', '--grid', 'training.epochs=1,-3', '--out', out.dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/training\.epochs: expected the number of epochs/);
    expect(r.out).toBe('');
    out.done();
  });
});
