import { describe, expect, it } from 'vitest';
import { build } from '../../test/helpers.js';

/**
 * Two parrot neurons repeat two spike sources; their lateral projection learns with
 * decorrelation, clocked by a channel with pulses at 100 and 200 ms. Window 100 ms, no
 * settling: the first pulse sets the means to the rates, the second moves them half way.
 */
const scenario = (a: number[], b: number[]) => `
duration_ms: 250
populations:
  u: {model: parrot, size: 2}
inputs:
  drive: {type: spike-source, size: 2, params: {spike_times_ms: [[${a.join(', ')}], [${b.join(', ')}]]}}
  clock: {type: spike-source, size: 1, params: {spike_times_ms: [[99, 199]]}}
modulators:
  samples: {from: clock, delay_ms: 1}
projections:
  - {from: drive, to: u, connector: {type: one_to_one}, weight: 1, delay_ms: 0.5, receptor: repeat}
  - {name: lateral, from: u, to: u, connector: {type: all_to_all, allow_autapses: false}, weight: 0, delay_ms: 0.5, receptor: silent,
     plasticity: {rule: decorrelation, params: {channel: samples, eta: 0.5, settle_samples: 0, rate_scale_hz: 100}}}
`;
const train = (rate: number, from: number) => Array.from({ length: rate / 10 }, (_, k) => from + 2 + (1000 / rate) * k);

describe('decorrelation', () => {
  it('dW_ij = -eta (r_i - m_i)(r_j - m_j) / scale^2 at each sample end; units that move together inhibit each other', async () => {
    // Both units: 100 Hz in sample 1, 300 Hz in sample 2 (they move together).
    const sim = await build(scenario([...train(100, 0), ...train(300, 100)], [...train(100, 0), ...train(300, 100)]));
    sim.run();
    // After sample 2 the means are (100 + 300) / 2 = 200: deviations +100 for both.
    const w = sim.projections.find((p) => p.name === 'lateral')!.weight;
    expect(Array.from(w)).toEqual([-0.5 * ((100 * 100) / 10000), -0.5 * ((100 * 100) / 10000)]);
  });

  it('units that move apart are not inhibited (weights stay in [w_min, 0])', async () => {
    // Unit 0 rises (100 -> 300 Hz), unit 1 falls (300 -> 100 Hz): covariance negative.
    const sim = await build(scenario([...train(100, 0), ...train(300, 100)], [...train(300, 0), ...train(100, 100)]));
    sim.run();
    expect(Array.from(sim.projections.find((p) => p.name === 'lateral')!.weight)).toEqual([0, 0]);
  });
});
