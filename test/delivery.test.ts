import { beforeEach, describe, expect, it } from 'vitest';
import { build } from './helpers.js';
import { probeLog, probeModule } from './probe-model.js';

const receives = () => probeLog.filter((e) => e.kind === 'receive');

describe('spike delivery', () => {
  beforeEach(() => {
    probeLog.length = 0;
  });

  it('arrives after the axonal plus dendritic delay, at continuous times', async () => {
    const sim = await build(
      `
duration_ms: 10
populations:
  post: {model: probe, size: 3}
inputs:
  src: {type: spike-source, size: 2, params: {spike_times_ms: [[1.2345], [2.5]]}}
projections:
  - {from: src, to: post, connector: {type: all_to_all}, weight: 0.5, delay_ms: 0.7, dendritic_delay_ms: 0.3}
`,
      [probeModule],
    );
    sim.run();
    const got = receives().map((e) => [e.t, e.neuron, e.value]);
    expect(got).toEqual([
      [1.2345 + 0.7 + 0.3, 0, 0.5],
      [1.2345 + 0.7 + 0.3, 1, 0.5],
      [1.2345 + 0.7 + 0.3, 2, 0.5],
      [2.5 + 0.7 + 0.3, 0, 0.5],
      [2.5 + 0.7 + 0.3, 1, 0.5],
      [2.5 + 0.7 + 0.3, 2, 0.5],
    ]);
    expect(sim.summary().events_delivered).toBe(6);
  });

  it('delivers per-synapse delays in arrival order, each at its own time', async () => {
    const sim = await build(
      `
duration_ms: 20
populations:
  post: {model: probe, size: 4}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[1]]}}
projections:
  - {from: src, to: post, connector: {type: list, pairs: [[0, 0], [0, 1], [0, 2], [0, 3]]}, weight: [1, 2, 3, 4], delay_ms: [5.5, 0.25, 5.5, 2]}
`,
      [probeModule],
    );
    sim.run();
    expect(receives().map((e) => [e.t, e.neuron, e.value])).toEqual([
      [1.25, 1, 2],
      [3, 3, 4],
      [6.5, 0, 1],
      [6.5, 2, 3],
    ]);
  });

  it('draws delays from a distribution within its bounds, reproducibly', async () => {
    const yaml = `
duration_ms: 30
seed: 3
populations:
  post: {model: probe, size: 200}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[0.5]]}}
projections:
  - {from: src, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: {dist: normal, mean: 5, sd: 2, low: 1, high: 9}}
`;
    const sim = await build(yaml, [probeModule]);
    sim.run();
    const first = receives().map((e) => e.t - 0.5);
    expect(first.length).toBe(200);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(1);
    expect(Math.max(...first)).toBeLessThanOrEqual(9);
    expect(new Set(first).size).toBe(200); // continuous values, not a grid
    const mean = first.reduce((a, b) => a + b) / first.length;
    expect(Math.abs(mean - 5)).toBeLessThan(0.5);
    for (let k = 1; k < first.length; k++) expect(first[k]).toBeGreaterThanOrEqual(first[k - 1]);
    probeLog.length = 0;
    const again = await build(yaml, [probeModule]);
    again.run();
    expect(receives().map((e) => e.t - 0.5)).toEqual(first);
  });

  it('routes to the named receptor, or by the sign of the weight when none is named', async () => {
    const sim = await build(
      `
duration_ms: 5
populations:
  post: {model: probe, size: 1}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[1]]}}
projections:
  - {from: src, to: post, connector: {type: one_to_one}, weight: 1, receptor: b}
  - {from: src, to: post, connector: {type: one_to_one}, weight: -1}
`,
      [probeModule],
    );
    sim.run();
    expect(receives().map((e) => e.port)).toEqual([1, -1]);
  });

  it('runs same-time work in the documented order: input, delivery, neuron step, recorder', async () => {
    // A current step, a spike arrival and a grid step all at t = 2.
    const sim = await build(
      `
duration_ms: 3
resolution_ms: 1
populations:
  post: {model: probe, size: 1}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[1]]}}
  stim: {type: current, target: post, params: {steps: [{t_ms: 2, amplitude_nA: 0.5}]}}
projections:
  - {from: src, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
`,
      [probeModule],
    );
    sim.run();
    expect(probeLog.filter((e) => e.t === 2).map((e) => e.kind)).toEqual(['current', 'receive', 'step']);
  });

  it('a spike emitted by a population travels its outgoing projections', async () => {
    const sim = await build(
      `
duration_ms: 10
resolution_ms: 0.5
populations:
  a: {model: probe, size: 1, params: {fire_at_ms: [2.25, 4.75]}}
  b: {model: probe, size: 2}
projections:
  - {from: a, to: b, connector: {type: all_to_all}, weight: 1, delay_ms: 1.5}
`,
      [probeModule],
    );
    sim.run();
    expect(receives().map((e) => [e.t, e.neuron])).toEqual([
      [3.75, 0],
      [3.75, 1],
      [6.25, 0],
      [6.25, 1],
    ]);
    expect(sim.summary().populations.a.spikes).toBe(2);
  });
});
