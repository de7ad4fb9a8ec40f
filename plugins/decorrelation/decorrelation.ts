/**
 * decorrelation: anti-Hebbian plasticity of lateral inhibition within a layer (Foldiak 1990),
 * which keeps the units of a layer from all computing the same function.
 *
 * Once per sample, at each pulse of the layer's signal channel (the training's `xi/<layer>`,
 * used only as the clock of the sample ends), with r_j and r_i the rates of the pre and the
 * post neuron over the last `rate_window_ms` and m_j, m_i their running means over about
 * `mean_samples` samples:
 *
 *   dW_ij = -eta * (r_i - m_i) (r_j - m_j) / rate_scale_hz^2,   W_ij clipped to [w_min, 0]
 *
 * Units that rise and fall together inhibit each other more; units that do not, less. The
 * weights are inhibitory (<= 0; with no `receptor`, lif routes them to its inhibitory
 * synapses). Updates start with sample number `settle_samples`, once the means mean something.
 *
 * Why (docs/ib-rule.md): the memory-gated IB rule is symmetric in the units of a layer, and
 * units whose responses are proportional get proportional signals and updates, so a layer
 * whose units have become alike stays so; on xor such a layer (every unit the same x1 + x2 or
 * AND-like feature) cannot be read out. This rule is not part of Daruwalla & Lipasti's method.
 *
 * Parameters: eta (0.05), rate_window_ms (100 ms), mean_samples (100), rate_scale_hz (100 Hz),
 * w_min (-5), settle_samples (20), channel (default: xi/<post population>).
 *
 * References: Foldiak (1990) Biol. Cybern. 64:165; Vogels et al. (2011) Science 334:1569.
 */
import * as v from 'valibot';
import type { ModulatorChannel, ModulatorListener, ProjectionView, SynapseDynamics } from '../../core/contracts.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { channelFor, checkChannel } from '../ib-hebbian/ib-hebbian.js';
import { SpikeWindow } from '../ib-hebbian/spike-window.js';
import { signalChannel } from '../../training/protocol.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

const decorrelationParams = [
  param.custom(
    'channel',
    '',
    'the channel whose pulses mark the sample ends; empty: xi/<post population>, which training makes',
    'a modulator channel name',
    v.string(),
  ),
  param.number('eta', 0.05, 'learning rate', { min: 0 }),
  param.number('rate_window_ms', 100, 'window of the rates r_i, r_j: set it to the presentation time', { gt: 0 }),
  param.number('mean_samples', 100, 'how many samples the running means average over (about)', { min: 1 }),
  param.number('rate_scale_hz', 100, 'rate deviations are divided by this', { gt: 0 }),
  param.number('w_min', -5, 'the strongest inhibition (weights stay in [w_min, 0])', { max: 0 }),
  param.integer('settle_samples', 20, 'the sample at which updates start (the means settle first)', { min: 0 }),
] as const;

export type DecorrelationParams = ParamsOf<typeof decorrelationParams>;

export class Decorrelation implements SynapseDynamics, ModulatorListener, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'decorrelation/1';

  readonly preWindow: SpikeWindow;
  readonly postWindow: SpikeWindow;
  /** Running mean rates of the pre and the post neurons (Hz). */
  readonly preMean: Float64Array;
  readonly postMean: Float64Array;
  /** Rates over the window at the pulse being applied. */
  private readonly preRate: Float64Array;
  private readonly postRate: Float64Array;
  samples = 0;

  constructor(
    private readonly p: DecorrelationParams,
    private readonly proj: ProjectionView,
    channel: ModulatorChannel,
  ) {
    this.preWindow = new SpikeWindow(proj.nPre, p.rate_window_ms);
    this.postWindow = new SpikeWindow(proj.nPost, p.rate_window_ms);
    this.preMean = new Float64Array(proj.nPre);
    this.postMean = new Float64Array(proj.nPost);
    this.preRate = new Float64Array(proj.nPre);
    this.postRate = new Float64Array(proj.nPost);
    channel.subscribe(this);
  }

  onPreArrival(t: number, pre: number, start: number): void {
    if (start === this.proj.rowStart[pre]) this.preWindow.add(pre, t);
  }

  onPostSpike(post: number, t: number): void {
    this.postWindow.add(post, t);
  }

  onPulse(t: number): void {
    const { p, proj, preRate, postRate, preMean, postMean } = this;
    this.samples++;
    // The mean starts as the plain average of the samples so far, then forgets.
    const a = Math.max(1 / this.samples, 1 / p.mean_samples);
    for (let j = 0; j < proj.nPre; j++) {
      preRate[j] = this.preWindow.rate(j, t);
      preMean[j] += a * (preRate[j] - preMean[j]);
    }
    for (let i = 0; i < proj.nPost; i++) {
      postRate[i] = this.postWindow.rate(i, t);
      postMean[i] += a * (postRate[i] - postMean[i]);
    }
    if (this.samples < p.settle_samples) return;
    const { rowStart, target, weight } = proj;
    const s2 = p.rate_scale_hz * p.rate_scale_hz;
    for (let j = 0; j < proj.nPre; j++) {
      const dj = preRate[j] - preMean[j];
      for (let k = rowStart[j]; k < rowStart[j + 1]; k++) {
        const i = target[k];
        const w = weight[k] - p.eta * (((postRate[i] - postMean[i]) * dj) / s2);
        weight[k] = w > 0 ? 0 : w < p.w_min ? p.w_min : w;
      }
    }
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, Decorrelation.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, Decorrelation.stateFields, 'Decorrelation');
  }

  private static readonly stateFields = ['preWindow', 'postWindow', 'preMean', 'postMean', 'preRate', 'postRate', 'samples'];
}

export const DecorrelationRule = definePlugin.plasticityRule({
  name: 'decorrelation',
  description: 'anti-Hebbian lateral inhibition (Foldiak 1990): dW_ij = -eta (r_i - m_i)(r_j - m_j) / scale^2 once per sample, W in [w_min, 0]',
  params: decorrelationParams,
  check: checkChannel,
  create(ctx) {
    const name = channelFor(ctx.params, signalChannel, ctx.projection.to);
    const channel = ctx.modulators.get(name);
    if (!channel) throw new RangeError(`decorrelation: no modulator channel "${name}" (a training section makes xi/<population> for its layers)`);
    return new Decorrelation(ctx.params, ctx.projection, channel);
  },
});
