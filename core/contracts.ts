import type { TimeGrid } from './time.js';
/**
 * The contracts plugins implement. core/ only ever talks to plugins through these
 * interfaces; it knows no neuron model, rule, input, recorder or memory circuit by name.
 *
 * A plugin is a descriptor (name, description, parameter specs, a factory) bound in the DI
 * container under the token of its kind (see tokens.ts). At build time the factory is called
 * once per population / input / projection / recorder with a context object; the objects it
 * returns are what the hot loop calls, monomorphically and without the container.
 */
import type { ParamSpec } from './params.js';
import type { Rng } from './rng.js';
import type { Scheduler } from './scheduler.js';

/**
 * A plugin's resolved parameters: its specs' names and value types (see ParamsOf and
 * definePlugin). Contracts default to this untyped form, so that plugins written without
 * definePlugin keep working.
 */
export type Params = Readonly<Record<string, unknown>>;

/** A plugin's problems with a combination of parameters, each one naming the parameter. */
export type ParamProblem = { param: string; expected: string; found: string };

export interface PluginInfo {
  /** The name scenarios use (`model: lif`, `type: poisson`). Unique within its kind. */
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
}

// ---------------------------------------------------------------------------------------
// Spikes

/** Where a population or generator reports each spike it emits (neuron index, time in ms). */
export interface SpikeSink {
  spike(neuron: number, t: number): void;
}

/** Something that wants to hear about a population's spikes (recorders, plasticity rules). */
export interface SpikeListener {
  onSpike(neuron: number, t: number): void;
}

// ---------------------------------------------------------------------------------------
// Neuron models

export interface StateVariableInfo {
  /** With the unit in the name, e.g. v_mV. */
  readonly name: string;
  readonly description: string;
}

/**
 * A population of one neuron model: state in typed arrays, advanced by the engine. It may
 * implement ExplicitState (core/checkpoint.ts) to be saved in checkpoints by its own
 * saveState under a versioned format (the built-in models do); without it, checkpoints save
 * its fields one by one. The same holds for inputs, synapse dynamics, memory circuits and
 * recorders.
 */
export interface NeuronPopulation {
  readonly size: number;
  /**
   * Brings every neuron to time t (a grid time; the engine calls it every resolution_ms at
   * priority NEURON) and reports every threshold crossing found to the sink, with its time.
   */
  step(t: number): void;
  /**
   * Synaptic events arriving at time t: for k in [start, end), neuron targets[k] receives
   * weights[k] on receptor `port` (an index into the model's `receptors`), or, when port is
   * -1, on the first receptor for weights >= 0 and the second for weights < 0 (NEST's rule).
   * A model may keep the row and read weights[k] at its next step instead (it must then have
   * settleInputs); the sum each neuron gets must not depend on that choice.
   */
  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void;
  /** Adds delta_nA to the external current of one neuron from time t on. */
  addCurrent(neuron: number, t: number, delta_nA: number): void;
  /** The value of state variable `variable` (an index into the model's `state`) at time t. */
  read(variable: number, neuron: number, t: number): number;
  /**
   * Brings one neuron to time t, reporting any threshold crossing on the way. Plasticity uses
   * it so that a post neuron's spikes up to t are known before a pre spike is paired with them.
   */
  update(neuron: number, t: number): void;
  /**
   * Optional: true when, after update(neuron, t), no event at t can still make that neuron
   * spike at exactly t (grid-constrained models, where an input at t acts after the step to
   * t). Lazy pair rules with a dendritic delay of 0 then keep no log of same-time arrivals
   * (core/plasticity/coincidence.ts). Absent or false: such late spikes may happen.
   */
  readonly spikesKnownOnUpdate?: boolean;
  /**
   * Graded (rate) models only: the value each neuron transmits instead of spikes, as of the
   * last grid step. Projections from a graded population deliver sum_j w_ij * output_j to
   * their targets as a current (see docs/semantics.md, "Graded transmission").
   */
  readonly output?: Float64Array;
  /**
   * Optional, for the numerical guard: the index of a neuron whose state is NaN or infinite,
   * or -1. Called every `guards.check_every_ms`, never per step.
   */
  firstNonFinite?(): number;
  /** Graded models only: f'(u) of each neuron at the last step (the postsynaptic gain of three-factor rules). */
  readonly gain?: Float64Array;
  /**
   * Spiking models with a known rate-vs-drive (f-I) curve: the slope of that curve at the
   * drive that gives a steady rate of `rate_hz`, relative to the slope of its linear regime
   * (dimensionless; 0 for a silent neuron). The graded postsynaptic gain f'(u) of three-factor
   * rules for spiking neurons (ib-hebbian's `gain: slope`).
   */
  rateSlope?(rate_hz: number): number;
  /**
   * Graded models with an output transform after f (e.g. layer normalisation): turns, in
   * place, a gradient with respect to `output` into one with respect to f(u), at the last
   * step. Absent: the output is f(u) and the gradient passes unchanged.
   */
  outputPullback?(grad: Float64Array): void;
  /**
   * Optional: the grid step in parts, so that ranges of neurons can step on several threads
   * at once (Simulation.useThreads, `engram run --threads`). Called once, before the first
   * step that uses it. Absent: the population steps on the calling thread, as always.
   */
  rangeStep?(): RangeStep;
  /**
   * Optional: the synapse arrays of every projection into the population, given once when the
   * simulation is built, in scenario order. A model may then keep the rows receive() is given
   * from these arrays and read their weights at its next step (a kernel on several threads
   * delivers them on the thread that owns the targets); it must then have settleInputs.
   */
  connectInputs?(inputs: readonly SynapseArrays[]): void;
  /**
   * Optional, for models whose receive() defers reading weights until their next step: read
   * every deferred input now. The engine calls it when a run ends and before setWeights, so a
   * deferred read never sees a weight that changed after the input arrived.
   */
  settleInputs?(): void;
}

