// A custom recorder in TypeScript (docs/plugins.md): the spike-counter example with types.
// Spikes per neuron over the run, to counts/<population>.csv (neuron,count); totals in summary.json.
import { ContainerModule, CsvBuilder, definePlugin, type PopulationView, type Recorder, RecorderToken, param, writeFileAtomic } from 'engram';

class SpikeCounter implements Recorder {
  private readonly counts: Int32Array[];

  constructor(private readonly views: PopulationView[]) {
    this.counts = views.map((view) => new Int32Array(view.size));
    views.forEach((view, n) => view.addSpikeListener({ onSpike: (neuron) => this.counts[n][neuron]++ }));
  }

  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const [n, view] of this.views.entries()) {
      const csv = new CsvBuilder('neuron,count');
      this.counts[n].forEach((count, neuron) => csv.row(`${neuron},${count}`));
      const file = `counts/${view.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }

  report(): Record<string, unknown> {
    return Object.fromEntries(this.views.map((view, n) => [view.name, { spikes: this.counts[n].reduce((a, b) => a + b, 0) }]));
  }
}

const SpikeCounterRecorder = definePlugin.recorder({
  name: 'spike-counter',
  description: 'spikes per neuron over the run, to counts/<population>.csv (docs example)',
  params: [param.names('populations', 'which populations and spike inputs to count')] as const,
  check: (params, views) =>
    params.populations === 'all' || params.populations.every((name) => views.has(name))
      ? []
      : [{ param: 'populations', expected: `names from: ${[...views.keys()].join(', ')}`, found: String(params.populations) }],
  create: (ctx) => {
    const names = ctx.params.populations;
    return new SpikeCounter(names === 'all' ? [...ctx.populations.values()] : names.map((name) => ctx.populations.get(name)!));
  },
});

export default new ContainerModule(({ bind }) => {
  bind(RecorderToken).toConstantValue(SpikeCounterRecorder);
});
