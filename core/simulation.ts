import { EventEmitter } from 'eventemitter3';
import type {
  ModulatorChannel,
  InputSource,
  NeuronPopulation,
  PopulationView,
  ProjectionView,
  RangeStep,
  Recorder,
  SpikeListener,
  SpikeSink,
  StateVariableInfo,
  SynapseDynamics,
} from './contracts.js';
import { describeValue, EngramError, RunInterrupted, RunStopped } from './errors.js';
import { restore, snapshot, type ExplicitState, type Snapshot } from './checkpoint.js';
import { writeFileAtomic } from './output.js';
import type { TimeGrid } from './time.js';
import { Clock, HandlerFailure, Priority, type Scheduler, type EventHandler, type SimEvent, type Tickable } from './scheduler.js';
import { Channel, SignalEmitter, SpikePulseSource } from './modulators.js';
import { StepThreads } from './threads.js';

/**
 * Fans one population's spikes out to its projections and listeners. This is the per-spike
 * hot path: plain arrays and direct calls, no event emitter.
 */
export class SpikeRouter implements SpikeSink {
  spikes = 0;
  readonly projections: ProjectionRuntime[] = [];
  readonly listeners: SpikeListener[] = [];

  spike(neuron: number, t: number): void {
    // A spike time that is not a finite time >= 0 (NaN from a failed crossing search, say)
    // would be delivered nowhere, recorded as NaN and end a run "complete": stop it here.
    if (!(t >= 0 && t < Infinity)) throw new RangeError(`neuron ${neuron} reported a spike at time ${t}: expected a finite time >= 0 ms`);
    this.spikes++;
    const ps = this.projections;
    for (let p = 0; p < ps.length; p++) ps[p].emit(neuron, t);
    const ls = this.listeners;
    for (let l = 0; l < ls.length; l++) ls[l].onSpike(neuron, t);
  }
}

/** A population or spike input as the engine holds it. */
export class PopulationRuntime implements PopulationView {
  readonly router = new SpikeRouter();
  constructor(
    readonly name: string,
    readonly size: number,
    readonly kind: 'neurons' | 'spike-input',
    readonly plugin: string,
    readonly state: readonly StateVariableInfo[],
    public population?: NeuronPopulation,
  ) {}

  addSpikeListener(listener: SpikeListener): void {
    // Checked here, where the caller (a recorder or plugin being built) is blamed for it, not
    // at the first spike, where the population emitting it would be.
    if (typeof (listener as Partial<SpikeListener> | undefined)?.onSpike !== 'function')
      throw new TypeError(
        `addSpikeListener(${this.name}) expects an object with a method onSpike(neuron, t), found ${typeof listener === 'function' ? 'a function (wrap it: { onSpike: fn })' : describeValue(listener)}`,
      );
    this.router.listeners.push(listener);
  }
}

/**
 * The synapses from one population to another in CSR form, and their delivery. A pre spike
 * at time t reaches synapse k at t + delay[k] (axonal) + dendritic delay. With one delay for
 * the whole projection a spike is one event; with per-synapse delays each row is sorted by
 * delay and a spike walks its row in arrival order, one pending event at a time, delivering
 * all synapses with equal delay together.
 */
export class ProjectionRuntime implements EventHandler, ProjectionView {
  /** Every synapse as (pre, post, weight), in CSR order (a copy: changing it changes nothing). */
  weights(): { pre: Int32Array; post: Int32Array; weight: Float64Array } {
    const n = this.weight.length;
    const pre = new Int32Array(n);
    for (let j = 0; j < this.nPre; j++) pre.fill(j, this.rowStart[j], this.rowStart[j + 1]);
    return { pre, post: this.target.slice(), weight: this.weight.slice() };
  }

  /**
   * Sets every weight (one number), or each synapse's in CSR order (as weights() lists them).
   * Between runs only: a plastic synapse's rule reads the weight when its next pre spike arrives.
   */
  setWeights(values: number | ArrayLike<number>): void {
    // A target that reads weights at its next step reads the old ones for inputs already in.
    this.post.settleInputs?.();
    if (typeof values === 'number') {
      if (!Number.isFinite(values)) throw new RangeError(`setWeights(${values}) on ${this.name}: expected a finite weight`);
      this.weight.fill(values);
      return;
    }
    if (values.length !== this.weight.length)
      throw new RangeError(`setWeights on ${this.name}: expected ${this.weight.length} weights (one per synapse), found ${values.length}`);
    for (let k = 0; k < values.length; k++) {
      if (!Number.isFinite(values[k])) throw new RangeError(`setWeights on ${this.name}: weight ${k} is ${values[k]}, expected a finite number`);
      this.weight[k] = values[k];
    }
  }

