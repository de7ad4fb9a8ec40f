/**
 * Recorders (Brian2's monitors): they observe populations through the PopulationView
 * contract and write CSV files below the run's output folder. They never change what they
 * observe: spike recorders listen, state recorders sample after the neurons have stepped.
 *
 *   spikes  <out>/spikes/<population>.csv   t_ms,neuron   sorted by time, then neuron
 *   state   <out>/state/<population>.csv    t_ms,neuron,<variables...>
 *   rates   <out>/rates/<population>.csv    t_ms,rate_hz  (mean rate per neuron in each bin)
 *   weights <out>/weights/<projection>.csv  pre,post,w_initial,w_final
 *   weight-trace <out>/weight-trace/<projection>.csv  t_ms,pre,post,w every interval_ms (or weight-trace.h5, SONATA)
 *   rule-state <out>/rule-state/<projection>.<per>.csv  t_ms,<ids>,<variables...> every interval_ms
 *   stdp-window <out>/window/<projection>.csv  dt_ms,dw
 */
import { mkdirSync, renameSync } from 'node:fs';
import * as v from 'valibot';
import type { PopulationView, ProjectionView, Recorder, RecorderContext, RuleVariableInfo, SpikeListener } from '../../core/contracts.js';
import { ParamError } from '../../core/errors.js';
import { didYouMean } from '../../core/suggest.js';
import { CsvBuilder, writeFileAtomic } from '../../core/output.js';
import { param } from '../../core/params.js';
import { grown } from '../../core/typed.js';
import { Priority, type EventHandler, type Tickable } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

type Problem = { param: string; expected: string; found: string };
type ViewInfo = ReadonlyMap<string, Pick<PopulationView, 'name' | 'size' | 'kind' | 'state'>>;

const populationsParam = (description: string) =>
  param.custom(
    'populations',
    'all' as 'all' | string[],
    description,
    'all, or a list of population or spike input names',
    v.union([v.literal('all'), v.array(v.string())]),
  );

function checkPopulations(names: 'all' | string[], views: ViewInfo): Problem[] {
  if (names === 'all') return [];
  const bad = names.find((n) => !views.has(n));
  return bad === undefined ? [] : [{ param: 'populations', expected: `names from: ${[...views.keys()].join(', ')}`, found: `"${bad}"` }];
}

function selected(names: 'all' | string[], views: ReadonlyMap<string, PopulationView>): PopulationView[] {
  return names === 'all' ? [...views.values()] : names.map((n) => views.get(n)!);
}

/** Spike times and neuron indices of one population, in growable typed arrays. */
export class SpikeLog implements SpikeListener, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'spike-log/1';

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

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SpikeLog.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SpikeLog.stateFields, 'SpikeLog');
  }

  private static readonly stateFields = ['times', 'neurons', 'count'];
}

class SpikeRecorder implements Recorder {
  private readonly logs: [string, SpikeLog][];
  constructor(
    views: PopulationView[],
    private readonly format: 'csv' | 'sonata' = 'csv',
  ) {
    this.logs = views.map((view) => {
      const log = new SpikeLog();
      view.addSpikeListener(log);
      return [view.name, log];
    });
  }
  async write(outDir: string): Promise<string[]> {
    if (this.format === 'sonata') return [await this.writeSonata(outDir)];
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

  /**
   * SONATA's spike file (HDF5): /spikes/<population>/timestamps (float64, ms) and node_ids
   * (uint64), sorted by time (group attribute sorting = "by_time"). Written beside the target
   * and renamed over it, as every output.
   */
  private async writeSonata(outDir: string): Promise<string> {
    const { default: h5wasm } = await import('h5wasm/node');
    await h5wasm.ready;
    const file = 'spikes.h5';
    mkdirSync(outDir, { recursive: true });
    const tmp = `${outDir}/${file}.tmp-${process.pid}`;
    const f = new h5wasm.File(tmp, 'w');
    try {
      const root = f.create_group('spikes');
      for (const [name, log] of this.logs) {
        const order = log.sortedOrder();
        const group = root.create_group(name);
        group.create_attribute('sorting', 'by_time');
        const timestamps = group.create_dataset({ name: 'timestamps', data: Float64Array.from(order, (k) => log.times[k]) });
        timestamps.create_attribute('units', 'ms');
        group.create_dataset({ name: 'node_ids', data: BigUint64Array.from(order, (k) => BigInt(log.neurons[k])), dtype: '<Q' });
      }
    } finally {
      f.close();
    }
    renameSync(tmp, `${outDir}/${file}`);
    return file;
  }
}

class StateRecorder implements Recorder, Tickable, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'state-recorder/1';

