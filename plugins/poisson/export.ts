/**
 * poisson for other simulators (engram export, docs/export.md): constant rates only, as
 * Brian2's PoissonGroup or PyNN's SpikeSourcePoisson. A rate schedule is refused.
 */
import { translate } from '../../core/define.js';
import { PoissonInput } from './poisson.js';

export const PoissonBrian2 = translate.input(PoissonInput, 'brian2', {
  population({ name, size, params: q, field, py, refuse }) {
    if (q.schedule.length) refuse(`${field}.params.schedule`, 'rate schedules are not exported');
    return [`${name} = PoissonGroup(${size}, rates=${Array.isArray(q.rate_hz) ? `np.array(${py(q.rate_hz)})` : q.rate_hz}*Hz, name=${py(name)})`];
  },
});

export const PoissonPynn = translate.input(PoissonInput, 'pynn', {
  population({ name, size, params: q, field, py, refuse }) {
    if (q.schedule.length) refuse(`${field}.params.schedule`, 'rate schedules are not exported');
    return [`${name} = sim.Population(${size}, sim.SpikeSourcePoisson(rate=${Array.isArray(q.rate_hz) ? py(q.rate_hz) : q.rate_hz}), label=${py(name)})`];
  },
});
