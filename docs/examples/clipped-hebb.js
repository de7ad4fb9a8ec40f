// A custom plasticity rule, loaded by path from clipped-hebb.yaml (see docs/plasticity.md).
//
// Rate-free Hebbian rule with a hard ceiling: every pre spike that reaches the synapse within
// `window_ms` after a spike of the post neuron (as seen at the synapse) adds `eta` to the
// weight; every other pre spike subtracts `decay`. Lazy: work happens only on pre arrivals,
// reading the post neuron's last spike time at the synapse, which the rule archives itself
// (engram's PostSpikeArchive does this with traces and bounded memory, docs/plasticity.md).
import { ContainerModule, PlasticityRuleToken, param } from 'engram';

class ClippedHebb {
  constructor(params, projection) {
    this.p = params;
    this.target = projection.target;
    this.weight = projection.weight;
    this.dendritic = projection.dendritic_delay_ms;
    // Per post neuron: its latest spike that has reached the synapses (soma time + dendritic
    // delay), and the later ones still on their way along the dendrite. With a dendritic
    // delay, a post spike is announced (onPostSpike) before it reaches the synapse: a pre spike
    // in between must still pair with the previous post spike, so the new one waits here.
    this.lastPost = new Float64Array(projection.nPost).fill(-Infinity);
    this.onTheWay = Array.from({ length: projection.nPost }, () => []);
  }

  /** The latest spike of post neuron j at the synapse at or before time t. */
  lastPostBefore(j, t) {
    const queue = this.onTheWay[j];
    while (queue.length > 0 && queue[0] <= t) this.lastPost[j] = queue.shift();
    return this.lastPost[j];
  }

  onPreArrival(t, _pre, start, end) {
    const { eta, decay, window_ms, w_max } = this.p;
    for (let k = start; k < end; k++) {
      const since = t - this.lastPostBefore(this.target[k], t);
      const w = since >= 0 && since <= window_ms ? this.weight[k] + eta : this.weight[k] - decay;
      this.weight[k] = Math.min(w_max, Math.max(0, w));
    }
  }

  onPostSpike(post, t) {
    this.onTheWay[post].push(t + this.dendritic);
  }

  /** Readers of the declared variables (for the rule-state recorder): they change nothing. */
  variable(name) {
    if (name !== 'last_post_ms') return undefined;
    return (j, t) => {
      let last = this.lastPost[j];
      for (const arrival of this.onTheWay[j]) if (arrival <= t) last = arrival;
      return last;
    };
  }
}

const ClippedHebbRule = {
  name: 'clipped-hebb',
  description: 'pre spikes shortly after a post spike strengthen, others weaken (docs example)',
  params: [
    param.number('eta', 0.1, 'increment for a pre spike within window_ms after a post spike', { min: 0 }),
    param.number('decay', 0.01, 'decrement for any other pre spike', { min: 0 }),
    param.number('window_ms', 5, 'how long after a post spike a pre spike counts', { gt: 0 }),
    param.number('w_max', 1, 'upper bound (lower bound 0)', { gt: 0 }),
  ],
  variables: [{ name: 'last_post_ms', per: 'post', description: 'synapse time of the latest post spike that has reached the synapses (-Infinity: none yet)' }],
  create: (ctx) => new ClippedHebb(ctx.params, ctx.projection),
};

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(ClippedHebbRule);
});