  delivered = 0;
  dynamics: SynapseDynamics | undefined;
  /** The plasticity rule's name (for messages). */
  ruleName = 'static';
  /** Whether the plasticity rule (rather than the target model) is running: names a failure. */
  inRule = false;
  /** The source's graded output when the source is graded (see GradedDelivery). */
  preOutput: Float64Array | undefined;

  constructor(
    readonly name: string,
    readonly from: string,
    readonly to: string,
    private readonly scheduler: Scheduler,
    readonly nPre: number,
    readonly nPost: number,
    readonly rowStart: Int32Array,
    readonly target: Int32Array,
    readonly weight: Float64Array,
    /** Per-synapse axonal delays (ms), or null when every synapse has `constantDelay`. */
    readonly delay: Float64Array | null,
    readonly constantDelay: number,
    readonly dendritic_delay_ms: number,
    readonly post: NeuronPopulation,
    /** Receptor port index on the target model, or -1 for "by the sign of the weight". */
    readonly port: number,
    /** Sums of times and delays are made exact on it (core/time.ts). */
    readonly timeGrid: TimeGrid,
  ) {}

  get synapses(): number {
    return this.target.length;
  }

  get uniformDelay(): boolean {
    return this.delay === null;
  }

  delayOf(synapse: number): number {
    return this.delay === null ? this.constantDelay : this.delay[synapse];
  }

  emit(pre: number, t: number): void {
    const start = this.rowStart[pre];
    if (start === this.rowStart[pre + 1]) return;
    const d = this.delay === null ? this.constantDelay : this.delay[start];
    this.scheduler.atGrid(this.timeGrid.add(t, d + this.dendritic_delay_ms), Priority.DELIVERY, this, pre, start, t);
  }

  handleEvent(ev: SimEvent): void {
    const pre = ev.a;
    const end = this.rowStart[pre + 1];
    const start = ev.b;
    let stop = end;
    const d = this.delay;
    if (d !== null) {
      const dk = d[start];
      stop = start + 1;
      while (stop < end && d[stop] === dk) stop++;
    }
    const dyn = this.dynamics;
    if (dyn !== undefined) {
      // The post neurons first reach the arrival time, so that every post spike the synapse
      // can see by then is archived before the rule pairs the pre spike with them.
      const post = this.post;
      const tgt = this.target;
      for (let k = start; k < stop; k++) post.update(tgt[k], ev.t);
      this.inRule = true;
      // The pre spike's time at the synapse: spike time + axonal delay, exact on the grid.
      dyn.onPreArrival(this.timeGrid.add(ev.x, d === null ? this.constantDelay : d[start]), pre, start, stop);
      this.inRule = false;
    }
    this.post.receive(ev.t, this.target, this.weight, start, stop, this.port);
    this.delivered += stop - start;
    if (stop < end) this.scheduler.atGrid(this.timeGrid.add(ev.x, d![stop] + this.dendritic_delay_ms), Priority.DELIVERY, this, pre, stop, ev.x);
  }
}

/**
 * Graded transmission for a projection whose source is graded (a rate population or a graded
 * input). At every grid time t, after all populations stepped (priority GRADED), it computes
 * I_i = sum_j w_ij * output_j and, one delay later (priority DELIVERY, so before the targets
 * step), sets each target's input from this projection to I_i through addCurrent. The current
 * is piecewise constant between grid times. Weights changed by plasticity act from the next
 * grid time on. Receptor ports and dendritic delays do not apply.
 */
export class GradedDelivery implements Tickable, EventHandler {
  /** The current each target receives from this projection now. */
  private readonly applied: Float64Array;
  /** Inputs computed and not yet due, oldest first (a pool of arrays reused in turn). */
  private readonly pending: Float64Array[] = [];
  private readonly free: Float64Array[] = [];

  constructor(
    private readonly projection: ProjectionRuntime,
    private readonly output: Float64Array,
    private readonly scheduler: Scheduler,
  ) {
    this.applied = new Float64Array(projection.nPost);
  }

  /** The target population's name. */
  get targetName(): string {
    return this.projection.to;
  }

  tick(t: number): void {
    const p = this.projection;
    const input = this.free.pop() ?? new Float64Array(p.nPost);
    input.fill(0);
    const out = this.output;
    const rowStart = p.rowStart;
    const target = p.target;
    const weight = p.weight;
    for (let j = 0; j < p.nPre; j++) {
      const r = out[j];
      if (r === 0) continue;
      for (let k = rowStart[j]; k < rowStart[j + 1]; k++) input[target[k]] += weight[k] * r;
    }
    this.pending.push(input);
    this.scheduler.at(p.timeGrid.add(t, p.constantDelay), Priority.DELIVERY, this);
  }

  handleEvent(ev: SimEvent): void {
    const input = this.pending.shift()!;
    const applied = this.applied;
    const post = this.projection.post;
    for (let i = 0; i < input.length; i++) {
      const delta = input[i] - applied[i];
      if (delta !== 0) {
        post.addCurrent(i, ev.t, delta);
        applied[i] = input[i];
      }
    }
    this.projection.delivered += input.length;
    this.free.push(input);
  }
}

