/**
 * construct: the simulation a plan describes (plan.ts). Construction follows the plan's
 * sections in a fixed order, each drawing from its own named random stream, so that the same
 * scenario and seed give the same network whatever is built around it.
 */
import * as path from 'node:path';
import { isSampleInput, RequiredMethods, type PopulationView, type RuleVariableInfo, type SpikeListener, type SynapseDynamics } from '../core/contracts.js';
import { fillValues, type ValueSpec } from '../core/distributions.js';
import { describeValue, EngramError, formatLocation, ParamError, ScenarioError, type Diagnostic, type FieldPath } from '../core/errors.js';
import { Channel, SpikePulseSource } from '../core/modulators.js';
import { connect, ConnectorError } from '../core/network/connectors.js';
import { buildCsr, sortRowsByDelay } from '../core/network/csr.js';
import type { PluginRegistry } from '../core/registry.js';
import { Rng } from '../core/rng.js';
import { Scheduler } from '../core/scheduler.js';
import {
  GradedDelivery,
  PopulationRuntime,
  ProjectionRuntime,
  Simulation,
  type Culprit,
  type GuardSettings,
  type SimulationParts,
} from '../core/simulation.js';
import { TimeGrid } from '../core/time.js';
import type { PluginKind } from '../core/tokens.js';
import {
  errorChannel,
  GradedActivity,
  kernelWidths,
  readoutError,
  signalChannel,
  SpikeCounter,
  Trainer,
  type LayerActivity,
  type TrainingLayer,
} from '../training/protocol.js';
import type { LoadedScenario } from './load.js';
import { planNetwork, type NetworkPlan } from './plan.js';
import type { PreparedTraining } from './prepare.js';
import { firstLine } from './problems.js';

/** Plans and constructs: the simulation of a scenario, ready to run. */
export function buildSimulation(loaded: LoadedScenario, registry: PluginRegistry, training?: PreparedTraining): Simulation {
  return constructNetwork(planNetwork(loaded, registry, training));
}

/** What every step of construction shares. */
interface Builder {
  readonly plan: NetworkPlan;
  readonly scheduler: Scheduler;
  readonly timeGrid: TimeGrid;
  readonly seed: number;
  /** Populations and spike inputs, by name. */
  readonly runtimes: Map<string, PopulationRuntime>;
  /** Runs plugin or connector code, turning what it throws into an error that names the scenario field. */
  guarded<T>(p: FieldPath, fn: () => T, plugin?: { kind: PluginKind; name: string; methods?: readonly string[] }): T;
  /** Which plugin emits on a channel it owns (the memories: xi/<layer>), filled while building, for messages. */
  readonly channelOwners: Map<string, Culprit>;
  /** What each plugin's create() returned, with the plugin and its field, for messages (SimulationParts.pluginInstances). */
  readonly instances: [object, Culprit][];
}

/**
 * Builds the simulation a plan describes: populations, connectivity, plasticity, inputs,
 * recorders and, for a training, its memories (which may train, e.g. a reservoir) and the
 * protocol. A training plan needs its dataset loaded (prepareTraining with load: true).
 */
