// A custom input plugin, loaded by path from regular-train.yaml (docs/plugins.md, "Writing an
// input or a recorder").
//
// regular-train: generator neuron i fires at phase_ms + i * stagger_ms + n * period_ms,
// n = 0, 1, ..., up to the end of the run (a clock, or a staggered volley).
//
// Parameters: period_ms (> 0), phase_ms (>= 0, default 0), stagger_ms (>= 0, default 0).
import { ContainerModule, InputSourceToken, Priority, param } from 'engram';

class RegularTrain {
  constructor(size, params, scheduler, sink, tStop) {
    this.scheduler = scheduler;
    this.sink = sink;
    // Every (time, neuron) of the run, in time order then neuron order (as engram emits ties).
    const all = [];
    for (let i = 0; i < size; i++)
      for (let n = 0; ; n++) {
        // Computed from n, not summed: a sum of periods drifts by rounding.
        const t = params.phase_ms + i * params.stagger_ms + n * params.period_ms;
        if (t > tStop) break;
        all.push([t, i]);
      }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.times = Float64Array.from(all, (e) => e[0]);
    this.neurons = Int32Array.from(all, (e) => e[1]);
    this.next = 0; // a field, not a closure variable: checkpoints save fields
  }

  // Called once when the run starts: schedule the first spike.
  start() {
    if (this.times.length) this.scheduler.at(this.times[0], Priority.NEURON, this);
  }

  // The scheduler calls back at each spike time: emit every spike due now, schedule the next.
  handleEvent() {
    const t = this.times[this.next];
    while (this.next < this.times.length && this.times[this.next] === t) this.sink.spike(this.neurons[this.next++], t);
    if (this.next < this.times.length) this.scheduler.at(this.times[this.next], Priority.NEURON, this);
  }
}

const RegularTrainInput = {
  name: 'regular-train',
  description: 'each generator neuron fires regularly: at phase + i * stagger + n * period (docs example)',
  output: 'spikes',
  params: [
    param.number('period_ms', 10, 'time between two spikes of a neuron', { gt: 0 }),
    param.number('phase_ms', 0, 'time of the first spike of neuron 0', { min: 0 }),
    param.number('stagger_ms', 0, 'delay of neuron i + 1 after neuron i', { min: 0 }),
  ],
  create: (ctx) => new RegularTrain(ctx.size, ctx.params, ctx.scheduler, ctx.sink, ctx.t_stop_ms),
};

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(RegularTrainInput);
});