/**
 * Steps every neuron population to each grid time, in scenario order: on this thread, or,
 * for the populations given to useThreads, on several (core/threads.ts).
 */
class NeuronGrid implements Tickable, ExplicitState {
  /** The population being stepped (names a failure). */
  current = 0;
  /**
   * Nothing to save: which thread steps what is a choice of the run (useThreads), not state,
   * and a checkpoint written with any number of threads resumes with any other.
   */
  readonly stateFormat = 'neuron-grid/1';
  saveState(): unknown {
    return null;
  }
  restoreState(): void {}
  /** The step threads, and for each population its job there or -1 (this thread). */
  threads: StepThreads | undefined;
  jobs: Int32Array;
  constructor(readonly populations: NeuronPopulation[]) {
    this.jobs = new Int32Array(populations.length).fill(-1);
  }
  tick(t: number): void {
    const ps = this.populations;
    const jobs = this.jobs;
    const threads = this.threads;
    // The kernels of every population on the threads run at once, before the first of them
    // reports (core/threads.ts: the steps at one time are independent); the reports, and the
    // steps on this thread, keep the scenario order, so the spikes are emitted as on one thread.
    let ran = threads === undefined;
    for (let p = 0; p < ps.length; p++) {
      this.current = p;
      if (jobs[p] < 0) ps[p].step(t);
      else {
        if (!ran) {
          threads!.run(t);
          ran = true;
        }
        threads!.end(jobs[p], t);
      }
    }
    // Only read while a step fails (the loop is left with it set); back to 0 it is no state.
    this.current = 0;
  }
}

/** What Simulation.useThreads did. */
export interface ThreadUse {
  /** Threads asked for, and the populations whose grid step runs on that many (the rest: on one). */
  threads: number;
  split: string[];
  /** Populations that stepped on one thread, and why. */
  single: { name: string; reason: string }[];
}

/** A plugin as messages name it: its kind, name and the scenario field that uses it. */
export interface Culprit {
  kind: 'neuron' | 'plasticity' | 'input' | 'recorder' | 'memory';
  name: string;
  path: (string | number)[];
}

/** The numerical guards (scenario section `guards`, docs/reliability.md). */
export interface GuardSettings {
  check_every_ms: number;
  max_rate_hz: number;
  max_pending_events: number;
}

/**
 * Checks, every check_every_ms, that no neuron's state is NaN or infinite, that no neuron
 * fired above max_rate_hz over the interval, and that the event queue holds at most
 * max_pending_events; otherwise stops the run (RunStopped) naming the population, neuron and time.
 */
class Guard implements Tickable {
  private readonly counts: Int32Array[];
  private last: number;

  constructor(
    private readonly sim: Simulation,
    private readonly populations: PopulationRuntime[],
    private readonly settings: GuardSettings,
  ) {
    this.counts = populations.map((p) => new Int32Array(p.size));
    populations.forEach((p, k) => {
      const c = this.counts[k];
      p.addSpikeListener({ onSpike: (i) => c[i]++ });
    });
    this.last = sim.scheduler.now;
  }

  tick(t: number): void {
    const span = t - this.last;
    this.last = t;
    for (const [k, p] of this.populations.entries()) {
      const bad = p.population!.firstNonFinite?.() ?? -1;
      if (bad >= 0) {
        const state = p.state.map((v, i) => `${v.name} = ${p.population!.read(i, bad, t)}`).join(', ');
        throw new RunStopped(
          `population ${p.name} (${p.plugin}), neuron ${bad}: state is not finite at t = ${t} ms (${state}); stopped (guard: non-finite state, checked every ${this.settings.check_every_ms} ms)`,
          t,
        );
      }
      const c = this.counts[k];
      let worst = 0;
      for (let i = 1; i < c.length; i++) if (c[i] > c[worst]) worst = i;
      const rate = span > 0 ? (c[worst] / span) * 1000 : 0;
      if (rate > this.settings.max_rate_hz) {
        throw new RunStopped(
          `population ${p.name} (${p.plugin}), neuron ${worst}: fired ${c[worst]} spikes in the ${span} ms before t = ${t} ms (${rate.toFixed(0)} Hz, above guards.max_rate_hz = ${this.settings.max_rate_hz}); stopped`,
          t,
        );
      }
      c.fill(0);
    }
    if (this.sim.scheduler.pending > this.settings.max_pending_events) this.queueTooLong(t);
    this.checkWeights(t, Guard.WEIGHT_SLICES);
  }