export function constructNetwork(plan: NetworkPlan): Simulation {
  const { loaded, registry, training, startedAt, s, locate, dt, t_stop_ms, recPlans } = plan;
  if (s.training && !training?.dataset) throw new Error('constructNetwork: a training plan needs its dataset loaded (prepareTraining with load: true)');
  const instances: [object, Culprit][] = [];
  const b: Builder = {
    plan,
    scheduler: new Scheduler(),
    timeGrid: new TimeGrid(dt),
    seed: s.seed,
    runtimes: new Map(),
    guarded: guard(plan, instances),
    channelOwners: new Map(),
    instances,
  };
  const { scheduler } = b;
  // Synaptic deliveries at grid times go to per-step rings instead of the heap (same order).
  scheduler.useGrid(b.plan.dt);

  const populations = constructPopulations(b);
  const inputRuntimes = spikeInputRuntimes(b);
  const modulators = constructModulators(b);
  const projections = constructProjections(b, modulators);
  const views = new Map<string, PopulationView>(b.runtimes);
  const projectionViews = new Map(projections.map((p) => [p.name, p]));
  const inputs = constructInputs(b, inputRuntimes, views, projectionViews);
  const graded = gradedDelivery(b, populations, inputs, projections);

  const plasticity = new Map<string, { rule: string; variables: readonly RuleVariableInfo[]; dynamics: SynapseDynamics }>();
  for (const [i, p] of projections.entries())
    if (p.dynamics) plasticity.set(p.name, { rule: p.ruleName, variables: b.plan.projPlans[i]?.rule?.variables ?? [], dynamics: p.dynamics });
  const recorderTypes = recPlans.map((p) => p!.plugin.name);
  const recorders = recPlans.map((p, i) =>
    b.guarded(
      ['recorders', i],
      () =>
        p!.plugin.create({
          params: p!.params,
          scheduler,
          resolution_ms: dt,
          t_stop_ms,
          populations: views,
          projections: projectionViews,
          plasticity,
          rng: Rng.derive(b.seed, `recorder/${i}`),
        }),
      { kind: 'recorder', name: p!.plugin.name, methods: RequiredMethods.recorder },
    ),
  );

  const sim = new Simulation({
    name: s.name ?? path.basename(loaded.file).replace(/\.(ya?ml|json)$/i, ''),
    seed: b.seed,
    t_stop_ms,
    resolution_ms: dt,
    scheduler,
    populations,
    inputs,
    projections,
    graded,
    modulators: [...modulators.values()],
    recorders,
    recorderTypes,
    build_s: (performance.now() - startedAt) / 1000,
    guards: guardSettings(s.guards),
    describe: (c) => `${registry.describe(c.kind, c.name)}, used by ${c.path.join('.')} at ${formatLocation(locate(c.path))}`,
    channelOwners: b.channelOwners,
    pluginInstances: b.instances,
  });
  attachTraining(b, sim, inputs, projections, modulators);
  return sim;
}

function constructPopulations(b: Builder): PopulationRuntime[] {
  const { dt } = b.plan;
  const populations: PopulationRuntime[] = [];
  for (const p of b.plan.popPlans) {
    const { name, spec, plugin, params } = p!;
    const runtime = new PopulationRuntime(name, spec.size, 'neurons', plugin.name, plugin.state);
    const init = new Map<string, Float64Array>();
    for (const [variable, value] of Object.entries(spec.init)) {
      const arr = new Float64Array(spec.size);
      if (Array.isArray(value)) arr.set(value);
      else
        b.guarded(['populations', name, 'init', variable], () =>
          fillValues(arr, value as ValueSpec, Rng.derive(b.seed, `population/${name}/init/${variable}`)),
        );
      init.set(variable, arr);
    }
    runtime.population = b.guarded(
      ['populations', name],
      () => plugin.create({ name, size: spec.size, params, init, resolution_ms: dt, sink: runtime.router, rng: Rng.derive(b.seed, `population/${name}`) }),
      { kind: 'neuron', name: plugin.name, methods: RequiredMethods.neuron },
    );
    b.runtimes.set(name, runtime);
    populations.push(runtime);
  }
  return populations;
}

/**
 * Spike inputs are sources of projections: their runtimes exist before the projections; the
 * input objects themselves are made after them, so that they can see both.
 */
function spikeInputRuntimes(b: Builder): Map<string, PopulationRuntime> {
  const inputRuntimes = new Map<string, PopulationRuntime>();
  for (const p of b.plan.inputPlans) {
    const { name, spec, plugin } = p!;
    if (plugin.output !== 'spikes') continue;
    const runtime = new PopulationRuntime(name, spec.size!, 'spike-input', plugin.name, []);
    inputRuntimes.set(name, runtime);
    b.runtimes.set(name, runtime);
  }
  return inputRuntimes;
}

/** The scenario's modulator channels (pulses from spikes), then the channels the training makes. */
function constructModulators(b: Builder): Map<string, Channel> {
  const { s, dt, protocolChannels } = b.plan;
  const modulators = new Map<string, Channel>();
  for (const [name, spec] of Object.entries(s.modulators)) {
    const channel = new Channel(name, 1);
    modulators.set(name, channel);
    b.runtimes.get(spec.from)!.addSpikeListener(new SpikePulseSource(channel, b.scheduler, spec.amount, spec.delay_ms ?? dt, b.timeGrid));
  }
  for (const [name, { population }] of protocolChannels) modulators.set(name, new Channel(name, b.runtimes.get(population)!.size));
  return modulators;
}

