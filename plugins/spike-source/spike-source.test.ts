import { describe, expect, it } from 'vitest';
import { build, listen } from '../../test/helpers.js';

describe('spike-source input', () => {
  it('emits exactly the given times in time order, ties by neuron', async () => {
    const sim = await build(`
duration_ms: 10
inputs:
  s: {type: spike-source, size: 3, params: {spike_times_ms: [[5, 1.5], [], [1.5, 0.001, 12]]}}
populations:
  sink: {model: lif, size: 1}
`);
    const log = listen(sim, 's');
    sim.run();
    expect(log.t).toEqual([0.001, 1.5, 1.5, 5]);
    expect(log.i).toEqual([2, 0, 2, 0]);
  });

  it('needs one list of times per neuron', async () => {
    await expect(
      build(`
duration_ms: 10
inputs:
  s: {type: spike-source, size: 2, params: {spike_times_ms: [[1]]}}
populations:
  sink: {model: lif, size: 1}
`),
    ).rejects.toThrow(/one list of times per neuron \(2 lists\), found 1 lists/);
  });
});
