/**
 * Opening a scenario: the plugin registry it needs (built-in modules, the caller's, the
 * scenario's own), then a Simulation ready to run. What `engram run` and `engram validate`
 * start with.
 */
import type { ContainerModule } from 'inversify';
import type { MemoryCircuitPlugin } from '../core/contracts.js';
import { buildSimulation } from '../scenario/construct.js';
import { planNetwork, type NetworkPlan } from '../scenario/plan.js';
import { loadScenarioPlugins } from '../scenario/plugins.js';
import { prepareTraining } from '../scenario/prepare.js';
import { ScenarioError } from '../core/errors.js';
import { resolveMemoryExperiment } from '../training/memory-experiment.js';
import { createRegistry, DuplicatePluginError, PluginDefinitionError, type PluginRegistry } from '../core/registry.js';
import { loadScenario, type LoadedScenario, type LoadOptions } from '../scenario/load.js';
import type { Simulation } from '../core/simulation.js';
import { PluginKindLabels } from '../core/tokens.js';
import { builtinModules } from '../plugins/index.js';

export interface OpenOptions extends LoadOptions {
  /** Plugin modules to load besides the built-in ones and those the scenario names. */
  modules?: readonly ContainerModule[];
}

/** The registry of the built-in plugins plus `modules`. */
export function createEngramRegistry(modules: readonly ContainerModule[] = []): Promise<PluginRegistry> {
  return createRegistry([...builtinModules, ...modules]);
}

/**
 * The registry for a scenario: built-in modules, the caller's and the scenario's own
 * (`plugins:`). A scenario plugin whose name is already taken is reported at its plugins: entry.
 */
export async function scenarioRegistry(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<PluginRegistry> {
  const own = await loadScenarioPlugins(loaded);
  try {
    return await createRegistry([...builtinModules, ...modules, ...own]);
  } catch (err) {
    if (!(err instanceof PluginDefinitionError) || !err.origin?.field) throw err;
    const where = err.origin.field;
    throw new ScenarioError([
      err instanceof DuplicatePluginError
        ? {
            location: loaded.source.locate(where),
            path: where.join('.'),
            expected: `plugins with names of their own: ${PluginKindLabels[err.kind]} "${err.pluginName}" exists already`,
            found: `a second ${PluginKindLabels[err.kind]} "${err.pluginName}"`,
          }
        : {
            location: loaded.source.locate(where),
            path: where.join('.'),
            expected: `well-formed plugin definitions (parameter defaults that pass their own specs, declared rule variables with a name and a per)`,
            found: `${PluginKindLabels[err.kind]} "${err.pluginName}": ${err.problem}`,
          },
    ]);
  }
}

/** Loads, validates and builds a scenario file; the returned simulation is ready to run. */
export async function openScenario(file: string, options: OpenOptions = {}): Promise<Simulation> {
  const loaded = await loadScenario(file, options);
  return buildLoaded(loaded, options.modules);
}

/** Builds an already loaded scenario (see loadScenario / parseScenario). */
export async function buildLoaded(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<Simulation> {
  const registry = await scenarioRegistry(loaded, modules);
  return buildSimulation(loaded, registry, await prepareTraining(loaded, registry));
}

/**
 * Validates a scenario by planning it (scenario/plan.ts planNetwork): structure, plugins and their
 * parameters, references, sizes, connectors and the run's length, every problem at once. It
 * builds nothing: no synapse is allocated, no plugin object made, no memory trained, and a
 * dataset whose plugin knows its shape is not loaded. What only construction can find (a
 * plugin's create() refusing its input) is reported by `engram run` before the run starts.
 */
export async function validateScenario(file: string, options: OpenOptions = {}): Promise<LoadedScenario> {
  const loaded = await loadScenario(file, options);
  if (loaded.scenario.memory_experiment) {
    const plugin = await memoryExperimentPlugin(loaded, options.modules);
    resolveMemoryExperiment(loaded.scenario.memory_experiment, plugin, (p, onKey) => loaded.source.locate(p, onKey));
  } else await planLoaded(loaded, options.modules);
  return loaded;
}

/** The network plan of an already loaded scenario (see validateScenario). */
export async function planLoaded(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<NetworkPlan> {
  const registry = await scenarioRegistry(loaded, modules);
  return planNetwork(loaded, registry, await prepareTraining(loaded, registry, { load: false }));
}

/** The memory plugin a memory experiment scenario names, or a diagnostic naming the field. */
export async function memoryExperimentPlugin(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<MemoryCircuitPlugin> {
  const registry = await scenarioRegistry(loaded, modules);
  const type = loaded.scenario.memory_experiment!.memory.type;
  const plugin = registry.memory.get(type);
  if (!plugin) {
    const where = ['memory_experiment', 'memory', 'type'];
    throw new ScenarioError([
      {
        location: loaded.source.locate(where),
        path: where.join('.'),
        expected: `a memory circuit: ${registry.memory.names().join(', ')}`,
        found: `unknown memory circuit "${type}"`,
      },
    ]);
  }
  return plugin;
}

/** The registry a scenario file sees: built-in plugins and the scenario's own (`engram plugins --scenario`). */
export async function scenarioFileRegistry(file: string, options: OpenOptions = {}): Promise<PluginRegistry> {
  return scenarioRegistry(await loadScenario(file, options), options.modules);
}