function constructProjections(b: Builder, modulators: ReadonlyMap<string, Channel>): ProjectionRuntime[] {
  const { s, projPlans } = b.plan;
  const { seed, scheduler, runtimes } = b;
  // training.freeze: the named layers' incoming projections are built without their rule, so
  // their weights stay exactly as initialised (the frozen-hidden baseline of a study).
  const freeze = s.training?.freeze ?? 'none';
  const frozen = new Set<string>(freeze === 'all' ? s.training!.layers.map((l) => l.population) : freeze === 'none' ? [] : freeze);
  const projections: ProjectionRuntime[] = [];
  for (const [i, p] of projPlans.entries()) {
    const { name, spec, port, delaySpec, rule, ruleParams } = p;
    const base: FieldPath = ['projections', i];
    const pre = runtimes.get(spec.from)!;
    const post = runtimes.get(spec.to)!;
    const pairs = b.guarded([...base, 'connector'], () =>
      connect(spec.connector, pre.size, post.size, spec.from === spec.to, Rng.derive(seed, `projection/${name}/connect`)),
    );
    const csr = buildCsr(pre.size, post.size, pairs);
    const n = csr.target.length;
    // Shared, so that worker threads can read the rows they deliver (core/threads.ts).
    const weight = new Float64Array(new SharedArrayBuffer(8 * n));
    if (Array.isArray(spec.weight)) for (let k = 0; k < n; k++) weight[k] = spec.weight[csr.order[k]];
    else b.guarded([...base, 'weight'], () => fillValues(weight, spec.weight as ValueSpec, Rng.derive(seed, `projection/${name}/weight`)));
    let delay: Float64Array | null = null;
    if (typeof delaySpec !== 'number') {
      delay = new Float64Array(n);
      if (Array.isArray(delaySpec)) for (let k = 0; k < n; k++) delay[k] = delaySpec[csr.order[k]];
      else b.guarded([...base, 'delay_ms'], () => fillValues(delay!, delaySpec as ValueSpec, Rng.derive(seed, `projection/${name}/delay`)));
      sortRowsByDelay(csr, weight, delay);
    }
    const runtime = new ProjectionRuntime(
      name,
      spec.from,
      spec.to,
      scheduler,
      pre.size,
      post.size,
      csr.rowStart,
      csr.target,
      weight,
      delay,
      typeof delaySpec === 'number' ? delaySpec : NaN,
      spec.dendritic_delay_ms,
      post.population!,
      port,
      b.timeGrid,
    );
    if (rule && !frozen.has(spec.to)) {
      const dynamics = b.guarded(
        [...base, 'plasticity'],
        () =>
          rule.create({
            params: ruleParams,
            projection: runtime,
            scheduler,
            rng: Rng.derive(seed, `projection/${name}/plasticity`),
            modulators,
            post: post.population!,
          }),
        { kind: 'plasticity', name: rule.name, methods: RequiredMethods.plasticity },
      );
      if (dynamics) {
        runtime.ruleName = rule.name;
        runtime.dynamics = dynamics;
        post.addSpikeListener(new PostSpikeRelay(dynamics));
      }
    }
    pre.router.projections.push(runtime);
    projections.push(runtime);
  }
  return projections;
}

function constructInputs(
  b: Builder,
  inputRuntimes: ReadonlyMap<string, PopulationRuntime>,
  views: ReadonlyMap<string, PopulationView>,
  projectionViews: ReadonlyMap<string, ProjectionRuntime>,
): SimulationParts['inputs'] {
  const { t_stop_ms } = b.plan;
  const inputs: SimulationParts['inputs'] = [];
  for (const p of b.plan.inputPlans) {
    const { name, spec, plugin, params } = p!;
    const runtime = inputRuntimes.get(name);
    const target = spec.target !== undefined ? b.runtimes.get(spec.target) : undefined;
    const source = b.guarded(
      ['inputs', name],
      () =>
        plugin.create({
          name,
          size: spec.size ?? 0,
          params,
          rng: Rng.derive(b.seed, `input/${name}`),
          scheduler: b.scheduler,
          t_stop_ms,
          sink: runtime?.router ?? {
            spike: () => {
              throw new Error(`input ${name} (${plugin.name}) is a current input and cannot emit spikes`);
            },
          },
          target: target ? { name: target.name, size: target.size, population: target.population! } : undefined,
          populations: views,
          projections: projectionViews,
        }),
      { kind: 'input', name: plugin.name, methods: RequiredMethods.input },
    );
    inputs.push({ runtime, source, name, type: plugin.name });
  }
  return inputs;
}

