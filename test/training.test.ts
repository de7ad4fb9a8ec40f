import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
    const before = frozen.trainer!.run();
    expect(frozen.projections.map((p) => Array.from(p.weight))).toEqual(w0); // eta 0: nothing changes
    const sim = await build(readoutOnly(0.0005));
    const epochs: number[] = [];
    const result = sim.trainer!.run((r) => epochs.push(r.epoch));
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
    expect(csv[0]).toBe('epoch,train_accuracy,test_accuracy,t_ms,wall_s');
    expect(csv).toHaveLength(5);
    // 4 epochs of 900 training and 100 test samples, 50 ms each.
    expect(summary.t_stop_ms).toBe(4 * 1000 * 50);
    out.done();
  });

  it('records HSIC(X, Z) and HSIC(Y, Z) of each hidden layer at each evaluation', async () => {
    const sim = await build(
      readoutOnly(0.0005, `  layers:\n    - {population: hid, memory: {type: ideal-window, params: {window: 4, sigma_z: 50}}}\n  train_samples: 30\n  epochs: 2`)
        .replace('  epochs: 4\n', '')
        .replace('populations:\n', 'populations:\n  hid: {model: lif, size: 5, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}\n')
        .concat('  - {name: in_hid, from: in, to: hid, connector: {type: all_to_all}, weight: 3, plasticity: {rule: ib-hebbian, params: {eta: 0.0001}}}\n'),
    );
    const result = sim.trainer!.run();
    expect(result.history).toHaveLength(2);
    const layer = result.history[1].layers.hid;
    // The layer is driven by x (and the label is a function of x): both dependences are
    // clearly above the ~1e-4 an independent pair gives at this sample size.
    expect(layer.hsic_xz).toBeGreaterThan(0.005);
    expect(layer.hsic_yz).toBeGreaterThan(0.005);
  });

  it('the IB rule makes spiking hidden units learn xor, well above the frozen-hidden baseline', async () => {
    // 2 rate-coded inputs -> 10 LIF (ib-hebbian, ideal-window memory) -> 2 LIF readout
    // (delta rule), 8 epochs. With the hidden layer frozen the readout alone reaches ~60%.
    const xor = (eta: number) => `
seed: 1
resolution_ms: 0.5
training:
  dataset: {type: xor}
  input: in
  readout: out
  layers: [{population: h1, memory: {type: ideal-window, params: {window: 10, sigma_x: 0.3, sigma_y: 0.25, sigma_z: 60, gamma: 10}}}]
  presentation_ms: 50
  epochs: 8
  readout_gain: 0.5
inputs:
  in: {type: rate-code, size: 2, params: {max_rate_hz: 200, low: -0.5, high: 1.5}}
  bias: {type: rate-code, size: 1, params: {max_rate_hz: 100, values: [1]}}
populations:
  h1: {model: lif, size: 10, params: &n {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2, tau_syn_ex_ms: 5, tau_syn_in_ms: 5}}
  out: {model: lif, size: 2, params: *n}
projections:
  - {from: in, to: h1, connector: {type: all_to_all}, weight: {dist: uniform, low: -3, high: 6}, delay_ms: 0.5, plasticity: {rule: ib-hebbian, params: {eta: ${eta}, optimizer: adam, tau_x_ms: 50}}}
  - {from: bias, to: h1, connector: {type: all_to_all}, weight: {dist: uniform, low: -3, high: 6}, delay_ms: 0.5, plasticity: {rule: ib-hebbian, params: {eta: ${eta}, optimizer: adam, tau_x_ms: 50}}}
  - {from: h1, to: out, connector: {type: all_to_all}, weight: {dist: uniform, low: -1, high: 1}, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: 0.0005, tau_x_ms: 50}}}
  - {from: bias, to: out, connector: {type: all_to_all}, weight: 3, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: 0.0005, tau_x_ms: 50}}}
`;
    const learned = (await build(xor(0.03))).trainer!.run();
    const frozen = (await build(xor(0))).trainer!.run();
    expect(learned.test_accuracy!).toBeGreaterThan(0.85);
    expect(learned.test_accuracy! - frozen.test_accuracy!).toBeGreaterThan(0.2);
  });

  it('rejects inconsistent training sections with their location', async () => {
    await expect(build(readoutOnly(0).replace('dataset: {type: linear}', 'dataset: {type: mnist9}'))).rejects.toThrow(/training\.dataset\.type: expected a dataset: linear, xor, found unknown dataset "mnist9"/);
    await expect(build(readoutOnly(0).replace('seed: 2', 'seed: 2\nduration_ms: 100'))).rejects.toThrow(/duration_ms: expected no duration_ms in a training scenario/);
    await expect(build(readoutOnly(0).replace("in: {type: rate-code, size: 2", "in: {type: rate-code, size: 3"))).rejects.toThrow(/inputs\.in\.size: expected 2 generator neurons, one per feature of linear, found 3/);
    await expect(build(readoutOnly(0).replace('out: {model: lif, size: 2', 'out: {model: lif, size: 3'))).rejects.toThrow(/populations\.out\.size: expected 2 neurons, one per class of linear, found 3/);
    await expect(build(readoutOnly(0).replace('readout: out', 'readout: outt'))).rejects.toThrow(/training\.readout: expected a population: out, found "outt"/);
    await expect(build(readoutOnly(0).replace('dataset: {type: linear}', 'dataset: {type: linear, params: {n: 100, n_train: 100}}'))).rejects.toThrow(/training\.dataset: expected a dataset that loads, found n_train \(100\) must be below n \(100\)/);
  });
});
