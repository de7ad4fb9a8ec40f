import { ContainerModule } from 'inversify';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PlasticityRulePlugin } from '../core/contracts.js';
import { param } from '../core/params.js';
import { PlasticityRuleToken } from '../core/tokens.js';
import { build } from './helpers.js';
import { probeLog, probeModule } from './probe-model.js';

/** A rule that scales a synapse's weight on every pre arrival and logs what it is told. */
const calls: string[] = [];
const ScaleRule: PlasticityRulePlugin = {
  name: 'scale-on-pre',
  description: 'multiplies the weight by factor at each pre arrival (test rule)',
  params: [param.number('factor', 2, 'scale per arrival')],
  create({ params, projection }) {
    return {
      onPreArrival(t, pre, start, end) {
        calls.push(`pre ${t} ${pre} [${start},${end}) d=${projection.delayOf(start)}`);
        for (let k = start; k < end; k++) projection.weight[k] *= params.factor as number;
      },
      onPostSpike(post, t) {
        calls.push(`post ${t} ${post}`);
      },
    };
  },
};
const ruleModule = new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(ScaleRule);
});

describe('plasticity contract', () => {
  beforeEach(() => {
    probeLog.length = 0;
    calls.length = 0;
  });

  it('calls the rule before each delivery (which sees the new weight) and on post spikes', async () => {
    const sim = await build(
      `
duration_ms: 10
resolution_ms: 0.5
populations:
  post: {model: probe, size: 1, params: {fire_at_ms: [4.25]}}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[1, 3]]}}
projections:
  - {from: src, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 0.5, plasticity: {rule: scale-on-pre, params: {factor: 3}}}
`,
      [probeModule, ruleModule],
    );
    sim.run();
    expect(calls).toEqual(['pre 1.5 0 [0,1) d=0.5', 'pre 3.5 0 [0,1) d=0.5', 'post 4.25 0']);
    expect(probeLog.filter((e) => e.kind === 'receive').map((e) => e.value)).toEqual([3, 9]);
    expect(sim.projections[0].weight[0]).toBe(9);
  });

  it('makes no dynamics for the static rule', async () => {
    const sim = await build(
      `
duration_ms: 10
populations:
  post: {model: probe, size: 1}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[1, 3]]}}
projections:
  - {from: src, to: post, connector: {type: one_to_one}, weight: 2, plasticity: {rule: static}}
`,
      [probeModule],
    );
    sim.run();
    expect(sim.projections[0].dynamics).toBeUndefined();
    expect(probeLog.filter((e) => e.kind === 'receive').map((e) => e.value)).toEqual([2, 2]);
  });

  it('rejects unknown rules and bad rule parameters with their location', async () => {
    const yaml = (rule: string) => `
duration_ms: 10
populations:
  post: {model: probe, size: 1}
projections:
  - {from: post, to: post, connector: {type: one_to_one}, weight: 1, plasticity: ${rule}}
`;
    await expect(build(yaml('{rule: stdpp}'), [probeModule, ruleModule])).rejects.toThrow(
      /test\.yaml:6:\d+: projections\.0\.plasticity\.rule: expected a plasticity rule: decorrelation, delta-readout, ib-hebbian, reward-stdp, scale-on-pre, static, stdp, triplet-stdp, found unknown rule "stdpp"/,
    );
    await expect(build(yaml('{rule: scale-on-pre, params: {factor: x}}'), [probeModule, ruleModule])).rejects.toThrow(
      /projections\.0\.plasticity\.params\.factor: expected a number, found "x"/,
    );
  });
});
