// A custom recorder plugin, loaded by path from regular-train.yaml (docs/plugins.md, "Writing
// an input or a recorder").
//
// spike-counter: how many spikes each neuron fired over the run, to counts/<population>.csv
// (neuron,count), and the total per population in summary.json.
//
// Parameters: populations (all, or a list of population or spike input names).
import { ContainerModule, CsvBuilder, RecorderToken, param, writeFileAtomic } from 'engram';

class SpikeCounter {
  constructor(views) {
    this.views = views;
    this.counts = views.map((view) => new Int32Array(view.size));
    // A listener object with onSpike(neuron, t): called for every spike, in time order.
    views.forEach((view, n) => view.addSpikeListener({ onSpike: (neuron) => this.counts[n][neuron]++ }));
  }

  // Called once at the end of the run (also of a stopped one): write the files, return their paths.
  async write(outDir) {
    const files = [];
    for (const [n, view] of this.views.entries()) {
      const csv = new CsvBuilder('neuron,count');
      this.counts[n].forEach((count, neuron) => csv.row(`${neuron},${count}`));
      const file = `counts/${view.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString()); // atomic: never a torn file
      files.push(file);
    }
    return files;
  }

  // Figures for summary.json (under recorders).
  report() {
    return Object.fromEntries(this.views.map((view, n) => [view.name, { spikes: this.counts[n].reduce((a, b) => a + b, 0) }]));
  }
}

const SpikeCounterRecorder = {
  name: 'spike-counter',
  description: 'spikes per neuron over the run, to counts/<population>.csv (docs example)',
  params: [param.names('populations', 'which populations and spike inputs to count')],
  // Problems the scenario can have, reported at the recorder's line before anything runs.
  check: (params, views) =>
    params.populations === 'all' || params.populations.every((name) => views.has(name))
      ? []
      : [{ param: 'populations', expected: `names from: ${[...views.keys()].join(', ')}`, found: String(params.populations) }],
  create: (ctx) => {
    const names = ctx.params.populations;
    return new SpikeCounter(names === 'all' ? [...ctx.populations.values()] : names.map((name) => ctx.populations.get(name)));
  },
};

export default new ContainerModule(({ bind }) => {
  bind(RecorderToken).toConstantValue(SpikeCounterRecorder);
});
