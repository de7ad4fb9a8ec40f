/**
 * plan: a scenario checked against the plugins, every problem at once, with nothing built.
 * Each section of the scenario has its planner below; they share a Planner (the scenario,
 * the registry, the problems found so far, and the lookup-resolve-check of a plugin that
 * every section does). constructNetwork (construct.ts) builds the simulation from the plan.
 */
import type { DatasetShape, PopulationView, RuleVariableInfo } from '../core/contracts.js';
import { specBounds, type ValueSpec } from '../core/distributions.js';
import { ScenarioError, type Diagnostic, type FieldPath, type SourceLocation } from '../core/errors.js';
import { connectorProblem } from '../core/network/connectors.js';
import { resolveParams } from '../core/params.js';
import type { PluginRegistry } from '../core/registry.js';
import { totalmem } from 'node:os';
import { PluginKindLabels, type PluginKind } from '../core/tokens.js';
import { Trainer, trainingChannels } from '../training/protocol.js';
import type { LoadedScenario } from './load.js';
import type { PreparedTraining } from './prepare.js';
import { firstLine } from './problems.js';
import { didYouMean } from '../core/suggest.js';
import type { ArrayValue, Scenario } from './schema.js';

type PluginOf<K extends PluginKind> = NonNullable<ReturnType<PluginRegistry[K]['get']>>;
type Problems = { param: string; expected: string; found: string }[];

/** What every section's planner shares. */
class Planner {
  readonly diagnostics: Diagnostic[] = [];
  readonly dt: number;

  constructor(
    readonly loaded: LoadedScenario,
    readonly registry: PluginRegistry,
  ) {
    this.dt = loaded.scenario.resolution_ms;
  }

  get s(): Scenario {
    return this.loaded.scenario;
  }

  locate = (p: FieldPath, onKey = false): SourceLocation => this.loaded.source.locate(p, onKey);

  problem(p: FieldPath, expected: string, found?: string, onKey = false): void {
    this.diagnostics.push({ location: this.locate(p, onKey), path: p.join('.'), expected, found });
  }

  /** The plugin a field names, or a problem at the field listing the plugins of its kind. */
  plugin<K extends PluginKind>(kind: K, name: string, field: FieldPath, label: string, noun: string): PluginOf<K> | undefined {
    const table = this.registry.table(kind);
    const plugin = table.get(name);
    if (!plugin)
      this.problem(field, `${label}: ${table.names().join(', ') || '(none registered)'}`, `unknown ${noun} "${name}"${didYouMean(name, table.names())}`);
    return plugin as PluginOf<K> | undefined;
  }

  /**
   * A plugin's parameters resolved against its specs (defaults filled in), then its check of
   * the combination (reported at `checkAt`.params.<param>); `ok` is false when any value was invalid.
   */
  params(
    kind: PluginKind,
    plugin: { name: string; params: PluginOf<PluginKind>['params'] },
    raw: unknown,
    paramsPath: FieldPath,
    checkAt: FieldPath,
    check?: (values: Record<string, unknown>) => Problems | undefined,
  ): { values: Record<string, unknown>; ok: boolean } {
    const { values, diagnostics } = resolveParams(`${PluginKindLabels[kind]} ${plugin.name}`, plugin.params, raw, paramsPath, this.locate);
    this.diagnostics.push(...diagnostics);
    const ok = diagnostics.length === 0;
    if (ok && check) for (const c of this.checked(checkAt, kind, plugin.name, () => check(values))) this.problem([...paramsPath, c.param], c.expected, c.found);
    return { values, ok };
  }

  /** A plugin's check() results; a check that throws is reported at p, naming the plugin. */
  checked<C>(p: FieldPath, kind: PluginKind, name: string, check: () => C[] | undefined): C[] {
    try {
      return check() ?? [];
    } catch (err) {
      this.problem(p, `${this.registry.describe(kind, name)} to check its parameters without error`, `it threw: ${firstLine(err)}`);
      return [];
    }
  }
}

