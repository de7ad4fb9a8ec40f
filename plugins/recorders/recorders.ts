/**
 * Recorders (Brian2's monitors): they observe populations through the PopulationView
 * contract and write CSV files below the run's output folder. They never change what they
 * observe: spike recorders listen, state recorders sample after the neurons have stepped.
 *
 *   spikes  <out>/spikes/<population>.csv   t_ms,neuron   sorted by time, then neuron
 *   state   <out>/state/<population>.csv    t_ms,neuron,<variables...>
 *   rates   <out>/rates/<population>.csv    t_ms,rate_hz  (mean rate per neuron in each bin)
 *   weights <out>/weights/<projection>.csv  pre,post,w_initial,w_final
 *   weight-trace <out>/weight-trace/<projection>.csv  t_ms,pre,post,w every interval_ms
 *   stdp-window <out>/window/<projection>.csv  dt_ms,dw
 */
import { mkdirSync, renameSync } from 'node:fs';
import * as v from 'valibot';
import type { PopulationView, ProjectionView, Recorder, RecorderContext, SpikeListener } from '../../core/contracts.js';
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
 * Weights over time (NEST's weight_recorder, Brian2's StateMonitor on w): every interval_ms,
 * one row per selected synapse. The weight read is the one stored: a lazy plastic synapse
 * changes it when a pre spike reaches it (docs/semantics.md), so between its spikes the value
 * is the one its last spike left, as in Brian2's event-driven synapses. Recording never
 * settles plasticity: a recorder must not change what it observes (settling splits the
 * closed-form integration and changes the last bits of later weights).
 */
class WeightTraceRecorder implements Recorder, Tickable, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'weight-trace-recorder/1';

  private readonly csv: CsvBuilder[];
  constructor(
    private readonly projections: ProjectionView[],
    /** Per projection: the synapse indices (CSR order) to record, and their pre neuron. */
    private readonly synapses: Int32Array[],
    private readonly pres: Int32Array[],
    interval: number,
    ctx: RecorderContext,
  ) {
    this.csv = projections.map(() => new CsvBuilder('t_ms,pre,post,w'));
    ctx.scheduler.at(ctx.scheduler.now, Priority.RECORD, this);
    ctx.scheduler.every(interval, Priority.RECORD, this, ctx.scheduler.now);
  }
  handleEvent(ev: { t: number }): void {
    this.tick(ev.t);
  }
  tick(t: number): void {
    for (const [n, p] of this.projections.entries()) {
      const ks = this.synapses[n];
      const pres = this.pres[n];
      for (let q = 0; q < ks.length; q++) this.csv[n].row(`${t},${pres[q]},${p.target[ks[q]]},${p.weight[ks[q]]}`);
    }
  }
  async write(outDir: string): Promise<string[]> {
    const files: string[] = [];
    for (const [n, p] of this.projections.entries()) {
      const file = `weight-trace/${p.name}.csv`;
      await writeFileAtomic(`${outDir}/${file}`, this.csv[n].toString());
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

  private static readonly stateFields = ['csv'];
}

/**
 * The synapses of a projection a weight trace records: those whose pre and post neurons are in
 * the given lists (all when a list is absent), then at most `sample` of them, evenly spread in
 * CSR order (a deterministic choice: the same scenario records the same synapses).
 */
function selectSynapses(p: ProjectionView, pre: number[] | 'all', post: number[] | 'all', sample: number): { synapses: Int32Array; pres: Int32Array } {
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
  if (sample > 0 && ks.length > sample) {
    const pick = Array.from({ length: sample }, (_, q) => Math.floor((q * ks.length) / sample));
    return { synapses: Int32Array.from(pick, (q) => ks[q]), pres: Int32Array.from(pick, (q) => ps[q]) };
  }
  return { synapses: Int32Array.from(ks), pres: Int32Array.from(ps) };
}

const neuronListParam = (name: 'pre' | 'post', description: string) =>
  param.custom(
    name,
    'all' as 'all' | number[],
    description,
    'all, or a list of neuron indices',
    v.union([v.literal('all'), v.array(v.pipe(v.number(), v.integer(), v.minValue(0)))]),
  );

export const WeightTraceRecorderPlugin = definePlugin.recorder({
  name: 'weight-trace',
  description:
    'weights over time (NEST weight_recorder, Brian2 StateMonitor on w): every interval_ms, t_ms,pre,post,w for the selected synapses, to weight-trace/<projection>.csv',
  params: [
    projectionsParam,
    param.number('interval_ms', 10, 'time between two records (a multiple of the resolution)', { gt: 0 }),
    neuronListParam('pre', 'record only synapses from these pre neurons'),
    neuronListParam('post', 'record only synapses onto these post neurons'),
    param.integer('sample', 0, 'then at most this many synapses per projection, evenly spread (0: all)', { min: 0 }),
  ],
  check: (params, _views, dt, projections) => {
    const problems = checkProjections(params.projections, projections);
    const steps = params.interval_ms / dt;
    if (Math.abs(steps - Math.round(steps)) > 1e-9 * steps)
      problems.push({ param: 'interval_ms', expected: `a multiple of the resolution (${dt} ms)`, found: String(params.interval_ms) });
    return problems;
  },
  create(ctx) {
    const names = ctx.params.projections;
    const projections = names === 'all' ? [...ctx.projections.values()] : names.map((n) => ctx.projections.get(n)!);
    const chosen = projections.map((p) => selectSynapses(p, ctx.params.pre, ctx.params.post, ctx.params.sample));
    return new WeightTraceRecorder(
      projections,
      chosen.map((c) => c.synapses),
      chosen.map((c) => c.pres),
      ctx.params.interval_ms,
      ctx,
    );
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
