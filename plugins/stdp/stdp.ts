/**
 * stdp: pair-based spike-timing-dependent plasticity (Bi & Poo 1998; Song, Miller & Abbott
 * 2000; weight dependence of Gutig et al. 2003), updated lazily as NEST's stdp_synapse
 * (Morrison, Diesmann & Gerstner 2008).
 *
 * For a pre spike reaching the synapse at t_pre and a post spike reaching it at t_post
 * (dt = t_post - t_pre; see docs/semantics.md for the delays):
 *   dt > 0:  w potentiated by  A_plus  * exp(-dt / tau_plus)    (times the weight dependence)
 *   dt < 0:  w depressed by    A_minus * exp( dt / tau_minus)
 *   dt = 0:  no change
 * pairing all-to-all: every pre spike pairs with every post spike (traces add up);
 * pairing nearest: each spike pairs only with the nearest earlier spike of the other side
 * (symmetric nearest-neighbour, NEST stdp_nn_symm_synapse: traces reset to 1).
 *
 * Lazy update: nothing happens on a post spike but archiving it. On a pre arrival at t the
 * synapse first applies, in time order, the potentiation for each post spike since its last
 * pre arrival up to t included (pre trace decayed to that post spike), then the depression of
 * this pre spike (post trace just before t), then advances its pre trace. At equal times the
 * post spike comes first (docs/plasticity.md); with dendritic delay 0 a post spike at t that
 * is found after the pre arrival at t is applied then, in that order (core/plasticity/coincidence.ts).
 */
import type { PlasticityContext, SynapseDynamics } from '../../core/contracts.js';
import { PostSpikeArchive } from '../../core/plasticity/archive.js';
import { CoincidenceLog } from '../../core/plasticity/coincidence.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { depress, potentiate } from './weights.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export const weightParams = [
  param.number('w_min', 0, 'lower weight bound'),
  param.number('w_max', undefined, 'upper weight bound (must exceed w_min)'),
] as const;

export const stdpParams = [
  param.number('tau_plus_ms', 16.8, 'time constant of potentiation (pre trace)', { gt: 0 }),
  param.number('tau_minus_ms', 33.7, 'time constant of depression (post trace)', { gt: 0 }),
  param.number('A_plus', 0.01, 'potentiation amplitude (weight units)', { min: 0 }),
  param.number('A_minus', 0.0105, 'depression amplitude (weight units)', { min: 0 }),
  param.number('mu_plus', 0, 'weight dependence of potentiation: 0 additive, 1 multiplicative', { min: 0 }),
  param.number('mu_minus', 0, 'weight dependence of depression: 0 additive, 1 multiplicative', { min: 0 }),
  ...weightParams,
  param.choice('pairing', 'all-to-all', 'which spike pairs interact', ['all-to-all', 'nearest'] as const),
] as const;

export type StdpParams = ParamsOf<typeof stdpParams>;

export function checkBounds(params: { readonly w_min: number; readonly w_max: number }) {
  const lo = params.w_min;
  const hi = params.w_max;
  return hi > lo ? [] : [{ param: 'w_max', expected: `an upper bound above w_min (${lo})`, found: String(hi) }];
}

