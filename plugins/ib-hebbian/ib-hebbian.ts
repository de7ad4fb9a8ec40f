/**
 * ib-hebbian: the three-factor rule of Daruwalla & Lipasti (2024), paper-notes section 4:
 *
 *   dW_ij = -eta * s_i * e_ij,   e_ij = g_i * x_j
 *
 * x_j: the presynaptic rate of the current sample, in Hz.
 *      `presynaptic: window` (default): the pre spikes that reached the synapse in the last
 *      `rate_window_ms` before the pulse, times 1000 / rate_window_ms. With the window equal to
 *      the presentation and xi arriving as the sample ends, x_j is exactly the sample's rate
 *      (a step from 0 to 200 Hz reads 200 Hz, not a blend with the samples before).
 *      `presynaptic: trace` (the behaviour before, for studies of leaky eligibility): a
 *      low-pass trace of arrivals, x_j(t) = sum of (1000 / tau_x) exp(-(t - t_arrival) / tau_x).
 *      From a graded source (leaky-rate, graded input): its output at the moment of the pulse.
 * g_i: the postsynaptic gain, a surrogate of f'(u_i).
 *      `gain: slope` (ib-hebbian's default): for a spiking post neuron, the slope of its
 *      model's rate-vs-drive curve at the drive that gives its rate over the same window,
 *      relative to the curve's linear regime (NeuronPopulation.rateSlope; for lif
 *      g = (2 r tau_m sinh(a/2))^2, a = (1/r - t_ref)/tau_m: 0 when silent, about 1 in the
 *      linear regime, falling to 0 as the rate nears 1/t_ref), capped at `gain_max` because the
 *      noise-free curve is vertical at rheobase. For a graded post population: its f'(u).
 *      `gain: active`: 1 if post neuron i spiked within the last tau_x ms, else 0 (before).
 *      `gain: one`: 1 (delta-readout's default).
 * s_i: the third factor for post neuron i: the latest pulse on the rule's channel (the memory
 *      circuit's xi for the layer; a scalar channel gives every post neuron the same s). The
 *      weights change when a pulse arrives, with the eligibility at that moment, so a late xi
 *      meets the rates of a window that has moved on.
 *
 * Homeostatic synaptic scaling (off by default): dW_ij -= homeostasis_eta (r_i - r*) / r* x_j / 1000,
 * r_i a trace of the post neuron's spikes (tau_rate_ms) or a graded post population's output.
 *
 * Step decay (off by default): with eta_decay_pulses = K > 0 the k-th pulse (k = 0, 1, ...) steps
 * with eta / (1 + max(0, k - S) / K), S = eta_decay_start_pulses (0), the harmonic schedule of
 * stochastic approximation (Robbins & Monro 1951), for studies where a constant step keeps the
 * weights moving with the noise of xi. decay_homeostasis: the homeostatic step decays by the
 * same factor; otherwise it keeps its full strength and takes over as eta shrinks.
 *
 * Parameters (units in the names): eta (0.001), eta_decay_pulses (0: constant), eta_decay_start_pulses (0),
 * decay_homeostasis (false), presynaptic (window), rate_window_ms (100),
 * tau_x_ms (20), gain, gain_max (1), optimizer (sgd | adam | adamw), beta1, beta2, epsilon,
 * weight_decay, w_min, w_max, rate_target_hz (0: off), homeostasis_eta (0), tau_rate_ms (1000).
 *
 * Nothing else reaches the synapse: no label, no other layer's state. `delta-readout` is the
 * same rule reading the readout error with gain one.
 *
 * References: Daruwalla & Lipasti (2024) Front. Comput. Neurosci. 18:1240348; the lif
 * f-I curve: Gerstner & Kistler (2002) Spiking Neuron Models, section 4.1; synaptic scaling:
 * Turrigiano et al. (1998) Nature 391:892.
 */
