/**
 * ib-hebbian: the three-factor rule of Daruwalla & Lipasti (2024), paper-notes section 4:
 *
 *   dW_ij = -eta * s_i * e_ij,   e_ij = g_i * x_j
 *
 * x_j: the presynaptic rate, a low-pass trace of the pre spikes arriving at the synapse
 *      (x_j(t) = sum over arrivals of (1000 / tau_x) exp(-(t - t_arrival) / tau_x), in Hz; a
 *      regular train at r Hz gives x ~ r). From a graded source (leaky-rate, graded input):
 *      its output at the moment of the pulse.
 * g_i: the postsynaptic gain: 1 (`gain: one`), or 1 if post neuron i spiked within the last
 *      tau_x ms and 0 otherwise (`gain: active`, the spiking analogue of ReLU's derivative);
 *      for a graded post population, `active` is its f'(u) at the pulse.
 * s_i: the third factor for post neuron i: the latest pulse on the rule's channel (the memory
 *      circuit's xi for the layer; a scalar channel gives every post neuron the same s). The weights change when a pulse arrives, with the
 *      eligibility at that moment, so a late xi meets a decayed eligibility.
 *
 * Nothing else reaches the synapse: no label, no other layer's state. Optimisers: sgd, adam,
 * adamw (per-synapse moments). `delta-readout` is the same rule reading the readout error.
 */
import * as v from 'valibot';
import type { ModulatorChannel, ModulatorListener, NeuronPopulation, PlasticityContext, PlasticityRulePlugin, ProjectionView, SynapseDynamics } from '../../core/contracts.js';
import { param } from '../../core/params.js';

export interface SignalGatedParams {
  channel: string;
  eta: number;
  tau_x_ms: number;
  gain: 'one' | 'active';
  optimizer: 'sgd' | 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  epsilon: number;
  weight_decay: number;
  w_min: number;
  w_max: number;
  rate_target_hz: number;
  homeostasis_eta: number;
  tau_rate_ms: number;
}

export const signalGatedParams = (defaultGain: 'one' | 'active') => [
  param.custom('channel', '', 'the channel of the third factor; empty: the training default for the post layer', 'a modulator channel name', v.string()),
  param.number('eta', 0.001, 'learning rate', { min: 0 }),
  param.number('tau_x_ms', 20, 'time constant of the presynaptic rate trace', { gt: 0 }),
  param.choice('gain', defaultGain, 'postsynaptic gain: one, or active (1 if the neuron spiked within tau_x)', ['one', 'active'] as const),
  param.choice('optimizer', 'sgd', 'how the gradient is applied', ['sgd', 'adam', 'adamw'] as const),
  param.number('beta1', 0.9, 'Adam first-moment decay', { min: 0, max: 1 }),
  param.number('beta2', 0.999, 'Adam second-moment decay', { min: 0, max: 1 }),
  param.number('epsilon', 1e-8, 'Adam epsilon', { gt: 0 }),
  param.number('weight_decay', 0, 'AdamW decoupled weight decay', { min: 0 }),
  param.number('w_min', -Infinity, 'lower weight bound (default none)'),
  param.number('w_max', Infinity, 'upper weight bound (default none)'),
  param.number('rate_target_hz', 0, 'homeostatic target rate of the post neurons (0: no homeostasis)', { min: 0 }),
  param.number('homeostasis_eta', 0, 'homeostatic scaling rate: dW_ij = -homeostasis_eta (r_i - target) / target * x_j / 1000', { min: 0 }),
  param.number('tau_rate_ms', 1000, 'time constant of the post rate trace r_i that homeostasis reads', { gt: 0 }),
];

export class SignalGatedDynamics implements SynapseDynamics, ModulatorListener {
  /** Pre trace value (Hz) at its last update, and that time. */
  readonly x: Float64Array;
  readonly tx: Float64Array;
  /** Last spike of each post neuron (soma time). */
  readonly lastPost: Float64Array;
  /** Post rate trace (Hz) at its last update, and that time (homeostasis only). */
  readonly r: Float64Array;
  readonly tr: Float64Array;
  private readonly gain: Float64Array;
  private readonly homeo: Float64Array;
  /** Per post neuron: signal times gain, for the pulse being applied. */
  private readonly sg: Float64Array;
  private readonly m: Float64Array | undefined;
  private readonly v2: Float64Array | undefined;
  private steps = 0;

  constructor(
    private readonly p: SignalGatedParams,
    private readonly proj: ProjectionView,
    private readonly channel: ModulatorChannel,
    private readonly post: NeuronPopulation,
  ) {
    this.x = new Float64Array(proj.nPre);
    this.tx = new Float64Array(proj.nPre);
    this.lastPost = new Float64Array(proj.nPost).fill(-Infinity);
    this.gain = new Float64Array(proj.nPost);
    this.homeo = new Float64Array(proj.nPost);
    this.sg = new Float64Array(proj.nPost);
    this.r = new Float64Array(proj.nPost);
    this.tr = new Float64Array(proj.nPost);
    if (p.optimizer !== 'sgd') {
      this.m = new Float64Array(proj.weight.length);
      this.v2 = new Float64Array(proj.weight.length);
    }
    channel.subscribe(this);
  }

  onPreArrival(t: number, pre: number, start: number): void {
    // One update per pre spike: with per-synapse delays a row arrives in several pieces.
    if (start !== this.proj.rowStart[pre]) return;
    this.x[pre] = this.trace(pre, t) + 1000 / this.p.tau_x_ms;
    this.tx[pre] = t;
  }

