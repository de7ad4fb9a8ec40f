/**
 * Recorders (Brian2's monitors): they observe populations through the PopulationView
 * contract and write CSV files below the run's output folder. They never change what they
 * observe: spike recorders listen, state recorders sample after the neurons have stepped.
 *
 *   spikes  <out>/spikes/<population>.csv   t_ms,neuron   sorted by time, then neuron
 *   state   <out>/state/<population>.csv    t_ms,neuron,<variables...>
 *   rates   <out>/rates/<population>.csv    t_ms,rate_hz  (mean rate per neuron in each bin)
 */
import * as v from 'valibot';
import type { PopulationView, Recorder, RecorderContext, RecorderPlugin, SpikeListener } from '../../core/contracts.js';
import { CsvBuilder, writeFileAtomic } from '../../core/output.js';
import { param } from '../../core/params.js';
import { grown } from '../../core/typed.js';
import { Priority, type EventHandler, type Tickable } from '../../core/scheduler.js';

type Problem = { param: string; expected: string; found: string };
type ViewInfo = ReadonlyMap<string, Pick<PopulationView, 'name' | 'size' | 'kind' | 'state'>>;

const populationsParam = (description: string) =>
  param.custom('populations', 'all' as 'all' | string[], description, 'all, or a list of population or spike input names', v.union([v.literal('all'), v.array(v.string())]));

function checkPopulations(names: 'all' | string[], views: ViewInfo): Problem[] {
  if (names === 'all') return [];
  const bad = names.find((n) => !views.has(n));
  return bad === undefined ? [] : [{ param: 'populations', expected: `names from: ${[...views.keys()].join(', ')}`, found: `"${bad}"` }];
}

function selected(names: 'all' | string[], views: ReadonlyMap<string, PopulationView>): PopulationView[] {
  return names === 'all' ? [...views.values()] : names.map((n) => views.get(n)!);
}

/** Spike times and neuron indices of one population, in growable typed arrays. */
export class SpikeLog implements SpikeListener {
  times = new Float64Array(1024);
  neurons = new Int32Array(1024);
  count = 0;

  onSpike(neuron: number, t: number): void {
    if (this.count === this.times.length) {
      this.times = grown(this.times, this.count * 2);
      this.neurons = grown(this.neurons, this.count * 2);
    }
    this.times[this.count] = t;
    this.neurons[this.count] = neuron;
    this.count++;
  }

  /** Indices of the logged spikes in (time, neuron) order. Detection order can differ by up to one step. */
  sortedOrder(): Int32Array {
    const order = Int32Array.from({ length: this.count }, (_, i) => i);
    const { times, neurons } = this;
    order.sort((a, b) => times[a] - times[b] || neurons[a] - neurons[b]);
    return order;
  }
}

class SpikeRecorder implements Recorder {
  private readonly logs: [string, SpikeLog][];
  constructor(views: PopulationView[]) {
    this.logs = views.map((view) => {
      const log = new SpikeLog();
      view.addSpikeListener(log);
      return [view.name, log];
    });
  }
  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const [name, log] of this.logs) {
      const csv = new CsvBuilder('t_ms,neuron');
      for (const k of log.sortedOrder()) csv.row(`${log.times[k]},${log.neurons[k]}`);
      const file = `spikes/${name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }
}

class StateRecorder implements Recorder, Tickable, EventHandler {
  private readonly csv: CsvBuilder;
  private readonly varIndex: number[];
  constructor(private readonly view: PopulationView, variables: string[], private readonly neurons: number[], interval: number, ctx: RecorderContext) {
    const names = view.state.map((s) => s.name);
    this.varIndex = variables.map((name) => names.indexOf(name));
    this.csv = new CsvBuilder(['t_ms', 'neuron', ...variables].join(','));
    ctx.scheduler.at(ctx.scheduler.now, Priority.RECORD, this);
    ctx.scheduler.every(interval, Priority.RECORD, this, ctx.scheduler.now);
  }
  handleEvent(ev: { t: number }): void {
    this.tick(ev.t);
  }
  tick(t: number): void {
    const pop = this.view.population!;
    for (const j of this.neurons) {
      let line = `${t},${j}`;
      for (const k of this.varIndex) line += `,${pop.read(k, j, t)}`;
      this.csv.row(line);
    }
  }
  async write(outDir: string): Promise<string[]> {
    const file = `state/${this.view.name}.csv`;
    await writeFileAtomic(`${outDir}/${file}`, this.csv.toString());
    return [file];
  }
}

class RateRecorder implements Recorder {
  private readonly counters: [PopulationView, BinCounter][];
  constructor(views: PopulationView[], private readonly bin: number, private readonly tStop: number) {
    this.counters = views.map((view) => {
      const c = new BinCounter(bin, Math.ceil(tStop / bin - 1e-9));
      view.addSpikeListener(c);
      return [view, c];
    });
  }
  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const [view, c] of this.counters) {
      const csv = new CsvBuilder('t_ms,rate_hz');
      for (let b = 0; b < c.counts.length; b++) {
        const t0 = b * this.bin;
        const width = Math.min(this.bin, this.tStop - t0);
        csv.row(`${t0},${(c.counts[b] / view.size / width) * 1000}`);
      }
      const file = `rates/${view.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }
}

