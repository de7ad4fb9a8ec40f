/**
 * triplet-stdp: the triplet rule of Pfister & Gerstner (2006), all-to-all interactions, lazy
 * as NEST's stdp_triplet_synapse.
 *
 * Traces: pre r1 (tau_plus), r2 (tau_x); post o1 (tau_minus), o2 (tau_y); each jumps by 1 at
 * its neuron's spike and decays exponentially.
 *   post spike at t:  w += r1(t) * (A2_plus + A3_plus * o2(t-))      (o2 before this spike)
 *   pre spike at t:   w -= o1(t) * (A2_minus + A3_minus * r2(t-))    (r2 before this spike)
 * then w is clipped to [w_min, w_max]. At equal times the post spike comes first (docs/plasticity.md).
 *
 * Defaults: the visual cortex, all-to-all, full model of Pfister & Gerstner (2006, Table 4),
 * fitted to Sjostrom et al. (2001): depression at low pairing frequency, potentiation at high.
 */
import type { PlasticityContext, SynapseDynamics } from '../../core/contracts.js';
import { PostSpikeArchive } from '../../core/plasticity/archive.js';
import { CoincidenceLog } from '../../core/plasticity/coincidence.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { checkBounds, weightParams } from '../stdp/stdp.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export const tripletParams = [
  param.number('tau_plus_ms', 16.8, 'pre trace r1 time constant', { gt: 0 }),
  param.number('tau_minus_ms', 33.7, 'post trace o1 time constant', { gt: 0 }),
  param.number('tau_x_ms', 101, 'pre trace r2 time constant', { gt: 0 }),
  param.number('tau_y_ms', 125, 'post trace o2 time constant', { gt: 0 }),
  param.number('A2_plus', 5e-10, 'pair potentiation amplitude', { min: 0 }),
  param.number('A3_plus', 6.2e-3, 'triplet potentiation amplitude', { min: 0 }),
  param.number('A2_minus', 7e-3, 'pair depression amplitude', { min: 0 }),
  param.number('A3_minus', 2.3e-4, 'triplet depression amplitude', { min: 0 }),
  ...weightParams,
] as const;

export type TripletParams = ParamsOf<typeof tripletParams>;

const O1 = 0;
const O2 = 1;

export class TripletDynamics implements SynapseDynamics, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'triplet-stdp/1';

  readonly r1: Float64Array;
  readonly r2: Float64Array;
  readonly tLast: Float64Array;
  readonly archive: PostSpikeArchive;
  private readonly target: Int32Array;
  private readonly weight: Float64Array;
  /** Same-time pre arrivals (dendritic delay 0 only): weight before the depression, r1 just before t, the depression. */
  private readonly log: CoincidenceLog | undefined;

  constructor(
    private readonly p: TripletParams,
    ctx: PlasticityContext,
  ) {
    const proj = ctx.projection;
    this.target = proj.target;
    this.weight = proj.weight;
    const n = proj.target.length;
    this.r1 = new Float64Array(n);
    this.r2 = new Float64Array(n);
    this.tLast = new Float64Array(n).fill(-Infinity);
    this.archive = PostSpikeArchive.forProjection(proj, [
      { tau: p.tau_minus_ms, nearest: false },
      { tau: p.tau_y_ms, nearest: false },
    ]);
    // A post population whose update() leaves no same-time spike to be found later needs no log.
    this.log = proj.dendritic_delay_ms === 0 && ctx.post.spikesKnownOnUpdate !== true ? new CoincidenceLog(proj.nPost, 3) : undefined;
  }

  /** Potentiation of synapse k by the post spikes (after t0) up to `to`; returns the weight. */
  private potentiate(k: number, j: number, to: number, markRead: boolean): number {
    const { p, archive } = this;
    const t0 = this.tLast[k];
    let w = this.weight[k];
    const n = archive.count(j);
    const a = archive.firstAfter(j, t0);
    let e = a;
    for (let te: number; e < n && (te = archive.timeAt(j, e)) <= to; e++) {
      const o2Before = archive.traceAfter(j, e, O2) - 1;
      w += this.r1[k] * Math.exp(-(te - t0) / p.tau_plus_ms) * (p.A2_plus + p.A3_plus * o2Before);
      if (w > p.w_max) w = p.w_max;
    }
    if (markRead) archive.markRead(j, a, e);
    return w;
  }

  onPreArrival(t: number, _pre: number, start: number, end: number): void {
    const { p, archive, r1, r2, tLast, weight, target } = this;
    for (let k = start; k < end; k++) {
      const j = target[k];
      let w = this.potentiate(k, j, t, true);
      const dt = t - tLast[k];
      const r2Before = r2[k] * Math.exp(-dt / p.tau_x_ms);
      const r1Before = r1[k] * Math.exp(-dt / p.tau_plus_ms);
      const depression = archive.traceBefore(O1, j, t) * (p.A2_minus + p.A3_minus * r2Before);
      const log = this.log;
      if (log !== undefined) {
        const i = log.add(t, k, j);
        log.values[3 * i] = w;
        log.values[3 * i + 1] = r1Before;
        log.values[3 * i + 2] = depression;
      }
      w -= depression;
      weight[k] = w < p.w_min ? p.w_min : w;
      r1[k] = r1Before + 1;
      r2[k] = r2Before + 1;
      tLast[k] = t;
    }
  }

  onPostSpike(post: number, t: number): void {
    const { archive, log, p } = this;
    archive.record(post, t);
    if (log === undefined || archive.latest(post) !== log.time) return;
    // A post spike at the time of pre arrivals already applied (dendritic delay 0): post
    // first, so redo each of them, the late post spike's potentiation before the depression.
    log.forEachAt(post, log.time, (i, k) => {
      const e = archive.count(post) - 1;
      const o2Before = archive.traceAfter(post, e, O2) - 1;
      let w = log.values[3 * i] + log.values[3 * i + 1] * (p.A2_plus + p.A3_plus * o2Before);
      if (w > p.w_max) w = p.w_max;
      log.values[3 * i] = w;
      w -= log.values[3 * i + 2];
      this.weight[k] = w < p.w_min ? p.w_min : w;
      archive.markRead(post, e, e + 1);
    });
  }

  flush(h: number): void {
    for (let k = 0; k < this.target.length; k++) this.weight[k] = this.potentiate(k, this.target[k], h, false);
    this.archive.flush(h);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, TripletDynamics.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, TripletDynamics.stateFields, 'TripletDynamics');
  }

  private static readonly stateFields = ['r1', 'r2', 'tLast', 'archive', 'log'];
}

export const TripletRule = definePlugin.plasticityRule({
  name: 'triplet-stdp',
  description: 'triplet STDP (Pfister & Gerstner 2006), all-to-all; defaults: visual cortex fit',
  params: tripletParams,
  check: checkBounds,
  create: (ctx) => new TripletDynamics(ctx.params, ctx),
});
