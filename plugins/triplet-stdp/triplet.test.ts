import { describe, expect, it } from 'vitest';
import { build } from '../../test/helpers.js';

/**
 * The frequency-dependence protocol of Sjostrom et al. (2001) as simulated by Pfister &
 * Gerstner (2006, Fig. 5): 60 pairings at frequency f, post spike dt ms after the pre spike.
 */
async function pairing(freqHz: number, dt: number, extra = ''): Promise<number> {
  const period = 1000 / freqHz;
  const pre = Array.from({ length: 60 }, (_, n) => 100 + n * period);
  const post = pre.map((t) => t + dt);
  const sim = await build(`
duration_ms: ${Math.ceil((100 + 60 * period + 200) / 0.1) * 0.1}
populations:
  post: {model: parrot, size: 1}
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[${pre.join(', ')}]]}}
  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[${post.map((t) => t - 1).join(', ')}]]}}
projections:
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
  - {name: plastic, from: pre, to: post, connector: {type: one_to_one}, weight: 0.5, delay_ms: 1, receptor: silent,
     plasticity: {rule: triplet-stdp, params: {w_min: 0, w_max: 1${extra}}}}
`);
  sim.run();
  return sim.projections[1].weight[0] - 0.5;
}

describe('triplet-stdp', () => {
  it('reproduces the sign change with pairing frequency (visual cortex parameters)', async () => {
    // Post-before-pre pairing (dt = -10 ms): depression up to 20 Hz, potentiation from 40 Hz.
    const minus: number[] = [];
    for (const f of [0.1, 10, 20, 40, 50]) minus.push(await pairing(f, -10));
    expect(minus.slice(0, 3).every((d) => d < -0.1)).toBe(true);
    expect(minus.slice(3).every((d) => d > 0.1)).toBe(true);
    // Pre-before-post (dt = +10 ms): no change at 0.1 Hz (A2_plus is tiny; the triplet term
    // needs a recent post spike), growing with frequency.
    const plus: number[] = [];
    for (const f of [0.1, 10, 20, 30]) plus.push(await pairing(f, 10));
    expect(Math.abs(plus[0])).toBeLessThan(1e-3);
    for (let i = 1; i < plus.length; i++) expect(plus[i]).toBeGreaterThan(plus[i - 1] + 0.05);
  });

  it('matches the rule written out by hand for a pre-post-post triplet', async () => {
    // Pre at 100, post at 110 and 120 (synapse times): each post spike potentiates by
    // r1 * (A2+ + A3+ * o2-), with o2- = 0 before the first and exp(-10/125) before the second.
    const sim = await build(`
duration_ms: 400
populations:
  post: {model: parrot, size: 1}
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[99]]}}
  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[109, 119]]}}
projections:
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
  - {from: pre, to: post, connector: {type: one_to_one}, weight: 0.5, delay_ms: 1, receptor: silent,
     plasticity: {rule: triplet-stdp, params: {A2_plus: 0.01, A3_plus: 0.02, w_max: 1}}}
`);
    sim.run();
    const r1 = (s: number) => Math.exp(-s / 16.8);
    const expected = 0.5 + r1(10) * 0.01 + r1(20) * (0.01 + 0.02 * Math.exp(-10 / 125));
    expect(sim.projections[1].weight[0]).toBeCloseTo(expected, 14);
  });
});
