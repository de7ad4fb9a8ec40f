import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openScenario, trainerOf } from '../index.js';
import { detectStalls, type EpochRecord } from '../training/protocol.js';
import { build } from './helpers.js';

const xor = `${import.meta.dirname}/../scenarios/xor.yaml`;

/**
 * The xor network, but h1's input weights all equal: every h1 unit computes the same
 * function of x1 + x2 (the collapse docs/ib-rule.md describes), hidden layers frozen.
 */
const collapsed = (readout = '') => `
name: collapsed
seed: 3
resolution_ms: 0.5
training:
  dataset: {type: xor}
  input: in
  readout: out
  layers:
    - {population: h1, memory: {type: ideal-window, params: {window: 10, sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, scale_z: true, gamma: 10}}}
  presentation_ms: 100
  epochs: 2
  train_samples: 100
  stall_after_epochs: 1
  freeze: all
inputs:
  in: {type: rate-code, size: 2, params: {max_rate_hz: 200, low: -0.5, high: 1.5}}
  bias: {type: rate-code, size: 1, params: {max_rate_hz: 100, values: [1]}}
populations:
  h1: {model: lif, size: 6, params: &n {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2, tau_syn_ex_ms: 5, tau_syn_in_ms: 5}}
  out: ${readout || '{model: leaky-rate, size: 2, params: {tau_ms: 10, activation: linear}}'}
projections:
  - {from: in, to: h1, connector: {type: all_to_all}, weight: 2, delay_ms: 0.5, plasticity: {rule: ib-hebbian, params: {eta: 0.03, optimizer: adam}}}
  - {from: bias, to: h1, connector: {type: all_to_all}, weight: 1, delay_ms: 0.5}
  - {from: h1, to: out, connector: {type: all_to_all}, weight: {dist: uniform, low: -0.01, high: 0.01}, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: 0.001, optimizer: adam}}}
  - {from: bias, to: out, connector: {type: all_to_all}, weight: 0, delay_ms: 0.5, plasticity: {rule: delta-readout, params: {eta: 0.001, optimizer: adam}}}
`;

describe('stall detection', () => {
  it('fires on a collapsed layer (all units with equal input weights), naming it', async () => {
    const sim = await build(collapsed());
    const result = trainerOf(sim)!.run();
    const h1 = result.history.at(-1)!.layers.h1;
    expect(h1.probe!).toBeLessThanOrEqual(0.6);
    expect(h1.effective_rank!).toBeLessThan(1.2);
    expect(result.stalled.map((s) => `${s.where}: ${s.reason}`)).toContain('h1: collapsed');
    expect(trainerOf(sim)!.historyCsv()).toMatch(/h1: collapsed/);
    expect(sim.summary().training).toMatchObject({ stalled: expect.arrayContaining([expect.objectContaining({ where: 'h1', reason: 'collapsed' })]) });
  });

  it('fires on a silent spiking readout', async () => {
    const sim = await build(collapsed('{model: lif, size: 2, params: *n}').replace('weight: {dist: uniform, low: -0.01, high: 0.01}', 'weight: -5'));
    const result = trainerOf(sim)!.run();
    expect(result.history.at(-1)!.readout_silent).toBe(1);
    expect(result.stalled.map((s) => s.reason)).toContain('readout silent');
  });

  it('stays silent on a healthy short run of the xor demo', async () => {
    const sim = await openScenario(xor, { set: ['training.epochs=4', 'training.stall_after_epochs=3'] });
    const result = trainerOf(sim)!.run();
    expect(result.test_accuracy!).toBeGreaterThan(0.9);
    expect(result.history.map((r) => r.stalled)).toEqual([[], [], [], []]);
    const h = result.history.at(-1)!.layers;
    expect(h.h1.probe!).toBeGreaterThan(0.8);
    expect(h.h2.probe!).toBeGreaterThan(0.8);
  });
});

describe('training.freeze', () => {
  it('freeze: all keeps every hidden weight bit-identical while the readout learns', async () => {
    const sim = await openScenario(xor, { set: ['training.epochs=1', 'training.train_samples=200', 'training.freeze=all'] });
    const before = sim.projections.map((p) => Float64Array.from(p.weight));
    trainerOf(sim)!.run();
    sim.projections.forEach((p, k) => {
      if (p.to === 'out') expect(Array.from(p.weight)).not.toEqual(Array.from(before[k]));
      else expect(Buffer.from(p.weight.buffer).equals(Buffer.from(before[k].buffer))).toBe(true);
    });
  });

  it('freeze: [h2] freezes only h2', async () => {
    const sim = await openScenario(xor, { set: ['training.epochs=1', 'training.train_samples=100', 'training.freeze=[h2]'] });
    const before = sim.projections.map((p) => Float64Array.from(p.weight));
    trainerOf(sim)!.run();
    const changed = sim.projections.map((p, k) => Array.from(p.weight).some((w, i) => w !== before[k][i]));
    expect(Object.fromEntries(sim.projections.map((p, k) => [p.name, changed[k]]))).toEqual({
      in_h1: true,
      bias_h1: true,
      h1_h2: false,
      bias_h2: false,
      h2_out: true,
      bias_out: true,
    });
  });

  it('an unknown layer name is a scenario error at its line', async () => {
    const text = readFileSync(xor, 'utf8').replace('  epochs: 25\n', '  epochs: 25\n  freeze: [h1, h9]\n');
    await expect(build(text)).rejects.toThrow(/test\.yaml:\d+:\d+: training\.freeze\.1: expected a training layer: h1, h2, or all, found "h9"/);
  });
});

describe('detectStalls', () => {
  const record = (h1: number, h2: number, train = 0.9): EpochRecord => ({
    epoch: 5,
    of: 5,
    train_accuracy: train,
    test_accuracy: 0.9,
    t_ms: 0,
    wall_s: 0,
    readout_silent: 0,
    stalled: [],
    layers: {
      h1: { hsic_xz: 0, hsic_yz: 0, probe: h1, effective_rank: 3, silent_fraction: 0 },
      h2: { hsic_xz: 0, hsic_yz: 0, probe: h2, effective_rank: 1.1, silent_fraction: 0 },
    },
  });
  it('flags a layer whose probe is more than 15 points below the layer before it, and nothing when both carry the label', () => {
    expect(detectStalls(record(1, 0.7), 2, 0.5)).toEqual([expect.objectContaining({ where: 'h2', reason: 'lost information' })]);
    expect(detectStalls(record(1, 0.9), 2, 0.5)).toEqual([]);
    expect(detectStalls(record(1, 0.55), 2, 0.5).map((s) => s.reason)).toEqual(['collapsed']);
    expect(detectStalls(record(1, 0.9, 0.52), 2, 0.5).map((s) => `${s.where}: ${s.reason}`)).toEqual(['training: train accuracy at chance']);
  });
});