/**
 * Graded sources (rate populations, graded inputs) transmit values instead of spikes: their
 * projections deliver currents on the grid, with one delay and no dendritic part.
 */
function gradedDelivery(
  b: Builder,
  populations: readonly PopulationRuntime[],
  inputs: SimulationParts['inputs'],
  projections: readonly ProjectionRuntime[],
): GradedDelivery[] {
  const { locate } = b.plan;
  const outputs = new Map<string, Float64Array>();
  for (const p of populations) if (p.population!.output) outputs.set(p.name, p.population!.output);
  for (const i of inputs) if (i.source.output) outputs.set(i.name, i.source.output);
  const graded: GradedDelivery[] = [];
  const problems: Diagnostic[] = [];
  for (const [i, runtime] of projections.entries()) {
    const output = outputs.get(runtime.from);
    if (!output) continue;
    const base = ['projections', i];
    if (runtime.delay !== null)
      problems.push({
        location: locate([...base, 'delay_ms']),
        path: [...base, 'delay_ms'].join('.'),
        expected: `one delay for the whole projection: ${runtime.from} is graded (it transmits values, not spikes)`,
        found: 'a delay per synapse',
      });
    if (runtime.dendritic_delay_ms !== 0)
      problems.push({
        location: locate([...base, 'dendritic_delay_ms']),
        path: [...base, 'dendritic_delay_ms'].join('.'),
        expected: `0: ${runtime.from} is graded, and graded transmission has only an axonal delay`,
        found: String(runtime.dendritic_delay_ms),
      });
    runtime.preOutput = output;
    graded.push(new GradedDelivery(runtime, output, b.scheduler));
  }
  if (problems.length) throw new ScenarioError(problems);
  return graded;
}

/** For a training scenario: each layer's memory circuit, then the protocol, attached to the simulation. */
function attachTraining(
  b: Builder,
  sim: Simulation,
  inputs: SimulationParts['inputs'],
  projections: readonly ProjectionRuntime[],
  modulators: ReadonlyMap<string, Channel>,
): void {
  const { s, training, memoryPlans, locate, loaded } = b.plan;
  const tr = s.training;
  if (!tr || !training) return;
  const { runtimes, seed, scheduler } = b;
  const input = inputs.find((i) => i.name === tr.input)!;
  if (!isSampleInput(input.source))
    throw new ScenarioError([
      {
        location: locate(['training', 'input']),
        path: 'training.input',
        expected: 'an input that can present samples (e.g. type rate-code)',
        found: `"${tr.input}" (${input.type})`,
      },
    ]);
  const layers: TrainingLayer[] = memoryPlans.map((p, i) => {
    const runtime = runtimes.get(p.population)!;
    const activity = layerActivity(runtime, tr.graded_read, scheduler, sim.resolution_ms);
    const memory = b.guarded(
      ['training', 'layers', i, 'memory'],
      () =>
        p.plugin.create({
          params: p.params,
          scheduler,
          rng: Rng.derive(seed, `memory/${p.population}`),
          dims: { x: training.shape.nFeatures, y: training.shape.nClasses, z: runtime.size },
          channel: modulators.get(signalChannel(p.population))!,
          baseDir: loaded.dir,
          network: {
            layer: p.population,
            readout: tr.readout,
            readoutError: (out, y) => readoutError(tr, layerIsSpiking(runtimes.get(tr.readout)!), out, y),
            population: (name) => runtimes.get(name),
            projections,
          },
        }),
      { kind: 'memory', name: p.plugin.name, methods: RequiredMethods.memory },
    );
    const culprit = { kind: 'memory', name: p.plugin.name, path: ['training', 'layers', i, 'memory'] } as const;
    b.channelOwners.set(signalChannel(p.population), { ...culprit, path: [...culprit.path] });
    return { name: p.population, activity, memory, sigma: kernelWidths(p.params), memoryName: sim.describeCulprit({ ...culprit, path: [...culprit.path] }) };
  });
  sim.attach(
    new Trainer(
      sim,
      tr,
      training.dataset!,
      training.name,
      input.source,
      layerActivity(runtimes.get(tr.readout)!, tr.graded_read, scheduler, sim.resolution_ms),
      layers,
      modulators.get(errorChannel(tr.readout))!,
      Rng.derive(seed, 'training/shuffle'),
      Rng.derive(seed, 'training/ties'),
    ),
  );
}