/**
 * The plan of a scenario's network: every field checked against the registry (all problems
 * at once, as a ScenarioError), plugins resolved and their parameters validated, sizes and the
 * run's length known. Nothing is allocated, no plugin object is created and no dataset need be
 * loaded (a PreparedTraining with a shape only is enough): `engram validate` stops here, and
 * constructNetwork builds the simulation from the plan.
 */
export function planNetwork(loaded: LoadedScenario, registry: PluginRegistry, training?: PreparedTraining) {
  const startedAt = performance.now();
  const pl = new Planner(loaded, registry);
  const s = loaded.scenario;
  const t_stop_ms = planDuration(pl, training);
  const protocolChannels = s.training ? trainingChannels(s.training) : new Map<string, { population: string }>();
  const popPlans = planPopulations(pl);
  const inputPlans = planInputs(pl);
  const sourceSize = (n: string) =>
    s.populations[n]?.size ?? (s.inputs[n] && inputPlans.find((p) => p?.name === n)?.plugin.output === 'spikes' ? s.inputs[n].size : undefined);
  const { names, projPlans } = planProjections(pl, popPlans, inputPlans, sourceSize, protocolChannels);
  planModulators(pl, sourceSize);
  const memoryPlans = planTraining(pl, training, inputPlans, protocolChannels);
  const rules = new Map<string, { rule: string; variables: readonly RuleVariableInfo[] }>();
  for (const p of projPlans) if (p.rule) rules.set(p.name, { rule: p.rule.name, variables: p.rule.variables ?? [] });
  const recPlans = planRecorders(pl, popPlans, inputPlans, names, rules);
  if (pl.diagnostics.length === 0)
    checkMemory(
      pl,
      sourceSize,
      memoryPlans.map((m) => ({
        ...m,
        field: ['training', 'layers', m.layer, 'memory', 'params'] as FieldPath,
        dims: { x: training?.shape.nFeatures ?? 0, y: training?.shape.nClasses ?? 0, z: s.populations[m.population]?.size ?? 0 },
      })),
      training?.shape,
    );
  if (pl.diagnostics.length) throw new ScenarioError(pl.diagnostics);
  return {
    loaded,
    registry,
    training,
    startedAt,
    s,
    locate: pl.locate,
    dt: pl.dt,
    t_stop_ms,
    popPlans,
    inputPlans,
    projPlans,
    memoryPlans,
    recPlans,
    protocolChannels,
  };
}

export type NetworkPlan = ReturnType<typeof planNetwork>;

/** The run's length: duration_ms, or what the training section takes; on the grid, below 2^40 steps. */
function planDuration(pl: Planner, training: PreparedTraining | undefined): number {
  const { s, dt } = pl;
  let duration = s.duration_ms ?? 0;
  if (s.training) {
    if (s.duration_ms !== undefined)
      pl.problem(['duration_ms'], 'no duration_ms in a training scenario: the training section sets the length', String(s.duration_ms), true);
    if (training) duration = Math.ceil(Trainer.duration(s.training, training.shape) / dt - 1e-9) * dt;
  } else if (s.duration_ms === undefined) {
    pl.problem([], 'a duration_ms (or a training section)', 'no duration_ms');
  }
  const steps = Math.round(duration / dt);
  if (s.duration_ms !== undefined && !s.training && (Math.abs(steps * dt - s.duration_ms) > 1e-9 * s.duration_ms || steps < 1)) {
    pl.problem(['duration_ms'], `a whole number of resolution steps (resolution_ms = ${dt})`, String(s.duration_ms));
  }
  // Grid times are k * dt with k exact in a double far beyond this; a run this long would
  // take centuries anyway, so a larger duration is a typo (or a unit mistake).
  const MAX_STEPS = 2 ** 40;
  if (steps > MAX_STEPS)
    pl.problem(
      s.training ? ['training', 'epochs'] : ['duration_ms'],
      `at most 2^40 grid steps (duration / resolution_ms ${dt})`,
      `${steps.toPrecision(3)} steps`,
    );
  if (Object.keys(s.populations).length === 0) pl.problem(['populations'], 'at least one neuron population', 'none');
  return steps * dt;
}

