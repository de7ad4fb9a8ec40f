import 'reflect-metadata';
import { Container, ContainerModule, injectable, multiInject, optional } from 'inversify';
import type {
  DatasetPlugin,
  InputSourcePlugin,
  MemoryCircuitPlugin,
  NeuronModelPlugin,
  PlasticityRulePlugin,
  PluginInfo,
  RecorderPlugin,
} from './contracts.js';
import { EngramError } from './errors.js';
import {
  DatasetToken,
  InputSourceToken,
  MemoryCircuitToken,
  NeuronModelToken,
  PlasticityRuleToken,
  RecorderToken,
  type PluginKind,
} from './tokens.js';

/** Two plugins of one kind with the same name (a scenario's plugin may not shadow a built-in one). */
export class DuplicatePluginError extends EngramError {
  constructor(
    readonly kind: PluginKind,
    readonly pluginName: string,
  ) {
    super(`two ${kind} plugins are named "${pluginName}"; plugin names must be unique within a kind`);
  }
}

/** Plugins of one kind, by name. Built once at start-up; nothing in a run touches the container. */
export class PluginTable<T extends PluginInfo> {
  private readonly byName = new Map<string, T>();

  constructor(readonly kind: PluginKind, plugins: readonly T[]) {
    for (const p of plugins) {
      if (this.byName.has(p.name)) throw new DuplicatePluginError(kind, p.name);
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

/** Every plugin bound in the container, collected by kind with multi-injection. */
@injectable()
export class PluginRegistry {
  readonly neuron: PluginTable<NeuronModelPlugin>;
  readonly input: PluginTable<InputSourcePlugin>;
  readonly recorder: PluginTable<RecorderPlugin>;
  readonly plasticity: PluginTable<PlasticityRulePlugin>;
  readonly memory: PluginTable<MemoryCircuitPlugin>;
  readonly dataset: PluginTable<DatasetPlugin>;

  constructor(
    @multiInject(NeuronModelToken) @optional() neurons: NeuronModelPlugin[] | undefined,
    @multiInject(InputSourceToken) @optional() inputs: InputSourcePlugin[] | undefined,
    @multiInject(RecorderToken) @optional() recorders: RecorderPlugin[] | undefined,
    @multiInject(PlasticityRuleToken) @optional() rules: PlasticityRulePlugin[] | undefined,
    @multiInject(MemoryCircuitToken) @optional() memories: MemoryCircuitPlugin[] | undefined,
    @multiInject(DatasetToken) @optional() datasets: DatasetPlugin[] | undefined,
  ) {
    this.neuron = new PluginTable('neuron', neurons ?? []);
    this.input = new PluginTable('input', inputs ?? []);
    this.recorder = new PluginTable('recorder', recorders ?? []);
    this.plasticity = new PluginTable('plasticity', rules ?? []);
    this.memory = new PluginTable('memory', memories ?? []);
    this.dataset = new PluginTable('dataset', datasets ?? []);
  }

  table(kind: PluginKind): PluginTable<PluginInfo> {
    return this[kind];
  }
}

/** A container holding the given plugin modules, with the PluginRegistry bound. */
export async function createContainer(modules: readonly ContainerModule[]): Promise<Container> {
  const container = new Container();
  container.bind(PluginRegistry).toSelf().inSingletonScope();
  await container.loadAsync(...modules);
  return container;
}

/** Resolves the registry of a container with the given plugin modules loaded. */
export async function createRegistry(modules: readonly ContainerModule[]): Promise<PluginRegistry> {
  const container = await createContainer(modules);
  return container.get(PluginRegistry);
}
