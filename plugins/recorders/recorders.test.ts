import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { build, readCsv, tempDir } from '../../test/helpers.js';

const scenario = `
duration_ms: 100
seed: 9
populations:
  n: {model: lif, size: 20, params: {I_e_nA: 0.45, tau_m_ms: 10, R_m_MOhm: 40}, init: {v_mV: {dist: uniform, low: -70, high: -56}}}
inputs:
  p: {type: poisson, size: 5, params: {rate_hz: 100}}
projections:
  - {from: p, to: n, connector: {type: all_to_all}, weight: 0.05}
recorders:
  - {type: spikes}
  - {type: rates, params: {populations: [n], bin_ms: 25}}
  - {type: state, params: {population: n, neurons: [3, 7], variables: [v_mV, I_syn_ex_nA], interval_ms: 0.5}}
`;

describe('recorders', () => {
  it('write spikes sorted by time, rates per bin and sampled state', async () => {
    const out = tempDir();
    const sim = await build(scenario);
    sim.run();
    const files = await sim.writeOutputs(out.dir);
    expect(files.sort()).toEqual(['rates/n.csv', 'spikes/n.csv', 'spikes/p.csv', 'state/n.csv', 'summary.json']);

    const spikes = readCsv(`${out.dir}/spikes/n.csv`);
    expect(spikes.header).toEqual(['t_ms', 'neuron']);
    const summary = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8'));
    expect(spikes.rows.length).toBe(summary.populations.n.spikes);
    expect(spikes.rows.length).toBeGreaterThan(20);
    for (let k = 1; k < spikes.rows.length; k++) {
      const [t0, i0] = spikes.rows[k - 1];
      const [t1, i1] = spikes.rows[k];
      expect(t1 > t0 || (t1 === t0 && i1 > i0)).toBe(true);
    }

    const rates = readCsv(`${out.dir}/rates/n.csv`);
    expect(rates.rows.map((r) => r[0])).toEqual([0, 25, 50, 75]);
    for (const [t0, rate] of rates.rows) {
      const inBin = spikes.rows.filter(([t]) => t >= t0 && t < t0 + 25).length;
      expect(rate).toBeCloseTo((inBin / 20 / 25) * 1000, 9);
    }

    const state = readCsv(`${out.dir}/state/n.csv`);
    expect(state.header).toEqual(['t_ms', 'neuron', 'v_mV', 'I_syn_ex_nA']);
    expect(state.rows.length).toBe(2 * 201);
    expect(state.rows.slice(0, 4).map((r) => [r[0], r[1]])).toEqual([
      [0, 3],
      [0, 7],
      [0.5, 3],
      [0.5, 7],
    ]);
    for (const [, , v] of state.rows) expect(v).toBeLessThan(-55);
    expect(summary).toMatchObject({ scenario: 'test', seed: 9, t_stop_ms: 100, populations: { n: { size: 20, model: 'lif' } } });
    expect(summary.events_delivered).toBe(summary.inputs.p.spikes * 20);
    out.done();
  });

  it('reject references to populations or variables that do not exist', async () => {
    await expect(build(scenario.replace('population: n,', 'population: q,'))).rejects.toThrow(
      /recorders\.2\.params\.population: expected a neuron population: n, found "q"/,
    );
    await expect(build(scenario.replace('[v_mV, I_syn_ex_nA]', '[v_mV, w]'))).rejects.toThrow(
      /variables: expected state variables of n: v_mV, I_syn_ex_nA, I_syn_in_nA, I_ext_nA, found "w"/,
    );
    await expect(build(scenario.replace('interval_ms: 0.5', 'interval_ms: 0.25'))).rejects.toThrow(/interval_ms: expected a multiple of resolution_ms \(0.1\)/);
  });
});
