import { Container, type ContainerModule } from 'inversify';
import type {
  DatasetPlugin,
  InputSourcePlugin,
  MemoryCircuitPlugin,
  NeuronModelPlugin,
  PlasticityRulePlugin,
  PluginInfo,
  RecorderPlugin,
  Translation,
  ExportTarget,
} from './contracts.js';
import { EngramError } from './errors.js';
import { defaultProblems, type ParamSpec } from './params.js';
import { PluginKindLabels, PluginKinds, TranslationToken, type PluginKind } from './tokens.js';

/** Where a module of plugins came from, for messages; built-in modules have none. */
export interface PluginOrigin {
  /** "from ./x.js, plugins.0 at file.yaml:4:11" */
  readonly description: string;
  /** The scenario field that named the module (e.g. ['plugins', 0]), to point errors at. */
  readonly field?: readonly (string | number)[];
}

/** A ContainerModule of plugins, with where it came from. */
export interface PluginSource {
  readonly module: ContainerModule;
  readonly origin?: PluginOrigin;
}

/** A plugin that cannot be registered as it is defined; `origin` says which module contributed it. */
export class PluginDefinitionError extends EngramError {
  constructor(
    readonly kind: PluginKind,
    readonly pluginName: string,
    /** What is wrong, as a scenario message's "found" part. */
    readonly problem: string,
    readonly origin?: PluginOrigin,
  ) {
    super(`${PluginKindLabels[kind]} "${pluginName}"${origin ? ` (${origin.description})` : ''}: ${problem}`);
  }
}

/** A plasticity rule's declared variables (PlasticityRulePlugin.variables) must say their name and what they belong to. */
function variableProblems(variables: unknown): string[] {
  if (variables === undefined) return [];
  if (!Array.isArray(variables)) return [`variables: expected a list of { name, per, description }, found ${typeof variables}`];
  const per = ['synapse', 'pre', 'post', 'projection'];
  return variables.flatMap((x, i) =>
    x && typeof x === 'object' && typeof x.name === 'string' && per.includes(x.per)
      ? []
      : [`variables.${i}: expected { name: a string, per: one of ${per.join(', ')}, description }, found ${JSON.stringify(x)}`],
  );
}

/** Two plugins of one kind with the same name (a scenario's plugin may not shadow a built-in one). */
export class DuplicatePluginError extends PluginDefinitionError {
  constructor(kind: PluginKind, pluginName: string, origin?: PluginOrigin) {
    super(kind, pluginName, `two ${kind} plugins are named "${pluginName}"; plugin names must be unique within a kind`, origin);
    this.message = `two ${kind} plugins are named "${pluginName}"; plugin names must be unique within a kind`;
  }
}

/** Plugins of one kind, by name. Built once at start-up; nothing in a run touches the container. */
export class PluginTable<T extends PluginInfo> {
  private readonly byName = new Map<string, T>();

  constructor(
    readonly kind: PluginKind,
    plugins: readonly T[],
    origins: ReadonlyMap<object, PluginOrigin> = new Map(),
  ) {
    for (const p of plugins) {
      if (this.byName.has(p.name)) throw new DuplicatePluginError(kind, p.name, origins.get(p));
      const bad = [...defaultProblems((p as { params?: readonly ParamSpec[] }).params ?? []), ...variableProblems((p as { variables?: unknown }).variables)];
      if (bad.length) throw new PluginDefinitionError(kind, p.name, bad.join('; '), origins.get(p));
      this.byName.set(p.name, p);
    }
  }

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  names(): string[] {
    return [...this.byName.keys()].sort();
  }

  all(): T[] {
    return this.names().map((n) => this.byName.get(n)!);
  }
}

/**
 * Every plugin contributed to the container, collected by kind (Theia's contribution points:
 * any number of modules bind descriptors to one token, and the registry reads them all with
 * getAll). It remembers which module contributed each plugin, so that messages can name a
 * scenario's own plugins by the plugins: entry that loaded them.
 */
export class PluginRegistry {
  readonly neuron: PluginTable<NeuronModelPlugin>;
  readonly input: PluginTable<InputSourcePlugin>;
  readonly recorder: PluginTable<RecorderPlugin>;
  readonly plasticity: PluginTable<PlasticityRulePlugin>;
  readonly memory: PluginTable<MemoryCircuitPlugin>;
  readonly dataset: PluginTable<DatasetPlugin>;
  private readonly translations = new Map<string, Translation>();

  constructor(
    /** The container the plugins were read from; other contributions (exporters) are read from it too. */
    readonly container: Container,
    private readonly origins: ReadonlyMap<object, PluginOrigin> = new Map(),
  ) {
    const all = <T>(kind: PluginKind) => container.getAll(PluginKinds[kind], { optional: true }) as T[];
    this.neuron = new PluginTable('neuron', all<NeuronModelPlugin>('neuron'), origins);
    this.input = new PluginTable('input', all<InputSourcePlugin>('input'), origins);
    this.recorder = new PluginTable('recorder', all<RecorderPlugin>('recorder'), origins);
    this.plasticity = new PluginTable('plasticity', all<PlasticityRulePlugin>('plasticity'), origins);
    this.memory = new PluginTable('memory', all<MemoryCircuitPlugin>('memory'), origins);
    this.dataset = new PluginTable('dataset', all<DatasetPlugin>('dataset'), origins);
    for (const t of container.getAll(TranslationToken, { optional: true })) {
      const key = `${t.target}/${t.kind}/${t.name}`;
      if (this.translations.has(key))
        throw new EngramError(
          `two ${t.target} translations of ${PluginKindLabels[t.kind]} "${t.name}"${origins.get(t) ? ` (the second ${origins.get(t)!.description})` : ''}; a plugin has one translation per target`,
        );
      this.translations.set(key, t);
    }
  }

  /** The translation a plugin contributes for a target (engram export), if any. */
  translation<K extends Translation['kind']>(target: ExportTarget, kind: K, name: string): Extract<Translation, { kind: K }> | undefined {
    return this.translations.get(`${target}/${kind}/${name}`) as Extract<Translation, { kind: K }> | undefined;
  }

  table(kind: PluginKind): PluginTable<PluginInfo> {
    return this[kind];
  }

  /** Where a contribution came from; undefined for built-in ones. */
  origin(contribution: object | undefined): PluginOrigin | undefined {
    return contribution ? this.origins.get(contribution) : undefined;
  }

  /** How a plugin is named in messages: its kind, name and, for a scenario's own plugins, where it was loaded. */
  describe(kind: PluginKind, name: string): string {
    const origin = this.origin(this.table(kind).get(name));
    return `${PluginKindLabels[kind]} "${name}" (${origin?.description ?? 'built in'})`;
  }
}

/**
 * The registry of the given plugin modules. Modules are loaded one at a time so that each
 * contribution is attributed to the module that made it.
 */
export async function createRegistry(sources: readonly (ContainerModule | PluginSource)[]): Promise<PluginRegistry> {
  const container = new Container();
  const origins = new Map<object, PluginOrigin>();
  const seen = new Set<unknown>();
  for (const source of sources) {
    const { module, origin } = 'module' in source ? source : { module: source, origin: undefined };
    await container.loadAsync(module);
    for (const token of contributionTokens) {
      for (const c of container.getAll(token, { optional: true })) {
        if (seen.has(c)) continue;
        seen.add(c);
        if (origin && typeof c === 'object' && c) origins.set(c, origin);
      }
    }
  }
  return new PluginRegistry(container, origins);
}

/** Every token plugins contribute to (plugin kinds, then other contributions). */
const contributionTokens = [...Object.values(PluginKinds), TranslationToken];
