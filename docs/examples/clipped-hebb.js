// A custom plasticity rule, loaded by path from clipped-hebb.yaml (see docs/plasticity.md).
//
// Rate-free Hebbian rule with a hard ceiling: every pre spike that reaches the synapse within
// `window_ms` after a spike of the post neuron (as seen at the synapse) adds `eta` to the
// weight; every other pre spike subtracts `decay`. Lazy: work happens only on pre arrivals,
// reading the post neuron's last spike time, which the rule archives itself.
import { ContainerModule, PlasticityRuleToken, param } from 'engram';

class ClippedHebb {
  constructor(params, projection) {
    this.p = params;
    this.target = projection.target;
    this.weight = projection.weight;
    this.dendritic = projection.dendritic_delay_ms;
    // Last spike of each post neuron, at the synapse (soma time + dendritic delay).
    this.lastPost = new Float64Array(projection.nPost).fill(-Infinity);
  }

  onPreArrival(t, pre, start, end) {
    const { eta, decay, window_ms, w_max } = this.p;
    for (let k = start; k < end; k++) {
      const since = t - this.lastPost[this.target[k]];
      const w = since >= 0 && since <= window_ms ? this.weight[k] + eta : this.weight[k] - decay;
      this.weight[k] = Math.min(w_max, Math.max(0, w));
    }
  }

  onPostSpike(post, t) {
    this.lastPost[post] = t + this.dendritic;
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
  create: (ctx) => new ClippedHebb(ctx.params, ctx.projection),
};

export default new ContainerModule(({ bind }) => {
  bind(PlasticityRuleToken).toConstantValue(ClippedHebbRule);
});
