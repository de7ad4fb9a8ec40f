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

/** A population of one neuron model: state in typed arrays, advanced by the engine. */
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
   */
  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void;
  /** Adds delta_nA to the external current of one neuron from time t on. */
  addCurrent(neuron: number, t: number, delta_nA: number): void;
  /** The value of state variable `variable` (an index into the model's `state`) at time t. */
  read(variable: number, neuron: number, t: number): number;
}

export interface PopulationContext {
  readonly name: string;
  readonly size: number;
  /** Validated parameters with defaults filled in. */
  readonly params: Readonly<Record<string, unknown>>;
  /** Initial values given in the scenario, one per neuron, by state variable name. */
  readonly init: ReadonlyMap<string, Float64Array>;
  readonly resolution_ms: number;
  readonly sink: SpikeSink;
  readonly rng: Rng;
}

export interface NeuronModelPlugin extends PluginInfo {
  /** Receptor ports a projection can target (`receptor:` in a projection), e.g. [exc, inh]. */
  readonly receptors: readonly string[];
  /** Recordable and initialisable state variables. */
  readonly state: readonly StateVariableInfo[];
  /** Checks the combination of parameters; returns problems as "param: text" strings. */
  check?(params: Readonly<Record<string, unknown>>): { param: string; expected: string; found: string }[];
  create(ctx: PopulationContext): NeuronPopulation;
}

// ---------------------------------------------------------------------------------------
// Inputs

export interface InputContext {
  readonly name: string;
  /** Number of generator neurons (spike inputs); 0 for current inputs. */
  readonly size: number;
  readonly params: Readonly<Record<string, unknown>>;
  readonly rng: Rng;
  readonly scheduler: Scheduler;
  readonly t_stop_ms: number;
  /** Spike inputs report their spikes here. */
  readonly sink: SpikeSink;
  /** Current inputs drive this population. */
  readonly target?: { readonly name: string; readonly size: number; readonly population: NeuronPopulation };
}

export interface InputSource {
  /** Schedules the input's first events; called once before the run starts. */
  start(): void;
}

export interface InputSourcePlugin extends PluginInfo {
  /**
   * 'spikes': a generator population, usable as the `from` of projections.
   * 'current': injects current into neurons of a `target` population.
   */
  readonly output: 'spikes' | 'current';
  /** Checks parameters against the input's size or target; problems as for NeuronModelPlugin.check. */
  check?(params: Readonly<Record<string, unknown>>, size: number, targetSize: number): { param: string; expected: string; found: string }[];
  create(ctx: InputContext): InputSource;
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

export interface RecorderContext {
  readonly params: Readonly<Record<string, unknown>>;
  readonly scheduler: Scheduler;
  readonly resolution_ms: number;
  readonly t_stop_ms: number;
  readonly populations: ReadonlyMap<string, PopulationView>;
}

export interface Recorder {
  /** Writes the recorder's files below outDir; returns their paths relative to outDir. */
  write(outDir: string): Promise<string[]>;
}

export interface RecorderPlugin extends PluginInfo {
  /** Checks references (population names, variables, neuron indices) before anything runs. */
  check?(
    params: Readonly<Record<string, unknown>>,
    populations: ReadonlyMap<string, Omit<PopulationView, 'addSpikeListener' | 'population'>>,
    resolution_ms: number,
  ): { param: string; expected: string; found: string }[];
  create(ctx: RecorderContext): Recorder;
}

// ---------------------------------------------------------------------------------------
// Plasticity (the synapse dynamics of a projection)

/** What a plasticity rule sees of its projection: CSR arrays it may read, and the weights it owns. */
export interface ProjectionView {
  readonly name: string;
  readonly nPre: number;
  readonly nPost: number;
  readonly rowStart: Int32Array;
  readonly target: Int32Array;
  /** Per-synapse weights; the rule may change them. */
  readonly weight: Float64Array;
  /** Axonal delay per synapse (ms). */
  delayOf(synapse: number): number;
  /** Dendritic delay (ms): how long a post spike takes to reach the synapse. */
  readonly dendritic_delay_ms: number;
}

export interface PlasticityContext {
  readonly params: Readonly<Record<string, unknown>>;
  readonly projection: ProjectionView;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
}

/** Per-projection synapse dynamics. Called lazily: only on pre spike arrivals and post spikes. */
export interface SynapseDynamics {
  /** A pre spike of neuron `pre` reaches synapses [start, end) at time t, before their weights are delivered. */
  onPreArrival(t: number, pre: number, start: number, end: number): void;
  /** Post neuron `post` spiked at time t (at the soma; add the dendritic delay to see it at the synapse). */
  onPostSpike(post: number, t: number): void;
}

export interface PlasticityRulePlugin extends PluginInfo {
  create(ctx: PlasticityContext): SynapseDynamics;
}

// ---------------------------------------------------------------------------------------
// Memory circuits (the auxiliary working memory that supplies a modulatory signal)

/** One sample as a layer sees it: network input x, label y, layer output z. */
export interface MemorySample {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly z: Float64Array;
}

export interface MemoryContext {
  readonly params: Readonly<Record<string, unknown>>;
  readonly scheduler: Scheduler;
  readonly rng: Rng;
  /** Dimensions of x, y and z for the layer this circuit serves. */
  readonly dims: { readonly x: number; readonly y: number; readonly z: number };
}

export interface MemoryCircuit {
  /** The sample being presented now; the circuit sees samples one at a time, never a batch. */
  present(sample: MemorySample, t: number): void;
  /** The circuit's current output for the layer (one value per neuron of z). */
  output(): Float64Array;
}

export interface MemoryCircuitPlugin extends PluginInfo {
  create(ctx: MemoryContext): MemoryCircuit;
}