/** The target and weight arrays of a projection's CSR, as receive() is given them. */
export interface SynapseArrays {
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  /** Where each source neuron's row starts (rowStart[i] .. rowStart[i + 1]), when known: lets a model check once how rows are ordered. */
  readonly rowStart?: Int32Array;
}

/**
 * A population's grid step split in three, so that the middle part can run on several threads:
 * begin(t) on the main thread; then kernel(lo, hi, spikes) over disjoint ranges [lo, hi) that
 * cover the population, each range on its own thread, all at once; then end(t, ...) on the
 * main thread with the neurons that crossed threshold, range by range in increasing order.
 * step(t) must be exactly begin(t), one kernel call over [0, size) and end(t): the spikes then
 * do not depend on the number of threads, because each neuron's arithmetic and the order in
 * which spikes are reported are the same.
 */
export interface RangeStep {
  /** An ES module a worker thread can import (a file: URL), and the name of its export, a factory: (data) => RangeKernel. */
  readonly module: string;
  readonly factory: string;
  /**
   * The factory's argument, sent to each worker thread: the typed arrays the kernel reads and
   * writes, on SharedArrayBuffers (so that every thread works on the population's own state),
   * and numbers.
   */
  readonly data: unknown;
  /** The kernel on the calling thread (factory(data) there). */
  readonly kernel: RangeKernel;
  begin(t: number): void;
  /**
   * The neurons that crossed threshold: for each range r, spikes[lo[r]] .. spikes[lo[r] +
   * counts[r] - 1] in increasing order (ranges in increasing order of lo).
   */
  end(t: number, spikes: Int32Array, lo: Int32Array, counts: Int32Array): void;
}

/**
 * Steps neurons lo .. hi - 1 by one grid step and writes those that crossed threshold to
 * spikes[lo], spikes[lo + 1], ... in increasing order; returns how many. It may read and write
 * the state of its own neurons only, and anything shared that no kernel writes.
 */
export type RangeKernel = (lo: number, hi: number, spikes: Int32Array) => number;

export interface PopulationContext<P extends object = Params> {
  readonly name: string;
  readonly size: number;
  /** Validated parameters with defaults filled in. */
  readonly params: Readonly<P>;
  /** Initial values given in the scenario, one per neuron, by state variable name. */
  readonly init: ReadonlyMap<string, Float64Array>;
  readonly resolution_ms: number;
  readonly sink: SpikeSink;
  readonly rng: Rng;
}

