import { ContainerModule } from 'inversify';
import * as v from 'valibot';
import type { NeuronModelPlugin, NeuronPopulation } from '../core/contracts.js';
import { param } from '../core/params.js';
import { NeuronModelToken } from '../core/tokens.js';

/** What a probe population was asked to do, in order. */
export const probeLog: { kind: 'receive' | 'step' | 'current'; t: number; neuron: number; value: number; port: number }[] = [];

/**
 * A neuron model for contract tests: it logs every call the engine makes and fires at the
 * times given in `fire_at_ms` (neuron 0), so delivery timing and ordering can be checked
 * without any particular neuron dynamics.
 */
export const ProbeModel: NeuronModelPlugin = {
  name: 'probe',
  description: 'logs engine calls (tests only)',
  params: [param.custom('fire_at_ms', [] as number[], 'times at which neuron 0 fires', 'a list of times', v.array(v.number()))],
  receptors: ['a', 'b'],
  state: [{ name: 'x', description: 'always 0' }],
  create(ctx) {
    const fire = [...(ctx.params.fire_at_ms as number[])];
    const pop: NeuronPopulation = {
      size: ctx.size,
      step(t) {
        probeLog.push({ kind: 'step', t, neuron: -1, value: 0, port: 0 });
        while (fire.length && fire[0] <= t) ctx.sink.spike(0, fire.shift()!);
      },
      receive(t, targets, weights, start, end, port) {
        for (let k = start; k < end; k++) probeLog.push({ kind: 'receive', t, neuron: targets[k], value: weights[k], port });
      },
      addCurrent(neuron, t, delta) {
        probeLog.push({ kind: 'current', t, neuron, value: delta, port: 0 });
      },
      read: () => 0,
      update() {},
    };
    return pop;
  },
};

export const probeModule = new ContainerModule(({ bind }) => {
  bind(NeuronModelToken).toConstantValue(ProbeModel);
});
