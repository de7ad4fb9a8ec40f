/**
 * spike-source for other simulators (engram export, docs/export.md): Brian2's
 * SpikeGeneratorGroup, PyNN's SpikeSourceArray, with the same spike times.
 */
import { translate } from '../../core/define.js';
import { SpikeSourceInput } from './spike-source.js';

export const SpikeSourceBrian2 = translate.input(SpikeSourceInput, 'brian2', {
  population({ name, size, params, py }) {
    const trains = params.spike_times_ms;
    const idx = trains.flatMap((t, i) => t.map(() => i));
    return [`${name} = SpikeGeneratorGroup(${size}, ${py(idx)}, ${py(trains.flat())}*ms, name=${py(name)})`];
  },
});

export const SpikeSourcePynn = translate.input(SpikeSourceInput, 'pynn', {
  population({ name, size, params, py }) {
    return [`${name} = sim.Population(${size}, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in ${py(params.spike_times_ms)}]), label=${py(name)})`];
  },
});