  /**
   * Plastic weights must stay finite. A tick scans one slice of every plastic projection's
   * weights in turn (1/WEIGHT_SLICES of them: a bounded cost, a NaN found within that many
   * ticks, since a NaN weight stays NaN); the end of a run scans them all (slices = 1).
   */
  static readonly WEIGHT_SLICES = 8;
  private weightSlice = 0;
  checkWeights(t: number, slices: number): void {
    const slice = this.weightSlice++ % slices;
    for (const p of this.sim.projections) {
      if (!p.dynamics) continue;
      const w = p.weight;
      const size = Math.ceil(w.length / slices);
      for (let k = slice * size, end = Math.min(w.length, (slice + 1) * size); k < end; k++) {
        if (Number.isFinite(w[k])) continue;
        let pre = 0;
        while (p.rowStart[pre + 1] <= k) pre++;
        const i = this.sim.projections.indexOf(p);
        const rule = this.sim.describeCulprit({ kind: 'plasticity', name: p.ruleName, path: ['projections', i, 'plasticity'] });
        throw new RunStopped(
          `${rule}: synapse ${k} (pre ${pre}, post ${p.target[k]}) of projections.${i} (${p.from} -> ${p.to}): the weight is ${w[k]} at t = ${t} ms; stopped (guard: non-finite weights)`,
          t,
        );
      }
    }
  }

  /** Stops the run because the event queue outgrew max_pending_events, naming who fills it. */
  queueTooLong(t: number): never {
    const pending = this.sim.scheduler.pending;
    let top: [EventHandler, number] | undefined;
    for (const e of this.sim.scheduler.pendingByHandler()) if (!top || e[1] > top[1]) top = e;
    const [handler, n] = top!;
    const owner =
      handler instanceof ProjectionRuntime
        ? `projections.${this.sim.projections.indexOf(handler)} (${handler.from} -> ${handler.to}, spikes in flight)`
        : this.sim.describeHandler(handler);
    throw new RunStopped(
      `the event queue holds ${pending} events at t = ${t} ms (above guards.max_pending_events = ${this.settings.max_pending_events}), ${n} of them for ${owner}; stopped`,
      t,
    );
  }
}

export interface PopulationSummary {
  size: number;
  spikes: number;
  rate_hz: number;
  /** Graded sources only (they emit no spikes): the mean of their output at the end of the run. */
  mean_output?: number;
}

export interface RunSummary {
  scenario: string;
  seed: number;
  t_stop_ms: number;
  resolution_ms: number;
  wall_s: number;
  build_s: number;
  events_delivered: number;
  events_handled: number;
  synapses: number;
  populations: Record<string, PopulationSummary & { model: string }>;
  inputs: Record<string, PopulationSummary & { type: string }>;
  /** Reports of the recorders that give one, in scenario order. */
  recorders: ({ index: number; type: string } & Record<string, unknown>)[];
  /** Each attached extension's report under its key (`training` for a training protocol). */
  [extension: string]: unknown;
}

/**
 * A protocol attached to a simulation, such as a training protocol (training/protocol.ts): it
 * drives the simulation from outside, and the kernel only gives it a place in the outputs.
 * Its report goes into summary.json under `key`, it writes its own files next to the
 * recorders', and checkpoints save it with the network (by reflection, as every other part).
 */
export interface SimulationExtension {
  /** Its key in summary.json. */
  readonly key: string;
  /** Its part of summary.json. */
  report(): unknown;
  /** Writes its files below outDir; returns their names. */
  write?(outDir: string): Promise<string[]>;
  /** Objects it references that are rebuilt from the scenario, so never saved in checkpoints. */
  external?(): object[];
}

export interface ProgressInfo {
  t_ms: number;
  t_stop_ms: number;
  wall_s: number;
}

/** Lifecycle events for observers and plugins (never per spike). */
export interface LifecycleEvents {
  'run:start': [{ t_ms: number; t_stop_ms: number }];
  progress: [ProgressInfo];
  /** A sample boundary in a training protocol: the sample's index and the time it starts. */
  sample: [{ index: number; t_ms: number }];
  'run:end': [{ t_ms: number; wall_s: number }];
}

export interface SimulationParts {
  name: string;
  seed: number;
  t_stop_ms: number;
  resolution_ms: number;
  scheduler: Scheduler;
  populations: PopulationRuntime[];
  /** Spike inputs have a runtime (they are sources of projections); current inputs do not. */
  inputs: { runtime: PopulationRuntime | undefined; source: InputSource; name: string; type: string }[];
  projections: ProjectionRuntime[];
  /** Graded projections, in scenario order. */
  graded: GradedDelivery[];
  /**
   * The neuromodulator channels (the scenario's and those a protocol makes). Held here so that
   * a checkpoint reaches them from the network itself, never only through a plugin object
   * that saves its own state.
   */
  modulators?: ModulatorChannel[];
  recorders: Recorder[];
  recorderTypes: string[];
  build_s: number;
  /** Numerical guards; none when absent. */
  guards?: GuardSettings;
  /** Names a plugin for a message, with where the scenario uses it (from the build). */
  describe?: (culprit: Culprit) => string;
  /** The plugin that emits on each modulator channel a plugin owns (xi/<layer>: that layer's memory), for messages. */
  channelOwners?: ReadonlyMap<string, Culprit>;
  /**
   * Every object a plugin's create() returned, with the plugin and its scenario field (filled
   * while building, memories included): a failure in an object a plugin made and holds (a
   * helper it scheduled, a listener) is blamed on that plugin.
   */
  pluginInstances?: readonly (readonly [object, Culprit])[];
}