  private readonly csv: CsvBuilder;
  private readonly varIndex: number[];
  constructor(
    private readonly view: PopulationView,
    variables: string[],
    private readonly neurons: number[],
    interval: number,
    ctx: RecorderContext,
  ) {
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

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, StateRecorder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, StateRecorder.stateFields, 'StateRecorder');
  }

  private static readonly stateFields = ['csv', 'varIndex'];
}

class RateRecorder implements Recorder {
  private readonly counters: [PopulationView, BinCounter][];
  constructor(
    views: PopulationView[],
    private readonly bin: number,
    private readonly tStop: number,
  ) {
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

class BinCounter implements SpikeListener, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'bin-counter/1';

  readonly counts: Float64Array;
  constructor(
    private readonly bin: number,
    nBins: number,
  ) {
    this.counts = new Float64Array(Math.max(1, nBins));
  }
  onSpike(_neuron: number, t: number): void {
    const b = Math.min(this.counts.length - 1, Math.floor(t / this.bin));
    this.counts[b]++;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, BinCounter.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, BinCounter.stateFields, 'BinCounter');
  }

  private static readonly stateFields = ['counts'];
}

const isMultiple = (x: number, dt: number) => Math.abs(x / dt - Math.round(x / dt)) < 1e-9 && Math.round(x / dt) >= 1;

export const SpikesRecorder = definePlugin.recorder({
  name: 'spikes',
  description:
    'spike times of populations and spike inputs, to spikes/<population>.csv (t_ms,neuron), or with format: sonata to spikes.h5 (SONATA: /spikes/<population>/timestamps, node_ids)',
  params: [
    populationsParam('which populations to record'),
    param.choice('format', 'csv', "csv: spikes/<population>.csv; sonata: one HDF5 file in SONATA's layout", ['csv', 'sonata'] as const),
  ],
  check: (params, views) => checkPopulations(params.populations, views),
  create: (ctx) => new SpikeRecorder(selected(ctx.params.populations, ctx.populations), ctx.params.format),
});

export const StateRecorderPlugin = definePlugin.recorder({
  name: 'state',
  description: 'state variables of chosen neurons, sampled every interval_ms from t = 0, to state/<population>.csv',
  params: [
    param.custom('population', undefined, 'the neuron population to sample', 'a neuron population name', v.string()),
    param.custom(
      'variables',
      'all' as 'all' | string[],
      'state variables to record',
      'all, or a list of state variable names',
      v.union([v.literal('all'), v.array(v.string())]),
    ),
    param.custom(
      'neurons',
      [0] as number[],
      'indices of the neurons to record',
      'a list of neuron indices',
      v.array(
        v.pipe(
          v.number(),
          v.check((x) => Number.isInteger(x) && x >= 0),
        ),
      ),
    ),
    param.number('interval_ms', 0, 'sampling interval; 0 means every resolution step (must be a multiple of resolution_ms)', { min: 0 }),
  ],
  check(params, views, dt) {
    const name = params.population;
    const view = views.get(name);
    const neuronPops = [...views.values()].filter((p) => p.kind === 'neurons').map((p) => p.name);
    if (view?.kind !== 'neurons') return [{ param: 'population', expected: `a neuron population: ${neuronPops.join(', ')}`, found: `"${name}"` }];
    const problems: Problem[] = [];
    const vars = params.variables;
    const known = view.state.map((s) => s.name);
    if (vars !== 'all')
      for (const x of vars)
        if (!known.includes(x)) problems.push({ param: 'variables', expected: `state variables of ${name}: ${known.join(', ')}`, found: `"${x}"` });
    const bad = params.neurons.find((j) => j >= view.size);
    if (bad !== undefined) problems.push({ param: 'neurons', expected: `indices below ${view.size} (the size of ${name})`, found: String(bad) });
    const interval = params.interval_ms;
    if (interval !== 0 && !isMultiple(interval, dt))
      problems.push({ param: 'interval_ms', expected: `a multiple of resolution_ms (${dt})`, found: String(interval) });
    return problems;
  },
  create(ctx) {
    const view = ctx.populations.get(ctx.params.population)!;
    const vars = ctx.params.variables;
    const interval = ctx.params.interval_ms || ctx.resolution_ms;
    return new StateRecorder(view, vars === 'all' ? view.state.map((s) => s.name) : vars, ctx.params.neurons, interval, ctx);
  },
});

