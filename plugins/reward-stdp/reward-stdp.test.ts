import { describe, expect, it } from 'vitest';
import { build } from '../../test/helpers.js';

const P = { tau_plus: 20, tau_e: 1000, tau_n: 200, A_plus: 1 };

/**
 * Two synapses onto parrots: synapse 0 gets one pre-post pairing (pre at 100, post at 110 at
 * the synapse), synapse 1 only the pre spike. Reward pulses come from a spike input through
 * the channel `dopamine` (1 ms delay).
 */
function scenario(rewardAt: number[], duration = 4000, amount = 1) {
  return `
duration_ms: ${duration}
populations:
  post: {model: parrot, size: 2}
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[99], [99]]}}
  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[109]]}}
  reward: {type: spike-source, size: 1, params: {spike_times_ms: [[${rewardAt.map((t) => t - 1).join(', ')}]]}}
modulators:
  dopamine: {from: reward, amount: ${amount}, delay_ms: 1}
projections:
  - {from: teacher, to: post, connector: {type: list, pairs: [[0, 0]]}, weight: 1, delay_ms: 1, receptor: repeat}
  - {name: plastic, from: pre, to: post, connector: {type: one_to_one}, weight: 5, delay_ms: 1, receptor: silent,
     plasticity: {rule: reward-stdp, params: {channel: dopamine, w_min: 0, w_max: 100}}}
`;
}

async function weights(rewardAt: number[], duration = 4000): Promise<number[]> {
  const sim = await build(scenario(rewardAt, duration));
  sim.run();
  return Array.from(sim.projections.find((p) => p.name === 'plastic')!.weight);
}

/** Closed form: c(t) = A+ e^{-10/tau+} e^{-(t-110)/tau_e}; each pulse adds 1/tau_n to n. */
function analytic(rewardAt: number[], tEnd: number): number {
  const s = 1 / P.tau_e + 1 / P.tau_n;
  const c = (t: number) => P.A_plus * Math.exp(-10 / P.tau_plus) * Math.exp(-(t - 110) / P.tau_e);
  // dw = integral of c(t) n(t); with pulses at r_i, n(t) = sum (1/tau_n) e^{-(t - r_i)/tau_n}.
  return rewardAt.reduce((sum, r) => sum + ((c(r) / P.tau_n) * (1 - Math.exp(-s * (tEnd - r)))) / s, 0);
}

describe('reward-stdp', () => {
  it('leaves weights unchanged without a modulator, however tagged', async () => {
    expect(await weights([])).toEqual([5, 5]);
  });

  it('potentiates only the tagged synapse when the reward comes 1 s later, by the closed form', async () => {
    const [tagged, untagged] = await weights([1110]);
    expect(untagged).toBe(5);
    expect(tagged - 5).toBeGreaterThan(0);
    expect(Math.abs((tagged - 5) / analytic([1110], 4000) - 1)).toBeLessThan(1e-9);
  });

  it('lets the eligibility decay with tau_e: later rewards count less, by exp(-delay / tau_e)', async () => {
    // Rewards 2000 ms before the end, so the integration window after each is the same.
    const d500 = (await weights([610], 2610))[0] - 5;
    const d1000 = (await weights([1110], 3110))[0] - 5;
    const d2000 = (await weights([2110], 4110))[0] - 5;
    expect(d1000 / d500).toBeCloseTo(Math.exp(-500 / P.tau_e), 9);
    expect(d2000 / d1000).toBeCloseTo(Math.exp(-1000 / P.tau_e), 9);
    expect(Math.abs(d1000 / analytic([1110], 3110) - 1)).toBeLessThan(1e-9);
  });

  it('sums several rewards and gives the same result when the run is split', async () => {
    const whole = await weights([600, 1500, 1510]);
    expect(Math.abs((whole[0] - 5) / analytic([600, 1500, 1510], 4000) - 1)).toBeLessThan(1e-9);
    const sim = await build(scenario([600, 1500, 1510]));
    for (const t of [300, 1505, 1510, 2500, 4000]) sim.run(t);
    expect(Array.from(sim.projections.find((p) => p.name === 'plastic')!.weight)).toEqual(whole);
  });

  it('pairs coincident spikes post first with dendritic delay 0, by the closed form (issue 18)', async () => {
    // At the synapse: post 90, pre 100, pre 110 and post 110 (the post spike at 110 is made by a
    // delivery at 110), reward pulse at 1110. Post first: the post at 110 tags with the pre at
    // 100; the pre at 110 is depressed by the post at 90 only; the two at 110 do not pair.
    // Which delivery at 110 runs first is set by when it was scheduled: the pre spike's with
    // a 2 ms axonal delay (sent at 108) runs before the teacher's (sent at 109), and the other way round.
    for (const [preDelay, teacherDelay] of [
      [2, 1],
      [1, 2],
    ]) {
      const order = `pre delay ${preDelay}, teacher delay ${teacherDelay}`;
      const sim = await build(`
duration_ms: 4000
populations:
  post: {model: parrot, size: 1}
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[${100 - preDelay}, ${110 - preDelay}]]}}
  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[${90 - teacherDelay}, ${110 - teacherDelay}]]}}
  reward: {type: spike-source, size: 1, params: {spike_times_ms: [[1109]]}}
modulators:
  dopamine: {from: reward, amount: 1, delay_ms: 1}
projections:
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: ${teacherDelay}, receptor: repeat}
  - {name: plastic, from: pre, to: post, connector: {type: one_to_one}, weight: 5, delay_ms: ${preDelay}, dendritic_delay_ms: 0, receptor: silent,
     plasticity: {rule: reward-stdp, params: {channel: dopamine, w_min: 0, w_max: 100}}}
`);
      sim.run();
      const A = 1,
        Am = 1.5,
        e = Math.exp;
      const c100 = -Am * e(-10 / 20);
      const c110 = c100 * e(-10 / 1000) + A * e(-10 / 20) - Am * e(-20 / 20);
      const cR = c110 * e(-1000 / 1000);
      const s = 1 / 1000 + 1 / 200;
      const expected = 5 + ((cR / 200) * (1 - e(-s * (4000 - 1110)))) / s;
      expect(Math.abs(sim.projections[1].weight[0] - expected), order).toBeLessThan(1e-12);
    }
  });

  it('requires the channel to be defined', async () => {
    await expect(build(scenario([1110]).replace('channel: dopamine', 'channel: serotonin'))).rejects.toThrow(
      /projections\.1\.plasticity\.params\.channel: expected a channel defined under modulators: dopamine, found "serotonin"/,
    );
  });
});
