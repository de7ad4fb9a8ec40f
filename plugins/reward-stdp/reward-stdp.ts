/**
 * reward-stdp: three-factor STDP with an eligibility trace gated by a neuromodulator
 * (Izhikevich 2007; the reference behaviour is NEST's stdp_dopamine_synapse, integrated in
 * closed form between events as in Potjans, Morrison & Diesmann 2010).
 *
 *   pre-before-post pair (dt > 0):  c += A_plus  * exp(-dt / tau_plus)
 *   post-before-pre pair (dt < 0):  c -= A_minus * exp( dt / tau_minus)
 *   dc/dt = -c / tau_e                        (eligibility, the synaptic tag)
 *   dn/dt = -n / tau_n, n += a / tau_n for a pulse of amount a on the channel
 *   dw/dt = c * (n - b)                        (w clipped to [w_min, w_max])
 *
 * With no modulator (n = 0) and b = 0 the weight never changes, however much the synapse is
 * tagged. Between events c and n decay exponentially, so the weight change over an interval h
 * is exact:  dw = -c0 * (n0 / s * expm1(-s h) - b * tau_e * expm1(-h / tau_e)),
 * s = 1/tau_e + 1/tau_n. The synapse is brought up to date only when a pre spike arrives (and
 * at the end of a run), processing the post spikes and modulator pulses since its last update
 * in time order.
 */
import type { ModulatorChannel, PlasticityContext, SynapseDynamics } from '../../core/contracts.js';
import { PostSpikeArchive } from '../../core/plasticity/archive.js';
import { CoincidenceLog } from '../../core/plasticity/coincidence.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { grown } from '../../core/typed.js';
import * as v from 'valibot';
import { checkBounds, weightParams } from '../stdp/stdp.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export const rewardStdpParams = [
  param.custom(
    'channel',
    undefined,
    'the modulator channel (scenario `modulators:`) that gates the weight change',
    'the name of a modulator channel',
    v.string(),
  ),
  param.number('tau_plus_ms', 20, 'pre trace time constant', { gt: 0 }),
  param.number('tau_minus_ms', 20, 'post trace time constant', { gt: 0 }),
  param.number('tau_e_ms', 1000, 'eligibility trace time constant', { gt: 0 }),
  param.number('tau_n_ms', 200, 'modulator concentration time constant', { gt: 0 }),
  param.number('A_plus', 1, 'eligibility increment per pre-before-post pair', { min: 0 }),
  param.number('A_minus', 1.5, 'eligibility decrement per post-before-pre pair', { min: 0 }),
  param.number('b', 0, 'modulator baseline: dw/dt = c (n - b)'),
  ...weightParams,
] as const;

export type RewardStdpParams = ParamsOf<typeof rewardStdpParams>;

/** What evolve() computes, the weight and the eligibility (scratch space, not state: never checkpointed). */
const evolved = new Float64Array(2);

