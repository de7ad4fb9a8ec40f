/**
 * `engram run` as a call: open a scenario, run it (in pieces of wall time, so that signals
 * are heard), save checkpoints of a training, and write the outputs. A run that stops early
 * keeps what it recorded.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { ensureOutputFolder, lockOutputFolder } from './output-folder.js';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { EngramError, RunInterrupted, RunStopped } from '../core/errors.js';
import { callDirectly, callInterruptibly, type Invoke, WorkInterrupted } from './interruptible.js';
import { runMemoryExperiment, writeMemoryExperiment, type MemoryExperimentResult, type MemoryExperimentRow } from '../training/memory-experiment.js';
import { writeFileAtomicSync } from '../core/output.js';
import { type LoadedScenario, loadScenario } from '../scenario/load.js';
import type { RunSummary, Simulation } from '../core/simulation.js';
import type { EpochRecord } from '../training/protocol.js';
import { TrainingCheckpoint } from './checkpoint.js';
import { buildLoaded, memoryExperimentPlugin, type OpenOptions } from './open.js';
import { trainerOf } from '../training/protocol.js';

export interface RunResult {
  /** The run's summary (network scenarios). */
  summary?: RunSummary;
  /** The results of a memory experiment scenario. */
  experiment?: MemoryExperimentResult;
  files: string[];
  outDir: string;
}

/** What runScenario accepts besides the scenario file. */
export interface RunOptions extends OpenOptions {
  out?: string;
  onProgress?: (fraction: number, wall_s: number, t_ms: number) => void;
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
  /**
   * Run the simulation so that a SIGINT stops it even inside plugin code that never returns
   * (app/interruptible.ts); the function names the signal that asked for the stop (a SIGTERM
   * that the caller turned into a SIGINT, say). The recordings so far are written, and the run
   * ends with RunInterrupted naming the plugin that was running.
   */
  interruptible?: () => string;
  /** Take the output folder's lock (default true; docs/reliability.md). Queue workers, whose queue already gives a run to one worker at a time, pass false. */
  lock?: boolean;
  /**
   * Threads for the grid step (Simulation.useThreads). Default: the machine's cores
   * (os.availableParallelism()); they are used only where the populations with a range step
   * give each thread at least 4096 neurons together, so smaller networks stay on one thread,
   * which is faster for them (docs/performance.md, "One wake-up per step"). The outputs are
   * the same for any number. Sweeps pass 1: they run several scenarios at once instead.
   */
  threads?: number;
  /** Told of things worth a note that are not errors (a stale lock taken over). */
  onNotice?: (message: string) => void;
}

/** Opens, runs and writes a scenario: what `engram run` does. */
export async function runScenario(file: string, options: RunOptions = {}): Promise<RunResult> {
  const loaded = await loadScenario(file, options);
  const name = loaded.scenario.name ?? path.basename(loaded.file).replace(/\.(ya?ml|json)$/i, '');
  const outDir = options.out ?? options.resume ?? `out/${name}`;
  // A folder that cannot be written, or that another run is writing, is refused before
  // anything is built or run.
  const option = options.out ? '--out' : options.resume ? '--resume' : 'output folder';
  ensureOutputFolder(outDir, option);
  const unlock = options.lock === false ? () => {} : lockOutputFolder(outDir, `engram run ${file}`, options.onNotice, option);
  try {
    return await runLocked(loaded, outDir, options);
  } finally {
    unlock();
  }
}

/**
 * The scenario as it was run, beside its results (provenance, and the scenario text of
 * `engram report`): the file's text, with the --set values that changed it named on top.
 */
function keepScenarioText(loaded: LoadedScenario, outDir: string, options: RunOptions): void {
  if (!existsSync(loaded.file)) return;
  const changes = [...(options.set ?? []).map((x) => `--set ${x}`), ...(options.seed !== undefined ? [`--seed ${options.seed}`] : [])];
  const set = changes.length ? `# run with: ${changes.join(' ')}\n` : '';
  writeFileAtomicSync(
    path.join(outDir, 'scenario.yaml'),
    `# copied by engram run from ${path.basename(loaded.file)}\n${set}${readFileSync(loaded.file, 'utf8')}`,
  );
}

