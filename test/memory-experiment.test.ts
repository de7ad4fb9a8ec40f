import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../index.js';
import { tempDir } from './helpers.js';

describe('memory experiment output', () => {
  it('is on disk after every finished grid point, marked incomplete until the last', async () => {
    const dir = tempDir();
    writeFileSync(
      `${dir.dir}/m.yaml`,
      `seed: 1
memory_experiment:
  memory: {type: ideal-window, params: {sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1, gamma: 10}}
  dims: {x: 2, y: 2, z: 3}
  grid: {window: [2, 3, 4]}
  test_samples: 20
`,
    );
    const seen: { rows: number; complete: boolean; csv: number }[] = [];
    const out = `${dir.dir}/out`;
    await runScenario(`${dir.dir}/m.yaml`, {
      out,
      onExperimentRow: () => {
        const summary = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8'));
        seen.push({
          rows: summary.memory_experiment.rows.length,
          complete: summary.complete,
          csv: readFileSync(`${out}/capacity.csv`, 'utf8').trim().split('\n').length - 1,
        });
      },
    });
    expect(seen).toEqual([
      { rows: 1, complete: false, csv: 1 },
      { rows: 2, complete: false, csv: 2 },
      { rows: 3, complete: false, csv: 3 },
    ]);
    const final = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8'));
    expect(final.complete).toBe(true);
    // The ideal window is the exact signal.
    for (const r of final.memory_experiment.rows) expect(r.cosine).toBeCloseTo(1, 12);
    dir.done();
  });
});

describe('training output', () => {
  it('writes history.csv after every epoch, before the next starts', async () => {
    const dir = tempDir();
    writeFileSync(
      `${dir.dir}/t.yaml`,
      `name: t
seed: 1
resolution_ms: 0.5
training: {dataset: {type: linear}, input: in, readout: out, presentation_ms: 20, epochs: 3, train_samples: 20}
inputs:
  in: {type: rate-code, size: 2, params: {max_rate_hz: 200, low: -1, high: 1}}
populations:
  out: {model: lif, size: 2, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}
projections:
  - {name: in_out, from: in, to: out, connector: {type: all_to_all}, weight: 1, plasticity: {rule: delta-readout, params: {eta: 0.0005}}}
`,
    );
    const out = `${dir.dir}/out`;
    const rows: number[] = [];
    await runScenario(`${dir.dir}/t.yaml`, { out, onEpoch: () => rows.push(readFileSync(`${out}/history.csv`, 'utf8').trim().split('\n').length - 1) });
    expect(rows).toEqual([1, 2, 3]);
    expect(readFileSync(`${out}/history.csv`, 'utf8').trim().split('\n')).toHaveLength(4);
    dir.done();
  });
});
