/** static synapses for other simulators (engram export): a weight and a delay, nothing else. */
import { translate } from '../../core/define.js';
import { StaticRule } from './static.js';

export const StaticBrian2 = translate.plasticityRule(StaticRule, 'brian2', {
  synapse: ({ target, weight }) => ({ model: `w : ${weight.dimension}`, onPre: target }),
});

export const StaticPynn = translate.plasticityRule(StaticRule, 'pynn', {
  synapse: ({ weightCode, delayCode }) => ({ synapse: `sim.StaticSynapse(weight=${weightCode}, delay=${delayCode})` }),
});