import * as v from 'valibot';
import type { ModulatorChannel, ModulatorListener, NeuronPopulation, ProjectionView, SynapseDynamics } from '../../core/contracts.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { signalChannel } from '../../training/protocol.js';
import { SpikeWindow } from './spike-window.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export const signalGatedParams = (defaultGain: 'one' | 'active' | 'slope') =>
  [
    param.custom('channel', '', 'the channel of the third factor; empty: the training default for the post layer', 'a modulator channel name', v.string()),
    param.number('eta', 0.001, 'learning rate', { min: 0 }),
    param.choice('presynaptic', 'window', 'x_j: window (pre spikes in the last rate_window_ms, as a rate) or trace (exponential trace with tau_x_ms)', [
      'window',
      'trace',
    ] as const),
    param.number('rate_window_ms', 100, 'window of the rates x_j and (gain slope) r_i: set it to the presentation time', { gt: 0 }),
    param.number('tau_x_ms', 20, 'time constant of the presynaptic trace (presynaptic: trace) and of gain: active', { gt: 0 }),
    param.choice(
      'gain',
      defaultGain,
      "postsynaptic gain: slope (of the neuron's rate-vs-drive curve at its rate; f'(u) for graded neurons), active (1 if the neuron spiked within tau_x), or one",
      ['one', 'active', 'slope'] as const,
    ),
    param.number('gain_max', 1, 'cap on the slope gain (the noise-free f-I curve is vertical at rheobase)', { gt: 0 }),
    param.choice('optimizer', 'sgd', 'how the gradient is applied', ['sgd', 'adam', 'adamw'] as const),
    param.number('eta_decay_pulses', 0, 'step decay: the k-th pulse (k = 0, 1, ...) steps with eta / (1 + k / eta_decay_pulses); 0: a constant eta', {
      min: 0,
    }),
    param.number('eta_decay_start_pulses', 0, 'pulses at the full step before the decay starts: k counts the pulses after the first eta_decay_start_pulses', {
      min: 0,
    }),
    param.boolean('decay_homeostasis', false, 'scale the homeostatic step by the same decay as eta'),
    param.number('beta1', 0.9, 'Adam first-moment decay', { min: 0, max: 1 }),
    param.number('beta2', 0.999, 'Adam second-moment decay', { min: 0, max: 1 }),
    param.number('epsilon', 1e-8, 'Adam epsilon', { gt: 0 }),
    param.number('weight_decay', 0, 'AdamW decoupled weight decay', { min: 0 }),
    param.number('w_min', -Infinity, 'lower weight bound (default none)', { infinite: true }),
    param.number('w_max', Infinity, 'upper weight bound (default none)', { infinite: true }),
    param.number('rate_target_hz', 0, 'homeostatic target rate of the post neurons (0: no homeostasis)', { min: 0 }),
    param.number('homeostasis_eta', 0, 'homeostatic scaling rate: dW_ij = -homeostasis_eta (r_i - target) / target * x_j / 1000', { min: 0 }),
    param.number('tau_rate_ms', 1000, 'time constant of the post rate trace r_i that homeostasis reads', { gt: 0 }),
  ] as const;

export type SignalGatedParams = ParamsOf<ReturnType<typeof signalGatedParams>>;