export class StdpDynamics implements SynapseDynamics, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'stdp/1';

  /**
   * Pre trace at the last pre arrival, and the synapse time of that arrival: one per pre
   * neuron when the projection has one delay (every synapse of a row sees the same arrivals,
   * so they share these; 16 bytes per pre neuron instead of per synapse), else one per synapse.
   */
  readonly kplus: Float64Array;
  readonly tLast: Float64Array;
  readonly perRow: boolean;
  readonly archive: PostSpikeArchive;
  private readonly target: Int32Array;
  private readonly weight: Float64Array;
  private readonly rowStart: Int32Array;
  private readonly nearest: boolean;
  /** mu_plus = mu_minus = 0: pair() takes pairAdditive(). */
  private readonly additive: boolean;
  /** Same-time pre arrivals (dendritic delay 0 only): per slot the weight before the depression and the pre trace just before t. */
  private readonly log: CoincidenceLog | undefined;

  constructor(
    private readonly p: StdpParams,
    ctx: PlasticityContext,
  ) {
    const proj = ctx.projection;
    this.target = proj.target;
    this.weight = proj.weight;
    this.rowStart = proj.rowStart;
    this.perRow = proj.uniformDelay;
    const n = this.perRow ? proj.nPre : proj.target.length;
    this.kplus = new Float64Array(n);
    this.tLast = new Float64Array(n).fill(-Infinity);
    this.nearest = p.pairing === 'nearest';
    this.additive = p.mu_plus === 0 && p.mu_minus === 0;
    this.archive = PostSpikeArchive.forProjection(proj, [{ tau: p.tau_minus_ms, nearest: this.nearest }]);
    // A post population whose update() leaves no same-time spike to be found later needs no log.
    this.log = proj.dendritic_delay_ms === 0 && ctx.post.spikesKnownOnUpdate !== true ? new CoincidenceLog(proj.nPost, 2) : undefined;
  }

  /**
   * Synapses start..end of one row, last reached by a pre spike at t0 with pre trace kp then:
   * the potentiation for each post spike since t0 up to `to`, then (pre arrival at t only)
   * the depression of the pre spike at t. kpBefore: the pre trace just before t.
   */
  private pair(start: number, end: number, t0: number, kp: number, to: number, t: number, kpBefore: number): void {
    if (this.additive) {
      this.pairAdditive(start, end, t0, kp, to, t, kpBefore);
      return;
    }
    const { p, archive, weight, target, log } = this;
    const tauP = p.tau_plus_ms;
    for (let k = start; k < end; k++) {
      const j = target[k];
      let w = weight[k];
      // Potentiation: post spikes that reached the synapse since the last pre arrival (none
      // when the post neuron's latest spike is older: no archive walk then).
      if (archive.latest(j) > t0) {
        const n = archive.count(j);
        const a = archive.firstAfter(j, t0);
        let e = a;
        for (let te: number; e < n && (te = archive.timeAt(j, e)) <= to; e++) w = potentiate(p, w, kp * Math.exp(-(te - t0) / tauP));
        if (t === t) archive.markRead(j, a, e);
      }
      // Depression: this pre spike against the post trace just before it.
      if (t === t) {
        if (log !== undefined) {
          const i = log.add(t, k, j);
          log.values[2 * i] = w;
          log.values[2 * i + 1] = kpBefore;
        }
        w = depress(p, w, archive.traceBefore(0, j, t));
      }
      weight[k] = w;
    }
  }

  /**
   * pair() for the additive rule (mu_plus = mu_minus = 0): the same arithmetic as potentiate()
   * and depress() with their scale of 1 (so the same weights to the bit), written out in the
   * loop, which runs once per synapse and pre arrival.
   */
  private pairAdditive(start: number, end: number, t0: number, kp: number, to: number, t: number, kpBefore: number): void {
    const { archive, weight, target, log } = this;
    const { A_plus: aPlus, A_minus: aMinus, w_min: lo, w_max: hi, tau_plus_ms: tauP } = this.p;
    const arrival = t === t;
    // The archive's arrays, read directly (see PostSpikeArchive.lastTimes): no call per synapse.
    const lastTime = archive.lastTimes;
    const times = archive.entryTimes;
    const heads = archive.heads;
    const lengths = archive.lengths;
    const mask = archive.capacity - 1;
    const nPost = heads.length;
    const scaled = archive.scaledTraces;
    const nt = archive.traceCount;
    const g = arrival ? archive.decayFactor(0, t) : 0;
    if (arrival && log !== undefined) log.at(t);
    // Entries after t0 that are not flushed (archive.firstAfter).
    const after = t0 > archive.flushedTo ? t0 : archive.flushedTo;
    for (let k = start; k < end; k++) {
      const j = target[k];
      let w = weight[k];
      const last = lastTime[j];
      if (last > t0) {
        const head = heads[j];
        const n = lengths[j];
        let a = n;
        while (a > 0 && times[((head + a - 1) & mask) * nPost + j] > after) a--;
        let e = a;
        for (; e < n; e++) {
          const te = times[((head + e) & mask) * nPost + j];
          if (te > to) break;
          const x = kp * Math.exp(-(te - t0) / tauP);
          if (x !== 0) {
            const v = w + aPlus * x;
            w = v > hi ? hi : v < lo ? lo : v;
          }
        }
        if (arrival) archive.markRead(j, a, e);
      }
      if (arrival) {
        if (log !== undefined) {
          const i = log.push(k, j);
          log.values[2 * i] = w;
          log.values[2 * i + 1] = kpBefore;
        }
        // archive.traceBefore(0, j, t): its fast path when the latest post spike is before t.
        const y = last < t ? (last === -Infinity ? 0 : scaled[j * nt] * g) : archive.traceBefore(0, j, t);
        if (y !== 0) {
          const v = w - aMinus * y;
          w = v > hi ? hi : v < lo ? lo : v;
        }
      }
      weight[k] = w;
    }
  }

  onPreArrival(t: number, pre: number, start: number, end: number): void {
    const { kplus, tLast } = this;
    const tauP = this.p.tau_plus_ms;
    if (this.perRow) {
      const t0 = tLast[pre];
      const kp = kplus[pre];
      const kpBefore = kp * Math.exp(-(t - t0) / tauP);
      this.pair(start, end, t0, kp, t, t, kpBefore);
      kplus[pre] = this.nearest ? 1 : kpBefore + 1;
      tLast[pre] = t;
      return;
    }
    for (let k = start; k < end; k++) {
      const t0 = tLast[k];
      const kp = kplus[k];
      const kpBefore = kp * Math.exp(-(t - t0) / tauP);
      this.pair(k, k + 1, t0, kp, t, t, kpBefore);
      kplus[k] = this.nearest ? 1 : kpBefore + 1;
      tLast[k] = t;
    }
  }

  onPostSpike(post: number, t: number): void {
    const { archive, log } = this;
    archive.record(post, t);
    if (log === undefined || archive.latest(post) !== log.time) return;
    // A post spike at the time of pre arrivals already applied (dendritic delay 0): post
    // first, so redo each of them, the late post spike's potentiation before the depression.
    const ts = log.time;
    log.forEachAt(post, ts, (i, k) => {
      const w = potentiate(this.p, log.values[2 * i], log.values[2 * i + 1]);
      log.values[2 * i] = w;
      this.weight[k] = depress(this.p, w, archive.traceBefore(0, post, ts));
      const e = archive.count(post) - 1;
      archive.markRead(post, e, e + 1);
    });
  }

  flush(h: number): void {
    const { kplus, tLast, rowStart } = this;
    if (this.perRow) {
      for (let pre = 0; pre + 1 < rowStart.length; pre++) this.pair(rowStart[pre], rowStart[pre + 1], tLast[pre], kplus[pre], h, NaN, NaN);
    } else {
      for (let k = 0; k < this.target.length; k++) this.pair(k, k + 1, tLast[k], kplus[k], h, NaN, NaN);
    }
    this.archive.flush(h);
  }

  /** Readers of the variables StdpRule declares (stdpVariables), at synapse time t. */
  variable(name: string): ((index: number, t: number) => number) | undefined {
    const { kplus, tLast, archive } = this;
    const tauP = this.p.tau_plus_ms;
    if (name === 'x_pre') {
      // The trace a row shares (one delay) or the synapse's own.
      const row = this.perRow ? preOfSynapse(this.rowStart) : undefined;
      return (k, t) => {
        const r = row ? row[k] : k;
        return tLast[r] === -Infinity ? 0 : kplus[r] * Math.exp(-(t - tLast[r]) / tauP);
      };
    }
    if (name === 'y_post') return (j, t) => archive.traceAt(0, j, t);
    return undefined;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, StdpDynamics.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, StdpDynamics.stateFields, 'StdpDynamics');
  }

  private static readonly stateFields = ['kplus', 'tLast', 'archive', 'log'];
}

