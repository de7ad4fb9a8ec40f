import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import type { MemorySample } from '../../core/contracts.js';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { build } from '../../test/helpers.js';
import { BackpropPlugin, type BackpropSignal } from './backprop.js';
import { trainerOf } from '../../training/protocol.js';
import { LeakyRatePopulation } from '../leaky-rate/leaky-rate.js';

const scenario = (hidden: string, memory = 'spy-backprop') => `
seed: 3
resolution_ms: 1
training:
  dataset: {type: xor}
  input: in
  readout: out
  layers: [{population: h1, memory: {type: ${memory}}}, {population: h2, memory: {type: ${memory}}}]
  presentation_ms: 12
  epochs: 1
  train_samples: 3
  readout_gain: 1
inputs:
  in: {type: rate-code, size: 2, params: {train: graded, max_rate_hz: 1, low: -0.5, high: 1.5}}
populations:
  h1: {model: ${hidden}, size: 5, params: {tau_ms: 0.2, activation: relu, normalize: layer}}
  h2: {model: leaky-rate, size: 4, params: {tau_ms: 0.2, activation: tanh}}
  out: {model: leaky-rate, size: 2, params: {tau_ms: 0.2, activation: linear}}
projections:
  - {from: in, to: h1, connector: {type: all_to_all}, weight: {dist: uniform, low: -1, high: 1}, delay_ms: 1, plasticity: {rule: ib-hebbian, params: {eta: 0.01}}}
  - {from: h1, to: h2, connector: {type: all_to_all}, weight: {dist: uniform, low: -1, high: 1}, delay_ms: 1, plasticity: {rule: ib-hebbian, params: {eta: 0.01}}}
  - {from: h2, to: out, connector: {type: all_to_all}, weight: {dist: uniform, low: -1, high: 1}, delay_ms: 1, plasticity: {rule: delta-readout, params: {eta: 0.01}}}
`;

/** The same network as plain arithmetic: weights all_to_all, row-major by source. */
function forward(W: Float64Array[], input: number[], a1: number[], y: Float64Array): number {
  const mv = (w: Float64Array, x: number[], nOut: number) => Array.from({ length: nOut }, (_, i) => x.reduce((s, xj, j) => s + w[j * nOut + i] * xj, 0));
  void input;
  const mean = a1.reduce((s, v) => s + v, 0) / a1.length;
  const sd = Math.sqrt(a1.reduce((s, v) => s + (v - mean) ** 2, 0) / a1.length);
  const z1 = a1.map((v) => (v - mean) / sd);
  const z2 = mv(W[1], z1, 4).map(Math.tanh);
  const out = mv(W[2], z2, 2);
  const m = Math.max(...out);
  const lse = m + Math.log(out.reduce((s, o) => s + Math.exp(o - m), 0));
  return -out.reduce((s, o, i) => s + y[i] * (o - lse), 0);
}

describe('backprop baseline', () => {
  it('emits the exact gradient of the readout loss for each layer (finite differences through layer norm and tanh)', async () => {
    const seen: { layer: string; signal: Float64Array; sample: MemorySample; W: Float64Array[]; a1: number[] }[] = [];
    const spy: typeof BackpropPlugin = {
      ...BackpropPlugin,
      name: 'spy-backprop',
      create(ctx) {
        const m = BackpropPlugin.create(ctx) as BackpropSignal;
        const present = m.present.bind(m);
        m.present = (sample, t) => {
          present(sample, t);
          const W = ctx.network!.projections.map((p) => Float64Array.from(p.weight));
          const h1 = ctx.network!.population('h1')!.population;
          if (!(h1 instanceof LeakyRatePopulation)) throw new Error('h1 should be a leaky-rate population');
          seen.push({ layer: ctx.network!.layer, signal: Float64Array.from(m.last), sample, W, a1: Array.from(h1.u, (u) => Math.max(0, u)) });
        };
        return m;
      },
    };
    const sim = await build(scenario('leaky-rate'), [new ContainerModule(({ bind }) => void bind(MemoryCircuitToken).toConstantValue(spy))]);
    trainerOf(sim)!.run();
    expect(seen).toHaveLength(6);
    const first = seen.filter((s) => s.layer === 'h1');
    let checked = 0;
    for (const s of first) {
      // dL/da1 by central differences on the arithmetic copy of the network.
      for (let i = 0; i < 5; i++) {
        if (s.a1[i] === 0) continue; // relu is flat there; the signal is still defined but the rule's gain is 0
        const up = s.a1.slice();
        const down = s.a1.slice();
        up[i] += 1e-6;
        down[i] -= 1e-6;
        const fd = (forward(s.W, [], up, s.sample.y) - forward(s.W, [], down, s.sample.y)) / 2e-6;
        expect(s.signal[i]).toBeCloseTo(fd, 6);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(3);
    // h2's signal: the gradient with respect to tanh's output, W_out^T (p - y).
    for (const s of seen.filter((q) => q.layer === 'h2')) expect(s.signal.some((v) => v !== 0)).toBe(true);
  });

  it('refuses spiking layers on the path, naming the population', async () => {
    await expect(build(scenario('lif', 'backprop').replace('{tau_ms: 0.2, activation: relu, normalize: layer}', '{}'))).rejects.toThrow(
      /backprop needs graded \(rate\) populations from h1 to the readout; h1 is not/,
    );
  });
});