export class SignalGatedDynamics implements SynapseDynamics, ModulatorListener, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'signal-gated/1';

  /** Pre trace value (Hz) at its last update, and that time. */
  readonly x: Float64Array;
  readonly tx: Float64Array;
  /** Last spike of each post neuron (soma time). */
  readonly lastPost: Float64Array;
  /** Pre arrivals (presynaptic: window) and post spikes (gain: slope) within the rate window. */
  readonly preWindow: SpikeWindow | undefined;
  readonly postWindow: SpikeWindow | undefined;
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
    if (p.presynaptic === 'window') this.preWindow = new SpikeWindow(proj.nPre, p.rate_window_ms);
    if (p.gain === 'slope' && !post.gain) {
      if (!post.rateSlope)
        throw new RangeError(`gain: slope needs a neuron model with a rate-vs-drive curve (lif, or a graded model); use gain: active or one`);
      this.postWindow = new SpikeWindow(proj.nPost, p.rate_window_ms);
    }
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
    if (this.preWindow) {
      this.preWindow.add(pre, t);
      return;
    }
    this.x[pre] = this.trace(pre, t) + 1000 / this.p.tau_x_ms;
    this.tx[pre] = t;
  }

  onPostSpike(post: number, t: number): void {
    this.lastPost[post] = t;
    this.postWindow?.add(post, t);
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
    const postWindow = this.postWindow;
    if (p.gain === 'one') gain.fill(1);
    else if (postGain)
      gain.set(postGain); // graded post: f'(u)
    else if (postWindow) for (let i = 0; i < proj.nPost; i++) gain[i] = Math.min(p.gain_max, this.post.rateSlope!(postWindow.rate(i, t)));
    else for (let i = 0; i < proj.nPost; i++) gain[i] = t - this.lastPost[i] <= p.tau_x_ms ? 1 : 0;
    // Homeostatic synaptic scaling (Turrigiano): a plain step, outside the optimiser, that
    // pulls each post neuron's rate trace towards the target; it reads only the post neuron.
    const homeo = this.homeo;
    this.steps++;
    // The step of the k-th pulse (this.steps counts this one): a harmonic decay, when asked for,
    // counted from the pulse eta_decay_start_pulses on.
    const k = Math.max(0, this.steps - 1 - p.eta_decay_start_pulses);
    const decayScale = p.eta_decay_pulses > 0 ? 1 / (1 + k / p.eta_decay_pulses) : 1;
    const eta = p.eta * decayScale;
    const hEta = p.homeostasis_eta > 0 && p.rate_target_hz > 0 ? (p.homeostasis_eta / 1000) * (p.decay_homeostasis ? decayScale : 1) : 0;
    const postOut = this.post.output;
    if (hEta > 0) for (let i = 0; i < proj.nPost; i++) homeo[i] = (hEta * ((postOut ? postOut[i] : this.postRate(i, t)) - p.rate_target_hz)) / p.rate_target_hz;
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
    const eps = p.epsilon;
    const decay = p.optimizer === 'adamw' ? eta * p.weight_decay : 0;
    const wMin = p.w_min;
    const wMax = p.w_max;
    const preWindow = this.preWindow;
    for (let j = 0; j < proj.nPre; j++) {
      const xj = preOut ? preOut[j] : preWindow ? preWindow.rate(j, t) : this.trace(j, t);
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

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SignalGatedDynamics.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SignalGatedDynamics.stateFields, 'SignalGatedDynamics');
  }

  private static readonly stateFields = ['x', 'tx', 'lastPost', 'preWindow', 'postWindow', 'r', 'tr', 'gain', 'homeo', 'sg', 'm', 'v2', 'steps'];
}

/** A rule's check of its `channel` parameter: empty (the training default) or a channel of the scenario. */
export function checkChannel(
  params: { readonly channel: string },
  scenario: { readonly modulators: ReadonlySet<string> },
): { param: string; expected: string; found: string }[] {
  const ch = params.channel;
  if (ch === '' || scenario.modulators.has(ch)) return [];
  return [{ param: 'channel', expected: `a modulator channel: ${[...scenario.modulators].join(', ') || '(none defined)'}`, found: `"${ch}"` }];
}

/** Channel a rule reads: its parameter, or the training's channel for the post population (defaultChannel). */
export function channelFor(params: { readonly channel: string }, defaultChannel: (population: string) => string, to: string): string {
  const name = params.channel;
  return name !== '' ? name : defaultChannel(to);
}

export function signalGatedRule(name: string, description: string, defaultChannel: (population: string) => string, gain: 'one' | 'active' | 'slope') {
  return definePlugin.plasticityRule({
    name,
    description,
    params: signalGatedParams(gain),
    check: checkChannel,
    create(ctx) {
      const chName = channelFor(ctx.params, defaultChannel, ctx.projection.to);
      const channel = ctx.modulators.get(chName);
      if (!channel)
        throw new RangeError(`${name}: no modulator channel "${chName}" (a training section makes ${defaultChannel('<population>')} for its layers)`);
      if (channel.width !== ctx.projection.nPost && channel.width !== 1)
        throw new RangeError(
          `${name}: channel ${chName} carries ${channel.width} values, expected 1 (a scalar signal for every post neuron) or ${ctx.projection.nPost} (one per post neuron)`,
        );
      return new SignalGatedDynamics(ctx.params, ctx.projection, channel, ctx.post);
    },
  });
}

export const IbHebbianRule = signalGatedRule(
  'ib-hebbian',
  'memory-gated three-factor IB rule (Daruwalla & Lipasti 2024): dW = -eta xi_i g_i x_j, xi from the layer memory',
  signalChannel,
  'slope',
);
