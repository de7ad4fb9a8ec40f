import { describe, expect, it } from 'vitest';
import { build, readCsv, tempDir } from '../../test/helpers.js';

/**
 * rule-state (a plasticity rule's own variables over time) and weight-trace in SONATA's HDF5
 * report layout, checked against values computed by hand.
 */

// One synapse pre -> post (parrot): pre arrives at 11 and 61 ms, the post neuron fires at 16 ms
// (driven by the teacher), a dopamine pulse of 1 arrives at 31 ms.
const rewardScenario = (recorders: string) => `
name: rs
duration_ms: 100
resolution_ms: 0.5
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[10, 60]]}}
  teach: {type: spike-source, size: 1, params: {spike_times_ms: [[15]]}}
  reward: {type: spike-source, size: 1, params: {spike_times_ms: [[30]]}}
populations:
  post: {model: parrot, size: 1}
modulators:
  dopamine: {from: reward, amount: 1, delay_ms: 1}
projections:
  - {from: teach, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
  - {name: learned, from: pre, to: post, connector: {type: one_to_one}, weight: 0.5, delay_ms: 1, receptor: silent,
     plasticity: {rule: reward-stdp, params: {channel: dopamine, A_plus: 1, A_minus: 1, tau_plus_ms: 20, tau_minus_ms: 20, tau_e_ms: 100, tau_n_ms: 50, w_min: 0, w_max: 4}}}
recorders:
${recorders}
`;

async function runTo(yaml: string) {
  const out = tempDir();
  const sim = await build(yaml);
  sim.run();
  const files = await sim.writeOutputs(out.dir);
  return { out, files };
}

