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
import { buildSimulation, loadScenarioPlugins, origins, prepareTraining } from './core/build.js';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { MemoryCircuitPlugin } from './core/contracts.js';
import { EngramError, RunInterrupted, RunStopped, ScenarioError } from './core/errors.js';
import type { Snapshot } from './core/checkpoint.js';
import { resolveMemoryExperiment, runMemoryExperiment, writeMemoryExperiment, type MemoryExperimentResult, type MemoryExperimentRow } from './core/memory-experiment.js';
import { resolveParams } from './core/params.js';
import { createRegistry, DuplicatePluginError, type PluginRegistry } from './core/registry.js';
import { Rng } from './core/rng.js';
import { writeFileAtomicSync } from './core/output.js';
import { loadScenario, type LoadedScenario, type LoadOptions } from './core/scenario/load.js';
import type { RunSummary, Simulation } from './core/simulation.js';
import { PluginKindLabels } from './core/tokens.js';
import type { EpochRecord } from './core/training.js';
import { builtinModules } from './plugins/index.js';

export * from './core/index.js';
/** Re-exported so a plugin module needs nothing but engram to declare itself. */
export { ContainerModule } from 'inversify';
export { builtinModules } from './plugins/index.js';
export { LifModel, LifPopulation, lifVoltage, synapticKernel } from './plugins/lif/lif.js';
export { parseGrid, runMetrics, runSweep, type SweepOptions, type SweepRun } from './cli/sweep.js';
export {
  enqueueSweep,
  localSweepStatus,
  parseQueueUrl,
  queueStatus,
  rewriteSweepCsv,
  startSweepWorker,
  waitForSweep,
  type EnqueueResult,
  type QueueStatus,
  type SweepWorker,
  type WorkerEvent,
  type WorkerOptions,
} from './cli/sweep-queue.js';
export { plotOutput } from './cli/plot.js';
import { exportBrian2 } from './cli/export-brian2.js';
import { exportPynn } from './cli/export-pynn.js';
export { exportBrian2, exportPynn };

export interface OpenOptions extends LoadOptions {
  /** Plugin modules to load besides the built-in ones and those the scenario names. */
  modules?: readonly ContainerModule[];
}

/** The registry of the built-in plugins plus `modules`. */
export function createEngramRegistry(modules: readonly ContainerModule[] = []): Promise<PluginRegistry> {
  return createRegistry([...builtinModules, ...modules]);
}

/**
 * The registry for a scenario: built-in modules, the caller's and the scenario's own. A
 * scenario plugin whose name is already taken is reported at its plugins: entry.
 */
async function scenarioRegistry(loaded: LoadedScenario, modules: readonly ContainerModule[], scenarioModules: readonly ContainerModule[]): Promise<PluginRegistry> {
  try {
    return await createEngramRegistry([...modules, ...scenarioModules]);
  } catch (err) {
    if (!(err instanceof DuplicatePluginError)) throw err;
    const origin = origins(loaded).get(`${err.kind}/${err.pluginName}`);
    const entry = /plugins\.(\d+)/.exec(origin ?? '')?.[1];
    if (entry === undefined) throw err;
    const where = ['plugins', Number(entry)];
    throw new ScenarioError([{ location: loaded.source.locate(where), path: where.join('.'), expected: `plugins with names of their own: ${PluginKindLabels[err.kind]} "${err.pluginName}" exists already`, found: `a second ${PluginKindLabels[err.kind]} "${err.pluginName}"` }]);
  }
}

/**
 * A scenario as a script for another simulator (`engram export`): Brian2 or PyNN.
 * Validates the scenario first; features with no equivalent are refused by name.
 */
export async function exportScenario(file: string, to: 'brian2' | 'pynn', options: OpenOptions = {}): Promise<string> {
  const loaded = await validateScenario(file, options);
  const registry = await scenarioRegistry(loaded, options.modules ?? [], await loadScenarioPlugins(loaded));
  return to === 'pynn' ? exportPynn(loaded, registry) : exportBrian2(loaded, registry);
}

/** Loads, validates and builds a scenario file; the returned simulation is ready to run. */
export async function openScenario(file: string, options: OpenOptions = {}): Promise<Simulation> {
  const loaded = await loadScenario(file, options);
  return buildLoaded(loaded, options.modules);
}

