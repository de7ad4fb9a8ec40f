/**
 * leaky-rate: the paper's reference neuron (Daruwalla & Lipasti 2024), a leaky integrator
 * whose output is a graded value, not spikes:
 *
 *   tau du/dt = -u + I + b          I = input current (graded projections, current inputs)
 *   a = f(u)                        f: relu (default), linear, tanh or sigmoid
 *   output = a, or with `normalize: layer` (a - mean(a)) / sd(a) across the population
 *
 * The reference code steps u += dt/tau (W x + b - u); here u is integrated exactly for an
 * input that is constant between events (u -> I + b + (u - I - b) e^(-dt/tau)), which equals the
 * Euler step for dt << tau and stays stable for any dt. Spikes arriving from spiking sources
 * make u jump by the weight (a pulse of area w tau), so a train at r Hz gives a mean u of
 * w r tau / 1000. The output and the gain f'(u) are computed at every grid step; graded
 * projections read the output then (docs/semantics.md, "Graded transmission").
 */
import { restoreInto, type ExplicitState } from '../../core/checkpoint.js';
import type { NeuronPopulation } from '../../core/contracts.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';

const leakyRateParams = [
  param.number('tau_ms', 5, 'time constant of u', { gt: 0 }),
  param.number('bias', 0, 'constant drive b added to the input'),
  param.choice('activation', 'relu', 'output nonlinearity f', ['relu', 'linear', 'tanh', 'sigmoid']),
  param.choice('normalize', 'none', 'layer: zero mean and unit variance of the output across the population', ['none', 'layer']),
] as const;

export type LeakyRateParams = ParamsOf<typeof leakyRateParams>;

export class LeakyRatePopulation implements NeuronPopulation, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'leaky-rate/1';

  readonly u: Float64Array;
  /** Time each neuron's u refers to (ms). */
  readonly tn: Float64Array;
  /** Input current from graded projections and current inputs. */
  readonly input: Float64Array;
  readonly output: Float64Array;
  readonly gain: Float64Array;
  /** sd of f(u) across the layer at the last step (layer normalisation), 0 when it had no spread. */
  private normSd = 1;
  private readonly decayStep: number;

  constructor(
    readonly size: number,
    private readonly p: LeakyRateParams,
    private readonly dt: number,
    init: ReadonlyMap<string, Float64Array>,
  ) {
    this.u = new Float64Array(size);
    const u0 = init.get('u');
    if (u0) this.u.set(u0);
    this.tn = new Float64Array(size);
    this.input = new Float64Array(size);
    this.output = new Float64Array(size);
    this.gain = new Float64Array(size);
    this.decayStep = Math.exp(-dt / p.tau_ms);
    this.computeOutput();
  }

  private advance(i: number, t: number): void {
    const h = t - this.tn[i];
    if (h <= 0) return;
    const drive = this.input[i] + this.p.bias;
    // The grid step is by far the most common interval: its decay is computed once.
    const decay = Math.abs(h - this.dt) < 1e-12 ? this.decayStep : Math.exp(-h / this.p.tau_ms);
    this.u[i] = drive + (this.u[i] - drive) * decay;
    this.tn[i] = t;
  }

  /** The first neuron whose u or output is NaN or infinite, or -1 (the numerical guard). */
  firstNonFinite(): number {
    for (let j = 0; j < this.u.length; j++) if (!Number.isFinite(this.u[j] + this.output[j])) return j;
    return -1;
  }

  step(t: number): void {
    for (let i = 0; i < this.size; i++) this.advance(i, t);
    this.computeOutput();
  }

  private computeOutput(): void {
    const { u, output, gain } = this;
    const n = this.size;
    // One loop per activation: the choice is made once per step, not once per neuron.
    switch (this.p.activation) {
      case 'relu':
        for (let i = 0; i < n; i++) {
          const x = u[i];
          output[i] = x > 0 ? x : 0;
          gain[i] = x > 0 ? 1 : 0;
        }
        break;
      case 'linear':
        output.set(u);
        gain.fill(1);
        break;
      case 'tanh':
        for (let i = 0; i < n; i++) {
          const y = Math.tanh(u[i]);
          output[i] = y;
          gain[i] = 1 - y * y;
        }
        break;
      default:
        for (let i = 0; i < n; i++) {
          const y = 1 / (1 + Math.exp(-u[i]));
          output[i] = y;
          gain[i] = y * (1 - y);
        }
    }
    if (this.p.normalize === 'layer' && n > 1) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += output[i];
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (output[i] - mean) ** 2;
      // A layer with no spread (e.g. all units silent) transmits zeros rather than 0/0.
      const sd = Math.sqrt(v / n);
      this.normSd = sd > 1e-12 ? sd : 0;
      for (let i = 0; i < n; i++) output[i] = sd > 1e-12 ? (output[i] - mean) / sd : 0;
    }
  }

  /** Through z = (a - mean(a)) / sd(a): dL/da = (g - mean(g) - z mean(g z)) / sd. */
  outputPullback(grad: Float64Array): void {
    if (this.p.normalize !== 'layer' || this.size < 2) return;
    const n = this.size;
    const z = this.output;
    if (this.normSd === 0) {
      grad.fill(0);
      return;
    }
    let mg = 0;
    let mgz = 0;
    for (let i = 0; i < n; i++) {
      mg += grad[i];
      mgz += grad[i] * z[i];
    }
    mg /= n;
    mgz /= n;
    for (let i = 0; i < n; i++) grad[i] = (grad[i] - mg - z[i] * mgz) / this.normSd;
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number): void {
    for (let k = start; k < end; k++) {
      const i = targets[k];
      this.advance(i, t);
      this.u[i] += weights[k];
    }
  }

  addCurrent(neuron: number, t: number, delta: number): void {
    this.advance(neuron, t);
    this.input[neuron] += delta;
  }

  read(variable: number, neuron: number, t: number): number {
    if (variable === 0) {
      this.advance(neuron, t);
      return this.u[neuron];
    }
    return this.output[neuron];
  }

  update(neuron: number, t: number): void {
    this.advance(neuron, t);
  }

  /** Everything a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return { u: this.u, tn: this.tn, input: this.input, output: this.output, gain: this.gain, normSd: this.normSd };
  }

  restoreState(state: unknown): void {
    const d = state as Record<string, unknown>;
    restoreInto(this.u, d.u, 'LeakyRatePopulation.u');
    restoreInto(this.tn, d.tn, 'LeakyRatePopulation.tn');
    restoreInto(this.input, d.input, 'LeakyRatePopulation.input');
    restoreInto(this.output, d.output, 'LeakyRatePopulation.output');
    restoreInto(this.gain, d.gain, 'LeakyRatePopulation.gain');
    this.normSd = d.normSd as number;
  }
}

export const LeakyRateModel = definePlugin.neuronModel({
  name: 'leaky-rate',
  description: "leaky integrator with a graded output f(u) (relu, linear, tanh, sigmoid), optionally normalised across the layer; the paper's reference neuron",
  params: leakyRateParams,
  receptors: ['input'],
  state: [
    { name: 'u', description: 'integrated input' },
    { name: 'output', description: 'graded output f(u), normalised when normalize is layer (read at grid times)' },
  ],
  create: (ctx) => new LeakyRatePopulation(ctx.size, ctx.params, ctx.resolution_ms, ctx.init),
});
