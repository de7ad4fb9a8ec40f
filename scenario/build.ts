import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerModule } from 'inversify';
import { datasetShape, isSampleInput, type Dataset, type DatasetShape, type MemoryCircuitPlugin, type PopulationView, type SpikeListener, type SynapseDynamics } from '../core/contracts.js';
import { fillValues, specBounds, type ValueSpec } from '../core/distributions.js';
import { describeValue, EngramError, formatLocation, ParamError, ScenarioError, type Diagnostic } from '../core/errors.js';
import { buildCsr, sortRowsByDelay } from '../core/network/csr.js';
import { connect, ConnectorError, connectorProblem } from '../core/network/connectors.js';
import { resolveParams } from '../core/params.js';
import type { PluginRegistry, PluginSource } from '../core/registry.js';
import { Rng } from '../core/rng.js';
import type { FieldPath, LoadedScenario } from './load.js';
import type { ArrayValue } from './schema.js';
import { Channel, SpikePulseSource } from '../core/modulators.js';
import { TimeGrid } from '../core/time.js';
import type { PluginKind } from '../core/tokens.js';
import { Scheduler } from '../core/scheduler.js';
import { errorChannel, GradedActivity, kernelWidths, readoutError, signalChannel, SpikeCounter, Trainer, trainingChannels, type LayerActivity, type TrainingLayer } from '../training/protocol.js';
import { GradedDelivery, PopulationRuntime, ProjectionRuntime, Simulation, type GuardSettings, type SimulationParts } from '../core/simulation.js';

/**
 * Imports the plugin modules a scenario names (`plugins:`), relative to the scenario file or
 * as package names. Each must default-export an inversify ContainerModule.
 */