async function runLocked(loaded: LoadedScenario, outDir: string, options: RunOptions): Promise<RunResult> {
  keepScenarioText(loaded, outDir, options);
  const spec = loaded.scenario.memory_experiment;
  if (spec) {
    const plugin = await memoryExperimentPlugin(loaded, options.modules);
    const locate = (p: readonly (string | number)[], onKey = false) => loaded.source.locate(p, onKey);
    const name = loaded.scenario.name ?? path.basename(loaded.file).replace(/\.(ya?ml|json)$/i, '');
    const started = performance.now();
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
  try {
    useThreads(sim, options);
    return await runBuilt(sim, loaded, outDir, options);
  } finally {
    sim.close();
  }
}

/** Starts the step threads the options ask for, and says what they do when that is news. */
function useThreads(sim: Simulation, options: RunOptions): void {
  const asked = options.threads;
  const use = sim.useThreads(asked ?? availableParallelism());
  if (use.split.length > 0) options.onNotice?.(`${use.split.join(', ')} step on ${use.threads} threads`);
  else if (asked !== undefined && asked > 1)
    options.onNotice?.(`--threads ${asked}: every population steps on one thread (${use.single.map((p) => `${p.name}: ${p.reason}`).join('; ')})`);
}

async function runBuilt(sim: Simulation, loaded: LoadedScenario, outDir: string, options: RunOptions): Promise<RunResult> {
  if (options.onProgress) {
    const cb = options.onProgress;
    sim.events.on('progress', (p) => cb(p.t_ms / p.t_stop_ms, p.wall_s, p.t_ms));
  }
  const trainer = trainerOf(sim);
  const checkpoint = trainer ? new TrainingCheckpoint(sim, trainer, loaded, outDir, options) : undefined;
  if (options.resume) {
    if (!checkpoint) throw new EngramError(`--resume: ${loaded.file} has no training section; only trainings write checkpoints`);
    checkpoint.restore(options.resume);
  }
  // A training stops at a sample boundary (after saving a checkpoint); other runs at the next batch of events.
  if (!trainer) sim.stopSignal = options.signal;
  // Until the run ends, summary.json says it is running: a run killed on the way never leaves
  // a summary (its own or an earlier run's) that looks complete.
  writeFileAtomicSync(`${outDir}/summary.json`, `${JSON.stringify({ scenario: sim.name, seed: sim.seed, status: 'running' }, null, 2)}\n`);
  const invoke: Invoke = options.interruptible ? callInterruptibly : callDirectly;
  try {
    if (trainer) {
      await trainer.runAsync(
        (record) => {
          // A long training never loses its finished epochs: history.csv is on disk after each
          // (atomically, so a killed run leaves the last complete version, never a torn one).
          mkdirSync(outDir, { recursive: true });
          writeFileAtomicSync(`${outDir}/history.csv`, trainer.historyCsv());
          options.onEpoch?.(record);
        },
        (savable) => checkpoint!.step(savable, options.signal),
        invoke,
      );
    } else await runYielding(sim, invoke);
  } catch (caught) {
    let err = caught;
    if (err instanceof WorkInterrupted) {
      const running = sim.describeRunning() ?? (trainer ? 'the training protocol (or a memory circuit it calls)' : 'engram');
      const kept = checkpoint
        ? `; the last checkpoint (if any) is in ${outDir}/checkpoint.json, continue with: engram run ${loaded.file} --resume ${outDir}`
        : '';
      err = new RunInterrupted(options.interruptible!(), sim.t_ms, `, inside ${running}, which had not returned${kept}`);
    }
    if (!(err instanceof RunStopped)) throw err;
    // A guard or a failing plugin stopped the run: keep what was recorded up to then, with
    // the reason in summary.json, and say where it is. The weights are brought up to the stop
    // time first (a plugin that failed may fail again here: then they stay as they were).
    try {
      invoke(() => sim.settlePlasticity());
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
 * sim.run() in pieces of about 50 ms of wall time, giving the event loop a turn between them
 * (signals, timers). The pieces do not settle plastic synapses (only the end does), so their
 * boundaries, which depend on the machine's speed, cannot change a single bit of the result.
 */
async function runYielding(sim: Simulation, invoke: Invoke): Promise<void> {
  let chunk = sim.resolution_ms * 100;
  while (sim.t_ms < sim.t_stop_ms) {
    const started = performance.now();
    invoke(() => sim.run(Math.min(sim.t_stop_ms, sim.t_ms + chunk), { settle: false }));
    const wall = performance.now() - started;
    // Aim at 50 ms per piece: grow the piece while it is quick, shrink it when slow.
    chunk = wall < 25 ? chunk * 2 : wall > 100 ? Math.max(sim.resolution_ms, chunk / 2) : chunk;
    await new Promise((resolve) => setImmediate(resolve));
  }
  invoke(() => sim.settlePlasticity());
}