/**
 * Below this many neurons per thread (counted over every population that can be split) the grid
 * step stays on one thread: waking the others costs about 1 us (spinning) and a neuron step
 * about 3 ns, so the ranges must hold a few thousand neurons for the split to pay
 * (docs/performance.md, "The grid step on several threads").
 */
export const DEFAULT_MIN_NEURONS_PER_THREAD = 4096;

function meanOutput(output: Float64Array | undefined): { mean_output?: number } {
  return output?.length ? { mean_output: output.reduce((a, b) => a + b, 0) / output.length } : {};
}

/** A built network, ready to run. Created by buildSimulation (scenario/construct.ts). */
export class Simulation {
  readonly events = new EventEmitter<LifecycleEvents>();
  readonly name: string;
  readonly seed: number;
  readonly t_stop_ms: number;
  readonly resolution_ms: number;
  readonly scheduler: Scheduler;
  readonly populations: ReadonlyMap<string, PopulationRuntime>;
  readonly projections: readonly ProjectionRuntime[];
  private readonly parts: SimulationParts;
  private started = false;
  private wall_s = 0;
  private guard: Guard | undefined;
  /** Protocols attached to this simulation (see SimulationExtension), in attachment order. */
  readonly extensions: SimulationExtension[] = [];
  /** When aborted, the run stops at the next batch of 1024 events (RunInterrupted). */
  stopSignal: AbortSignal | undefined;
  /** Minimum wall time between 'progress' events (s); 0 reports every 1024 scheduler events. */
  progressInterval_s = 0.2;
  /** The clock's stepper of the neuron populations. */
  private readonly neuronGrid: NeuronGrid;

  constructor(parts: SimulationParts) {
    this.parts = parts;
    this.neuronGrid = new NeuronGrid(parts.populations.filter((p) => p.population !== undefined).map((p) => p.population!));
    this.name = parts.name;
    this.seed = parts.seed;
    this.t_stop_ms = parts.t_stop_ms;
    this.resolution_ms = parts.resolution_ms;
    this.scheduler = parts.scheduler;
    const views = [...parts.populations, ...parts.inputs.flatMap((i) => (i.runtime ? [i.runtime] : []))];
    this.populations = new Map(views.map((p) => [p.name, p]));
    this.projections = parts.projections;
    for (const rt of parts.populations) {
      const pop = rt.population;
      if (pop?.connectInputs)
        pop.connectInputs(parts.projections.filter((p) => p.post === pop).map((p) => ({ targets: p.target, weights: p.weight, rowStart: p.rowStart })));
    }
  }

  /** The population (neurons or a spike input) named `name`; an error lists the names there are. */
  population(name: string): PopulationRuntime {
    const p = this.populations.get(name);
    if (!p) throw new RangeError(`no population or spike input "${name}"; there are: ${[...this.populations.keys()].join(', ')}`);
    return p;
  }

  /**
   * The projection named `name` (its `name:` in the scenario, or from->to), or by its index in
   * the scenario's list; an error lists the names there are. Its synapses, in CSR order:
   * `weights()` copies them out as pre, post and weight arrays; `setWeights` writes them.
   */
  projection(nameOrIndex: string | number): ProjectionRuntime {
    const p = typeof nameOrIndex === 'number' ? this.projections[nameOrIndex] : this.projections.find((q) => q.name === nameOrIndex);
    if (!p) throw new RangeError(`no projection ${JSON.stringify(nameOrIndex)}; there are: ${this.projections.map((q, i) => `${i}: ${q.name}`).join(', ')}`);
    return p;
  }

  /** The input object of the input named `name` (e.g. to present samples from a script). */
  input(name: string): InputSource | undefined {
    return this.parts.inputs.find((i) => i.name === name)?.source;
  }

  /** Current simulated time (ms). */
  get t_ms(): number {
    return this.scheduler.now;
  }

