import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openScenario, trainerOf } from '../index.js';
import { Priority, Scheduler } from '../core/scheduler.js';
import { GradedActivity } from '../training/protocol.js';
import { build, tempDir } from './helpers.js';

/** A readout trained with the delta rule directly on rate-coded inputs: a linear classifier. */
const readoutOnly = (eta: number, extra = '') => `
name: linear-readout
seed: 2
resolution_ms: 0.5
training:
  dataset: {type: linear}
  input: in
  readout: out
  presentation_ms: 50
  epochs: 4
  readout_gain: 0.5
${extra}
inputs:
  in: {type: rate-code, size: 2, params: {max_rate_hz: 200, low: -1, high: 1}}
  bias: {type: rate-code, size: 1, params: {max_rate_hz: 100, values: [1]}}
populations:
  out: {model: lif, size: 2, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2, tau_syn_ex_ms: 5, tau_syn_in_ms: 5}}
projections:
  - {name: in_out, from: in, to: out, connector: {type: all_to_all}, weight: 1, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: ${eta}}}}
  - {name: bias_out, from: bias, to: out, connector: {type: all_to_all}, weight: 2, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: ${eta}}}}
`;

describe('training protocol', () => {
  it('trains a spiking readout with the delta rule: accuracy rises well above chance', async () => {
    const frozen = await build(readoutOnly(0));
    const w0 = frozen.projections.map((p) => Array.from(p.weight));
    const before = trainerOf(frozen)!.run();
    expect(frozen.projections.map((p) => Array.from(p.weight))).toEqual(w0); // eta 0: nothing changes
    const sim = await build(readoutOnly(0.0005));
    const epochs: number[] = [];
    const result = trainerOf(sim)!.run((r) => epochs.push(r.epoch));
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(before.test_accuracy!).toBeLessThan(0.7);
    expect(result.test_accuracy!).toBeGreaterThan(0.8);
    expect(result.train_accuracy).toBeGreaterThan(0.8);
    const out = tempDir();
    await sim.writeOutputs(out.dir);
    const summary = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8'));
    expect(summary.training).toMatchObject({ dataset: 'linear', epochs: 4, test_accuracy: result.test_accuracy });
    expect(summary.training.history).toHaveLength(4);
    const csv = readFileSync(`${out.dir}/history.csv`, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('epoch,train_accuracy,test_accuracy,readout_silent,stalled,t_ms,wall_s');
    expect(csv).toHaveLength(5);
    // 4 epochs of 900 training and 100 test samples, 50 ms each.
    expect(summary.t_stop_ms).toBe(4 * 1000 * 50);
    out.done();
  });

  it('records HSIC(X, Z) and HSIC(Y, Z) of each hidden layer at each evaluation', async () => {
    const sim = await build(
      readoutOnly(
        0.0005,
        `  layers:\n    - {population: hid, memory: {type: ideal-window, params: {window: 4, sigma_z: 50}}}\n  train_samples: 30\n  epochs: 2`,
      )
        .replace('  epochs: 4\n', '')
        .replace('populations:\n', 'populations:\n  hid: {model: lif, size: 5, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}\n')
        .concat('  - {name: in_hid, from: in, to: hid, connector: {type: all_to_all}, weight: 3, plasticity: {rule: ib-hebbian, params: {eta: 0.0001}}}\n'),
    );
    const result = trainerOf(sim)!.run();
    expect(result.history).toHaveLength(2);
    const layer = result.history[1].layers.hid;
    // The layer is driven by x (and the label is a function of x): both dependences are
    // clearly above the ~1e-4 an independent pair gives at this sample size.
    expect(layer.hsic_xz).toBeGreaterThan(0.005);
    expect(layer.hsic_yz).toBeGreaterThan(0.005);
  });

  it('scenarios/xor.yaml: the IB rule makes the spiking 2-10-4-2 network learn xor, far above its frozen baseline', async () => {
    // Six epochs of the shipped scenario (seed 1), against the same network with the hidden
    // layers frozen (training.freeze: all): the readout alone stays near chance.
    const hidden = [0, 1, 2, 3];
    const learned = trainerOf(await openScenario('scenarios/xor.yaml', { set: ['training.epochs=6'] }))!.run();
    const frozenSim = await openScenario('scenarios/xor.yaml', { set: ['training.epochs=6', 'training.freeze=all'] });
    const w0 = hidden.map((k) => Array.from(frozenSim.projections[k].weight));
    const frozen = trainerOf(frozenSim)!.run();
    expect(hidden.map((k) => Array.from(frozenSim.projections[k].weight))).toEqual(w0);
    expect(learned.test_accuracy!).toBeGreaterThan(0.9);
    expect(frozen.test_accuracy!).toBeLessThan(0.75);
    expect(learned.history.map((r) => r.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('scenarios/xor-rate.yaml: the same rule on leaky-rate layers learns xor, far above its frozen baseline', async () => {
    const set = ['seed=2', 'training.epochs=8'];
    const learned = trainerOf(await openScenario('scenarios/xor-rate.yaml', { set }))!.run();
    const frozen = trainerOf(
      await openScenario('scenarios/xor-rate.yaml', { set: [...set, ...[0, 1, 2, 3].map((k) => `projections.${k}.plasticity.params.eta=0`)] }),
    )!.run();
    expect(learned.test_accuracy!).toBeGreaterThan(0.95);
    expect(frozen.test_accuracy!).toBeLessThan(0.8);
  });

  it('layerRates presents a split without learning: the hidden rates per sample, and the accuracy evaluation measured', async () => {
    const sim = await openScenario('scenarios/xor-rate.yaml', { set: ['seed=2', 'training.epochs=1'] });
    const result = trainerOf(sim)!.run();
    const w = sim.projections.map((p) => Array.from(p.weight));
    const test = trainerOf(sim)!.layerRates('test');
    expect(sim.projections.map((p) => Array.from(p.weight))).toEqual(w); // nothing learns
    expect(test.accuracy).toBe(result.test_accuracy); // graded layers: the same presentation as the evaluation
    const sizes = Object.fromEntries([...sim.populations].map(([name, p]) => [name, p.size]));
    expect(Object.keys(test.layers).length).toBeGreaterThan(0);
    for (const [name, rates] of Object.entries(test.layers)) {
      expect(rates).toHaveLength(test.labels.length);
      expect(rates[0]).toHaveLength(sizes[name]);
    }
    // Different inputs give different rates (the arrays are copies, not one reused buffer).
    const [first] = Object.values(test.layers);
    expect(first.some((z) => z.some((v, i) => v !== first[0][i]))).toBe(true);
    expect(trainerOf(sim)!.layerRates('train').labels.length).toBeGreaterThan(test.labels.length);
  });

  it('settle_ms: z counts the spikes of (t0 + settle_ms, t0 + presentation_ms] of each sample, as a rate over that span', async () => {
    const sim = await openScenario('scenarios/xor.yaml', { set: ['seed=3', 'training.settle_ms=30'] });
    const spikes: number[][] = [];
    sim.populations.get('h1')!.addSpikeListener({ onSpike: (i, t) => spikes.push([i, t]) });
    const start = sim.t_ms;
    const { layers } = trainerOf(sim)!.layerRates('test');
    const z = layers.h1;
    expect(z.length).toBeGreaterThan(10);
    let early = 0;
    z.forEach((rates, s) => {
      const t0 = start + s * 100;
      const expected = new Float64Array(rates.length);
      for (const [i, t] of spikes) {
        if (t > t0 + 30 && t <= t0 + 100) expected[i]++;
        else if (t > t0 && t <= t0 + 30) early++;
      }
      expect(Array.from(rates)).toEqual(Array.from(expected, (c) => c * (1000 / 70)));
    });
    expect(early).toBeGreaterThan(0); // the first 30 ms had spikes, and they were left out
    await expect(openScenario('scenarios/xor.yaml', { set: ['training.settle_ms=100'] })).rejects.toThrow(
      /training\.settle_ms: expected less than presentation_ms \(100\): responses are counted after settle_ms, found 100/,
    );
  });

  it('hidden_epochs: after it, the training layers keep their weights and only the readout learns', async () => {
    const run = async (set: string[]) => {
      const sim = await openScenario('scenarios/xor-rate.yaml', { set: ['seed=4', ...set] });
      trainerOf(sim)!.run();
      return new Map(sim.projections.map((p) => [p.name, Array.from(p.weight)]));
    };
    const one = await run(['training.epochs=1']);
    const frozenAfterOne = await run(['training.epochs=2', 'training.hidden_epochs=1']);
    const both = await run(['training.epochs=2']);
    for (const name of ['in_h1', 'bias_h1', 'h1_h2', 'bias_h2']) {
      expect(frozenAfterOne.get(name)).toEqual(one.get(name));
      expect(both.get(name)).not.toEqual(one.get(name)); // without hidden_epochs epoch 2 changes them
    }
    for (const name of ['h2_out', 'bias_out']) expect(frozenAfterOne.get(name)).not.toEqual(one.get(name));
  });

  it('graded_read mean: a graded layer reads the mean of its output over the grid times of the presentation, after the populations step', () => {
    const scheduler = new Scheduler();
    const output = new Float64Array(2);
    // A "population" stepping every 0.5 ms: its output at grid time k * 0.5 is [k, 2k].
    scheduler.every(0.5, Priority.NEURON, { tick: (t) => output.set([t / 0.5, t]) });
    const mean = new GradedActivity(output, { scheduler, resolution_ms: 0.5 });
    const end = new GradedActivity(output);
    scheduler.runUntil(10); // an earlier sample
    mean.reset();
    scheduler.runUntil(15); // this sample: grid times 10.5 .. 15, k = 21 .. 30
    expect(Array.from(mean.read())).toEqual([25.5, 12.75]);
    expect(Array.from(end.read())).toEqual([30, 15]);
  });

  it('readout_loss rate: the delta rule drives readout rates towards their targets', async () => {
    const sim = await build(readoutOnly(0.0005, '  readout_loss: rate\n  readout_target_hz: [10, 60]'));
    const result = trainerOf(sim)!.run();
    expect(result.test_accuracy!).toBeGreaterThan(0.8);
    // The mean readout rate settles between the two targets (one neuron high, one low per
    // sample): near (10 + 60) / 2 = 35 Hz, where the softmax loss leaves it where it started.
    const rate = sim.summary().populations.out.rate_hz;
    expect(rate).toBeGreaterThan(20);
    expect(rate).toBeLessThan(50);
  });

  it('rejects inconsistent training sections with their location', async () => {
    await expect(build(readoutOnly(0).replace('dataset: {type: linear}', 'dataset: {type: mnist9}'))).rejects.toThrow(
      /training\.dataset\.type: expected a dataset: cifar10, idx, linear, mnist, parity, xor, found unknown dataset "mnist9"/,
    );
    await expect(build(readoutOnly(0).replace('seed: 2', 'seed: 2\nduration_ms: 100'))).rejects.toThrow(
      /duration_ms: expected no duration_ms in a training scenario/,
    );
    await expect(build(readoutOnly(0).replace('in: {type: rate-code, size: 2', 'in: {type: rate-code, size: 3'))).rejects.toThrow(
      /inputs\.in\.size: expected 2 generator neurons, one per feature of linear, found 3/,
    );
    await expect(build(readoutOnly(0).replace('out: {model: lif, size: 2', 'out: {model: lif, size: 3'))).rejects.toThrow(
      /populations\.out\.size: expected 2 neurons, one per class of linear, found 3/,
    );
    await expect(build(readoutOnly(0).replace('readout: out', 'readout: outt'))).rejects.toThrow(/training\.readout: expected a population: out, found "outt"/);
    await expect(build(readoutOnly(0).replace('dataset: {type: linear}', 'dataset: {type: linear, params: {n: 100, n_train: 100}}'))).rejects.toThrow(
      /training\.dataset\.params\.n_train: expected n_train below n \(100\), so that some points are left to test, found n_train \(100\) must be below n \(100\)/,
    );
  });
});