export class RewardStdpDynamics implements SynapseDynamics, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'reward-stdp/1';

  readonly kplus: Float64Array;
  /** Eligibility at each synapse's last update. */
  readonly c: Float64Array;
  /** Last update of each synapse (pre arrival or flush), synapse time. */
  readonly tUpdate: Float64Array;
  /** Last pre arrival of each synapse. */
  readonly tPre: Float64Array;
  readonly archive: PostSpikeArchive;
  private readonly channel: ModulatorChannel;
  /** Concentration right after each pulse of the channel (computed as pulses appear). */
  private nAfter = new Float64Array(16);
  private nKnown = 0;
  private readonly target: Int32Array;
  private readonly weight: Float64Array;
  private readonly s: number;
  /** Same-time pre arrivals (dendritic delay 0 only): the pre trace just before t. */
  private readonly log: CoincidenceLog | undefined;

  constructor(
    private readonly p: RewardStdpParams,
    ctx: PlasticityContext,
  ) {
    const proj = ctx.projection;
    this.target = proj.target;
    this.weight = proj.weight;
    const n = proj.target.length;
    this.kplus = new Float64Array(n);
    this.c = new Float64Array(n);
    this.tUpdate = new Float64Array(n);
    this.tPre = new Float64Array(n).fill(-Infinity);
    this.channel = ctx.modulators.get(p.channel)!;
    // A synapse integrates from its own last update, which is as old as its pre neuron's last
    // spike (for ever, if it never fires): keep every pulse. Reward pulses are sparse.
    this.channel.retain(() => -Infinity);
    this.s = 1 / p.tau_e_ms + 1 / p.tau_n_ms;
    this.archive = PostSpikeArchive.forProjection(proj, [{ tau: p.tau_minus_ms, nearest: false }]);
    // A post population whose update() leaves no same-time spike to be found later needs no log.
    this.log = proj.dendritic_delay_ms === 0 && ctx.post.spikesKnownOnUpdate !== true ? new CoincidenceLog(proj.nPost, 1) : undefined;
  }

  /** Concentration just before time t (pulses strictly before t). */
  private concentrationBefore(t: number): number {
    const ch = this.channel;
    if (this.nKnown < ch.count) {
      if (this.nAfter.length < ch.count) this.nAfter = grown(this.nAfter, Math.max(ch.count, this.nAfter.length * 2));
      for (let i = this.nKnown; i < ch.count; i++) {
        const r = i - ch.first;
        const prev = i === 0 ? 0 : this.nAfter[i - 1] * Math.exp(-(ch.times[r] - ch.times[r - 1]) / this.p.tau_n_ms);
        this.nAfter[i] = prev + ch.amounts[r] / this.p.tau_n_ms;
      }
      this.nKnown = ch.count;
    }
    const i = ch.firstAtOrAfter(t) - 1;
    return i < 0 ? 0 : this.nAfter[i] * Math.exp(-(t - ch.times[i - ch.first]) / this.p.tau_n_ms);
  }

  /** Weight after integrating dw = c (n - b) for h ms from (w, c0, n0). */
  private integrate(w: number, c0: number, n0: number, h: number): number {
    const p = this.p;
    if (h <= 0 || c0 === 0) return w;
    const v = w - c0 * ((n0 / this.s) * Math.expm1(-this.s * h) - p.b * p.tau_e_ms * Math.expm1(-h / p.tau_e_ms));
    return v > p.w_max ? p.w_max : v < p.w_min ? p.w_min : v;
  }

  /**
   * Synapse k's weight and eligibility at time t, from its state at its last update: post
   * spikes reaching it in (last pre, t] tag it, pulses in [last update, t) raise the
   * concentration, and the weight integrates in between. Reads only; leaves the weight and
   * eligibility in `evolved` and the range of post entries used in usedFrom..usedTo.
   */
  private usedFrom = 0;
  private usedTo = 0;
  private evolve(k: number, j: number, t: number): void {
    const { p, archive, channel } = this;
    let tc = this.tUpdate[k];
    let c = this.c[k];
    let n = this.concentrationBefore(tc);
    let w = this.weight[k];
    const nPost = archive.count(j);
    const e0 = archive.firstAfter(j, this.tPre[k]);
    let e = e0;
    let pi = channel.firstAtOrAfter(tc);
    for (;;) {
      const te = e < nPost ? archive.timeAt(j, e) : Infinity;
      const tPost = te <= t ? te : Infinity;
      const tPulse = pi < channel.count && channel.times[pi - channel.first] < t ? channel.times[pi - channel.first] : Infinity;
      const tn = tPost <= tPulse ? tPost : tPulse;
      if (tn === Infinity) break;
      const h = tn - tc;
      w = this.integrate(w, c, n, h);
      c *= Math.exp(-h / p.tau_e_ms);
      n *= Math.exp(-h / p.tau_n_ms);
      tc = tn;
      if (tPost <= tPulse) {
        c += p.A_plus * this.kplus[k] * Math.exp(-(tn - this.tPre[k]) / p.tau_plus_ms);
        e++;
      } else {
        n += channel.amounts[pi - channel.first] / p.tau_n_ms;
        pi++;
      }
    }
    const h = t - tc;
    evolved[0] = this.integrate(w, c, n, h);
    evolved[1] = c * Math.exp(-h / p.tau_e_ms);
    this.usedFrom = e0;
    this.usedTo = e;
  }

  /** Brings synapse k to time t (evolve, then keep the result). */
  private advance(k: number, j: number, t: number): void {
    this.evolve(k, j, t);
    this.weight[k] = evolved[0];
    this.c[k] = evolved[1];
    this.tUpdate[k] = t;
  }

  /** Readers of the variables RewardStdpRule declares, at synapse time t (nothing is changed). */
  variable(name: string): ((index: number, t: number) => number) | undefined {
    const target = this.target;
    if (name === 'c')
      return (k, t) => {
        this.evolve(k, target[k], t);
        return evolved[1];
      };
    if (name === 'w')
      return (k, t) => {
        this.evolve(k, target[k], t);
        return evolved[0];
      };
    if (name === 'n')
      return (_i, t) => {
        // Pulses at t count (they have arrived); concentrationBefore fills the memo first.
        this.concentrationBefore(t);
        const ch = this.channel;
        const i = ch.firstAfter(t) - 1;
        return i < 0 ? 0 : this.nAfter[i] * Math.exp(-(t - ch.times[i - ch.first]) / this.p.tau_n_ms);
      };
    return undefined;
  }

  onPreArrival(t: number, _pre: number, start: number, end: number): void {
    const p = this.p;
    for (let k = start; k < end; k++) {
      const j = this.target[k];
      this.advance(k, j, t);
      this.archive.markRead(j, this.usedFrom, this.usedTo);
      this.c[k] -= p.A_minus * this.archive.traceBefore(0, j, t);
      const kpBefore = this.kplus[k] * Math.exp(-(t - this.tPre[k]) / p.tau_plus_ms);
      if (this.log !== undefined) this.log.values[this.log.add(t, k, j)] = kpBefore;
      this.kplus[k] = kpBefore + 1;
      this.tPre[k] = t;
    }
  }

  onPostSpike(post: number, t: number): void {
    const { archive, log } = this;
    archive.record(post, t);
    if (log === undefined || archive.latest(post) !== log.time) return;
    // A post spike at the time of pre arrivals already applied (dendritic delay 0): it tags
    // those synapses with the pre trace just before t. The weight at t is unchanged by a jump
    // of c, and c adds, so the post-first order needs nothing more.
    log.forEachAt(post, log.time, (i, k) => {
      this.c[k] += this.p.A_plus * log.values[i];
      const e = archive.count(post) - 1;
      archive.markRead(post, e, e + 1);
    });
  }

  flush(h: number): void {
    for (let k = 0; k < this.target.length; k++) if (this.tUpdate[k] < h) this.advance(k, this.target[k], h);
    this.archive.flush(h);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, RewardStdpDynamics.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, RewardStdpDynamics.stateFields, 'RewardStdpDynamics');
  }

  private static readonly stateFields = ['kplus', 'c', 'tUpdate', 'tPre', 'archive', 'nAfter', 'nKnown', 'log', 'usedFrom', 'usedTo'];
}

export const RewardStdpRule = definePlugin.plasticityRule({
  name: 'reward-stdp',
  description: 'STDP eligibility trace gated by a neuromodulator channel (Izhikevich 2007; NEST stdp_dopamine_synapse)',
  params: rewardStdpParams,
  variables: [
    { name: 'c', per: 'synapse', description: 'eligibility trace (synaptic tag) at t, post spikes that reached the synapse by t included' },
    { name: 'w', per: 'synapse', description: 'weight integrated to t (dw/dt = c (n - b)); the stored weight changes only when a pre spike arrives' },
    { name: 'n', per: 'projection', description: 'modulator concentration at t (pulses at t included)' },
  ],
  check(params, scenario) {
    const problems = checkBounds(params);
    const ch = params.channel;
    if (!scenario.modulators.has(ch)) {
      problems.push({
        param: 'channel',
        expected: `a channel defined under modulators: ${[...scenario.modulators].join(', ') || '(none defined)'}`,
        found: `"${ch}"`,
      });
    }
    return problems;
  },
  create: (ctx) => new RewardStdpDynamics(ctx.params, ctx),
});