  /**
   * Runs the grid step on `threads` threads (core/threads.ts): every population whose model
   * offers a RangeStep is cut into `threads` ranges, provided that together they give every
   * thread at least `minNeuronsPerThread` neurons (one wake-up per step serves all of them, so a
   * small population is split at no extra cost when a large one is). The others step on this
   * thread. The spikes, and so every output, are the same for any number of threads. Call it
   * before a run or between runs; 1 goes back to one thread. close() stops the threads.
   */
  useThreads(threads: number, options: { minNeuronsPerThread?: number } = {}): ThreadUse {
    if (!(Number.isInteger(threads) && threads >= 1)) throw new RangeError(`useThreads(${threads}): expected a whole number of threads >= 1`);
    const min = options.minNeuronsPerThread ?? DEFAULT_MIN_NEURONS_PER_THREAD;
    this.close();
    const grid = this.neuronGrid;
    const use: ThreadUse = { threads, split: [], single: [] };
    const runtimes = this.parts.populations.filter((p) => p.population !== undefined);
    if (threads === 1) return use;
    const candidates: number[] = [];
    let neurons = 0;
    for (const [i, rt] of runtimes.entries()) {
      const pop = rt.population!;
      if (typeof pop.rangeStep !== 'function')
        use.single.push({ name: rt.name, reason: `its model (${rt.plugin}${pop.constructor?.name ? `, ${pop.constructor.name}` : ''}) has no range step` });
      else {
        candidates.push(i);
        neurons += rt.size;
      }
    }
    const jobs: { name: string; size: number; step: RangeStep }[] = [];
    for (const i of candidates) {
      const rt = runtimes[i];
      if (neurons < threads * min) {
        const what = candidates.length === 1 ? `${neurons} neurons` : `${neurons} neurons in the ${candidates.length} populations that can be split`;
        use.single.push({ name: rt.name, reason: `${what}, fewer than ${min} per thread` });
      } else {
        grid.jobs[i] = jobs.length;
        jobs.push({ name: rt.name, size: rt.size, step: rt.population!.rangeStep!() });
        use.split.push(rt.name);
      }
    }
    if (jobs.length > 0) grid.threads = new StepThreads(threads, jobs);
    return use;
  }

  /** Stops the step threads, if any (the simulation can still run, on one thread). */
  close(): void {
    const grid = this.neuronGrid;
    if (!grid.threads) return;
    grid.threads.close();
    grid.threads = undefined;
    grid.jobs.fill(-1);
  }

  /** Starts the clocks and the inputs (once; the first run does it). */
  private start(): void {
    if (this.started) return;
    this.started = true;
    this.scheduler.every(this.resolution_ms, Priority.NEURON, this.neuronGrid, 0);
    if (this.parts.guards) {
      this.guard = new Guard(
        this,
        this.parts.populations.filter((p) => p.population !== undefined),
        this.parts.guards,
      );
      this.scheduler.every(this.parts.guards.check_every_ms, Priority.LIFECYCLE, this.guard, 0);
    }
    for (const g of this.parts.graded) this.scheduler.every(this.resolution_ms, Priority.GRADED, g, 0);
    for (const input of this.parts.inputs) input.source.start();
    this.events.emit('run:start', { t_ms: this.scheduler.now, t_stop_ms: this.t_stop_ms });
  }

  /**
   * Runs up to `until_ms` (default: the scenario's duration). May be called again to go on.
   * At its end every plastic synapse is brought up to date (lazy rules integrate only on
   * events), so that weights read after it are current. That step splits the closed-form
   * integration at the call's end time, which can change the last bits of later weights: pass
   * `{settle: false}` for pieces of one run (then call settlePlasticity() at its end), and the
   * pieces give bit for bit the result of one call.
   */
  run(until_ms: number = this.t_stop_ms, options: { settle?: boolean } = {}): void {
    // Time only goes forward: run(5) after run(10) used to do nothing, silently.
    if (!(until_ms >= this.scheduler.now - 1e-9 * Math.max(1, this.scheduler.now)))
      throw new RangeError(
        `run(${until_ms}): the simulation is at t = ${this.scheduler.now} ms already; time only goes forward (run to a later time, or build the network again)`,
      );
    this.start();
    const t0 = performance.now();
    let lastReport = t0;
    const guards = this.parts.guards;
    const signal = this.stopSignal;
    const report = (now: number, force = false) => {
      if (signal?.aborted) throw new RunInterrupted(String(signal.reason ?? 'abort'), now);
      // Every 1024 events: an event storm at one time (the clock-driven guard would never get
      // its turn) is stopped here before it exhausts memory.
      if (guards && this.scheduler.pending > guards.max_pending_events) this.guard?.queueTooLong(now);
      const wall = performance.now();
      if (!force && wall - lastReport < this.progressInterval_s * 1000) return;
      lastReport = wall;
      this.events.emit('progress', { t_ms: now, t_stop_ms: this.t_stop_ms, wall_s: this.wall_s + (wall - t0) / 1000 });
    };
    try {
      this.scheduler.runUntil(until_ms, report, 1024);
    } catch (err) {
      this.wall_s += (performance.now() - t0) / 1000;
      throw this.explain(err);
    } finally {
      // Between runs no input waits for a step (weights may change: setWeights).
      for (const rt of this.parts.populations) rt.population?.settleInputs?.();
    }
    this.wall_s += (performance.now() - t0) / 1000;
    report(this.scheduler.now, true);
    if (options.settle ?? true) this.settlePlasticity();
    this.events.emit('run:end', { t_ms: this.scheduler.now, wall_s: this.wall_s });
  }

