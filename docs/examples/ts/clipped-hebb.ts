// A custom plasticity rule in TypeScript (docs/plasticity.md): the clipped-hebb example with types.
//
// Rate-free Hebbian rule with a hard ceiling: every pre spike that reaches the synapse within
// `window_ms` after a spike of the post neuron (as seen at the synapse) adds `eta` to the
// weight; every other pre spike subtracts `decay`. Lazy: work happens only on pre arrivals.
import { ContainerModule, definePlugin, type ParamsOf, PlasticityRuleToken, type ProjectionView, param, type SynapseDynamics } from 'engram';

const specs = [
  param.number('eta', 0.1, 'increment for a pre spike within window_ms after a post spike', { min: 0 }),
  param.number('decay', 0.01, 'decrement for any other pre spike', { min: 0 }),
  param.number('window_ms', 5, 'how long after a post spike a pre spike counts', { gt: 0 }),
  param.number('w_max', 1, 'upper bound (lower bound 0)', { gt: 0 }),
] as const;
type Params = ParamsOf<typeof specs>;

class ClippedHebb implements SynapseDynamics {
  private readonly target: Int32Array;
  private readonly weight: Float64Array;
  private readonly dendritic: number;
  /** Per post neuron: its latest spike that has reached the synapses, and the later ones on their way. */
  private readonly lastPost: Float64Array;
  private readonly onTheWay: number[][];

  constructor(
    private readonly p: Params,
    projection: ProjectionView,
  ) {
    this.target = projection.target;
    this.weight = projection.weight;
    this.dendritic = projection.dendritic_delay_ms;
    this.lastPost = new Float64Array(projection.nPost).fill(Number.NEGATIVE_INFINITY);
    this.onTheWay = Array.from({ length: projection.nPost }, () => []);
  }

  /** The latest spike of post neuron j at the synapse at or before time t. */
  private lastPostBefore(j: number, t: number): number {
    const queue = this.onTheWay[j];
    while (queue.length > 0 && queue[0] <= t) this.lastPost[j] = queue.shift()!;
    return this.lastPost[j];
  }

  onPreArrival(t: number, _pre: number, start: number, end: number): void {
    const { eta, decay, window_ms, w_max } = this.p;
    for (let k = start; k < end; k++) {
      const since = t - this.lastPostBefore(this.target[k], t);
      const w = since >= 0 && since <= window_ms ? this.weight[k] + eta : this.weight[k] - decay;
      this.weight[k] = Math.min(w_max, Math.max(0, w));
    }
  }

  onPostSpike(post: number, t: number): void {
    this.onTheWay[post].push(t + this.dendritic);
  }

  /** Readers of the declared variables (for the rule-state recorder): they change nothing. */
  variable(name: string): ((j: number, t: number) => number) | undefined {
    if (name !== 'last_post_ms') return undefined;
    return (j, t) => {
      let last = this.lastPost[j];
      for (const arrival of this.onTheWay[j]) if (arrival <= t) last = arrival;
      return last;
    };
  }
}

const ClippedHebbRule = definePlugin.plasticityRule({
  name: 'clipped-hebb',
  description: 'pre spikes shortly after a post spike strengthen, others weaken (docs example)',
  params: specs,
  variables: [{ name: 'last_post_ms', per: 'post', description: 'synapse time of the latest post spike that has reached the synapses (-Infinity: none yet)' }],
  create: (ctx) => new ClippedHebb(ctx.params, ctx.projection),
});

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(ClippedHebbRule);
});