export async function loadScenarioPlugins(loaded: LoadedScenario): Promise<PluginSource[]> {
  const modules: PluginSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const req = createRequire(path.join(loaded.dir, 'scenario.js'));
  for (const [i, spec] of loaded.scenario.plugins.entries()) {
    const where: FieldPath = ['plugins', i];
    const expected = 'a module that default-exports an inversify ContainerModule';
    let mod: { default?: unknown };
    try {
      const isPath = spec.startsWith('.') || path.isAbsolute(spec);
      const resolved = isPath ? path.resolve(loaded.dir, spec) : req.resolve(spec);
      mod = await import(pathToFileURL(resolved).href);
    } catch (err) {
      diagnostics.push({ location: loaded.source.locate(where), path: `plugins.${i}`, expected, found: `"${spec}", which cannot be loaded: ${firstLine(err)}` });
      continue;
    }
    const m = mod.default as { load?: unknown; id?: unknown } | undefined;
    if (!m || typeof m !== 'object' || typeof m.load !== 'function') {
      diagnostics.push({ location: loaded.source.locate(where), path: `plugins.${i}`, expected, found: `"${spec}" with default export ${describeValue(mod.default)}` });
      continue;
    }
    const at = formatLocation(loaded.source.locate(where));
    modules.push({ module: m as ContainerModule, origin: { description: `from ${spec}, plugins.${i} at ${at}`, field: where } });
  }
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  return modules;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

export interface PreparedTraining {
  readonly name: string;
  /** What the dataset is: enough to plan. */
  readonly shape: DatasetShape;
  /** The samples, when loaded (needed to construct). */
  readonly dataset?: Dataset;
}

/**
 * Resolves and loads a training scenario's dataset (which may read files, hence async) before
 * the network is built, so that its size can fix the run's length and be checked against the
 * input and readout populations.
 */
export async function prepareTraining(loaded: LoadedScenario, registry: PluginRegistry, options: { load?: boolean } = {}): Promise<PreparedTraining | undefined> {
  const tr = loaded.scenario.training;
  if (!tr) return undefined;
  const locate = (p: FieldPath, onKey = false) => loaded.source.locate(p, onKey);
  const plugin = registry.dataset.get(tr.dataset.type);
  if (!plugin) {
    throw new ScenarioError([{ location: locate(['training', 'dataset', 'type']), path: 'training.dataset.type', expected: `a dataset: ${registry.dataset.names().join(', ') || '(none registered)'}`, found: `unknown dataset "${tr.dataset.type}"` }]);
  }
  const { values, diagnostics } = resolveParams(`dataset ${plugin.name}`, plugin.params, tr.dataset.params, ['training', 'dataset', 'params'], locate);
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  try {
    const ctx = { params: values, rng: Rng.derive(loaded.scenario.seed, 'dataset'), baseDir: loaded.dir };
    // Planning alone needs only the shape; a plugin that cannot give it without loading is loaded.
    if (options.load === false && plugin.shape) return { name: plugin.name, shape: plugin.shape(ctx) };
    const dataset = await plugin.create(ctx);
    return { name: plugin.name, shape: datasetShape(dataset), dataset };
  } catch (err) {
    if (err instanceof EngramError) throw err;
    if (err instanceof ParamError) {
      const p = ['training', 'dataset', 'params', err.param];
      const given = Object.hasOwn((tr.dataset.params ?? {}) as object, err.param);
      throw new ScenarioError([{ location: locate(given ? p : ['training', 'dataset']), path: p.join('.'), expected: err.expected, found: firstLine(err) }]);
    }
    throw new ScenarioError([{ location: locate(['training', 'dataset']), path: 'training.dataset', expected: 'a dataset that loads', found: firstLine(err) }]);
  }
}

/** Ways to name a projection when the scenario does not: from_to, then from_to_2, ... */
function projectionNames(specs: { name?: string; from: string; to: string }[]): string[] {
  const used = new Set(specs.flatMap((p) => (p.name ? [p.name] : [])));
  return specs.map((p) => {
    if (p.name) return p.name;
    let name = `${p.from}_${p.to}`;
    for (let k = 2; used.has(name); k++) name = `${p.from}_${p.to}_${k}`;
    used.add(name);
    return name;
  });
}

function lowerBound(value: ArrayValue): number {
  return Array.isArray(value) ? Math.min(...value) : specBounds(value as ValueSpec)[0];
}

/**
 * Checks every cross-reference of a scenario against the plugins, then builds the network.
 * Nothing is constructed until the whole scenario has been checked; all problems found are
 * reported together as one ScenarioError.
 */
/**
 * The plan of a scenario's network: every field checked against the registry (all problems
 * at once, as a ScenarioError), plugins resolved and their parameters validated, sizes and the
 * run's length known. Nothing is allocated, no plugin object is created and no dataset need be
 * loaded (a PreparedTraining with a shape only is enough): `engram validate` stops here, and
 * constructNetwork builds the simulation from the plan.
 */
export function planNetwork(loaded: LoadedScenario, registry: PluginRegistry, training?: PreparedTraining) {
  const startedAt = performance.now();
  const s = loaded.scenario;
  const locate = (p: FieldPath, onKey = false) => loaded.source.locate(p, onKey);
  const diagnostics: Diagnostic[] = [];
  const problem = (p: FieldPath, expected: string, found?: string, onKey = false) =>
    diagnostics.push({ location: locate(p, onKey), path: p.join('.'), expected, found });
  /** A plugin's check() results; a check that throws is reported at p, naming the plugin. */
  const checked = <C>(p: FieldPath, kind: PluginKind, name: string, check: () => C[] | undefined): C[] => {
    try {
      return check() ?? [];
    } catch (err) {
      problem(p, `${registry.describe(kind, name)} to check its parameters without error`, `it threw: ${firstLine(err)}`);
      return [];
    }
  };
  const dt = s.resolution_ms;

  let duration = s.duration_ms ?? 0;
  if (s.training) {
    if (s.duration_ms !== undefined) problem(['duration_ms'], 'no duration_ms in a training scenario: the training section sets the length', String(s.duration_ms), true);
    if (training) duration = Math.ceil(Trainer.duration(s.training, training.shape) / dt - 1e-9) * dt;
  } else if (s.duration_ms === undefined) {
    problem([], 'a duration_ms (or a training section)', 'no duration_ms');
  }
  const steps = Math.round(duration / dt);
  if (s.duration_ms !== undefined && !s.training && (Math.abs(steps * dt - s.duration_ms) > 1e-9 * s.duration_ms || steps < 1)) {
    problem(['duration_ms'], `a whole number of resolution steps (resolution_ms = ${dt})`, String(s.duration_ms));
  }
  // Grid times are k * dt with k exact in a double far beyond this; a run this long would
  // take centuries anyway, so a larger duration is a typo (or a unit mistake).
  const MAX_STEPS = 2 ** 40;
  if (steps > MAX_STEPS) problem(s.training ? ['training', 'epochs'] : ['duration_ms'], `at most 2^40 grid steps (duration / resolution_ms ${dt})`, `${steps.toPrecision(3)} steps`);
  if (Object.keys(s.populations).length === 0) problem(['populations'], 'at least one neuron population', 'none');
  const t_stop_ms = steps * dt;
  const protocolChannels = s.training ? trainingChannels(s.training) : new Map<string, { population: string }>();

  // Populations ------------------------------------------------------------------------
  const popPlans = Object.entries(s.populations).map(([name, spec]) => {
    const plugin = registry.neuron.get(spec.model);
    const base: FieldPath = ['populations', name];
    if (!plugin) {
      problem([...base, 'model'], `a neuron model: ${registry.neuron.names().join(', ') || '(none registered)'}`, `unknown model "${spec.model}"`);
      return undefined;
    }
    const { values, diagnostics: d } = resolveParams(`neuron model ${plugin.name}`, plugin.params, spec.params, [...base, 'params'], locate);
    diagnostics.push(...d);
    if (d.length === 0) for (const c of checked(base, 'neuron', plugin.name, () => plugin.check?.(values))) problem([...base, 'params', c.param], c.expected, c.found);
    const stateNames = plugin.state.map((v) => v.name);
    for (const [variable, value] of Object.entries(spec.init)) {
      if (!stateNames.includes(variable)) problem([...base, 'init', variable], `a state variable of ${plugin.name}: ${stateNames.join(', ')}`, `unknown variable "${variable}"`, true);
      else if (Array.isArray(value) && value.length !== spec.size) problem([...base, 'init', variable], `a list of ${spec.size} values (one per neuron)`, `a list of ${value.length}`);
    }
    return { name, spec, plugin, params: values };
  });

  // Inputs -------------------------------------------------------------------------------
  const inputPlans = Object.entries(s.inputs).map(([name, spec]) => {
    const base: FieldPath = ['inputs', name];
    if (name in s.populations) problem(base, 'an input name different from every population name', `"${name}", also a population`);
    const plugin = registry.input.get(spec.type);
    if (!plugin) {
      problem([...base, 'type'], `an input type: ${registry.input.names().join(', ') || '(none registered)'}`, `unknown type "${spec.type}"`);
      return undefined;
    }
    const { values, diagnostics: d } = resolveParams(`input ${plugin.name}`, plugin.params, spec.params, [...base, 'params'], locate);
    diagnostics.push(...d);
    let targetSize = 0;
    if (plugin.output === 'spikes') {
      if (spec.size === undefined) problem(base, `a size (number of generator neurons) for ${plugin.name} input`, 'no size');
      if (spec.target !== undefined) problem([...base, 'target'], `no target: ${plugin.name} makes spikes; connect it with a projection`, `target ${spec.target}`);
    } else {
      if (spec.size !== undefined) problem([...base, 'size'], `no size: ${plugin.name} drives neurons of its target`, String(spec.size));
      if (spec.target === undefined) problem(base, `a target population for ${plugin.name} input`, 'no target');
      else if (!(spec.target in s.populations)) problem([...base, 'target'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${spec.target}"`);
      else targetSize = s.populations[spec.target].size;
    }
    if (d.length === 0 && (plugin.output === 'spikes' ? spec.size !== undefined : targetSize > 0)) {
      for (const c of checked(base, 'input', plugin.name, () => plugin.check?.(values, spec.size ?? 0, targetSize))) problem([...base, 'params', c.param], c.expected, c.found);
    }
    return { name, spec, plugin, params: values };
  });

  // Projections --------------------------------------------------------------------------
  const names = projectionNames(s.projections);
  const seen = new Map<string, number>();
  const sourceSize = (n: string) => s.populations[n]?.size ?? (s.inputs[n] && inputPlans.find((p) => p?.name === n)?.plugin.output === 'spikes' ? s.inputs[n].size : undefined);
  const projPlans = s.projections.map((spec, i) => {
    const base: FieldPath = ['projections', i];
    const name = names[i];
    if (seen.has(name)) problem([...base, 'name'], 'a projection name used once', `"${name}", also projection ${seen.get(name)}`);
    seen.set(name, i);
    const spikeSources = [...Object.keys(s.populations), ...inputPlans.filter((p) => p?.plugin.output === 'spikes').map((p) => p!.name)];
    if (sourceSize(spec.from) === undefined) problem([...base, 'from'], `a population or spike input: ${spikeSources.join(', ')}`, `"${spec.from}"`);
    const post = popPlans.find((p) => p?.name === spec.to);
    if (!(spec.to in s.populations)) problem([...base, 'to'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${spec.to}"`);
    let port = -1;
    if (spec.receptor !== undefined && post) {
      port = post.plugin.receptors.indexOf(spec.receptor);
      if (port < 0) problem([...base, 'receptor'], `a receptor of ${post.plugin.name}: ${post.plugin.receptors.join(', ')}`, `"${spec.receptor}"`);
    }
    const nPre = sourceSize(spec.from);
    if (nPre !== undefined && post) {
      const why = connectorProblem(spec.connector, nPre, post.spec.size, spec.from === spec.to);
      if (why) problem([...base, 'connector'], 'a realisable specification', why);
    }
    const nPairs = spec.connector.type === 'list' ? spec.connector.pairs.length : -1;
    for (const field of ['weight', 'delay_ms'] as const) {
      const value = spec[field];
      if (Array.isArray(value) && value.length !== nPairs) {
        problem([...base, field], nPairs < 0 ? 'a number or a distribution (lists go with connector type list)' : `a list of ${nPairs} values, one per pair`, `a list of ${value.length}`);
      }
    }
    const delaySpec: ArrayValue = spec.delay_ms ?? dt;
    const minDelay = lowerBound(delaySpec);
    if (minDelay < 0) problem([...base, 'delay_ms'], 'axonal delays >= 0 ms (give a normal distribution a low bound)', String(minDelay));
    else if (minDelay + spec.dendritic_delay_ms < dt * (1 - 1e-9)) {
      problem([...base, 'delay_ms'], `delay_ms + dendritic_delay_ms >= resolution_ms (${dt} ms): spikes are detected up to one step after they happen`, `a smallest delay of ${minDelay + spec.dendritic_delay_ms} ms`);
    }
    let rule;
    let ruleParams: Record<string, unknown> = {};
    if (spec.plasticity) {
      rule = registry.plasticity.get(spec.plasticity.rule);
      if (!rule) problem([...base, 'plasticity', 'rule'], `a plasticity rule: ${registry.plasticity.names().join(', ') || '(none registered)'}`, `unknown rule "${spec.plasticity.rule}"`);
      else {
        const r = resolveParams(`plasticity rule ${rule.name}`, rule.params, spec.plasticity.params, [...base, 'plasticity', 'params'], locate);
        diagnostics.push(...r.diagnostics);
        ruleParams = r.values;
        if (r.diagnostics.length === 0) {
          const found = rule;
          const modulatorNames = new Set([...Object.keys(s.modulators), ...protocolChannels.keys()]);
          for (const c of checked([...base, 'plasticity'], 'plasticity', found.name, () => found.check?.(ruleParams, { modulators: modulatorNames }))) problem([...base, 'plasticity', 'params', c.param], c.expected, c.found);
        }
      }
    }
    return { name, spec, port, delaySpec, rule, ruleParams };
  });

  // Modulators ---------------------------------------------------------------------------
  for (const [name, spec] of Object.entries(s.modulators)) {
    const base: FieldPath = ['modulators', name];
    if (sourceSize(spec.from) === undefined) problem([...base, 'from'], `a population or spike input whose spikes make the pulses`, `"${spec.from}"`);
    if (spec.delay_ms !== undefined && spec.delay_ms < dt * (1 - 1e-9)) {
      problem([...base, 'delay_ms'], `a delay >= resolution_ms (${dt} ms): spikes are detected up to one step after they happen`, String(spec.delay_ms));
    }
  }

  // Training -----------------------------------------------------------------------------
  const memoryPlans: { population: string; plugin: MemoryCircuitPlugin; params: Record<string, unknown> }[] = [];
  if (s.training) {
    const tr = s.training;
    const inputPlan = inputPlans.find((p) => p?.name === tr.input);
    if (!inputPlan || inputPlan.plugin.output !== 'spikes') {
      problem(['training', 'input'], `a spike input that encodes samples (e.g. type rate-code): ${inputPlans.filter((p) => p?.plugin.output === 'spikes').map((p) => p!.name).join(', ') || '(none)'}`, `"${tr.input}"`);
    } else if (training && inputPlan.spec.size !== training.shape.nFeatures) {
      problem(['inputs', tr.input, 'size'], `${training.shape.nFeatures} generator neurons, one per feature of ${training.name}`, String(inputPlan.spec.size));
    }
    if (!(tr.readout in s.populations)) problem(['training', 'readout'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${tr.readout}"`);
    else if (training && s.populations[tr.readout].size !== training.shape.nClasses) {
      problem(['populations', tr.readout, 'size'], `${training.shape.nClasses} neurons, one per class of ${training.name}`, String(s.populations[tr.readout].size));
    }
    tr.layers.forEach((layer, i) => {
      const base: FieldPath = ['training', 'layers', i];
      if (!(layer.population in s.populations)) problem([...base, 'population'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${layer.population}"`);
      const plugin = registry.memory.get(layer.memory.type);
      if (!plugin) {
        problem([...base, 'memory', 'type'], `a memory circuit: ${registry.memory.names().join(', ') || '(none registered)'}`, `unknown type "${layer.memory.type}"`);
        return;
      }
      const check = plugin.check;
      const r = resolveParams(`memory circuit ${plugin.name}`, plugin.params, layer.memory.params, [...base, 'memory', 'params'], locate, check && ((v) => checked([...base, 'memory'], 'memory', plugin.name, () => check(v))));
      diagnostics.push(...r.diagnostics);
      memoryPlans.push({ population: layer.population, plugin, params: r.values });
    });
    if (Array.isArray(tr.freeze)) {
      const layerNames = new Set(tr.layers.map((l) => l.population));
      tr.freeze.forEach((name, i) => {
        if (!layerNames.has(name)) problem(['training', 'freeze', i], `a training layer: ${[...layerNames].join(', ') || '(none)'}, or all`, `"${name}"`);
      });
    }
    if (protocolChannels.size && Object.keys(s.modulators).some((m) => protocolChannels.has(m))) {
      problem(['modulators'], 'channel names other than xi/<layer> and error/<readout>, which training makes', Object.keys(s.modulators).filter((m) => protocolChannels.has(m)).join(', '));
    }
  }

  // Recorders ----------------------------------------------------------------------------
  const viewInfo = new Map<string, Omit<PopulationView, 'addSpikeListener' | 'population'>>();
  for (const p of popPlans) if (p) viewInfo.set(p.name, { name: p.name, size: p.spec.size, kind: 'neurons', state: p.plugin.state });
  for (const p of inputPlans) if (p && p.plugin.output === 'spikes' && p.spec.size) viewInfo.set(p.name, { name: p.name, size: p.spec.size, kind: 'spike-input', state: [] });
  const recPlans = s.recorders.map((spec, i) => {
    const base: FieldPath = ['recorders', i];
    const plugin = registry.recorder.get(spec.type);
    if (!plugin) {
      problem([...base, 'type'], `a recorder type: ${registry.recorder.names().join(', ') || '(none registered)'}`, `unknown type "${spec.type}"`);
      return undefined;
    }
    const { values, diagnostics: d } = resolveParams(`recorder ${plugin.name}`, plugin.params, spec.params, [...base, 'params'], locate);
    diagnostics.push(...d);
    if (d.length === 0) for (const c of checked(base, 'recorder', plugin.name, () => plugin.check?.(values, viewInfo, dt, names))) problem([...base, 'params', c.param], c.expected, c.found);
    return { plugin, params: values };
  });

  if (diagnostics.length) throw new ScenarioError(diagnostics);
  return { loaded, registry, training, startedAt, s, locate, dt, t_stop_ms, popPlans, inputPlans, projPlans, memoryPlans, recPlans, protocolChannels };
}

export type NetworkPlan = ReturnType<typeof planNetwork>;

/** Plans and constructs: the simulation of a scenario, ready to run. */
export function buildSimulation(loaded: LoadedScenario, registry: PluginRegistry, training?: PreparedTraining): Simulation {
  return constructNetwork(planNetwork(loaded, registry, training));
}

/**
 * Builds the simulation a plan describes: populations, connectivity, plasticity, inputs,
 * recorders and, for a training, its memories (which may train, e.g. a reservoir) and the
 * protocol. A training plan needs its dataset loaded (prepareTraining with load: true).
 */
export function constructNetwork(plan: NetworkPlan): Simulation {
  const { loaded, registry, training, startedAt, s, locate, dt, t_stop_ms, popPlans, inputPlans, projPlans, memoryPlans, recPlans, protocolChannels } = plan;
  if (s.training && !training?.dataset) throw new Error('constructNetwork: a training plan needs its dataset loaded (prepareTraining with load: true)');
  // Construction -------------------------------------------------------------------------
  const scheduler = new Scheduler();
  const timeGrid = new TimeGrid(dt);
  const seed = s.seed;
  const runtimes = new Map<string, PopulationRuntime>();
  const populations: PopulationRuntime[] = [];
  for (const plan of popPlans) {
    const { name, spec, plugin, params } = plan!;
    const runtime = new PopulationRuntime(name, spec.size, 'neurons', plugin.name, plugin.state);
    const init = new Map<string, Float64Array>();
    for (const [variable, value] of Object.entries(spec.init)) {
      const arr = new Float64Array(spec.size);
      if (Array.isArray(value)) arr.set(value);
      else guarded(['populations', name, 'init', variable], () => fillValues(arr, value as ValueSpec, Rng.derive(seed, `population/${name}/init/${variable}`)));
      init.set(variable, arr);
    }
    runtime.population = guarded(
      ['populations', name],
      () => plugin.create({ name, size: spec.size, params, init, resolution_ms: dt, sink: runtime.router, rng: Rng.derive(seed, `population/${name}`) }),
      { kind: 'neuron', name: plugin.name },
    );
    runtimes.set(name, runtime);
    populations.push(runtime);
  }

  // Spike inputs are sources of projections: their runtimes exist before the projections;
  // the input objects themselves are made after them, so that they can see both.
  const inputRuntimes = new Map<string, PopulationRuntime>();
  for (const plan of inputPlans) {
    const { name, spec, plugin } = plan!;
    if (plugin.output !== 'spikes') continue;
    const runtime = new PopulationRuntime(name, spec.size!, 'spike-input', plugin.name, []);
    inputRuntimes.set(name, runtime);
    runtimes.set(name, runtime);
  }

  const modulators = new Map<string, Channel>();
  for (const [name, spec] of Object.entries(s.modulators)) {
    const channel = new Channel(name, 1);
    modulators.set(name, channel);
    runtimes.get(spec.from)!.addSpikeListener(new SpikePulseSource(channel, scheduler, spec.amount, spec.delay_ms ?? dt, timeGrid));
  }
  for (const [name, { population }] of protocolChannels) modulators.set(name, new Channel(name, runtimes.get(population)!.size));

  // training.freeze: the named layers' incoming projections are built without their rule, so
  // their weights stay exactly as initialised (the frozen-hidden baseline of a study).
  const freeze = s.training?.freeze ?? 'none';
  const frozen = new Set<string>(freeze === 'all' ? s.training!.layers.map((l) => l.population) : freeze === 'none' ? [] : freeze);
  const projections: ProjectionRuntime[] = [];
  for (const [i, plan] of projPlans.entries()) {
    const { name, spec, port, delaySpec, rule, ruleParams } = plan;
    const base: FieldPath = ['projections', i];
    const pre = runtimes.get(spec.from)!;
    const post = runtimes.get(spec.to)!;
    const pairs = guarded([...base, 'connector'], () => connect(spec.connector, pre.size, post.size, spec.from === spec.to, Rng.derive(seed, `projection/${name}/connect`)));
    const csr = buildCsr(pre.size, post.size, pairs);
    const n = csr.target.length;
    const weight = new Float64Array(n);
    if (Array.isArray(spec.weight)) for (let k = 0; k < n; k++) weight[k] = spec.weight[csr.order[k]];
    else guarded([...base, 'weight'], () => fillValues(weight, spec.weight as ValueSpec, Rng.derive(seed, `projection/${name}/weight`)));
    let delay: Float64Array | null = null;
    if (typeof delaySpec !== 'number') {
      delay = new Float64Array(n);
      if (Array.isArray(delaySpec)) for (let k = 0; k < n; k++) delay[k] = delaySpec[csr.order[k]];
      else guarded([...base, 'delay_ms'], () => fillValues(delay!, delaySpec as ValueSpec, Rng.derive(seed, `projection/${name}/delay`)));
      sortRowsByDelay(csr, weight, delay);
    }
    const runtime = new ProjectionRuntime(
      name, spec.from, spec.to, scheduler, pre.size, post.size, csr.rowStart, csr.target, weight, delay,
      typeof delaySpec === 'number' ? delaySpec : NaN, spec.dendritic_delay_ms, post.population!, port, timeGrid,
    );
    if (rule && !frozen.has(spec.to)) {
      const dynamics = guarded(
        [...base, 'plasticity'],
        () => rule.create({ params: ruleParams, projection: runtime, scheduler, rng: Rng.derive(seed, `projection/${name}/plasticity`), modulators, post: post.population! }),
        { kind: 'plasticity', name: rule.name },
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

  const views = new Map<string, PopulationView>(runtimes);
  const projectionViews = new Map(projections.map((p) => [p.name, p]));
  const inputs: SimulationParts['inputs'] = [];
  for (const plan of inputPlans) {
    const { name, spec, plugin, params } = plan!;
    const runtime = inputRuntimes.get(name);
    const target = spec.target !== undefined ? runtimes.get(spec.target) : undefined;
    const source = guarded(['inputs', name], () =>
      plugin.create({
        name,
        size: spec.size ?? 0,
        params,
        rng: Rng.derive(seed, `input/${name}`),
        scheduler,
        t_stop_ms,
        sink: runtime?.router ?? { spike: () => { throw new Error(`input ${name} (${plugin.name}) is a current input and cannot emit spikes`); } },
        target: target ? { name: target.name, size: target.size, population: target.population! } : undefined,
        populations: views,
        projections: projectionViews,
      }),
      { kind: 'input', name: plugin.name },
    );
    inputs.push({ runtime, source, name, type: plugin.name });
  }

  // Graded sources (rate populations, graded inputs) transmit values instead of spikes: their
  // projections deliver currents on the grid, with one delay and no dendritic part.
  const outputs = new Map<string, Float64Array>();
  for (const p of populations) if (p.population!.output) outputs.set(p.name, p.population!.output);
  for (const i of inputs) if (i.source.output) outputs.set(i.name, i.source.output);
  const graded: GradedDelivery[] = [];
  const gradedProblems: Diagnostic[] = [];
  for (const [i, runtime] of projections.entries()) {
    const output = outputs.get(runtime.from);
    if (!output) continue;
    const base = ['projections', i];
    if (runtime.delay !== null) gradedProblems.push({ location: locate([...base, 'delay_ms']), path: [...base, 'delay_ms'].join('.'), expected: `one delay for the whole projection: ${runtime.from} is graded (it transmits values, not spikes)`, found: 'a delay per synapse' });
    if (runtime.dendritic_delay_ms !== 0) gradedProblems.push({ location: locate([...base, 'dendritic_delay_ms']), path: [...base, 'dendritic_delay_ms'].join('.'), expected: `0: ${runtime.from} is graded, and graded transmission has only an axonal delay`, found: String(runtime.dendritic_delay_ms) });
    runtime.preOutput = output;
    graded.push(new GradedDelivery(runtime, output, scheduler));
  }
  if (gradedProblems.length) throw new ScenarioError(gradedProblems);

  const recorderTypes = recPlans.map((plan) => plan!.plugin.name);
  const recorders = recPlans.map((plan, i) =>
    guarded(['recorders', i], () => plan!.plugin.create({ params: plan!.params, scheduler, resolution_ms: dt, t_stop_ms, populations: views, projections: projectionViews }), { kind: 'recorder', name: plan!.plugin.name }),
  );

  const sim = new Simulation({
    name: s.name ?? path.basename(loaded.file).replace(/\.(ya?ml|json)$/i, ''),
    seed,
    t_stop_ms,
    resolution_ms: dt,
    scheduler,
    populations,
    inputs,
    projections,
    graded,
    recorders,
    recorderTypes,
    build_s: (performance.now() - startedAt) / 1000,
    guards: guardSettings(s.guards),
    describe: (c) => {
      const at = formatLocation(locate(c.path));
      return `${registry.describe(c.kind, c.name)}, used by ${c.path.join('.')} at ${at}`;
    },
  });

  if (s.training && training) {
    const tr = s.training;
    const source = inputs.find((i) => i.name === tr.input)!.source;
    if (!isSampleInput(source)) throw new ScenarioError([{ location: locate(['training', 'input']), path: 'training.input', expected: 'an input that can present samples (e.g. type rate-code)', found: `"${tr.input}" (${inputs.find((i) => i.name === tr.input)!.type})` }]);
    const layers: TrainingLayer[] = memoryPlans.map((plan, i) => {
      const runtime = runtimes.get(plan.population)!;
      const activity = layerActivity(runtime);
      const memory = guarded(['training', 'layers', i, 'memory'], () =>
        plan.plugin.create({
          params: plan.params,
          scheduler,
          rng: Rng.derive(seed, `memory/${plan.population}`),
          dims: { x: training.shape.nFeatures, y: training.shape.nClasses, z: runtime.size },
          channel: modulators.get(signalChannel(plan.population))!,
          baseDir: loaded.dir,
          network: {
            layer: plan.population,
            readout: tr.readout,
            readoutError: (out, y) => readoutError(tr, layerIsSpiking(runtimes.get(tr.readout)!), out, y),
            population: (name) => runtimes.get(name),
            projections,
          },
        }),
        { kind: 'memory', name: plan.plugin.name },
      );
      return { name: plan.population, activity, memory, sigma: kernelWidths(plan.params) };
    });
    sim.attach(new Trainer(sim, tr, training.dataset!, training.name, source, layerActivity(runtimes.get(tr.readout)!), layers, modulators.get(errorChannel(tr.readout))!, Rng.derive(seed, 'training/shuffle'), Rng.derive(seed, 'training/ties')));
  }
  return sim;

  /** Runs plugin or connector code, turning what it throws into an error that names the scenario field. */
  /** Runs fn; a failure is reported at p, naming the plugin when it is a plugin's own failure. */
  function guarded<T>(p: FieldPath, fn: () => T, plugin?: { kind: PluginKind; name: string }): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof EngramError) throw err;
      if (err instanceof ParamError) {
        // The plugin names the parameter: point at it (or, when it is a default, at the nearest
        // enclosing field the scenario writes).
        const at = [...p, 'params', err.param];
        throw new ScenarioError([{ location: locate(at), path: at.join('.'), expected: err.expected, found: firstLine(err) }]);
      }
      if (err instanceof ConnectorError || err instanceof RangeError) throw new ScenarioError([{ location: locate(p), path: p.join('.'), expected: 'a realisable specification', found: firstLine(err) }]);
      const who = plugin ? registry.describe(plugin.kind, plugin.name) : 'a plugin';
      throw new ScenarioError([{ location: locate(p), path: p.join('.'), expected: `${who} to build without error`, found: `it threw: ${firstLine(err)}` }]);
    }
  }
}

/** What training reads of a layer: the graded output of a rate population, or its spike counts. */
function layerIsSpiking(runtime: PopulationRuntime): boolean {
  return runtime.population?.output === undefined;
}

function layerActivity(runtime: PopulationRuntime): LayerActivity {
  const output = runtime.population?.output;
  if (output) return new GradedActivity(output);
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
function guardSettings(g: Partial<{ enabled: boolean; check_every_ms: number; max_rate_hz: number; max_pending_events: number }> | undefined): GuardSettings | undefined {
  const all = { enabled: true, check_every_ms: 100, max_rate_hz: 1000, max_pending_events: 50_000_000, ...g };
  return all.enabled ? { check_every_ms: all.check_every_ms, max_rate_hz: all.max_rate_hz, max_pending_events: all.max_pending_events } : undefined;
}