  /**
   * The network's state as data (core/checkpoint.ts): restore it into a simulation built
   * from the same scenario and seed with restoreState, and runs go on as if never stopped.
   */
  saveState(options: { explicit?: boolean } = {}): Snapshot {
    this.start();
    // explicit: false walks inside objects with explicit state too: a save, restore and second
    // save that agree this way show that their saveState misses nothing (test/explicit-state.test.ts).
    return snapshot(this, new Set([this.events]), [this.scheduler], this.external(), options.explicit ?? true);
  }

  restoreState(state: Snapshot): void {
    this.start();
    restore(this, state, new Set([this.events]), [this.scheduler], this.external());
  }

  /** Attaches a protocol (a training, for one); its key must be new and not a summary field. */
  attach(extension: SimulationExtension): void {
    if (this.extensions.some((e) => e.key === extension.key)) throw new Error(`an extension with key "${extension.key}" is attached already`);
    this.extensions.push(extension);
  }

  /** What the extensions reference but checkpoints do not save (rebuilt from the scenario exactly). */
  private external(): object[] {
    return this.extensions.flatMap((e) => e.external?.() ?? []);
  }

  /**
   * Brings every plastic synapse up to date at the end of a run. A post spike is certainly
   * archived once its neuron passed the last grid time g <= now; a pre spike still in flight
   * reaches its synapse after now - dendritic delay. The horizon respects both.
   */
  settlePlasticity(): void {
    const now = this.scheduler.now;
    const dt = this.resolution_ms;
    const g = Math.floor(now / dt + 1e-9) * dt;
    for (const p of this.projections) {
      if (p.dynamics?.flush) p.dynamics.flush(Math.min(now - p.dendritic_delay_ms, g + p.dendritic_delay_ms));
    }
    // A run never ends "complete" with a weight that is NaN or infinite.
    this.guard?.checkWeights(now, 1);
  }

  /**
   * A failure inside the run as users should read it: guards and other expected stops pass
   * through; anything a plugin threw becomes a RunStopped that names the plugin, the scenario
   * field (and line) that uses it, and the time.
   */
  private explain(err: unknown): unknown {
    if (!(err instanceof HandlerFailure)) return err;
    if (err.cause instanceof EngramError) return err.cause;
    const cause = err.cause instanceof Error ? err.cause.message.split('\n')[0] : String(err.cause);
    // A channel's listener that threw is the culprit, not whoever pulsed the channel.
    const who = this.describeFailedListener() ?? `${this.describeHandler(err.handler)},`;
    const stopped = new RunStopped(`${who} threw at t = ${err.t_ms} ms: ${cause}; stopped`, err.t_ms);
    if (err.cause instanceof Error) stopped.stack = err.cause.stack; // for ENGRAM_DEBUG
    return stopped;
  }

  /** A plugin as messages name it (kind, name, the scenario field that uses it and its line). */
  describeCulprit(culprit: Culprit): string {
    return (this.parts.describe ?? ((c: Culprit) => `${c.kind} "${c.name}" (${c.path.join('.')})`))(culprit);
  }

  /** The plugin whose code runs now, as a message names it (undefined outside run()). */
  describeRunning(): string | undefined {
    const h = this.scheduler.dispatching;
    return h === undefined ? undefined : this.describeHandler(h);
  }

  /** Which plugin an event handler runs, as a message names it. */
  describeHandler(handler: EventHandler): string {
    const target = handler instanceof Clock ? handler.target : handler;
    const describe = this.parts.describe ?? ((c: Culprit) => `${c.kind} "${c.name}" (${c.path.join('.')})`);
    if (target instanceof NeuronGrid) {
      const p = this.parts.populations.filter((q) => q.population !== undefined)[target.current];
      return describe({ kind: 'neuron', name: p.plugin, path: ['populations', p.name] });
    }
    if (target instanceof ProjectionRuntime) {
      const i = this.projections.indexOf(target);
      if (target.inRule) return describe({ kind: 'plasticity', name: target.ruleName, path: ['projections', i, 'plasticity'] });
      return describe({ kind: 'neuron', name: this.populations.get(target.to)!.plugin, path: ['populations', target.to] });
    }
    if (target instanceof GradedDelivery) {
      const to = target.targetName;
      return describe({ kind: 'neuron', name: this.populations.get(to)!.plugin, path: ['populations', to] });
    }
    const r = this.parts.recorders.indexOf(target as unknown as Recorder);
    if (r >= 0) return describe({ kind: 'recorder', name: this.parts.recorderTypes[r], path: ['recorders', r] });
    const input = this.parts.inputs.find((i) => (i.source as unknown) === target);
    if (input) return describe({ kind: 'input', name: input.type, path: ['inputs', input.name] });
    const owner = target instanceof SignalEmitter ? this.parts.channelOwners?.get(target.channelName) : undefined;
    if (owner) return describe(owner);
    if (target instanceof SpikePulseSource) return `modulator channel "${target.channel.name}" (modulators.${target.channel.name})`;
    const made = this.ownerOf(target);
    if (made) return describe(made);
    return `an event handler (${(target as object)?.constructor?.name ?? 'unknown'})`;
  }