export const RatesRecorder = definePlugin.recorder({
  name: 'rates',
  description: 'population firing rate in bins of bin_ms, to rates/<population>.csv (t_ms,rate_hz)',
  params: [populationsParam('which populations to record'), param.number('bin_ms', 1, 'bin width', { gt: 0 })],
  check: (params, views) => checkPopulations(params.populations, views),
  create: (ctx) => new RateRecorder(selected(ctx.params.populations, ctx.populations), ctx.params.bin_ms, ctx.t_stop_ms),
});

// ---------------------------------------------------------------------------------------
// Synapse recorders

const projectionsParam = param.custom(
  'projections',
  'all' as 'all' | string[],
  'which projections to record',
  'all, or a list of projection names',
  v.union([v.literal('all'), v.array(v.string())]),
);

function checkProjections(names: 'all' | string[], known: readonly string[], param = 'projections'): Problem[] {
  const list = names === 'all' ? [] : names;
  const bad = list.find((n) => !known.includes(n));
  return bad === undefined ? [] : [{ param, expected: `projection names from: ${known.join(', ') || '(none)'}`, found: `"${bad}"` }];
}

/** Mean, min and max without spreading (arrays of millions of weights). */
function stats(a: ArrayLike<number>): { mean: number; min: number; max: number } {
  let s = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    if (a[i] < min) min = a[i];
    if (a[i] > max) max = a[i];
  }
  return { mean: a.length ? s / a.length : 0, min, max };
}

