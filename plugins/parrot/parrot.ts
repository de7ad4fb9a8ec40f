/**
 * parrot: a neuron that repeats every spike it receives on receptor `repeat`, at the arrival
 * time (NEST parrot_neuron). Spikes on receptor `silent` are not repeated, so a plastic
 * projection onto parrots can be studied with post spike times set exactly by another input.
 * It has no state and no threshold.
 */
import type { NeuronPopulation, SpikeSink } from '../../core/contracts.js';
import { definePlugin } from '../../core/define.js';

class ParrotPopulation implements NeuronPopulation {
  constructor(
    readonly size: number,
    private readonly sink: SpikeSink,
  ) {}
  step(): void {}
  update(): void {}
  receive(t: number, targets: Int32Array, _weights: Float64Array, start: number, end: number, port: number): void {
    if (port === 1) return;
    for (let k = start; k < end; k++) this.sink.spike(targets[k], t);
  }
  addCurrent(): void {}
  read(): number {
    return 0;
  }
}

export const ParrotModel = definePlugin.neuronModel({
  name: 'parrot',
  description: 'repeats each spike received on receptor repeat at its arrival time; receptor silent is not repeated',
  params: [],
  receptors: ['repeat', 'silent'],
  state: [],
  create: (ctx) => new ParrotPopulation(ctx.size, ctx.sink),
});
