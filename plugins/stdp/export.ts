/**
 * stdp for other simulators (engram export, docs/export.md).
 *
 * Brian2: event-driven traces apre (tau_plus) and apost (tau_minus). At a pre spike the
 * depression against apost, then apre steps (+1, or set to 1 for pairing: nearest); at a post
 * spike the potentiation with apre; the weight dependence (mu_plus, mu_minus) and the bounds
 * as in engram. PyNN: SpikePairRule with the additive, multiplicative or Gutig weight
 * dependence, amplitudes relative to w_max (additive) or to w_max - w_min; nearest pairing
 * has no standard PyNN rule and is refused. Neither target has a separate dendritic delay
 * for the pairing, so stdp with one is refused.
 */
import { translate } from '../../core/define.js';
import { StdpRule } from './stdp.js';

export const StdpBrian2 = translate.plasticityRule(StdpRule, 'brian2', {
  synapse({ params: q, target, weight, dendritic_delay_ms, field, refuse }) {
    if (dendritic_delay_ms) refuse(`${field}.dendritic_delay_ms`, 'with stdp, Brian2 has no separate dendritic delay for the pairing');
    const u = weight.unit;
    const nearest = q.pairing === 'nearest';
    const span = `(${q.w_max} - ${q.w_min})*${u}`;
    const dep = q.mu_minus === 0 ? '1' : `((w - ${q.w_min}*${u})/${span})**${q.mu_minus}`;
    const pot = q.mu_plus === 0 ? '1' : `((${q.w_max}*${u} - w)/${span})**${q.mu_plus}`;
    return {
      model: `w : ${weight.dimension}\ndapre/dt = -apre / (${q.tau_plus_ms}*ms) : 1 (event-driven)\ndapost/dt = -apost / (${q.tau_minus_ms}*ms) : 1 (event-driven)`,
      // engram's order at a pre spike: depression against the post trace, then the pre trace steps.
      onPre: `${target}\nw = clip(w - ${q.A_minus}*${u}*${dep}*apost, ${q.w_min}*${u}, ${q.w_max}*${u})\napre = ${nearest ? '1' : 'apre + 1'}`,
      onPost: `w = clip(w + ${q.A_plus}*${u}*${pot}*apre, ${q.w_min}*${u}, ${q.w_max}*${u})\napost = ${nearest ? '1' : 'apost + 1'}`,
    };
  },
});

export const StdpPynn = translate.plasticityRule(StdpRule, 'pynn', {
  synapse({ params: q, weightCode, delayCode, dendritic_delay_ms, field, refuse }) {
    if (dendritic_delay_ms) refuse(`${field}.dendritic_delay_ms`, 'with stdp, a separate dendritic delay is not exported');
    if (q.pairing === 'nearest') refuse(`${field}.plasticity.params.pairing`, 'nearest pairing has no standard PyNN rule');
    const { w_min, w_max: wmax, mu_plus: mp, mu_minus: mm } = q;
    // PyNN's weight dependences scale A_plus, A_minus by w_max (additive) or by the distance
    // to a bound (multiplicative, Gutig): the same rule with the amplitudes divided by w_max.
    const dependence =
      mp === 0 && mm === 0
        ? `sim.AdditiveWeightDependence(w_min=${w_min}, w_max=${wmax})`
        : mp === 1 && mm === 1
          ? `sim.MultiplicativeWeightDependence(w_min=${w_min}, w_max=${wmax})`
          : `sim.GutigWeightDependence(w_min=${w_min}, w_max=${wmax}, mu_plus=${mp}, mu_minus=${mm})`;
    const scale = mp === 0 && mm === 0 ? wmax : wmax - w_min;
    return {
      synapse: `sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=${q.tau_plus_ms}, tau_minus=${q.tau_minus_ms}, A_plus=${q.A_plus / scale}, A_minus=${q.A_minus / scale}), weight_dependence=${dependence}, weight=${weightCode}, delay=${delayCode})`,
    };
  },
});