/** Initial and final weight of every synapse (after the end-of-run update of plastic ones). */
class WeightRecorder implements Recorder, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'weights-recorder/1';

  private readonly initial: Float64Array[];
  constructor(private readonly projections: ProjectionView[]) {
    this.initial = projections.map((p) => Float64Array.from(p.weight));
  }
  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const [n, p] of this.projections.entries()) {
      const csv = new CsvBuilder('pre,post,w_initial,w_final');
      for (let i = 0; i < p.nPre; i++)
        for (let k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) csv.row(`${i},${p.target[k]},${this.initial[n][k]},${p.weight[k]}`);
      const file = `weights/${p.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }
  report(): Record<string, unknown> {
    return Object.fromEntries(
      this.projections.map((p, n) => {
        const final = stats(p.weight);
        return [
          p.name,
          { synapses: p.weight.length, mean_initial: stats(this.initial[n]).mean, mean_final: final.mean, min_final: final.min, max_final: final.max },
        ];
      }),
    );
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, WeightRecorder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, WeightRecorder.stateFields, 'WeightRecorder');
  }

  private static readonly stateFields = ['initial'];
}

/**
 * The STDP window of a projection measured in a pairing experiment: for each synapse, the
 * first pre spike and the first post spike as the synapse sees them (after the axonal and the
 * dendritic delay), and the weight change. Writes window/<projection>.csv (dt_ms,dw) sorted
 * by dt; dt = t_post - t_pre at the synapse.
 */
class WindowRecorder implements Recorder, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'stdp-window-recorder/1';

  private readonly initial: Float64Array;
  private readonly firstPre: Float64Array;
  private readonly firstPost: Float64Array;
  constructor(
    private readonly p: ProjectionView,
    pre: PopulationView,
    post: PopulationView,
  ) {
    this.initial = Float64Array.from(p.weight);
    this.firstPre = new Float64Array(p.nPre).fill(NaN);
    this.firstPost = new Float64Array(p.nPost).fill(NaN);
    pre.addSpikeListener({ onSpike: (i, t) => Number.isNaN(this.firstPre[i]) && (this.firstPre[i] = t) });
    post.addSpikeListener({ onSpike: (j, t) => Number.isNaN(this.firstPost[j]) && (this.firstPost[j] = t) });
  }
  private pairs(): [number, number][] {
    const out: [number, number][] = [];
    const p = this.p;
    for (let i = 0; i < p.nPre; i++) {
      for (let k = p.rowStart[i]; k < p.rowStart[i + 1]; k++) {
        const tPre = this.firstPre[i] + p.delayOf(k);
        const tPost = this.firstPost[p.target[k]] + p.dendritic_delay_ms;
        if (Number.isFinite(tPre) && Number.isFinite(tPost)) out.push([tPost - tPre, p.weight[k] - this.initial[k]]);
      }
    }
    return out.sort((a, b) => a[0] - b[0]);
  }
  async write(outDir: string): Promise<string[]> {
    const csv = new CsvBuilder('dt_ms,dw');
    for (const [dt, dw] of this.pairs()) csv.row(`${dt},${dw}`);
    const file = `window/${this.p.name}.csv`;
    await writeFileAtomic(`${outDir}/${file}`, csv.toString());
    return [file];
  }
  report(): Record<string, unknown> {
    const pairs = this.pairs();
    if (!pairs.length) return { projection: this.p.name, pairs: 0 };
    const max = pairs.reduce((a, b) => (b[1] > a[1] ? b : a));
    const min = pairs.reduce((a, b) => (b[1] < a[1] ? b : a));
    return { projection: this.p.name, pairs: pairs.length, dw_max: max[1], dt_at_dw_max_ms: max[0], dw_min: min[1], dt_at_dw_min_ms: min[0] };
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, WindowRecorder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, WindowRecorder.stateFields, 'WindowRecorder');
  }

  private static readonly stateFields = ['initial', 'firstPre', 'firstPost'];
}

export const WeightsRecorder = definePlugin.recorder({
  name: 'weights',
  description: 'initial and final weight of every synapse, to weights/<projection>.csv (pre,post,w_initial,w_final); summary statistics in summary.json',
  params: [projectionsParam],
  check: (params, _views, _dt, projections) => checkProjections(params.projections, projections),
  create(ctx) {
    const names = ctx.params.projections;
    return new WeightRecorder(names === 'all' ? [...ctx.projections.values()] : names.map((n) => ctx.projections.get(n)!));
  },
});

/**
 * Numbers sampled at regular times: one row of `width` values per sample, in growable typed
 * arrays (a long trace costs 8 bytes per value, not a line of text, and checkpoints as data).
 */
class SampledSeries implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'sampled-series/1';

  times = new Float64Array(16);
  values: Float64Array;
  count = 0;
  constructor(readonly width: number) {
    this.values = new Float64Array(16 * width);
  }

  /** Adds a row at time t; returns the offset of its first value in `values`. */
  add(t: number): number {
    if (this.count === this.times.length) {
      this.times = grown(this.times, this.count * 2);
      this.values = grown(this.values, this.count * 2 * this.width);
    }
    this.times[this.count] = t;
    return this.count++ * this.width;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SampledSeries.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SampledSeries.stateFields, 'SampledSeries');
  }

  private static readonly stateFields = ['times', 'values', 'count'];
}

/** One population of a SONATA report: a matrix of samples (time x element), elements grouped by node. */
interface SonataReportPopulation {
  name: string;
  series: SampledSeries;
  /** Per element (column of series): the node it belongs to, its id within the node, and an extra id column. */
  nodeIds: Int32Array;
  elementIds: Int32Array;
  extra?: { name: string; ids: Int32Array; description: string };
  interval_ms: number;
  units: string;
}

/**
 * Writes SONATA's report layout (HDF5; the frame-oriented node-element reports of the SONATA
 * format, as NEURON and neurodamus write compartment and synapse reports):
 *   /report/<population>/data                  float64 [times x elements], attribute units
 *   /report/<population>/mapping/time          float64 [start, stop, step] in ms
 *   /report/<population>/mapping/node_ids      uint64, the nodes with elements, ascending
 *   /report/<population>/mapping/index_pointers uint64 [nodes + 1]: node i owns elements
 *                                              index_pointers[i] .. index_pointers[i+1] - 1
 *   /report/<population>/mapping/element_ids   uint64, per element
 * plus, where given, one more per-element id dataset (for synapses: the source node).
 * Columns are reordered by node, then element id, as the layout requires.
 */
async function writeSonataReport(outDir: string, file: string, populations: readonly SonataReportPopulation[]): Promise<string> {
  const { default: h5wasm } = await import('h5wasm/node');
  await h5wasm.ready;
  const target = `${outDir}/${file}`;
  mkdirSync(target.slice(0, target.lastIndexOf('/')), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  const f = new h5wasm.File(tmp, 'w');
  const u64 = (a: ArrayLike<number>) => BigUint64Array.from(Array.from(a), (x) => BigInt(x));
  try {
    const report = f.create_group('report');
    for (const pop of populations) {
      const { series, nodeIds, elementIds } = pop;
      const n = series.width;
      const order = Int32Array.from({ length: n }, (_, q) => q).sort((a, b) => nodeIds[a] - nodeIds[b] || elementIds[a] - elementIds[b]);
      const data = new Float64Array(series.count * n);
      for (let r = 0; r < series.count; r++) for (let q = 0; q < n; q++) data[r * n + q] = series.values[r * n + order[q]];
      const nodes: number[] = [];
      const pointers: number[] = [];
      for (let q = 0; q < n; q++) {
        const node = nodeIds[order[q]];
        if (nodes.length === 0 || nodes[nodes.length - 1] !== node) {
          nodes.push(node);
          pointers.push(q);
        }
      }
      pointers.push(n);
      const group = report.create_group(pop.name);
      const d = group.create_dataset({ name: 'data', data, shape: [series.count, n], dtype: '<d' });
      d.create_attribute('units', pop.units);
      const mapping = group.create_group('mapping');
      const start = series.count > 0 ? series.times[0] : 0;
      const stop = series.count > 0 ? series.times[series.count - 1] + pop.interval_ms : 0;
      const time = mapping.create_dataset({ name: 'time', data: Float64Array.of(start, stop, pop.interval_ms) });
      time.create_attribute('units', 'ms');
      mapping.create_dataset({ name: 'node_ids', data: u64(nodes), dtype: '<Q' });
      mapping.create_dataset({ name: 'index_pointers', data: u64(pointers), dtype: '<Q' });
      mapping.create_dataset({ name: 'element_ids', data: u64(Array.from(order, (q) => elementIds[q])), dtype: '<Q' });
      if (pop.extra) {
        const extra = mapping.create_dataset({ name: pop.extra.name, data: u64(Array.from(order, (q) => pop.extra!.ids[q])), dtype: '<Q' });
        extra.create_attribute('description', pop.extra.description);
      }
    }
  } finally {
    f.close();
  }
  renameSync(tmp, target);
  return file;
}

/**
 * Weights over time (NEST's weight_recorder, Brian2's StateMonitor on w): every interval_ms,
 * one value per selected synapse. The weight read is the one stored: a lazy plastic synapse
 * changes it when a pre spike reaches it (docs/semantics.md), so between its spikes the value
 * is the one its last spike left, as in Brian2's event-driven synapses (a rule that declares
 * w as a variable gives it integrated to the sample time: `rule-state`). Recording never
 * settles plasticity: a recorder must not change what it observes (settling splits the
 * closed-form integration and changes the last bits of later weights).
 */
class WeightTraceRecorder implements Recorder, Tickable, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'weight-trace-recorder/2';

  private readonly series: SampledSeries[];
  constructor(
    private readonly projections: ProjectionView[],
    /** Per projection: the synapse indices (CSR order) to record, and their pre neuron. */
    private readonly synapses: Int32Array[],
    private readonly pres: Int32Array[],
    private readonly interval: number,
    private readonly format: 'csv' | 'sonata',
    ctx: RecorderContext,
  ) {
    this.series = synapses.map((ks) => new SampledSeries(ks.length));
    ctx.scheduler.at(ctx.scheduler.now, Priority.RECORD, this);
    ctx.scheduler.every(interval, Priority.RECORD, this, ctx.scheduler.now);
  }
  handleEvent(ev: { t: number }): void {
    this.tick(ev.t);
  }
  tick(t: number): void {
    for (let n = 0; n < this.projections.length; n++) {
      const w = this.projections[n].weight;
      const ks = this.synapses[n];
      const series = this.series[n];
      const row = series.add(t);
      for (let q = 0; q < ks.length; q++) series.values[row + q] = w[ks[q]];
    }
  }
  async write(outDir: string): Promise<string[]> {
    if (this.format === 'sonata') {
      const pops = this.projections.map((p, n) => ({
        name: p.name,
        series: this.series[n],
        nodeIds: Int32Array.from(this.synapses[n], (k) => p.target[k]),
        elementIds: this.synapses[n],
        extra: { name: 'source_node_ids', ids: this.pres[n], description: 'the pre neuron of each synapse (engram; not in the SONATA specification)' },
        interval_ms: this.interval,
        units: 'weight units of the projection (as in the scenario)',
      }));
      return [await writeSonataReport(outDir, 'weight-trace.h5', pops)];
    }
    const files: string[] = [];
    for (const [n, p] of this.projections.entries()) {
      const csv = new CsvBuilder('t_ms,pre,post,w');
      const { times, values, count, width } = this.series[n];
      const ks = this.synapses[n];
      const pres = this.pres[n];
      for (let r = 0; r < count; r++) for (let q = 0; q < width; q++) csv.row(`${times[r]},${pres[q]},${p.target[ks[q]]},${values[r * width + q]}`);
      const file = `weight-trace/${p.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }
  report(): Record<string, unknown> {
    return Object.fromEntries(this.projections.map((p, n) => [p.name, { synapses_recorded: this.synapses[n].length }]));
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, WeightTraceRecorder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, WeightTraceRecorder.stateFields, 'WeightTraceRecorder');
  }

  private static readonly stateFields = ['series'];
}