export interface NeuronModelPlugin<P extends object = Params> extends PluginInfo {
  /** Receptor ports a projection can target (`receptor:` in a projection), e.g. [exc, inh]. */
  readonly receptors: readonly string[];
  /** Recordable and initialisable state variables. */
  readonly state: readonly StateVariableInfo[];
  /** Checks the combination of parameters; returns problems as "param: text" strings. */
  check?(params: Readonly<P>): ParamProblem[];
  create(ctx: PopulationContext<P>): NeuronPopulation;
}

// ---------------------------------------------------------------------------------------
// Inputs

export interface InputContext<P extends object = Params> {
  readonly name: string;
  /** Number of generator neurons (spike inputs); 0 for current inputs. */
  readonly size: number;
  readonly params: Readonly<P>;
  readonly rng: Rng;
  readonly scheduler: Scheduler;
  readonly t_stop_ms: number;
  /** Spike inputs report their spikes here. */
  readonly sink: SpikeSink;
  /** Current inputs drive this population. */
  readonly target?: { readonly name: string; readonly size: number; readonly population: NeuronPopulation };
  /** Every population and spike input, for inputs that react to spikes. */
  readonly populations: ReadonlyMap<string, PopulationView>;
  /** Every projection, for inputs that react to particular synapses. */
  readonly projections: ReadonlyMap<string, ProjectionView>;
}

export interface InputSource {
  /** Schedules the input's first events; called once before the run starts. */
  start(): void;
  /** A graded spike input (e.g. rate-code with train: graded) transmits these values instead of spikes. */
  readonly output?: Float64Array;
  /** Figures the input adds to its entry in summary.json. */
  report?(): Record<string, unknown>;
}

/** An input that encodes one sample at a time (used by training protocols). */
export interface SampleInput extends InputSource {
  /** From time t on, encode the feature vector x (until the next call). */
  present(x: ArrayLike<number>, t: number): void;
}

export function isSampleInput(source: InputSource): source is SampleInput {
  return typeof (source as Partial<SampleInput>).present === 'function';
}

export interface InputSourcePlugin<P extends object = Params> extends PluginInfo {
  /**
   * 'spikes': a generator population, usable as the `from` of projections.
   * 'current': injects current into neurons of a `target` population.
   */
  readonly output: 'spikes' | 'current';
  /** Checks parameters against the input's size or target; problems as for NeuronModelPlugin.check. */
  check?(params: Readonly<P>, size: number, targetSize: number): ParamProblem[];
  create(ctx: InputContext<P>): InputSource;
}

// ---------------------------------------------------------------------------------------
// Recorders (monitors, in Brian2's words: separate from what they observe)

/** What a recorder may see of a population or spike input. */
export interface PopulationView {
  readonly name: string;
  readonly size: number;
  readonly kind: 'neurons' | 'spike-input';
  readonly state: readonly StateVariableInfo[];
  /** Only for kind 'neurons'. */
  readonly population?: NeuronPopulation;
  addSpikeListener(listener: SpikeListener): void;
}

export interface RecorderContext<P extends object = Params> {
  readonly params: Readonly<P>;
  readonly scheduler: Scheduler;
  readonly resolution_ms: number;
  readonly t_stop_ms: number;
  readonly populations: ReadonlyMap<string, PopulationView>;
  readonly projections: ReadonlyMap<string, ProjectionView>;
  /** Each plastic projection's rule, the variables it declares and its dynamics, by projection name (to read a rule's own variables). */
  readonly plasticity: ReadonlyMap<string, { readonly rule: string; readonly variables: readonly RuleVariableInfo[]; readonly dynamics: SynapseDynamics }>;
  /** The recorder's own random stream (a random sample of what to record), seeded from the scenario's seed and the recorder's index. */
  readonly rng: Rng;
}

export interface Recorder {
  /** Writes the recorder's files below outDir; returns their paths relative to outDir. */
  write(outDir: string): Promise<string[]>;
  /** Figures the recorder adds to summary.json (under `recorders`). */
  report?(): Record<string, unknown>;
}