/** The pre neuron of each synapse, from CSR row starts. */
export function preOfSynapse(rowStart: Int32Array): Int32Array {
  const pre = new Int32Array(rowStart[rowStart.length - 1]);
  for (let i = 0; i + 1 < rowStart.length; i++) pre.fill(i, rowStart[i], rowStart[i + 1]);
  return pre;
}

/** What a `rule-state` recorder may record of stdp (and of the rules built on its traces). */
export const stdpVariables = [
  {
    name: 'x_pre',
    per: 'synapse',
    description: 'pre trace seen at the synapse: sum of exp(-(t - t_pre)/tau_plus) over pre arrivals by t (1 after the latest with pairing nearest)',
  },
  {
    name: 'y_post',
    per: 'post',
    description: 'post trace: sum of exp(-(t - t_post)/tau_minus) over post spikes that reached the synapses by t (dendritic delay included)',
  },
] as const;

export const StdpRule = definePlugin.plasticityRule({
  name: 'stdp',
  description: 'pair-based STDP, additive to multiplicative (Gutig 2003), all-to-all or nearest-neighbour pairing; lazy (NEST stdp_synapse)',
  params: stdpParams,
  variables: stdpVariables,
  check: checkBounds,
  create: (ctx) => new StdpDynamics(ctx.params, ctx),
});