/**
 * At most k of n indices, in ascending order: a uniform random sample drawn from the
 * recorder's own stream (Floyd's algorithm), or k evenly spread ones. Deterministic either way:
 * the same scenario and seed record the same synapses.
 */
function sampleIndices(n: number, k: number, by: 'random' | 'even', rng: RecorderContext['rng']): Int32Array {
  if (k <= 0 || k >= n) return Int32Array.from({ length: n }, (_, q) => q);
  if (by === 'even') return Int32Array.from({ length: k }, (_, q) => Math.floor((q * n) / k));
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const r = rng.int(j + 1);
    chosen.add(chosen.has(r) ? j : r);
  }
  return Int32Array.from(chosen).sort();
}

/**
 * The synapses of a projection a recorder records: those whose pre and post neurons are in the
 * given lists (all when a list is absent), then a sample of them (sampleIndices), in CSR order.
 */
function selectSynapses(
  p: ProjectionView,
  pre: number[] | 'all',
  post: number[] | 'all',
  sample: number,
  by: 'random' | 'even',
  rng: RecorderContext['rng'],
): { synapses: Int32Array; pres: Int32Array } {
  const preSet = pre === 'all' ? undefined : new Set(pre);
  const postSet = post === 'all' ? undefined : new Set(post);
  const ks: number[] = [];
  const ps: number[] = [];
  for (let i = 0; i < p.nPre; i++) {
    if (preSet && !preSet.has(i)) continue;
    for (let k = p.rowStart[i]; k < p.rowStart[i + 1]; k++)
      if (!postSet || postSet.has(p.target[k])) {
        ks.push(k);
        ps.push(i);
      }
  }
  const pick = sampleIndices(ks.length, sample, by, rng);
  return { synapses: Int32Array.from(pick, (q) => ks[q]), pres: Int32Array.from(pick, (q) => ps[q]) };
}