function planPopulations(pl: Planner) {
  return Object.entries(pl.s.populations).map(([name, spec]) => {
    const base: FieldPath = ['populations', name];
    const plugin = pl.plugin('neuron', spec.model, [...base, 'model'], 'a neuron model', 'model');
    if (!plugin) return undefined;
    const { values } = pl.params('neuron', plugin, spec.params, [...base, 'params'], base, (v) => plugin.check?.(v));
    const stateNames = plugin.state.map((v) => v.name);
    for (const [variable, value] of Object.entries(spec.init)) {
      if (!stateNames.includes(variable))
        pl.problem([...base, 'init', variable], `a state variable of ${plugin.name}: ${stateNames.join(', ')}`, `unknown variable "${variable}"`, true);
      else if (Array.isArray(value) && value.length !== spec.size)
        pl.problem([...base, 'init', variable], `a list of ${spec.size} values (one per neuron)`, `a list of ${value.length}`);
    }
    return { name, spec, plugin, params: values };
  });
}

type PopulationPlans = ReturnType<typeof planPopulations>;

function planInputs(pl: Planner) {
  const { s } = pl;
  return Object.entries(s.inputs).map(([name, spec]) => {
    const base: FieldPath = ['inputs', name];
    if (name in s.populations) pl.problem(base, 'an input name different from every population name', `"${name}", also a population`);
    const plugin = pl.plugin('input', spec.type, [...base, 'type'], 'an input type', 'type');
    if (!plugin) return undefined;
    let targetSize = 0;
    if (plugin.output === 'spikes') {
      if (spec.size === undefined) pl.problem(base, `a size (number of generator neurons) for ${plugin.name} input`, 'no size');
      if (spec.target !== undefined)
        pl.problem([...base, 'target'], `no target: ${plugin.name} makes spikes; connect it with a projection`, `target ${spec.target}`);
    } else {
      if (spec.size !== undefined) pl.problem([...base, 'size'], `no size: ${plugin.name} drives neurons of its target`, String(spec.size));
      if (spec.target === undefined) pl.problem(base, `a target population for ${plugin.name} input`, 'no target');
      else if (!(spec.target in s.populations)) pl.problem([...base, 'target'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${spec.target}"`);
      else targetSize = s.populations[spec.target].size;
    }
    // The input's check sees its size or its target's: only once those are known.
    const sized = plugin.output === 'spikes' ? spec.size !== undefined : targetSize > 0;
    const { values } = pl.params(
      'input',
      plugin,
      spec.params,
      [...base, 'params'],
      base,
      sized ? (v) => plugin.check?.(v, spec.size ?? 0, targetSize) : undefined,
    );
    return { name, spec, plugin, params: values };
  });
}

type InputPlans = ReturnType<typeof planInputs>;

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

function planProjections(
  pl: Planner,
  popPlans: PopulationPlans,
  inputPlans: InputPlans,
  sourceSize: (n: string) => number | undefined,
  protocolChannels: ReadonlyMap<string, unknown>,
) {
  const { s, dt } = pl;
  const names = projectionNames(s.projections);
  const seen = new Map<string, number>();
  const projPlans = s.projections.map((spec, i) => {
    const base: FieldPath = ['projections', i];
    const name = names[i];
    if (seen.has(name)) pl.problem([...base, 'name'], 'a projection name used once', `"${name}", also projection ${seen.get(name)}`);
    seen.set(name, i);
    const spikeSources = [...Object.keys(s.populations), ...inputPlans.filter((p) => p?.plugin.output === 'spikes').map((p) => p!.name)];
    if (sourceSize(spec.from) === undefined) pl.problem([...base, 'from'], `a population or spike input: ${spikeSources.join(', ')}`, `"${spec.from}"`);
    const post = popPlans.find((p) => p?.name === spec.to);
    if (!(spec.to in s.populations)) pl.problem([...base, 'to'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${spec.to}"`);
    let port = -1;
    if (spec.receptor !== undefined && post) {
      port = post.plugin.receptors.indexOf(spec.receptor);
      if (port < 0) pl.problem([...base, 'receptor'], `a receptor of ${post.plugin.name}: ${post.plugin.receptors.join(', ')}`, `"${spec.receptor}"`);
    }
    const nPre = sourceSize(spec.from);
    if (nPre !== undefined && post) {
      const why = connectorProblem(spec.connector, nPre, post.spec.size, spec.from === spec.to);
      if (why) pl.problem([...base, 'connector'], 'a realisable specification', why);
    }
    const nPairs = spec.connector.type === 'list' ? spec.connector.pairs.length : -1;
    for (const field of ['weight', 'delay_ms'] as const) {
      const value = spec[field];
      if (Array.isArray(value) && value.length !== nPairs) {
        pl.problem(
          [...base, field],
          nPairs < 0 ? 'a number or a distribution (lists go with connector type list)' : `a list of ${nPairs} values, one per pair`,
          `a list of ${value.length}`,
        );
      }
    }
    const delaySpec: ArrayValue = spec.delay_ms ?? dt;
    const minDelay = lowerBound(delaySpec);
    if (minDelay < 0) pl.problem([...base, 'delay_ms'], 'axonal delays >= 0 ms (give a normal distribution a low bound)', String(minDelay));
    else if (minDelay + spec.dendritic_delay_ms < dt * (1 - 1e-9)) {
      pl.problem(
        [...base, 'delay_ms'],
        `delay_ms + dendritic_delay_ms >= resolution_ms (${dt} ms): spikes are detected up to one step after they happen`,
        `a smallest delay of ${minDelay + spec.dendritic_delay_ms} ms`,
      );
    }
    let rule: PluginOf<'plasticity'> | undefined;
    let ruleParams: Record<string, unknown> = {};
    if (spec.plasticity) {
      rule = pl.plugin('plasticity', spec.plasticity.rule, [...base, 'plasticity', 'rule'], 'a plasticity rule', 'rule');
      if (rule) {
        const found = rule;
        const modulatorNames = new Set([...Object.keys(s.modulators), ...protocolChannels.keys()]);
        ruleParams = pl.params('plasticity', found, spec.plasticity.params, [...base, 'plasticity', 'params'], [...base, 'plasticity'], (v) =>
          found.check?.(v, { modulators: modulatorNames }),
        ).values;
      }
    }
    return { name, spec, port, delaySpec, rule, ruleParams };
  });
  return { names, projPlans };
}

function planModulators(pl: Planner, sourceSize: (n: string) => number | undefined): void {
  for (const [name, spec] of Object.entries(pl.s.modulators)) {
    const base: FieldPath = ['modulators', name];
    if (sourceSize(spec.from) === undefined) pl.problem([...base, 'from'], `a population or spike input whose spikes make the pulses`, `"${spec.from}"`);
    if (spec.delay_ms !== undefined && spec.delay_ms < pl.dt * (1 - 1e-9)) {
      pl.problem([...base, 'delay_ms'], `a delay >= resolution_ms (${pl.dt} ms): spikes are detected up to one step after they happen`, String(spec.delay_ms));
    }
  }
}

/** The training section: its input, readout and layers against the network and the dataset's shape. */
function planTraining(pl: Planner, training: PreparedTraining | undefined, inputPlans: InputPlans, protocolChannels: ReadonlyMap<string, unknown>) {
  const { s } = pl;
  const memoryPlans: { population: string; layer: number; plugin: PluginOf<'memory'>; params: Record<string, unknown> }[] = [];
  const tr = s.training;
  if (!tr) return memoryPlans;
  // Samples start on the grid: a presentation or gap that is not a whole number of steps
  // would drift off it (0.3 ms on a 0.5 ms grid ran as 47.9999999999999 ms).
  for (const field of ['presentation_ms', 'gap_ms', 'settle_ms'] as const) {
    const value = tr[field];
    const steps = Math.round(value / pl.dt);
    if (Math.abs(steps * pl.dt - value) > 1e-9 * Math.max(value, pl.dt) || (field === 'presentation_ms' && steps < 1)) {
      pl.problem(['training', field], `a whole number of resolution steps (resolution_ms = ${pl.dt})`, String(value));
    }
  }
  if (tr.settle_ms >= tr.presentation_ms) {
    pl.problem(['training', 'settle_ms'], `less than presentation_ms (${tr.presentation_ms}): responses are counted after settle_ms`, String(tr.settle_ms));
  }
  const inputPlan = inputPlans.find((p) => p?.name === tr.input);
  if (inputPlan?.plugin.output !== 'spikes') {
    pl.problem(
      ['training', 'input'],
      `a spike input that encodes samples (e.g. type rate-code): ${
        inputPlans
          .filter((p) => p?.plugin.output === 'spikes')
          .map((p) => p!.name)
          .join(', ') || '(none)'
      }`,
      `"${tr.input}"`,
    );
  } else if (training && inputPlan.spec.size !== training.shape.nFeatures) {
    pl.problem(['inputs', tr.input, 'size'], `${training.shape.nFeatures} generator neurons, one per feature of ${training.name}`, String(inputPlan.spec.size));
  }
  if (!(tr.readout in s.populations)) pl.problem(['training', 'readout'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${tr.readout}"`);
  else if (training && s.populations[tr.readout].size !== training.shape.nClasses) {
    pl.problem(
      ['populations', tr.readout, 'size'],
      `${training.shape.nClasses} neurons, one per class of ${training.name}`,
      String(s.populations[tr.readout].size),
    );
  }
  tr.layers.forEach((layer, i) => {
    const base: FieldPath = ['training', 'layers', i];
    if (!(layer.population in s.populations))
      pl.problem([...base, 'population'], `a population: ${Object.keys(s.populations).join(', ')}`, `"${layer.population}"`);
    const plugin = pl.plugin('memory', layer.memory.type, [...base, 'memory', 'type'], 'a memory circuit', 'type');
    if (!plugin) return;
    const { values } = pl.params('memory', plugin, layer.memory.params, [...base, 'memory', 'params'], [...base, 'memory'], (v) => plugin.check?.(v));
    memoryPlans.push({ population: layer.population, layer: i, plugin, params: values });
  });
  if (Array.isArray(tr.freeze)) {
    const layerNames = new Set(tr.layers.map((l) => l.population));
    tr.freeze.forEach((name, i) => {
      if (!layerNames.has(name)) pl.problem(['training', 'freeze', i], `a training layer: ${[...layerNames].join(', ') || '(none)'}, or all`, `"${name}"`);
    });
  }
  if (protocolChannels.size && Object.keys(s.modulators).some((m) => protocolChannels.has(m))) {
    pl.problem(
      ['modulators'],
      'channel names other than xi/<layer> and error/<readout>, which training makes',
      Object.keys(s.modulators)
        .filter((m) => protocolChannels.has(m))
        .join(', '),
    );
  }
  return memoryPlans;
}

function planRecorders(
  pl: Planner,
  popPlans: PopulationPlans,
  inputPlans: InputPlans,
  projectionNames: readonly string[],
  rules: ReadonlyMap<string, { rule: string; variables: readonly RuleVariableInfo[] }>,
) {
  const viewInfo = new Map<string, Omit<PopulationView, 'addSpikeListener' | 'population'>>();
  for (const p of popPlans) if (p) viewInfo.set(p.name, { name: p.name, size: p.spec.size, kind: 'neurons', state: p.plugin.state });
  for (const p of inputPlans)
    if (p && p.plugin.output === 'spikes' && p.spec.size) viewInfo.set(p.name, { name: p.name, size: p.spec.size, kind: 'spike-input', state: [] });
  return pl.s.recorders.map((spec, i) => {
    const base: FieldPath = ['recorders', i];
    const plugin = pl.plugin('recorder', spec.type, [...base, 'type'], 'a recorder type', 'type');
    if (!plugin) return undefined;
    const { values } = pl.params('recorder', plugin, spec.params, [...base, 'params'], base, (v) => plugin.check?.(v, viewInfo, pl.dt, projectionNames, rules));
    return { plugin, params: values };
  });
}

/**
 * Bytes per neuron, spike generator and synapse that a built network holds, rounded up from
 * the engine's typed arrays (state, CSR target and weight, per-synapse delay, the order array
 * of the build, plasticity traces). An estimate to refuse the absurd before allocating, not an
 * account. Memory circuits count what their plugin's memoryBytes says; datasets their samples.
 */
const BYTES_PER_NEURON = 128;
const BYTES_PER_GENERATOR = 32;
const BYTES_PER_SYNAPSE = 24;
const BYTES_PER_DELAY = 8;
const BYTES_PER_PLASTIC_SYNAPSE = 16;

/** The expected number of synapses of a projection's connector. */
function expectedSynapses(c: Scenario['projections'][number]['connector'], nPre: number, nPost: number): number {
  switch (c.type) {
    case 'all_to_all':
      return nPre * nPost;
    case 'one_to_one':
      return nPost;
    case 'fixed_probability':
      return c.p * nPre * nPost;
    case 'fixed_indegree':
      return c.indegree * nPost;
    case 'list':
      return c.pairs.length;
  }
}

/**
 * Refuses a network whose estimated memory exceeds the limit, at the field that contributes
 * most, before anything is allocated (a lif population of 1e9 or all_to_all 5e4 x 5e4 was
 * killed by the OS instead).
 */
function checkMemory(
  pl: Planner,
  sourceSize: (n: string) => number | undefined,
  memoryPlans: readonly { field: FieldPath; plugin: PluginOf<'memory'>; params: Record<string, unknown>; dims: { x: number; y: number; z: number } }[],
  shape: DatasetShape | undefined,
): void {
  const { s } = pl;
  const limit = pl.loaded.maxMemoryBytes ?? Math.floor(totalmem() / 2);
  const parts: { field: FieldPath; bytes: number }[] = [];
  for (const [name, spec] of Object.entries(s.populations)) parts.push({ field: ['populations', name, 'size'], bytes: spec.size * BYTES_PER_NEURON });
  for (const [name, spec] of Object.entries(s.inputs))
    if (spec.size !== undefined) parts.push({ field: ['inputs', name, 'size'], bytes: spec.size * BYTES_PER_GENERATOR });
  s.projections.forEach((p, i) => {
    const n = expectedSynapses(p.connector, sourceSize(p.from) ?? 0, s.populations[p.to]?.size ?? 0);
    const perSynapse = BYTES_PER_SYNAPSE + (typeof (p.delay_ms ?? 0) === 'number' ? 0 : BYTES_PER_DELAY) + (p.plasticity ? BYTES_PER_PLASTIC_SYNAPSE : 0);
    parts.push({ field: ['projections', i, 'connector'], bytes: n * perSynapse });
  });
  for (const m of memoryPlans) {
    const bytes = m.plugin.memoryBytes?.(m.params, m.dims);
    if (bytes !== undefined) parts.push({ field: m.field, bytes });
  }
  // A dataset is held whole: one Float64Array of its features per sample, train and test.
  if (shape && s.training) parts.push({ field: ['training', 'dataset'], bytes: (shape.nTrain + shape.nTest) * (8 * shape.nFeatures + 96) });
  const total = parts.reduce((a, b) => a + b.bytes, 0);
  if (total <= limit) return;
  const largest = parts.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const gb = (x: number) => `${(x / 2 ** 30).toPrecision(3)} GB`;
  pl.problem(
    largest.field,
    `a network that fits in ${gb(limit)} (the memory limit: --max-memory-gb, by default half this machine's memory)`,
    `an estimated ${gb(total)}, ${gb(largest.bytes)} of it here`,
  );
}