/** Runs fn; a failure is reported at p, naming the plugin when it is a plugin's own failure. */
function guard(plan: NetworkPlan, instances: [object, Culprit][]): Builder['guarded'] {
  const { locate, registry } = plan;
  return (p, fn, plugin) => {
    let made: ReturnType<typeof fn>;
    try {
      made = fn();
    } catch (err) {
      if (err instanceof EngramError) throw err;
      if (err instanceof ParamError) {
        // The plugin names the parameter: point at it (or, when it is a default, at the nearest
        // enclosing field the scenario writes).
        const at = [...p, 'params', err.param];
        throw new ScenarioError([{ location: locate(at), path: at.join('.'), expected: err.expected, found: firstLine(err) }]);
      }
      if (err instanceof ConnectorError || err instanceof RangeError)
        throw new ScenarioError([{ location: locate(p), path: p.join('.'), expected: 'a realisable specification', found: firstLine(err) }]);
      const who = plugin ? registry.describe(plugin.kind, plugin.name) : 'a plugin';
      throw new ScenarioError([{ location: locate(p), path: p.join('.'), expected: `${who} to build without error`, found: `it threw: ${firstLine(err)}` }]);
    }
    // What the plugin made must have the methods the engine will call (a plasticity rule may make nothing: static synapses).
    if (plugin?.methods && !(made === null && plugin.kind === 'plasticity')) {
      const missing =
        made === null || typeof made !== 'object' ? plugin.methods : plugin.methods.filter((m) => typeof (made as Record<string, unknown>)[m] !== 'function');
      if (missing.length) {
        const what = made === null || typeof made !== 'object' ? describeValue(made) : `an object without ${missing.join(', ')}`;
        throw new ScenarioError([
          {
            location: locate(p),
            path: p.join('.'),
            expected: `${registry.describe(plugin.kind, plugin.name)} to create an object with the methods ${plugin.methods.join(', ')} (docs/plugins.md)`,
            found: `create() returned ${what}`,
          },
        ]);
      }
    }
    if (plugin && made !== null && typeof made === 'object') instances.push([made, { kind: plugin.kind as Culprit['kind'], name: plugin.name, path: [...p] }]);
    return made;
  };
}

/** What training reads of a layer: the graded output of a rate population, or its spike counts. */
function layerIsSpiking(runtime: PopulationRuntime): boolean {
  return runtime.population?.output === undefined;
}

function layerActivity(runtime: PopulationRuntime, read: 'end' | 'mean', scheduler: Scheduler, resolution_ms: number): LayerActivity {
  const output = runtime.population?.output;
  if (output) return new GradedActivity(output, read === 'mean' ? { scheduler, resolution_ms } : undefined);
  const counter = new SpikeCounter(runtime.size);
  runtime.addSpikeListener(counter);
  return counter;
}

/** Hands post spikes to a projection's synapse dynamics. */
class PostSpikeRelay implements SpikeListener {
  constructor(private readonly dynamics: SynapseDynamics) {}
  onSpike(neuron: number, t: number): void {
    this.dynamics.onPostSpike(neuron, t);
  }
}

/** The guards section with its defaults filled in, or none when disabled. */
function guardSettings(
  g: Partial<{ enabled: boolean; check_every_ms: number; max_rate_hz: number; max_pending_events: number }> | undefined,
): GuardSettings | undefined {
  const all = { enabled: true, check_every_ms: 100, max_rate_hz: 1000, max_pending_events: 50_000_000, ...g };
  return all.enabled ? { check_every_ms: all.check_every_ms, max_rate_hz: all.max_rate_hz, max_pending_events: all.max_pending_events } : undefined;
}
