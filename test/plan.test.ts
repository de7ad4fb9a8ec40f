/**
 * Plan, then construct (scenario/plan.ts, scenario/construct.ts): validation plans a scenario and stops there. It
 * allocates no synapse, creates no plugin object, trains no memory and loads no dataset whose
 * plugin knows its shape; every problem the plan can see is still reported, all at once.
 */
import * as path from 'node:path';
import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import type { DatasetPlugin, MemoryCircuitPlugin } from '../core/contracts.js';
import { ScenarioError } from '../core/errors.js';
import { param } from '../core/params.js';
import { parseScenario } from '../scenario/load.js';
import { DatasetToken, MemoryCircuitToken } from '../core/tokens.js';
import { buildLoaded, planLoaded } from '../index.js';

const created: string[] = [];

/** A dataset that knows its shape; creating it is logged. */
const ShapedData: DatasetPlugin = {
  name: 'shaped',
  description: 'test dataset: 3 features, 2 classes, 10 + 4 samples',
  params: [],
  shape: () => ({ nFeatures: 3, nClasses: 2, nTrain: 10, nTest: 4 }),
  create() {
    created.push('dataset');
    const x = Array.from({ length: 14 }, (_, i) => Float64Array.of(i % 2, 1, 0));
    const labels = Int32Array.from(x, (_, i) => i % 2);
    return { nFeatures: 3, nClasses: 2, train: { x: x.slice(0, 10), labels: labels.slice(0, 10) }, test: { x: x.slice(10), labels: labels.slice(10) } };
  },
};

/** A memory circuit whose creation is logged (a reservoir would train here). */
const LoggedMemory: MemoryCircuitPlugin = {
  name: 'logged',
  description: 'test memory: emits nothing',
  params: [param.number('window', 4, 'samples')],
  create() {
    created.push('memory');
    return { present() {} };
  },
};

const modules = [
  new ContainerModule(({ bind }) => {
    bind(DatasetToken).toConstantValue(ShapedData);
    bind(MemoryCircuitToken).toConstantValue(LoggedMemory);
  }),
];

const scenario = (extra = '') => `
seed: 3
resolution_ms: 0.5
training:
  dataset: {type: shaped}
  input: in
  readout: out
  layers: [{population: h, memory: {type: logged}}]
  presentation_ms: 20
  epochs: 2
inputs:
  in: {type: rate-code, size: 3, params: {max_rate_hz: 100}}
populations:
  h: {model: lif, size: 5, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2}}
  out: {model: leaky-rate, size: 2, params: {tau_ms: 10, activation: linear}}
projections:
  - {from: in, to: h, connector: {type: all_to_all}, weight: 1, delay_ms: 0.5}
  - {from: h, to: out, connector: {type: all_to_all}, weight: 0.1, delay_ms: 0.5}
${extra}`;

const load = (text: string) => parseScenario(text, path.join(import.meta.dirname, 'plan.yaml'));

describe('plan, then construct', () => {
  it('planning loads no dataset and creates no memory; constructing does both', async () => {
    created.length = 0;
    const plan = await planLoaded(load(scenario()), modules);
    expect(created).toEqual([]);
    expect(plan.training?.shape).toEqual({ nFeatures: 3, nClasses: 2, nTrain: 10, nTest: 4 });
    expect(plan.training?.dataset).toBeUndefined();
    // 2 epochs x 10 samples + 2 evaluations x 4 samples, 20 ms each.
    expect(plan.t_stop_ms).toBe(20 * (2 * 10 + 2 * 4));
    const sim = await buildLoaded(load(scenario()), modules);
    expect(created).toEqual(['dataset', 'memory']);
    expect(sim.t_stop_ms).toBe(plan.t_stop_ms);
  });

  it('a plan reports every problem it can see at once, the connector sizes included', async () => {
    const bad = scenario(`  - {from: in, to: h, connector: {type: one_to_one}, weight: 1}
  - {from: h, to: out, connector: {type: fixed_indegree, indegree: 9}, weight: 1}`).replace('size: 2, params: {tau_ms', 'size: 3, params: {tau_ms');
    created.length = 0;
    const err = await planLoaded(load(bad), modules).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const paths = (err as ScenarioError).diagnostics.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['populations.out.size', 'projections.2.connector', 'projections.3.connector']));
    expect((err as Error).message).toMatch(
      /projections\.2\.connector: expected a realisable specification, found one_to_one needs populations of equal size, got 3 and 5/,
    );
    expect((err as Error).message).toMatch(/indegree 9 exceeds the 5 distinct sources available/);
    expect(created).toEqual([]);
  });

  it('refuses a network whose estimated memory exceeds the limit before allocating it, at the field that weighs most', async () => {
    const plan = (yaml: string, maxMemoryBytes?: number) => planLoaded({ ...parseScenario(yaml, 'm.yaml'), maxMemoryBytes });
    const wide = `duration_ms: 10
populations:
  a: {model: lif, size: 50000}
  b: {model: lif, size: 50000}
projections:
  - {from: a, to: b, connector: {type: all_to_all}, weight: 1}
`;
    // 2.5e9 synapses at 24 bytes: about 56 GB, refused at the connector (it used to be killed by the OS).
    const err = await plan(wide, 8 * 2 ** 30).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).diagnostics.map((d) => `${d.location.line}:${d.location.column} ${d.path}: ${d.expected}; ${d.found}`)).toEqual([
      "6:33 projections.0.connector: a network that fits in 8.00 GB (the memory limit: --max-memory-gb, by default half this machine's memory); an estimated 55.9 GB, 55.9 GB of it here",
    ]);
    // The same network planned with room for it, and a small one under a tight limit.
    await expect(plan(wide, 64 * 2 ** 30)).resolves.toBeDefined();
    await expect(plan('duration_ms: 10\npopulations:\n  a: {model: lif, size: 1000}\n', 2 ** 20)).resolves.toBeDefined();
    await expect(plan('duration_ms: 10\npopulations:\n  a: {model: lif, size: 100000}\n', 2 ** 20)).rejects.toThrow(
      /populations\.a\.size: expected a network that fits in 0\.000977 GB/,
    );
  });
});
