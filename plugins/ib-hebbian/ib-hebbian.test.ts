import { describe, expect, it } from 'vitest';
import { build } from '../../test/helpers.js';

/**
 * Two pre neurons with known spike trains onto one parrot (receptor silent, so it never
 * spikes); the third factor is a scalar channel fed by a spike input: one pulse of 0.5 at
 * t = 100 ms (the spike at 99 plus the 1 ms modulator delay).
 */
const scenario = (rule: string, params = 'eta: 0.01, gain: one', other = '') => `
duration_ms: 200
populations:
  post: {model: parrot, size: 1}
  ${other}
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[10, 60, 89], [95]]}}
  signal: {type: spike-source, size: 1, params: {spike_times_ms: [[99]]}}
modulators:
  s: {from: signal, amount: 0.5, delay_ms: 1}
projections:
  - {name: learn, from: pre, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 1, receptor: silent,
     plasticity: {rule: ${rule}, params: {channel: s, tau_x_ms: 20, ${params}}}}
`;

/** x_j(100) = sum over arrivals t_a <= 100 of (1000 / 20) exp(-(100 - t_a) / 20). */
const trace = (arrivals: number[]) => arrivals.reduce((s, t) => s + 50 * Math.exp(-(100 - t) / 20), 0);

describe('ib-hebbian (and delta-readout, the same rule)', () => {
  for (const rule of ['ib-hebbian', 'delta-readout']) {
    it(`${rule}: dW_ij = -eta * s_i * g_i * x_j at the pulse, exactly`, async () => {
      const sim = await build(scenario(rule));
      sim.run();
      const w = sim.projections[0].weight;
      expect(w[0]).toBeCloseTo(1 - 0.01 * 0.5 * trace([11, 61, 90]), 12);
      expect(w[1]).toBeCloseTo(1 - 0.01 * 0.5 * trace([96]), 12);
    });
  }

  it('changes nothing with eta = 0, nor with gain active when the post neuron is silent', async () => {
    for (const params of ['eta: 0, gain: one', 'eta: 0.01, gain: active']) {
      const sim = await build(scenario('ib-hebbian', params));
      sim.run();
      expect(Array.from(sim.projections[0].weight)).toEqual([1, 1]);
    }
  });

  it('uses only its own pre and post activity and its signal: another layer changes nothing', async () => {
    const alone = await build(scenario('ib-hebbian'));
    alone.run();
    const busy = await build(
      scenario('ib-hebbian', undefined, `other: {model: lif, size: 20, params: {I_e_nA: 1}}`) +
        `  - {from: pre, to: other, connector: {type: all_to_all}, weight: 5}\n  - {from: other, to: other, connector: {type: all_to_all}, weight: 0.5}\n`,
    );
    busy.run();
    expect(busy.summary().populations.other.spikes).toBeGreaterThan(100);
    expect(Array.from(busy.projections[0].weight)).toEqual(Array.from(alone.projections[0].weight));
  });

  it('adam takes a first step of eta against the gradient sign', async () => {
    const sim = await build(scenario('ib-hebbian', 'eta: 0.01, gain: one, optimizer: adam'));
    sim.run();
    const w = sim.projections[0].weight;
    expect(w[0]).toBeCloseTo(1 - 0.01, 6);
    expect(w[1]).toBeCloseTo(1 - 0.01, 6);
  });

  it('homeostatic scaling: dW_ij = -eta_h (r_i - target) / target * x_j / 1000, from the post rate trace', async () => {
    // The post neuron repeats a driver's spikes at 20, 40, 50 and 70 ms (parrot, receptor
    // repeat); eta 0, so only the homeostatic step acts, at the pulse at t = 100 ms.
    const text =
      scenario('ib-hebbian', 'eta: 0, gain: one, rate_target_hz: 40, homeostasis_eta: 0.2, tau_rate_ms: 50').replace(
        'inputs:\n',
        'inputs:\n  driver: {type: spike-source, size: 1, params: {spike_times_ms: [[19, 39, 49, 69]]}}\n',
      ) + `  - {from: driver, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 1, receptor: repeat}\n`;
    const run = await build(text);
    run.run();
    expect(run.summary().populations.post.spikes).toBe(4);
    const r = [20, 40, 50, 70].reduce((s, t) => s + (1000 / 50) * Math.exp(-(100 - t) / 50), 0);
    const h = (0.2 / 1000) * ((r - 40) / 40);
    const w = run.projections[0].weight;
    expect(w[0]).toBeCloseTo(1 - h * trace([11, 61, 90]), 12);
    expect(w[1]).toBeCloseTo(1 - h * trace([96]), 12);
    expect(w[0]).toBeGreaterThan(1); // r ~ 37 Hz is below the 40 Hz target: scaled up
  });
});
