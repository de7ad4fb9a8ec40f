/**
 * backprop: the back-propagation baseline (paper-notes section 7: ~97.5% on MNIST), as a
 * "memory circuit" that is not a memory at all. For the layer it serves it computes, when a
 * training sample has been presented, the exact gradient of the readout's loss with respect
 * to the layer's f(u):
 *
 *   g_readout = the protocol's readout error (softmax: p - y)
 *   for each population P downstream of the layer, readout first:
 *     d_P = f'(u_P) * pullback_P(g_P)            (dL/dI_P; pullback through layer normalisation)
 *     g_Q += W_{Q->P}^T d_P                      for every projection Q -> P
 *   signal = pullback_layer(g_layer)
 *
 * and emits it on the layer's channel, where `ib-hebbian` applies dW_ij = -eta signal_i
 * f'(u_i) x_j: with this third factor the three-factor rule IS back-propagation (for rate
 * layers at their settled state). It reads every downstream weight and the label, which is
 * exactly what the IB rule does without; use it as the baseline, not as a model of the brain.
 *
 * Needs graded (rate) populations from the layer to the readout, without cycles.
 */
import type { MemoryCircuit, MemorySample, NetworkView, NeuronPopulation } from '../../core/contracts.js';
import { param } from '../../core/params.js';
import { SignalEmitter } from '../../core/modulators.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, restoreInto, saveFields, type ExplicitState } from '../../core/checkpoint.js';

interface Step {
  /** Population whose dL/dI is formed from its gradient g. */
  pop: NeuronPopulation;
  g: Float64Array;
  d: Float64Array;
  /** Projections into it from populations on the path: add W^T d to their gradients. */
  into: { rowStart: Int32Array; target: Int32Array; weight: Float64Array; nPre: number; g: Float64Array }[];
}

export class BackpropSignal implements MemoryCircuit, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'backprop/1';
  last: Float64Array;

  constructor(
    private readonly readout: NeuronPopulation,
    private readonly network: NetworkView,
    /** Downstream populations, readout first; each step's gradient is complete when it is reached. */
    private readonly steps: Step[],
    private readonly layerGrad: Float64Array,
    private readonly layer: NeuronPopulation,
    private readonly emitter: SignalEmitter,
    private readonly delay: number,
  ) {
    this.last = new Float64Array(layerGrad.length);
  }

  present(sample: MemorySample, t: number): void {
    for (const s of this.steps) s.g.fill(0);
    this.layerGrad.fill(0);
    this.steps[0].g.set(this.network.readoutError(this.readout.output!, sample.y));
    for (const s of this.steps) {
      s.pop.outputPullback?.(s.g);
      const gain = s.pop.gain!;
      for (let i = 0; i < s.d.length; i++) s.d[i] = s.g[i] * gain[i];
      for (const p of s.into) {
        for (let j = 0; j < p.nPre; j++) {
          let acc = 0;
          for (let k = p.rowStart[j]; k < p.rowStart[j + 1]; k++) acc += p.weight[k] * s.d[p.target[k]];
          p.g[j] += acc;
        }
      }
    }
    const out = Float64Array.from(this.layerGrad);
    this.layer.outputPullback?.(out);
    this.last = out;
    this.emitter.emit(t + this.delay, out);
  }

  /**
   * The last signal (and where it waits to be emitted), the emitter, and the gradient buffers
   * of the last sample (each is rewritten before it is read; saved so that a restored network
   * is the saved one field for field).
   */
  saveState(): unknown {
    return {
      ...saveFields(this, ['last', 'layerGrad', 'emitter']),
      steps: this.steps.map((s) => ({ g: s.g, d: s.d })),
      lastQueued: this.emitter.indexOf(this.last),
    };
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, ['last', 'layerGrad', 'emitter'], 'BackpropSignal');
    const d = state as { steps: { g: Float64Array; d: Float64Array }[]; lastQueued: number };
    this.steps.forEach((s, i) => {
      restoreInto(s.g, d.steps[i].g, `BackpropSignal.steps.${i}.g`);
      restoreInto(s.d, d.steps[i].d, `BackpropSignal.steps.${i}.d`);
    });
    if (d.lastQueued >= 0) this.emitter.requeue(d.lastQueued, this.last);
  }
}

/** Orders the populations between the layer and the readout, readout first; throws RangeError naming what is wrong. */
function plan(net: NetworkView): { order: string[]; grads: Map<string, Float64Array> } {
  const graded = (name: string) => net.population(name)?.population?.output !== undefined && net.population(name)?.population?.gain !== undefined;
  // Populations from which the readout can be reached (the only ones that carry gradient).
  const toReadout = new Set([net.readout]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of net.projections)
      if (toReadout.has(p.to) && !toReadout.has(p.from) && net.population(p.from)?.population) toReadout.add(p.from), (changed = true);
  }
  if (!toReadout.has(net.layer)) throw new RangeError(`backprop: no path of projections leads from ${net.layer} to the readout ${net.readout}`);
  // Populations reachable from the layer that reach the readout: the path.
  const path = new Set([net.layer]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of net.projections) if (path.has(p.from) && toReadout.has(p.to) && !path.has(p.to)) path.add(p.to), (changed = true);
  }
  for (const name of path)
    if (!graded(name)) throw new RangeError(`backprop needs graded (rate) populations from ${net.layer} to the readout; ${name} is not (use e.g. leaky-rate)`);
  // Depth-first post-order from the layer: a population is listed after every population it projects to.
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (n: string) => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'visiting')
      throw new RangeError(
        `backprop: the projections between ${net.layer} and ${net.readout} form a cycle through ${n} (back-propagation through time is not supported)`,
      );
    state.set(n, 'visiting');
    for (const p of net.projections) if (p.from === n && path.has(p.to)) visit(p.to);
    state.set(n, 'done');
    order.push(n);
  };
  visit(net.layer); // post-order: every population after all those it projects to, so the readout comes first
  return { order: order.filter((n) => n !== net.layer), grads: new Map([...path].map((n) => [n, new Float64Array(net.population(n)!.size)])) };
}

export const BackpropPlugin = definePlugin.memoryCircuit({
  name: 'backprop',
  description:
    'the back-propagation baseline: emits the exact gradient of the readout loss for the layer (reads downstream weights and the label; not a memory)',
  params: [param.number('delay_ms', 0, 'time from the end of a sample to the arrival of the signal', { min: 0 })],
  create(ctx): MemoryCircuit {
    const net = ctx.network;
    if (!net) throw new RangeError('backprop needs the network (it runs inside a training scenario)');
    const { order, grads } = plan(net);
    const steps: Step[] = order.map((name) => ({
      pop: net.population(name)!.population!,
      g: grads.get(name)!,
      d: new Float64Array(net.population(name)!.size),
      into: net.projections
        .filter((p) => p.to === name && grads.has(p.from))
        .map((p) => ({ rowStart: p.rowStart, target: p.target, weight: p.weight, nPre: p.nPre, g: grads.get(p.from)! })),
    }));
    return new BackpropSignal(
      net.population(net.readout)!.population!,
      net,
      steps,
      grads.get(net.layer)!,
      net.population(net.layer)!.population!,
      new SignalEmitter(ctx.channel, ctx.scheduler),
      ctx.params.delay_ms,
    );
  },
});
