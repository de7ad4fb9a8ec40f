/**
 * engram's public API: the kernel (core/), the built-in plugins, and the few calls the CLI
 * is made of, so that everything the CLI does can be scripted.
 *
 *   const sim = await openScenario('scenarios/cuba.yaml', { seed: 7 });
 *   sim.run();
 *   await sim.writeOutputs('out/cuba');
 */
import 'reflect-metadata';
import type { ContainerModule } from 'inversify';
import { buildSimulation, loadScenarioPlugins, prepareTraining } from './core/build.js';
import { createRegistry, type PluginRegistry } from './core/registry.js';
import { loadScenario, type LoadedScenario, type LoadOptions } from './core/scenario/load.js';
import type { RunSummary, Simulation } from './core/simulation.js';
import type { EpochRecord } from './core/training.js';
import { builtinModules } from './plugins/index.js';

export * from './core/index.js';
/** Re-exported so a plugin module needs nothing but engram to declare itself. */
export { ContainerModule } from 'inversify';
export { builtinModules } from './plugins/index.js';
export { LifModel, LifPopulation, lifVoltage, synapticKernel } from './plugins/lif/lif.js';

export interface OpenOptions extends LoadOptions {
  /** Plugin modules to load besides the built-in ones and those the scenario names. */
  modules?: readonly ContainerModule[];
}

/** The registry of the built-in plugins plus `modules`. */
export function createEngramRegistry(modules: readonly ContainerModule[] = []): Promise<PluginRegistry> {
  return createRegistry([...builtinModules, ...modules]);
}

/** Loads, validates and builds a scenario file; the returned simulation is ready to run. */
export async function openScenario(file: string, options: OpenOptions = {}): Promise<Simulation> {
  const loaded = await loadScenario(file, options);
  return buildLoaded(loaded, options.modules);
}

/** Builds an already loaded scenario (see loadScenario / parseScenario). */
export async function buildLoaded(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<Simulation> {
  const scenarioModules = await loadScenarioPlugins(loaded);
  const registry = await createEngramRegistry([...modules, ...scenarioModules]);
  return buildSimulation(loaded, registry, await prepareTraining(loaded, registry));
}

/** Validates a scenario completely (structure, plugins, references) without running it. */
export async function validateScenario(file: string, options: OpenOptions = {}): Promise<LoadedScenario> {
  const loaded = await loadScenario(file, options);
  await buildLoaded(loaded, options.modules);
  return loaded;
}

export interface RunResult {
  summary: RunSummary;
  files: string[];
  outDir: string;
}

/** Opens, runs and writes a scenario: what `engram run` does. */
export async function runScenario(
  file: string,
  options: OpenOptions & { out?: string; onProgress?: (fraction: number, wall_s: number) => void; onEpoch?: (record: EpochRecord) => void } = {},
): Promise<RunResult> {
  const sim = await openScenario(file, options);
  if (options.onProgress) {
    const cb = options.onProgress;
    sim.events.on('progress', (p) => cb(p.t_ms / p.t_stop_ms, p.wall_s));
  }
  if (sim.trainer) sim.trainer.run(options.onEpoch);
  else sim.run();
  const outDir = options.out ?? `out/${sim.name}`;
  const files = await sim.writeOutputs(outDir);
  return { summary: sim.summary(), files, outDir };
}