const neuronListParam = (name: 'pre' | 'post', description: string) =>
  param.custom(
    name,
    'all' as 'all' | number[],
    description,
    'all, or a list of neuron indices',
    v.union([v.literal('all'), v.array(v.pipe(v.number(), v.integer(), v.minValue(0)))]),
  );

const intervalParam = param.number('interval_ms', 10, 'time between two records (a multiple of the resolution)', { gt: 0 });
const sampleParams = [
  param.integer('sample', 0, 'then at most this many per projection (0: all)', { min: 0 }),
  param.choice('sample_by', 'random', "how a sample is drawn: random (uniform, from the recorder's own seeded stream) or even (evenly spread in CSR order)", [
    'random',
    'even',
  ] as const),
] as const;

function checkInterval(interval: number, dt: number): Problem[] {
  const steps = interval / dt;
  return Math.abs(steps - Math.round(steps)) > 1e-9 * steps
    ? [{ param: 'interval_ms', expected: `a multiple of the resolution (${dt} ms)`, found: String(interval) }]
    : [];
}

export const WeightTraceRecorderPlugin = definePlugin.recorder({
  name: 'weight-trace',
  description:
    'weights over time (NEST weight_recorder, Brian2 StateMonitor on w): every interval_ms, t_ms,pre,post,w for the selected synapses, to weight-trace/<projection>.csv, or with format: sonata to weight-trace.h5 (SONATA report layout)',
  params: [
    projectionsParam,
    intervalParam,
    neuronListParam('pre', 'record only synapses from these pre neurons'),
    neuronListParam('post', 'record only synapses onto these post neurons'),
    ...sampleParams,
    param.choice('format', 'csv', "csv: weight-trace/<projection>.csv; sonata: one HDF5 file in SONATA's report layout, one population per projection", [
      'csv',
      'sonata',
    ] as const),
  ],
  check: (params, _views, dt, projections) => [...checkProjections(params.projections, projections), ...checkInterval(params.interval_ms, dt)],
  create(ctx) {
    const names = ctx.params.projections;
    const projections = names === 'all' ? [...ctx.projections.values()] : names.map((n) => ctx.projections.get(n)!);
    const chosen = projections.map((p) => selectSynapses(p, ctx.params.pre, ctx.params.post, ctx.params.sample, ctx.params.sample_by, ctx.rng));
    return new WeightTraceRecorder(
      projections,
      chosen.map((c) => c.synapses),
      chosen.map((c) => c.pres),
      ctx.params.interval_ms,
      ctx.params.format,
      ctx,
    );
  },
});

