/**
 * pair-reward: the reward schedule of Izhikevich's distal reward problem (Izhikevich 2007).
 * One synapse of a projection is chosen (at random, or by index); whenever its post spike
 * follows its pre spike at the synapse by 0 < dt <= window_ms, a reward spike is emitted after
 * a delay drawn from `delay_ms` (1..3 s in the paper). Feed the reward spikes to a modulator
 * channel (`modulators: {dopamine: {from: <this input>}}`) that a reward-stdp projection reads.
 *
 * summary.json reports the chosen synapse, its weight, and the mean and spread of the other
 * synapses of the projection, so the credit assignment can be judged.
 */
import * as v from 'valibot';
import type { InputContext, InputSource, ProjectionView, SpikeSink } from '../../core/contracts.js';
import { sampleValue, ValueSpecSchema, type ValueSpec } from '../../core/distributions.js';
import { param } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';
import { Priority, type EventHandler, type Scheduler } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export class PairReward implements InputSource, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'pair-reward/1';

  readonly synapse: number;
  readonly pre: number;
  readonly post: number;
  rewards = 0;
  pairings = 0;
  /** Recent pre arrivals at the chosen synapse (synapse times). */
  private readonly preArrivals: number[] = [];

  constructor(
    private readonly proj: ProjectionView,
    synapse: number,
    private readonly windowMs: number,
    private readonly delay: ValueSpec,
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly sink: SpikeSink,
    ctx: InputContext,
  ) {
    this.synapse = synapse;
    let pre = 0;
    while (proj.rowStart[pre + 1] <= synapse) pre++;
    this.pre = pre;
    this.post = proj.target[synapse];
    const d = proj.delayOf(synapse);
    ctx.populations.get(proj.from)!.addSpikeListener({
      onSpike: (i, t) => {
        if (i !== this.pre) return;
        this.preArrivals.push(proj.timeGrid.add(t, d));
        if (this.preArrivals.length > 64) this.preArrivals.shift();
      },
    });
    ctx.populations.get(proj.to)!.addSpikeListener({ onSpike: (j, t) => j === this.post && this.onPost(t) });
  }

  start(): void {}

  private onPost(t: number): void {
    const tSyn = this.proj.timeGrid.add(t, this.proj.dendritic_delay_ms);
    const paired = this.preArrivals.some((a) => tSyn - a > 0 && tSyn - a <= this.windowMs);
    if (!paired) return;
    this.pairings++;
    // The pairing is found up to one step after the post spike; a (pathological) zero delay
    // then rewards at once.
    const at = t + sampleValue(this.delay, this.rng);
    this.scheduler.at(Math.max(at, this.scheduler.now), Priority.NEURON, this);
  }

  handleEvent(ev: { t: number }): void {
    this.rewards++;
    this.sink.spike(0, ev.t);
  }

  report(): Record<string, unknown> {
    const w = this.proj.weight;
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < w.length; k++) {
      if (k === this.synapse) continue;
      sum += w[k];
      sq += w[k] * w[k];
    }
    const n = w.length - 1;
    const mean = n > 0 ? sum / n : 0;
    const others = w.filter((_, k) => k !== this.synapse).sort();
    return {
      synapse: { index: this.synapse, pre: this.pre, post: this.post },
      rewarded_weight: w[this.synapse],
      others_mean: mean,
      others_sd: n > 0 ? Math.sqrt(Math.max(0, sq / n - mean * mean)) : 0,
      others_p99: others.length ? others[Math.floor(others.length * 0.99)] : 0,
      rank_of_rewarded: w.reduce((r, x) => (x > w[this.synapse] ? r + 1 : r), 1),
      pairings: this.pairings,
      rewards: this.rewards,
    };
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, PairReward.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, PairReward.stateFields, 'PairReward');
  }

  private static readonly stateFields = ['rewards', 'pairings', 'preArrivals', 'rng'];
}

export const PairRewardInput = definePlugin.input({
  name: 'pair-reward',
  description: 'emits a reward spike some time after each pre-then-post pairing at one chosen synapse (Izhikevich 2007)',
  params: [
    param.custom('projection', undefined, 'the projection whose synapse is rewarded', 'a projection name', v.string()),
    param.custom(
      'synapse',
      'random' as 'random' | number,
      'which synapse: random, or its index in the projection',
      'random, or a synapse index',
      v.union([v.literal('random'), v.pipe(v.number(), v.integer(), v.minValue(0))]),
    ),
    param.number('window_ms', 10, 'a post spike at most this long after the pre spike (at the synapse) counts as a pairing', { gt: 0 }),
    param.custom(
      'delay_ms',
      { dist: 'uniform', low: 1000, high: 3000 } as ValueSpec,
      'delay from the pairing to the reward',
      'a number or distribution of delays >= 0',
      ValueSpecSchema,
    ),
  ],
  output: 'spikes',
  check(_params, size) {
    return size === 1 ? [] : [{ param: 'size', expected: 'size 1 (one reward spike train)', found: String(size) }];
  },
  create(ctx) {
    const name = ctx.params.projection;
    const proj = ctx.projections.get(name);
    if (!proj) throw new RangeError(`pair-reward: no projection named "${name}" (projections: ${[...ctx.projections.keys()].join(', ')})`);
    const n = proj.target.length;
    if (n === 0) throw new RangeError(`pair-reward: projection ${name} has no synapses`);
    const choice = ctx.params.synapse;
    const synapse = choice === 'random' ? ctx.rng.int(n) : choice;
    if (synapse >= n) throw new RangeError(`pair-reward: synapse ${synapse} does not exist (projection ${name} has ${n})`);
    return new PairReward(proj, synapse, ctx.params.window_ms, ctx.params.delay_ms, ctx.scheduler, ctx.rng, ctx.sink, ctx);
  },
});
