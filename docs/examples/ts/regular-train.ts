// A custom input in TypeScript (docs/plugins.md): the regular-train example with types.
// Generator neuron i fires at phase_ms + i * stagger_ms + n * period_ms, up to the end of the run.
import { ContainerModule, definePlugin, type EventHandler, type InputSource, InputSourceToken, type ParamsOf, Priority, param, type Scheduler, type SpikeSink } from 'engram';

const specs = [
  param.number('period_ms', 10, 'time between two spikes of a neuron', { gt: 0 }),
  param.number('phase_ms', 0, 'time of the first spike of neuron 0', { min: 0 }),
  param.number('stagger_ms', 0, 'delay of neuron i + 1 after neuron i', { min: 0 }),
] as const;
type Params = ParamsOf<typeof specs>;

class RegularTrain implements InputSource, EventHandler {
  private readonly times: Float64Array;
  private readonly neurons: Int32Array;
  private next = 0; // a field, not a closure variable: checkpoints save fields

  constructor(
    size: number,
    p: Params,
    private readonly scheduler: Scheduler,
    private readonly sink: SpikeSink,
    tStop: number,
  ) {
    const all: [number, number][] = [];
    for (let i = 0; i < size; i++)
      for (let n = 0; ; n++) {
        const t = p.phase_ms + i * p.stagger_ms + n * p.period_ms;
        if (t > tStop) break;
        all.push([t, i]);
      }
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.times = Float64Array.from(all, (e) => e[0]);
    this.neurons = Int32Array.from(all, (e) => e[1]);
  }

  start(): void {
    if (this.times.length) this.scheduler.at(this.times[0], Priority.NEURON, this);
  }

  handleEvent(): void {
    const t = this.times[this.next];
    while (this.next < this.times.length && this.times[this.next] === t) this.sink.spike(this.neurons[this.next++], t);
    if (this.next < this.times.length) this.scheduler.at(this.times[this.next], Priority.NEURON, this);
  }
}

const RegularTrainInput = definePlugin.input({
  name: 'regular-train',
  description: 'each generator neuron fires regularly: at phase + i * stagger + n * period (docs example)',
  output: 'spikes',
  params: specs,
  create: (ctx) => new RegularTrain(ctx.size, ctx.params, ctx.scheduler, ctx.sink, ctx.t_stop_ms),
});

export default new ContainerModule(({ bind }) => {
  bind(InputSourceToken).toConstantValue(RegularTrainInput);
});