class BinCounter implements SpikeListener {
  readonly counts: Float64Array;
  constructor(private readonly bin: number, nBins: number) {
    this.counts = new Float64Array(Math.max(1, nBins));
  }
  onSpike(_neuron: number, t: number): void {
    const b = Math.min(this.counts.length - 1, Math.floor(t / this.bin));
    this.counts[b]++;
  }
}

const isMultiple = (x: number, dt: number) => Math.abs(x / dt - Math.round(x / dt)) < 1e-9 && Math.round(x / dt) >= 1;

export const SpikesRecorder: RecorderPlugin = {
  name: 'spikes',
  description: 'spike times of populations and spike inputs, to spikes/<population>.csv (t_ms,neuron)',
  params: [populationsParam('which populations to record')],
  check: (params, views) => checkPopulations(params.populations as 'all' | string[], views),
  create: (ctx) => new SpikeRecorder(selected(ctx.params.populations as 'all' | string[], ctx.populations)),
};

export const StateRecorderPlugin: RecorderPlugin = {
  name: 'state',
  description: 'state variables of chosen neurons, sampled every interval_ms from t = 0, to state/<population>.csv',
  params: [
    param.custom('population', undefined, 'the neuron population to sample', 'a neuron population name', v.string()),
    param.custom('variables', 'all' as 'all' | string[], 'state variables to record', 'all, or a list of state variable names', v.union([v.literal('all'), v.array(v.string())])),
    param.custom('neurons', [0] as number[], 'indices of the neurons to record', 'a list of neuron indices', v.array(v.pipe(v.number(), v.check((x) => Number.isInteger(x) && x >= 0)))),
    param.number('interval_ms', 0, 'sampling interval; 0 means every resolution step (must be a multiple of resolution_ms)', { min: 0 }),
  ],
  check(params, views, dt) {
    const name = params.population as string;
    const view = views.get(name);
    const neuronPops = [...views.values()].filter((p) => p.kind === 'neurons').map((p) => p.name);
    if (!view || view.kind !== 'neurons') return [{ param: 'population', expected: `a neuron population: ${neuronPops.join(', ')}`, found: `"${name}"` }];
    const problems: Problem[] = [];
    const vars = params.variables as 'all' | string[];
    const known = view.state.map((s) => s.name);
    if (vars !== 'all') for (const x of vars) if (!known.includes(x)) problems.push({ param: 'variables', expected: `state variables of ${name}: ${known.join(', ')}`, found: `"${x}"` });
    const bad = (params.neurons as number[]).find((j) => j >= view.size);
    if (bad !== undefined) problems.push({ param: 'neurons', expected: `indices below ${view.size} (the size of ${name})`, found: String(bad) });
    const interval = params.interval_ms as number;
    if (interval !== 0 && !isMultiple(interval, dt)) problems.push({ param: 'interval_ms', expected: `a multiple of resolution_ms (${dt})`, found: String(interval) });
    return problems;
  },
  create(ctx) {
    const view = ctx.populations.get(ctx.params.population as string)!;
    const vars = ctx.params.variables as 'all' | string[];
    const interval = (ctx.params.interval_ms as number) || ctx.resolution_ms;
    return new StateRecorder(view, vars === 'all' ? view.state.map((s) => s.name) : vars, ctx.params.neurons as number[], interval, ctx);
  },
};

export const RatesRecorder: RecorderPlugin = {
  name: 'rates',
  description: 'population firing rate in bins of bin_ms, to rates/<population>.csv (t_ms,rate_hz)',
  params: [populationsParam('which populations to record'), param.number('bin_ms', 1, 'bin width', { gt: 0 })],
  check: (params, views) => checkPopulations(params.populations as 'all' | string[], views),
  create: (ctx) => new RateRecorder(selected(ctx.params.populations as 'all' | string[], ctx.populations), ctx.params.bin_ms as number, ctx.t_stop_ms),
};