/** Builds an already loaded scenario (see loadScenario / parseScenario). */
export async function buildLoaded(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<Simulation> {
  const scenarioModules = await loadScenarioPlugins(loaded);
  const registry = await scenarioRegistry(loaded, modules, scenarioModules);
  return buildSimulation(loaded, registry, await prepareTraining(loaded, registry));
}

/** Validates a scenario completely (structure, plugins, references) without running it. */
export async function validateScenario(file: string, options: OpenOptions = {}): Promise<LoadedScenario> {
  const loaded = await loadScenario(file, options);
  if (loaded.scenario.memory_experiment) {
    const plugin = await memoryExperimentPlugin(loaded, options.modules);
    resolveMemoryExperiment(loaded.scenario.memory_experiment, plugin, (p, onKey) => loaded.source.locate(p, onKey));
  } else await buildLoaded(loaded, options.modules);
  return loaded;
}

export interface RunResult {
  /** The run's summary (network scenarios). */
  summary?: RunSummary;
  /** The results of a memory experiment scenario. */
  experiment?: MemoryExperimentResult;
  files: string[];
  outDir: string;
}

/** Opens, runs and writes a scenario: what `engram run` does. */
export async function runScenario(
  file: string,
  options: OpenOptions & {
    out?: string;
    onProgress?: (fraction: number, wall_s: number) => void;
    onEpoch?: (record: EpochRecord) => void;
    onExperimentRow?: (row: MemoryExperimentRow, index: number, total: number) => void;
    /** Aborting it stops the run at the next batch of events; the recordings so far are kept. */
    signal?: AbortSignal;
    /** Continue the training whose checkpoint is in this folder (the same scenario, seed and overrides). */
    resume?: string;
    /** Training runs save a checkpoint every this many epochs (default 1; 0: never by epochs)... */
    checkpointEveryEpochs?: number;
    /** ... and every this many minutes of wall time (default 10; 0: never by time), and when stopped by a signal. */
    checkpointEveryMinutes?: number;
  } = {},
): Promise<RunResult> {
  const loaded = await loadScenario(file, options);
  const spec = loaded.scenario.memory_experiment;
  if (spec) {
    const plugin = await memoryExperimentPlugin(loaded, options.modules);
    const locate = (p: readonly (string | number)[], onKey = false) => loaded.source.locate(p, onKey);
    const name = loaded.scenario.name ?? path.basename(loaded.file).replace(/\.(ya?ml|json)$/i, '');
    const started = performance.now();
    const outDir = options.out ?? `out/${name}`;
    const meta = () => ({ scenario: name, seed: loaded.scenario.seed, wall_s: (performance.now() - started) / 1000 });
    const done: MemoryExperimentRow[] = [];
    const experiment = runMemoryExperiment(spec, plugin, loaded.scenario.seed, loaded.dir, locate, (row, index, total) => {
      // Every finished grid point is on disk before the next starts: a long experiment never loses finished rows.
      done.push(row);
      writeMemoryExperiment({ memory: spec.memory.type, dims: spec.dims, rows: done }, meta(), outDir, false);
      options.onExperimentRow?.(row, index, total);
    });
    const files = writeMemoryExperiment(experiment, meta(), outDir);
    return { experiment, files, outDir };
  }
  const sim = await buildLoaded(loaded, options.modules);
  if (options.onProgress) {
    const cb = options.onProgress;
    sim.events.on('progress', (p) => cb(p.t_ms / p.t_stop_ms, p.wall_s));
  }
  const outDir = options.out ?? options.resume ?? `out/${sim.name}`;
  const checkpoint = sim.trainer ? new TrainingCheckpoint(sim, loaded, outDir, options) : undefined;
  if (options.resume) {
    if (!checkpoint) throw new EngramError(`--resume: ${loaded.file} has no training section; only trainings write checkpoints`);
    checkpoint.restore(options.resume);
  }
  // A training stops at a sample boundary (after saving a checkpoint); other runs at the next batch of events.
  if (!sim.trainer) sim.stopSignal = options.signal;
  // Until the run ends, summary.json says it is running: a run killed on the way never leaves
  // a summary (its own or an earlier run's) that looks complete.
  mkdirSync(outDir, { recursive: true });
  writeFileAtomicSync(`${outDir}/summary.json`, JSON.stringify({ scenario: sim.name, seed: sim.seed, status: 'running' }, null, 2) + '\n');
  try {
    if (sim.trainer) {
      const trainer = sim.trainer;
      await trainer.runAsync(
        (record) => {
          // A long training never loses its finished epochs: history.csv is on disk after each
          // (atomically, so a killed run leaves the last complete version, never a torn one).
          mkdirSync(outDir, { recursive: true });
          writeFileAtomicSync(`${outDir}/history.csv`, trainer.historyCsv());
          options.onEpoch?.(record);
        },
        (savable) => checkpoint!.step(savable, options.signal),
      );
    } else await runYielding(sim);
  } catch (err) {
    if (!(err instanceof RunStopped)) throw err;
    // A guard or a failing plugin stopped the run: keep what was recorded up to then, with
    // the reason in summary.json, and say where it is. The weights are brought up to the stop
    // time first (a plugin that failed may fail again here: then they stay as they were).
    try {
      sim.settlePlasticity();
    } catch {
      // the run's own error is the one to report
    }
    await sim.writeOutputs(outDir, { status: 'stopped', stopped: { t_ms: err.t_ms, reason: err.message } });
    err.message += `\nthe recordings up to t = ${err.t_ms} ms are in ${outDir}/ (summary.json says why the run stopped)`;
    throw err;
  }
  const files = await sim.writeOutputs(outDir);
  return { summary: sim.summary(), files, outDir };
}

/**
 * Checkpoints of a training (docs/reliability.md): the whole network state (core/checkpoint.ts)
 * with the training's position, saved atomically to <out>/checkpoint.json every K epochs, every
 * M minutes and when a signal stops the run, at a sample boundary; restored by --resume.
 */
class TrainingCheckpoint {
  private lastSave = performance.now();
  private epochsAtSave: number;
  private readonly fingerprint: string;

  constructor(
    private readonly sim: Simulation,
    private readonly loaded: LoadedScenario,
    private readonly outDir: string,
    private readonly options: { checkpointEveryEpochs?: number; checkpointEveryMinutes?: number },
  ) {
    this.epochsAtSave = sim.trainer!.epochsDone;
    // The resolved scenario (overrides and seed applied): a checkpoint only fits the same one.
    this.fingerprint = createHash('sha256').update(JSON.stringify(loaded.scenario)).digest('hex');
  }

  get file(): string {
    return `${this.outDir}/checkpoint.json`;
  }

  /** Called after every sample: saves when due, or when a signal asks the run to stop. */
  step(savable: boolean, signal: AbortSignal | undefined): void {
    const trainer = this.sim.trainer!;
    if (signal?.aborted) {
      if (savable) this.save();
      const saved = savable ? `; a checkpoint is in ${this.file}` : `; the last checkpoint (if any) is in ${this.file}`;
      throw new RunInterrupted(String(signal.reason ?? 'abort'), this.sim.t_ms, `${saved}, continue with: engram run ${this.loaded.file} --resume ${this.outDir}`);
    }
    if (!savable) return;
    const everyEpochs = this.options.checkpointEveryEpochs ?? 1;
    const everyMinutes = this.options.checkpointEveryMinutes ?? 10;
    const byEpochs = everyEpochs > 0 && trainer.epochsDone - this.epochsAtSave >= everyEpochs;
    const byTime = everyMinutes > 0 && performance.now() - this.lastSave >= everyMinutes * 60_000;
    if (byEpochs || byTime) this.save();
  }

  save(): void {
    const data = { format: 'engram-checkpoint', version: 1, scenario: this.loaded.file, fingerprint: this.fingerprint, epochs_done: this.sim.trainer!.epochsDone, t_ms: this.sim.t_ms, state: this.sim.saveState() };
    mkdirSync(this.outDir, { recursive: true });
    writeFileAtomicSync(this.file, JSON.stringify(data));
    this.lastSave = performance.now();
    this.epochsAtSave = this.sim.trainer!.epochsDone;
  }

  restore(dir: string): void {
    const file = `${dir}/checkpoint.json`;
    let data: { format?: string; version?: number; fingerprint?: string; state?: Snapshot };
    try {
      data = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new EngramError(`--resume ${dir}: cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
    }
    if (data.format !== 'engram-checkpoint' || data.version !== 1 || !data.state) throw new EngramError(`--resume ${dir}: ${file} is not an engram checkpoint (format engram-checkpoint, version 1)`);
    if (data.fingerprint !== this.fingerprint) throw new EngramError(`--resume ${dir}: the checkpoint was written for another scenario, seed or --set overrides than ${this.loaded.file} with these options`);
    try {
      this.sim.restoreState(data.state);
    } catch (err) {
      throw new EngramError(`--resume ${dir}: the checkpoint does not fit the network of ${this.loaded.file}: ${(err as Error).message}`);
    }
    this.epochsAtSave = this.sim.trainer!.epochsDone;
  }
}

/**
 * sim.run() in pieces of about 50 ms of wall time, giving the event loop a turn between them
 * (signals, timers). The pieces do not settle plastic synapses (only the end does), so their
 * boundaries, which depend on the machine's speed, cannot change a single bit of the result.
 */
async function runYielding(sim: Simulation): Promise<void> {
  let chunk = sim.resolution_ms * 100;
  while (sim.t_ms < sim.t_stop_ms) {
    const started = performance.now();
    sim.run(Math.min(sim.t_stop_ms, sim.t_ms + chunk), { settle: false });
    const wall = performance.now() - started;
    // Aim at 50 ms per piece: grow the piece while it is quick, shrink it when slow.
    chunk = wall < 25 ? chunk * 2 : wall > 100 ? Math.max(sim.resolution_ms, chunk / 2) : chunk;
    await new Promise((resolve) => setImmediate(resolve));
  }
  sim.settlePlasticity();
}

/** The memory plugin a memory experiment scenario names, or a diagnostic naming the field. */
async function memoryExperimentPlugin(loaded: LoadedScenario, modules: readonly ContainerModule[] = []): Promise<MemoryCircuitPlugin> {
  const scenarioModules = await loadScenarioPlugins(loaded);
  const registry = await scenarioRegistry(loaded, modules, scenarioModules);
  const type = loaded.scenario.memory_experiment!.memory.type;
  const plugin = registry.memory.get(type);
  if (!plugin) {
    const where = ['memory_experiment', 'memory', 'type'];
    throw new ScenarioError([{ location: loaded.source.locate(where), path: where.join('.'), expected: `a memory circuit: ${registry.memory.names().join(', ')}`, found: `unknown memory circuit "${type}"` }]);
  }
  return plugin;
}

export interface TrainMemoryOptions extends OpenOptions {
  /** The layer (a population of training.layers) whose memory to train; default: the first whose memory can be trained. */
  layer?: string;
  /** The file to write. */
  out: string;
  /** Continue an unfinished training saved in `out`. */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Trains the memory circuit of one layer of a training scenario a priori, on random data, and
 * saves it: what `engram memory train` does. The circuit is the one the scenario would train at
 * build time (same parameters, same seed), so a scenario can load the file instead.
 */
export async function trainMemory(file: string, options: TrainMemoryOptions): Promise<Record<string, unknown>> {
  const loaded = await loadScenario(file, options);
  const scenarioModules = await loadScenarioPlugins(loaded);
  const registry = await scenarioRegistry(loaded, options.modules ?? [], scenarioModules);
  const prepared = await prepareTraining(loaded, registry);
  const tr = loaded.scenario.training;
  if (!tr || !prepared) throw new EngramError(`${file}: no training section: memory train needs a scenario whose training.layers name memory circuits`);
  const trainable = tr.layers.map((l, i) => ({ l, i, plugin: registry.memory.get(l.memory.type) })).filter((c) => c.plugin?.pretrain);
  const chosen = options.layer === undefined ? trainable[0] : trainable.find((c) => c.l.population === options.layer);
  if (!chosen) {
    const names = trainable.map((c) => c.l.population);
    throw new EngramError(
      options.layer === undefined
        ? `${file}: no layer has a memory circuit that is trained before use (e.g. type reservoir)`
        : `${file}: --layer ${options.layer}: expected a layer whose memory is trained before use: ${names.join(', ') || '(none)'}`,
    );
  }
  const locate = (p: readonly (string | number)[], onKey = false) => loaded.source.locate(p, onKey);
  const base = ['training', 'layers', chosen.i, 'memory', 'params'];
  const { values, diagnostics } = resolveParams(`memory circuit ${chosen.plugin!.name}`, chosen.plugin!.params, chosen.l.memory.params, base, locate, chosen.plugin!.check);
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  const population = loaded.scenario.populations[chosen.l.population];
  const dims = { x: prepared.dataset.nFeatures, y: prepared.dataset.nClasses, z: population.size };
  try {
    // The seed the scenario's build would use for this layer's circuit.
    const seed = Rng.derive(loaded.scenario.seed, `memory/${chosen.l.population}`).int(2 ** 31);
    return { layer: chosen.l.population, dims, ...(await chosen.plugin!.pretrain!({ params: values, dims, seed, out: options.out, resume: options.resume ?? false, onProgress: options.onProgress })) };
  } catch (err) {
    if (err instanceof EngramError) throw err;
    throw new EngramError(`${file}: training the memory of ${chosen.l.population}: ${(err as Error).message}`);
  }
}