export interface RecorderPlugin<P extends object = Params> extends PluginInfo {
  /** Checks references (population names, variables, neuron indices) before anything runs. */
  check?(
    params: Readonly<P>,
    populations: ReadonlyMap<string, Omit<PopulationView, 'addSpikeListener' | 'population'>>,
    resolution_ms: number,
    projections: readonly string[],
    /** Each plastic projection's rule and the variables it declares, by projection name. */
    rules?: ReadonlyMap<string, { readonly rule: string; readonly variables: readonly RuleVariableInfo[] }>,
  ): ParamProblem[];
  create(ctx: RecorderContext<P>): Recorder;
}

// ---------------------------------------------------------------------------------------
// Plasticity (the synapse dynamics of a projection)

/** What a plasticity rule sees of its projection: CSR arrays it may read, and the weights it owns. */
export interface ProjectionView {
  readonly name: string;
  /** Names of the source and target populations. */
  readonly from: string;
  readonly to: string;
  readonly nPre: number;
  readonly nPost: number;
  readonly rowStart: Int32Array;
  readonly target: Int32Array;
  /** Per-synapse weights; the rule may change them. */
  readonly weight: Float64Array;
  /** Axonal delay per synapse (ms). */
  delayOf(synapse: number): number;
  /**
   * Every synapse has the same axonal delay: a pre spike then reaches its whole row
   * (rowStart[pre] .. rowStart[pre + 1]) in one onPreArrival call, so per-row state can stand
   * in for per-synapse state.
   */
  readonly uniformDelay: boolean;
  /** Dendritic delay (ms): how long a post spike takes to reach the synapse. */
  readonly dendritic_delay_ms: number;
  /**
   * The resolution grid (core/time.ts): compute times as `timeGrid.add(t, delay)`, never as a
   * plain sum, so that times on the grid stay exactly on it and coincidences are exact.
   */
  readonly timeGrid: TimeGrid;
  /**
   * For a graded source (a rate population or graded input): its live output, the
   * presynaptic activity of each pre neuron. Undefined for spiking sources. Set once the
   * network is built: read it when the rule runs, not in its constructor.
   */
  readonly preOutput: Float64Array | undefined;
}

export interface PlasticityContext<P extends object = Params> {
  readonly params: Readonly<P>;
  readonly projection: ProjectionView;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** The neuromodulator channels of the scenario, by name (see ModulatorChannel). */
  readonly modulators: ReadonlyMap<string, ModulatorChannel>;
  /** For rules that need their post neurons brought up to date (e.g. on modulator events). */
  readonly post: NeuronPopulation;
}

// ---------------------------------------------------------------------------------------
// Neuromodulators

/**
 * A named neuromodulator channel. Emitters (a population's or input's spikes, a memory
 * circuit) add pulses; rules read them, either as each pulse arrives (`subscribe`) or lazily,
 * between their own events (`firstAtOrAfter`, `times`, `amounts`). A lazy reader must say which
 * pulses it may still read (`retain`): the channel drops the pulses older than every reader
 * needs, so that a long run does not keep every value the channel ever carried.
 *
 * Indices are absolute (0 = the first pulse ever) and the arrays hold only the kept pulses,
 * `first` to `count - 1`: pulse i is at `times[i - first]`, its values at
 * `amounts[(i - first) * width + k]`.
 */
export interface ModulatorChannel {
  readonly name: string;
  /** Number of values per pulse: 1 for a scalar (volume) signal, or one per neuron. */
  readonly width: number;
  /** Times (ms) of the kept pulses, non-decreasing: pulse i at times[i - first]. */
  readonly times: ArrayLike<number>;
  /** Values of the kept pulses, `width` per pulse. */
  readonly amounts: ArrayLike<number>;
  /** Pulses ever added. */
  readonly count: number;
  /** Index of the oldest pulse kept. The newest pulse is always kept. */
  readonly first: number;
  /** Adds a pulse at time t (not earlier than the last one). */
  pulse(t: number, amounts: number | ArrayLike<number>): void;
  /** Index of the first pulse with time > t (at least `first`). */
  firstAfter(t: number): number;
  /** Index of the first pulse with time >= t (at least `first`). */
  firstAtOrAfter(t: number): number;
  /** Calls listener.onPulse(t, index) for every pulse from now on, as it is added. */
  subscribe(listener: ModulatorListener): void;
  /**
   * For lazy readers: `oldestNeeded()` returns the time (ms) of the oldest pulse this reader may
   * still read (-Infinity: all of them). The channel calls it when it needs room, and drops the
   * pulses older than every reader's answer. A reader that only reads in onPulse need not call it.
   */
  retain(oldestNeeded: () => number): void;
}

