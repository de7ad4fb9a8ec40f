import { describe, expect, it } from 'vitest';
import { build, listen } from '../../test/helpers.js';

describe('pair-reward input', () => {
  it('rewards each pre-then-post pairing at the chosen synapse after the given delay', async () => {
    // Synapse 1 (pre 1 -> post 1, axonal delay 2 ms): pre spikes arrive at 12, 52 and 92 ms;
    // post 1 fires at 15 (paired, dt 3), 70 (dt 18 > window 10: no) and 91 (before the pre: no).
    // Post 0 fires at 15 too, but it is not the chosen synapse's post neuron.
    const sim = await build(`
duration_ms: 2000
populations:
  post: {model: parrot, size: 2}
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[10, 50, 90], [10, 50, 90]]}}
  teacher: {type: spike-source, size: 2, params: {spike_times_ms: [[14], [14, 69, 90]]}}
  reward: {type: pair-reward, size: 1, params: {projection: syn, synapse: 1, window_ms: 10, delay_ms: 1000}}
projections:
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
  - {name: syn, from: pre, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 2, receptor: silent}
`);
    const rewards = listen(sim, 'reward');
    sim.run();
    expect(rewards.t).toEqual([1015]);
    expect(sim.summary().inputs.reward).toMatchObject({ synapse: { index: 1, pre: 1, post: 1 }, pairings: 1, rewards: 1, rewarded_weight: 1, others_mean: 1 });
  });

  it('names the projection it needs', async () => {
    await expect(
      build(`
duration_ms: 10
populations:
  post: {model: parrot, size: 1}
inputs:
  reward: {type: pair-reward, size: 1, params: {projection: nope}}
`),
    ).rejects.toThrow(/inputs\.reward: expected a realisable specification, found pair-reward: no projection named "nope"/);
  });
});