  /**
   * The plugin whose modulator listener (onPulse) is running or threw, as messages name it:
   * a failure while a channel tells its listeners of a pulse is theirs, not the pulser's.
   */
  describeFailedListener(): string | undefined {
    for (const c of this.parts.modulators ?? []) {
      const listener = c instanceof Channel ? c.notifiedListener : undefined;
      if (!listener) continue;
      const owner = this.ownerOf(listener);
      const who = owner ? this.describeCulprit(owner) : `a listener (${listener.constructor?.name ?? 'unknown'})`;
      return `${who}, onPulse for modulator channel "${c.name}",`;
    }
    return undefined;
  }

  /**
   * The plugin that made an object: the one whose create() returned it, else the one that
   * holds it most closely (fewest references away, at most 4), never through the engine's own
   * shared objects (scheduler, channels, populations, projections), which reach everything.
   * Walked only to explain a failure, so it costs nothing while a run is on.
   */
  private ownerOf(target: object): Culprit | undefined {
    const shared = (o: object) =>
      o instanceof Simulation ||
      o instanceof Channel ||
      o instanceof PopulationRuntime ||
      o instanceof ProjectionRuntime ||
      o === this.scheduler ||
      ArrayBuffer.isView(o);
    let frontier: (readonly [unknown, Culprit])[] = [...(this.parts.pluginInstances ?? [])];
    const seen = new Set<unknown>();
    for (let depth = 0; depth <= 4 && frontier.length > 0 && seen.size < 1e5; depth++) {
      const next: (readonly [unknown, Culprit])[] = [];
      for (const [o, culprit] of frontier) {
        if (o === target) return culprit;
        if (o === null || typeof o !== 'object' || seen.has(o) || shared(o)) continue;
        seen.add(o);
        const children = o instanceof Map ? o.values() : Array.isArray(o) || o instanceof Set ? o.values() : Object.values(o);
        for (const c of children) if (c !== null && typeof c === 'object') next.push([c, culprit]);
      }
      frontier = next;
    }
    return undefined;
  }

  /** Announces a sample boundary to observers (used by training protocols). */
  markSample(index: number): void {
    this.events.emit('sample', { index, t_ms: this.scheduler.now });
  }

  summary(): RunSummary {
    const seconds = this.scheduler.now / 1000;
    const rate = (spikes: number, size: number) => (seconds > 0 ? spikes / size / seconds : 0);
    const populations: RunSummary['populations'] = {};
    const inputs: RunSummary['inputs'] = {};
    for (const p of this.parts.populations) {
      populations[p.name] = {
        model: p.plugin,
        size: p.size,
        spikes: p.router.spikes,
        rate_hz: rate(p.router.spikes, p.size),
        ...meanOutput(p.population?.output),
      };
    }
    for (const input of this.parts.inputs) {
      const r = input.runtime;
      inputs[input.name] = {
        type: input.type,
        size: r?.size ?? 0,
        spikes: r?.router.spikes ?? 0,
        rate_hz: r ? rate(r.router.spikes, r.size) : 0,
        ...meanOutput(input.source.output),
        ...input.source.report?.(),
      };
    }
    return {
      scenario: this.name,
      seed: this.seed,
      t_stop_ms: this.scheduler.now,
      resolution_ms: this.resolution_ms,
      wall_s: this.wall_s,
      build_s: this.parts.build_s,
      events_delivered: this.projections.reduce((s, p) => s + p.delivered, 0),
      events_handled: this.scheduler.handled,
      synapses: this.projections.reduce((s, p) => s + p.synapses, 0),
      populations,
      inputs,
      recorders: this.parts.recorders.flatMap((r, index) => (r.report ? [{ index, type: this.parts.recorderTypes[index], ...r.report() }] : [])),
      ...Object.fromEntries(this.extensions.map((e) => [e.key, e.report()])),
    };
  }

  /** Writes every recorder's files and summary.json (plus `extra` fields) below outDir; returns the files written. */
  async writeOutputs(outDir: string, extra: Record<string, unknown> = {}): Promise<string[]> {
    const files: string[] = [];
    for (const r of this.parts.recorders) files.push(...(await r.write(outDir)));
    for (const e of this.extensions) if (e.write) files.push(...(await e.write(outDir)));
    const summary = { ...this.summary(), status: 'complete', ...extra, files: [...files, 'summary.json'] };
    await writeFileAtomic(`${outDir}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
    files.push('summary.json');
    return files;
  }
}