describe('rule-state recorder', () => {
  it("records reward-stdp's eligibility, concentration and integrated weight at each sample, as the closed form gives them", async () => {
    const { out, files } = await runTo(rewardScenario('  - {type: weights}\n  - {type: rule-state, params: {projection: learned, interval_ms: 10}}'));
    expect(files).toContain('rule-state/learned.synapse.csv');
    expect(files).toContain('rule-state/learned.projection.csv');
    const syn = readCsv(`${out.dir}/rule-state/learned.synapse.csv`);
    expect(syn.header).toEqual(['t_ms', 'synapse', 'pre', 'post', 'c', 'w']);
    const at = (t: number) => syn.rows.find((r) => r[0] === t)!;
    // Eligibility: 0 until the post spike reaches the synapse at 16 ms, then exp(-5/20) decaying with tau_e.
    expect(at(10)[4]).toBe(0);
    const c16 = Math.exp(-5 / 20);
    expect(at(20)[4]).toBeCloseTo(c16 * Math.exp(-4 / 100), 12);
    expect(at(30)[4]).toBeCloseTo(c16 * Math.exp(-14 / 100), 12);
    // The weight moves only once dopamine is there (b = 0): dw = c0 n0 / s (1 - exp(-s h)).
    expect(at(30)[5]).toBe(0.5);
    const n0 = 1 / 50;
    const s = 1 / 100 + 1 / 50;
    const c31 = c16 * Math.exp(-15 / 100);
    expect(at(40)[5]).toBeCloseTo(0.5 + ((c31 * n0) / s) * -Math.expm1(-s * 9), 12);
    // The concentration: a pulse of 1 at 31 ms adds 1/tau_n.
    const n = readCsv(`${out.dir}/rule-state/learned.projection.csv`);
    expect(n.header).toEqual(['t_ms', 'n']);
    expect(n.rows.find((r) => r[0] === 30)![1]).toBe(0);
    expect(n.rows.find((r) => r[0] === 40)![1]).toBeCloseTo(n0 * Math.exp(-9 / 50), 14);
    // The pre spike at 61 ms depresses c by the post trace exp(-45/20).
    const c61 = c16 * Math.exp(-45 / 100) - Math.exp(-45 / 20);
    expect(at(70)[4]).toBeCloseTo(c61 * Math.exp(-9 / 100), 12);
    // At the end the integrated weight is the one the run settles to, to the bit.
    const final = readCsv(`${out.dir}/weights/learned.csv`).rows[0][3];
    expect(at(100)[5]).toBe(final);
    out.done();
  });

  it('never changes what it observes: the weights are byte-identical with and without it', async () => {
    const a = await runTo(rewardScenario('  - {type: weights}\n  - {type: rule-state, params: {projection: learned, interval_ms: 0.5}}'));
    const b = await runTo(rewardScenario('  - {type: weights}'));
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${a.out.dir}/weights/learned.csv`, 'utf8')).toBe(readFileSync(`${b.out.dir}/weights/learned.csv`, 'utf8'));
    a.out.done();
    b.out.done();
  });

  it("records stdp's pre trace per synapse and post trace per post neuron", async () => {
    const { out } = await runTo(`
duration_ms: 40
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[5, 12], [20]]}}
  teach: {type: spike-source, size: 1, params: {spike_times_ms: [[8]]}}
populations:
  post: {model: parrot, size: 2}
projections:
  - {from: teach, to: post, connector: {type: list, pairs: [[0, 1]]}, weight: 1, delay_ms: 1, receptor: repeat}
  - {name: s, from: pre, to: post, connector: {type: all_to_all}, weight: 0.5, delay_ms: 2, dendritic_delay_ms: 1, receptor: silent,
     plasticity: {rule: stdp, params: {tau_plus_ms: 10, tau_minus_ms: 20, w_max: 1}}}
recorders:
  - {type: rule-state, params: {projection: s, variables: [x_pre, y_post], interval_ms: 5}}
`);
    const syn = readCsv(`${out.dir}/rule-state/s.synapse.csv`);
    expect(syn.header).toEqual(['t_ms', 'synapse', 'pre', 'post', 'x_pre']);
    const x = (t: number, k: number) => syn.rows.find((r) => r[0] === t && r[1] === k)![4];
    // Pre 0 arrives at 7 and 14 ms (axonal delay 2), pre 1 at 22.
    expect(x(5, 0)).toBe(0);
    expect(x(10, 1)).toBeCloseTo(Math.exp(-3 / 10), 14);
    expect(x(15, 0)).toBeCloseTo(Math.exp(-8 / 10) + Math.exp(-1 / 10), 14);
    expect(x(20, 2)).toBe(0);
    expect(x(25, 3)).toBeCloseTo(Math.exp(-3 / 10), 14);
    const post = readCsv(`${out.dir}/rule-state/s.post.csv`);
    expect(post.header).toEqual(['t_ms', 'post', 'y_post']);
    // Post 1 fires at 9 ms (teacher at 8 + 1); it reaches the synapses at 10 (dendritic delay 1): counted at 10.
    const y = (t: number, j: number) => post.rows.find((r) => r[0] === t && r[1] === j)![2];
    expect(y(5, 1)).toBe(0);
    expect(y(10, 1)).toBe(1);
    expect(y(30, 1)).toBeCloseTo(Math.exp(-20 / 20), 14);
    expect(y(30, 0)).toBe(0);
    out.done();
  });

  it('is checked before anything runs: unknown variables (with a suggestion), rules without variables, static projections', async () => {
    const base = rewardScenario('  - {type: rule-state, params: {projection: learned, variables: [elegibility]}}');
    await expect(build(base)).rejects.toThrow(/recorders\.0\.params\.variables: expected variables of reward-stdp: c, w, n, found "elegibility"/);
    await expect(build(base.replace('variables: [elegibility]', 'variables: [ww]'))).rejects.toThrow(/did you mean w\?/);
    await expect(build(base.replace('projection: learned, variables: [elegibility]', 'projection: teach_post'))).rejects.toThrow(
      /recorders\.0\.params\.projection: expected a projection whose plasticity rule declares variables: learned \(reward-stdp\), found "teach_post", which has no plasticity rule/,
    );
  });
});

describe('weight-trace', () => {
  it('writes SONATA report HDF5 with the same values as the CSV, columns grouped by post neuron', async () => {
    const scenario = (format: string) => `
duration_ms: 30
seed: 4
inputs:
  pre: {type: poisson, size: 3, params: {rate_hz: 200}}
populations:
  post: {model: lif, size: 2}
projections:
  - {name: p, from: pre, to: post, connector: {type: all_to_all}, weight: 0.5, plasticity: {rule: stdp, params: {w_max: 1, A_plus: 0.05, A_minus: 0.05}}}
recorders:
  - {type: weight-trace, params: {interval_ms: 5, format: ${format}}}
`;
    const csv = await runTo(scenario('csv'));
    const h5 = await runTo(scenario('sonata'));
    expect(h5.files).toContain('weight-trace.h5');
    const { default: h5wasm } = await import('h5wasm/node');
    await h5wasm.ready;
    const f = new h5wasm.File(`${h5.out.dir}/weight-trace.h5`, 'r');
    const get = (path: string) => (f.get(path) as { value: unknown; shape: number[] }) ?? expect.fail(`no ${path}`);
    const data = get('report/p/data');
    expect(data.shape).toEqual([7, 6]);
    expect(Array.from(get('report/p/mapping/time').value as Float64Array)).toEqual([0, 35, 5]);
    const num = (path: string) => Array.from(get(path).value as BigUint64Array, Number);
    expect(num('report/p/mapping/node_ids')).toEqual([0, 1]);
    expect(num('report/p/mapping/index_pointers')).toEqual([0, 3, 6]);
    // CSR order is pre-major (synapse k = 2 pre + post); grouped by post: 0, 2, 4 then 1, 3, 5.
    expect(num('report/p/mapping/element_ids')).toEqual([0, 2, 4, 1, 3, 5]);
    expect(num('report/p/mapping/source_node_ids')).toEqual([0, 1, 2, 0, 1, 2]);
    const values = data.value as Float64Array;
    const elements = num('report/p/mapping/element_ids');
    f.close();
    const rows = readCsv(`${csv.out.dir}/weight-trace/p.csv`).rows;
    let changed = 0;
    for (let r = 0; r < 7; r++)
      for (let q = 0; q < 6; q++) {
        const row = rows[r * 6 + elements[q]];
        expect(row[0]).toBe(r * 5);
        expect(values[r * 6 + q]).toBe(row[3]);
        if (row[3] !== 0.5) changed++;
      }
    expect(changed).toBeGreaterThan(0);
    csv.out.done();
    h5.out.done();
  });

  it('samples k synapses at random from its own stream: the same for the same seed, k distinct, in CSR order', async () => {
    const scenario = (seed: number) => `
duration_ms: 1
seed: ${seed}
inputs:
  pre: {type: poisson, size: 30, params: {rate_hz: 1}}
populations:
  post: {model: lif, size: 30}
projections:
  - {name: p, from: pre, to: post, connector: {type: all_to_all}, weight: 0.5}
recorders:
  - {type: weight-trace, params: {interval_ms: 1, sample: 12}}
`;
    const chosen = async (seed: number) => {
      const { out } = await runTo(scenario(seed));
      const rows = readCsv(`${out.dir}/weight-trace/p.csv`).rows.filter((r) => r[0] === 0);
      out.done();
      return rows.map((r) => r[1] * 30 + r[2]);
    };
    const a = await chosen(1);
    expect(a).toHaveLength(12);
    expect(new Set(a).size).toBe(12);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(await chosen(1)).toEqual(a);
    expect(await chosen(2)).not.toEqual(a);
    // Not the evenly spread choice (0, 75, 150, ...).
    expect(a).not.toEqual(Array.from({ length: 12 }, (_, q) => Math.floor((q * 900) / 12)));
  });
});