/** Reacts to each pulse of a channel as it arrives (rules whose update is driven by the signal). */
export interface ModulatorListener {
  onPulse(t: number, index: number): void;
}

/**
 * Per-projection synapse dynamics, updated lazily (Morrison, Diesmann & Gerstner 2008): a
 * synapse is touched only when a pre spike reaches it. Times are as seen at the synapse: a pre
 * spike at t_pre arrives at t_pre + axonal delay; a post spike at t_post arrives at
 * t_post + dendritic delay (see docs/semantics.md).
 */
export interface SynapseDynamics {
  /**
   * A pre spike of neuron `pre` reaches synapses [start, end) at synapse time tSyn. Their post
   * neurons are up to date, so every post spike that reaches the synapse by tSyn is known.
   * Update the weights here; the engine delivers them right after.
   */
  onPreArrival(tSyn: number, pre: number, start: number, end: number): void;
  /** Post neuron `post` spiked at soma time t (it reaches the synapses at t + dendritic delay). */
  onPostSpike(post: number, t: number): void;
  /**
   * Brings every synapse up to synapse time t (no pre spike involved), so that weights read
   * after a run include every pairing up to then. Called at the end of each run; t never
   * passes a pre arrival that is still in flight. Must not change results of later updates.
   */
  flush?(t: number): void;
  /**
   * A reader of one of the rule's own variables (those its plugin declares in `variables`), for
   * recorders (Brian2's StateMonitor on a synaptic variable): `read(index, t)` gives the value
   * of that synapse (CSR index), pre neuron, post neuron (or, per projection, index 0) at
   * synapse time t, after every event at t that the synapse has seen. It must not change
   * anything a later update reads: a lazy rule integrates its closed form to t on the side,
   * which is why the value is current and not the one the last pre spike left.
   */
  variable?(name: string): ((index: number, t: number) => number) | undefined;
}

/** A variable of a plasticity rule's own state, as a recorder may ask for it (`rule-state`). */
export interface RuleVariableInfo extends StateVariableInfo {
  /** What one value belongs to: a synapse, a pre neuron, a post neuron, or the whole projection. */
  readonly per: 'synapse' | 'pre' | 'post' | 'projection';
}

export interface PlasticityRulePlugin<P extends object = Params> extends PluginInfo {
  /** The rule's own variables a `rule-state` recorder may record (its dynamics reads them: SynapseDynamics.variable). */
  readonly variables?: readonly RuleVariableInfo[];
  /** Checks parameters against the scenario (e.g. that a named modulator channel exists). */
  check?(params: Readonly<P>, scenario: { readonly modulators: ReadonlySet<string> }): ParamProblem[];
  /** The projection's dynamics, or null when the rule needs no calls at all (static synapses). */
  create(ctx: PlasticityContext<P>): SynapseDynamics | null;
}

// ---------------------------------------------------------------------------------------
// Memory circuits (the auxiliary working memory that supplies a modulatory signal)

/** One sample as a layer sees it: network input x, label y, layer output z. */
export interface MemorySample {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
}

export interface MemoryContext<P extends object = Params> {
  readonly params: Readonly<P>;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Dimensions of x, y and z for the layer this circuit serves. */
  readonly dims: { readonly x: number; readonly y: number; readonly z: number };
  /** The channel on which the circuit emits its signal for the layer (width dims.z). */
  readonly channel: ModulatorChannel;
  /** Folder that relative file paths in the parameters are resolved against (the scenario's). */
  readonly baseDir: string;
  /**
   * A read-only view of the network and the training protocol, for baselines that are not
   * local by design (e.g. back-propagation). A biologically plausible memory never uses it.
   */
  readonly network?: NetworkView;
}