type RuleVariableKind = RuleVariableInfo['per'];
const ruleVariableKinds: readonly RuleVariableKind[] = ['synapse', 'pre', 'post', 'projection'];

/**
 * A plasticity rule's own variables over time (Brian2's StateMonitor on synaptic variables:
 * traces, eligibility, the modulator a synapse sees). The rule declares them
 * (PlasticityRulePlugin.variables) and reads them (SynapseDynamics.variable) at the sample
 * time without changing anything, integrated to that time where it integrates lazily. One CSV
 * per kind of variable: rule-state/<projection>.<per>.csv, with t_ms, the index columns
 * (synapse,pre,post / pre / post / none) and one column per variable.
 */
class RuleStateRecorder implements Recorder, Tickable, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'rule-state-recorder/1';

  private readonly series: SampledSeries[];
  constructor(
    private readonly projection: ProjectionView,
    /** Per kind with variables: the indices recorded and the readers, in variables order. */
    private readonly groups: {
      per: RuleVariableKind;
      names: string[];
      indices: Int32Array;
      pres?: Int32Array;
      readers: ((i: number, t: number) => number)[];
    }[],
    interval: number,
    ctx: RecorderContext,
  ) {
    this.series = groups.map((g) => new SampledSeries(g.indices.length * g.readers.length));
    ctx.scheduler.at(ctx.scheduler.now, Priority.RECORD, this);
    ctx.scheduler.every(interval, Priority.RECORD, this, ctx.scheduler.now);
  }
  handleEvent(ev: { t: number }): void {
    this.tick(ev.t);
  }
  tick(t: number): void {
    for (let g = 0; g < this.groups.length; g++) {
      const { indices, readers } = this.groups[g];
      const series = this.series[g];
      let o = series.add(t);
      for (let q = 0; q < indices.length; q++) for (const read of readers) series.values[o++] = read(indices[q], t);
    }
  }
  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    const p = this.projection;
    for (const [g, { per, names, indices, pres }] of this.groups.entries()) {
      const ids = per === 'synapse' ? ['synapse', 'pre', 'post'] : per === 'projection' ? [] : [per];
      const csv = new CsvBuilder(['t_ms', ...ids, ...names].join(','));
      const { times, values, count } = this.series[g];
      let o = 0;
      for (let r = 0; r < count; r++)
        for (let q = 0; q < indices.length; q++) {
          const i = indices[q];
          const idCells = per === 'synapse' ? `${i},${pres![q]},${p.target[i]},` : per === 'projection' ? '' : `${i},`;
          let line = `${times[r]},${idCells}`;
          for (let v = 0; v < names.length; v++) line += `${v ? ',' : ''}${values[o++]}`;
          csv.row(line);
        }
      const file = `rule-state/${p.name}.${per}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, csv.toString());
      files.push(file);
    }
    return files;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, RuleStateRecorder.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, RuleStateRecorder.stateFields, 'RuleStateRecorder');
  }

  private static readonly stateFields = ['series'];
}

export const RuleStateRecorderPlugin = definePlugin.recorder({
  name: 'rule-state',
  description:
    "a plasticity rule's own variables (traces, eligibility, modulator; Brian2 StateMonitor on synaptic variables) every interval_ms, at the sample time, to rule-state/<projection>.<synapse|pre|post|projection>.csv",
  params: [
    param.custom('projection', undefined, 'the plastic projection whose rule to record', 'a projection name', v.string()),
    param.custom(
      'variables',
      'all' as 'all' | string[],
      'the variables to record (the rule declares them: engram plugins lists them)',
      'all, or a list of variable names',
      v.union([v.literal('all'), v.array(v.string())]),
    ),
    intervalParam,
    neuronListParam('pre', 'record only synapses from (and pre variables of) these pre neurons'),
    neuronListParam('post', 'record only synapses onto (and post variables of) these post neurons'),
    ...sampleParams,
  ],
  check: (params, _views, dt, projections, rules) => {
    const problems = [...checkProjections([params.projection], projections, 'projection'), ...checkInterval(params.interval_ms, dt)];
    if (problems.length || !rules) return problems;
    const rule = rules.get(params.projection);
    if (!rule || rule.variables.length === 0) {
      const recordable = [...rules].filter(([, r]) => r.variables.length > 0).map(([n, r]) => `${n} (${r.rule})`);
      problems.push({
        param: 'projection',
        expected: `a projection whose plasticity rule declares variables: ${recordable.join(', ') || '(none in this scenario)'}`,
        found: rule ? `"${params.projection}", whose rule ${rule.rule} declares none` : `"${params.projection}", which has no plasticity rule`,
      });
      return problems;
    }
    const known = rule.variables.map((x) => x.name);
    for (const name of params.variables === 'all' ? [] : params.variables)
      if (!known.includes(name))
        problems.push({ param: 'variables', expected: `variables of ${rule.rule}: ${known.join(', ')}`, found: `"${name}"${didYouMean(name, known)}` });
    return problems;
  },
  create(ctx) {
    const { params } = ctx;
    const p = ctx.projections.get(params.projection)!;
    const rule = ctx.plasticity.get(params.projection);
    const dynamics = rule?.dynamics;
    const declared = rule?.variables ?? [];
    const wanted = params.variables === 'all' ? declared : params.variables.map((n) => declared.find((x) => x.name === n)!);
    const selection = selectSynapses(p, params.pre, params.post, params.sample, params.sample_by, ctx.rng);
    const neurons = (list: number[] | 'all', n: number) => {
      const all = list === 'all' ? Int32Array.from({ length: n }, (_, i) => i) : Int32Array.from(list.filter((i) => i < n));
      return Int32Array.from(sampleIndices(all.length, params.sample, params.sample_by, ctx.rng), (q) => all[q]);
    };
    const groups = ruleVariableKinds
      .map((per) => {
        const vars = wanted.filter((x) => x.per === per);
        if (vars.length === 0) return undefined;
        const readers = vars.map((x) => {
          const read = dynamics?.variable?.(x.name);
          if (!read)
            throw new ParamError(
              'variables',
              `variables the rule's dynamics can read`,
              `the rule declares ${x.name}, but its dynamics gives no reader for it (SynapseDynamics.variable)`,
            );
          return read;
        });
        const indices =
          per === 'synapse'
            ? selection.synapses
            : per === 'pre'
              ? neurons(params.pre, p.nPre)
              : per === 'post'
                ? neurons(params.post, p.nPost)
                : Int32Array.of(0);
        return { per, names: vars.map((x) => x.name), indices, pres: per === 'synapse' ? selection.pres : undefined, readers };
      })
      .filter((g) => g !== undefined);
    return new RuleStateRecorder(p, groups, params.interval_ms, ctx);
  },
});

export const StdpWindowRecorder = definePlugin.recorder({
  name: 'stdp-window',
  description: 'weight change against pre-post timing at the synapse in a pairing experiment, to window/<projection>.csv (dt_ms,dw)',
  params: [param.custom('projection', undefined, 'the plastic projection to measure', 'a projection name', v.string())],
  check: (params, _views, _dt, projections) => checkProjections([params.projection], projections, 'projection'),
  create(ctx) {
    const p = ctx.projections.get(ctx.params.projection)!;
    return new WindowRecorder(p, ctx.populations.get(p.from)!, ctx.populations.get(p.to)!);
  },
});