  onPostSpike(post: number, t: number): void {
    this.lastPost[post] = t;
    if (this.p.homeostasis_eta > 0) {
      this.r[post] = this.postRate(post, t) + 1000 / this.p.tau_rate_ms;
      this.tr[post] = t;
    }
  }

  private postRate(i: number, t: number): number {
    return this.r[i] * Math.exp(-(t - this.tr[i]) / this.p.tau_rate_ms);
  }

  private trace(j: number, t: number): number {
    return this.x[j] * Math.exp(-(t - this.tx[j]) / this.p.tau_x_ms);
  }

  onPulse(t: number, index: number): void {
    const { p, proj } = this;
    const s = this.channel.amounts;
    const base = (index - this.channel.first) * this.channel.width;
    const scalar = this.channel.width === 1;
    const w = proj.weight;
    // The post gain depends on the post neuron only: once per pulse, not once per synapse.
    const gain = this.gain;
    const postGain = this.post.gain;
    if (p.gain === 'one') gain.fill(1);
    else if (postGain) gain.set(postGain); // graded post: f'(u)
    else for (let i = 0; i < proj.nPost; i++) gain[i] = t - this.lastPost[i] <= p.tau_x_ms ? 1 : 0;
    // Homeostatic synaptic scaling (Turrigiano): a plain step, outside the optimiser, that
    // pulls each post neuron's rate trace towards the target; it reads only the post neuron.
    const homeo = this.homeo;
    const hEta = p.homeostasis_eta > 0 && p.rate_target_hz > 0 ? p.homeostasis_eta / 1000 : 0;
    const postOut = this.post.output;
    if (hEta > 0) for (let i = 0; i < proj.nPost; i++) homeo[i] = (hEta * ((postOut ? postOut[i] : this.postRate(i, t)) - p.rate_target_hz)) / p.rate_target_hz;
    this.steps++;
    const b1 = p.beta1;
    const b2 = p.beta2;
    const c1 = 1 - Math.pow(b1, this.steps);
    const c2 = 1 - Math.pow(b2, this.steps);
    const preOut = proj.preOutput;
    // The signal times the gain, per post neuron, once per pulse.
    const sg = this.sg;
    for (let i = 0; i < proj.nPost; i++) sg[i] = s[scalar ? base : base + i] * gain[i];
    // Everything the inner loop needs in locals: it runs once per synapse per pulse.
    const { rowStart, target } = proj;
    const mArr = this.m;
    const vArr = this.v2;
    const eta = p.eta;
    const eps = p.epsilon;
    const decay = p.optimizer === 'adamw' ? p.eta * p.weight_decay : 0;
    const wMin = p.w_min;
    const wMax = p.w_max;
    for (let j = 0; j < proj.nPre; j++) {
      const xj = preOut ? preOut[j] : this.trace(j, t);
      const end = rowStart[j + 1];
      for (let k = rowStart[j]; k < end; k++) {
        const i = target[k];
        const grad = sg[i] * xj;
        let wk = w[k];
        if (mArr === undefined) {
          wk -= eta * grad;
        } else {
          const m = (mArr[k] = b1 * mArr[k] + (1 - b1) * grad);
          const vv = (vArr![k] = b2 * vArr![k] + (1 - b2) * grad * grad);
          wk -= (eta * (m / c1)) / (Math.sqrt(vv / c2) + eps) + decay * wk;
        }
        if (hEta > 0) wk -= homeo[i] * xj;
        w[k] = wk < wMin ? wMin : wk > wMax ? wMax : wk;
      }
    }
  }
}

/** Channel a rule reads: its parameter, or `<prefix>/<post population>` set up by training. */
export function channelFor(params: Readonly<Record<string, unknown>>, prefix: string, to: string): string {
  const name = params.channel as string;
  return name !== '' ? name : `${prefix}/${to}`;
}

export function signalGatedRule(name: string, description: string, prefix: string, gain: 'one' | 'active'): PlasticityRulePlugin {
  return {
    name,
    description,
    params: signalGatedParams(gain),
    check(params, scenario) {
      const ch = params.channel as string;
      if (ch === '' || scenario.modulators.has(ch)) return [];
      return [{ param: 'channel', expected: `a modulator channel: ${[...scenario.modulators].join(', ') || '(none defined)'}`, found: `"${ch}"` }];
    },
    create(ctx: PlasticityContext) {
      const chName = channelFor(ctx.params, prefix, ctx.projection.to);
      const channel = ctx.modulators.get(chName);
      if (!channel) throw new RangeError(`${name}: no modulator channel "${chName}" (a training section makes ${prefix}/<population> for its layers)`);
      if (channel.width !== ctx.projection.nPost && channel.width !== 1) throw new RangeError(`${name}: channel ${chName} carries ${channel.width} values, expected 1 (a scalar signal for every post neuron) or ${ctx.projection.nPost} (one per post neuron)`);
      return new SignalGatedDynamics(ctx.params as unknown as SignalGatedParams, ctx.projection, channel, ctx.post);
    },
  };
}

export const IbHebbianRule = signalGatedRule(
  'ib-hebbian',
  'memory-gated three-factor IB rule (Daruwalla & Lipasti 2024): dW = -eta xi_i g_i x_j, xi from the layer memory',
  'xi',
  'active',
);