export interface NetworkView {
  /** The population this circuit serves. */
  readonly layer: string;
  /** The training readout, and the error the protocol computes from its output and y. */
  readonly readout: string;
  readoutError(out: Float64Array, y: Float64Array): Float64Array;
  population(name: string): { readonly size: number; readonly population?: NeuronPopulation } | undefined;
  /** Every projection (CSR by source: synapse k from j in rowStart[j]..rowStart[j+1]). */
  readonly projections: readonly {
    readonly from: string;
    readonly to: string;
    readonly nPre: number;
    readonly rowStart: Int32Array;
    readonly target: Int32Array;
    readonly weight: Float64Array;
  }[];
}

/** For circuits that learn before use: train one a priori for a layer and save it. */
export interface MemoryPretrainContext<P extends object = Params> {
  readonly params: Readonly<P>;
  readonly dims: { readonly x: number; readonly y: number; readonly z: number };
  /** Seed of the circuit's construction and training streams. */
  readonly seed: number;
  /** The file to write (and to resume from when it holds an unfinished training). */
  readonly out: string;
  readonly resume: boolean;
  /** Called now and then with the samples trained so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A working memory serving one layer. It sees the samples one at a time, in presentation
 * order, never a batch, and emits the layer's modulatory signal (one value per neuron of z) on
 * its channel at times it decides (e.g. a fixed delay after each sample, or continuously).
 */
export interface MemoryCircuit {
  /**
   * The sample just presented: network input x, label y (one-hot) and the layer's output z.
   * The arrays belong to the caller and may be reused afterwards: keep copies.
   */
  present(sample: MemorySample, t: number): void;
}

export interface MemoryCircuitPlugin<P extends object = Params> extends PluginInfo {
  /** Checks the combination of parameters (each one already valid on its own). */
  check?(params: Readonly<P>): ParamProblem[];
  create(ctx: MemoryContext<P>): MemoryCircuit;
  /**
   * Optional: about how many bytes the circuit built for a layer of these dimensions holds
   * (its largest arrays, and what building them needs on the way). The plan adds it to the
   * network's estimate and refuses a scenario over the memory limit before anything is built
   * (docs/reliability.md); without it, the circuit counts as nothing.
   */
  memoryBytes?(params: Readonly<P>, dims: { readonly x: number; readonly y: number; readonly z: number }): number;
  /**
   * Circuits that learn before use (e.g. a reservoir): trains one on random data for a layer
   * of the given dimensions and writes it to ctx.out; returns figures for the user (e.g. the
   * held-out accuracy of its signal). `engram memory train` calls it.
   */
  pretrain?(ctx: MemoryPretrainContext<P>): Promise<Record<string, unknown>>;
}

// ---------------------------------------------------------------------------------------
// Datasets (for training protocols)

/** Labelled samples: one feature vector and one class index per sample. */
export interface LabelledSet {
  readonly x: readonly Float64Array[];
  readonly labels: Int32Array;
}

export interface Dataset {
  readonly nFeatures: number;
  readonly nClasses: number;
  readonly train: LabelledSet;
  readonly test: LabelledSet;
}

export interface DatasetContext<P extends object = Params> {
  readonly params: Readonly<P>;
  /** The dataset's own stream: generated datasets draw from it, so a seed fixes the data. */
  readonly rng: Rng;
  /** Folder that relative data paths are resolved against (the scenario's). */
  readonly baseDir: string;
}

/** What a dataset is, without its samples: enough to plan a network and the run's length. */
export interface DatasetShape {
  readonly nFeatures: number;
  readonly nClasses: number;
  readonly nTrain: number;
  readonly nTest: number;
}

export interface DatasetPlugin<P extends object = Params> extends PluginInfo {
  create(ctx: DatasetContext<P>): Dataset | Promise<Dataset>;
  /**
   * The shape `create` would return, found without reading or generating the samples, so that
   * `engram validate` can plan a training without loading its data. Optional: without it,
   * validation loads the dataset. It may throw a ParamError, as create does.
   */
  shape?(ctx: DatasetContext<P>): DatasetShape;
}

/** The shape of a loaded dataset. */
export function datasetShape(d: Dataset): DatasetShape {
  return { nFeatures: d.nFeatures, nClasses: d.nClasses, nTrain: d.train.x.length, nTest: d.test.x.length };
}

// ---------------------------------------------------------------------------------------
// Translations: how a plugin is written for another simulator (engram export)

/** The simulators `engram export` writes scripts for. */
export type ExportTarget = 'brian2' | 'pynn';

/** What every translation gets: the field it translates, and how to refuse or write values. */
export interface TranslationContext<P extends object = Params> {
  /** The plugin's resolved parameters (defaults filled in). */
  readonly params: Readonly<P>;
  /** The scenario field being translated, for messages: "populations.exc". */
  readonly field: string;
  /** Stops the export with a message naming the field; nothing is written. */
  refuse(field: string, why: string): never;
  /**
   * A value spec of the scenario (a number, a distribution, a list) as target code: Brian2
   * assignment text in `unit` (e.g. "'-60*mV + rand()*10*mV'"), or a PyNN value (a number or a
   * RandomDistribution; `unit` is ignored). Refuses what the target cannot express.
   */
  value(value: unknown, unit: string, field: string): string;
  /** A Python literal of a string, number, boolean or list of them. */
  py(value: unknown): string;
}

export interface PopulationTranslationContext<P extends object = Params> extends TranslationContext<P> {
  /** The Python name of the group (the population's name). */
  readonly name: string;
  readonly size: number;
  /** The scenario's initial values by state variable (value specs, as written). */
  readonly init: Readonly<Record<string, unknown>>;
}

/** A neuron population written for a target. */
export interface TranslatedPopulation {
  /** Python lines that create the group named ctx.name and set its initial values. */
  readonly lines: readonly string[];
  /** Brian2: the unit synaptic weights onto it are written in (e.g. nA), and its dimension (amp). */
  readonly weight?: { readonly unit: string; readonly dimension: string };
  /**
   * How a synapse onto this population delivers its weight, for a projection's receptor
   * (undefined: by the weight's sign) and weight (a number, or undefined when it varies):
   * Brian2, the on_pre statement ("I_ex_post += w"); PyNN, the receptor_type ("excitatory").
   */
  synapseTarget(receptor: string | undefined, weight: number | undefined, field: string): string;
}

export interface SynapseTranslationContext<P extends object = Params> extends TranslationContext<P> {
  /** What the target population's translation says a synapse does with its weight (see TranslatedPopulation.synapseTarget). */
  readonly target: string;
  /** Brian2 weight unit and dimension of the target population. */
  readonly weight: { readonly unit: string; readonly dimension: string };
  /** The projection's weight and total delay (axonal + dendritic), as target code. */
  readonly weightCode: string;
  readonly delayCode: string;
  readonly dendritic_delay_ms: number;
}

/** A projection's synapses written for a target. */
export interface TranslatedSynapse {
  /** Brian2: the Synapses model, on_pre and on_post code (on_pre includes the target statement). */
  readonly model?: string;
  readonly onPre?: string;
  readonly onPost?: string;
  /** PyNN: the synapse type expression, e.g. "sim.StaticSynapse(weight=..., delay=...)". */
  readonly synapse?: string;
}

/**
 * A plugin's translation for one target, contributed under TranslationToken. A plugin that
 * contributes none for a target is refused by name when a scenario using it is exported there.
 * kind and name say which plugin it translates.
 */
export type Translation =
  | { readonly target: ExportTarget; readonly kind: 'neuron'; readonly name: string; population(ctx: PopulationTranslationContext): TranslatedPopulation }
  | { readonly target: ExportTarget; readonly kind: 'input'; readonly name: string; population(ctx: PopulationTranslationContext): readonly string[] }
  | { readonly target: ExportTarget; readonly kind: 'plasticity'; readonly name: string; synapse(ctx: SynapseTranslationContext): TranslatedSynapse };

// ---------------------------------------------------------------------------------------
// The methods each kind of plugin object must have: checked when a plugin creates one, so
// that a missing method is a message at the scenario line (exit 2), not a TypeError mid-run.

export const RequiredMethods = {
  neuron: ['step', 'receive', 'addCurrent', 'read', 'update'],
  input: ['start'],
  recorder: ['write'],
  plasticity: ['onPreArrival', 'onPostSpike'],
  memory: ['present'],
} as const satisfies Record<string, readonly string[]>;
