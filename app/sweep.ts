/**
 * Parameter sweeps: every combination of a grid of scenario overrides, times K seeds, run in
 * parallel worker threads (one run per worker at a time), each in its own folder.
 *
 *   <out>/sweep.json            what the sweep is (scenario, grid, seeds): resuming checks it
 *   <out>/runs/<id>/            the run's own output (summary.json, history.csv, ...)
 *   <out>/runs/<id>/run.json    written last, atomically: the run is finished
 *   <out>/sweep.csv             one row per finished run: grid values, seed, final metrics
 *
 * A run's seed is derived from the scenario's seed and the seed index k (the same k gives the
 * same seed at every grid point, so grid points are compared on paired seeds). Resuming
 * (`resume: true`) skips every run whose run.json exists; a run that was cut off is started
 * again from scratch in its folder.
 */
import { readJsonFile } from '../core/json.js';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngramError, ScenarioError } from '../core/errors.js';
import { CsvBuilder, writeFileAtomicSync } from '../core/output.js';
import { Rng } from '../core/rng.js';
import { loadScenario } from '../scenario/load.js';
import { runScenario } from './run.js';
import type { RunReply, RunRequest } from './sweep-worker.js';
import { ensureOutputFolder, lockOutputFolder } from './output-folder.js';

export interface SweepOptions {
  /** path=v1,v2,... overrides (values are YAML, as for --set). */
  grid: string[];
  /** Seeds per grid point. */
  seeds: number;
  /** Worker threads (runs at a time); 0 runs in this thread. */
  workers: number;
  out: string;
  resume?: boolean;
  /** Fixed overrides applied to every run (as --set). */
  set?: readonly string[];
  onRun?: (done: number, total: number, run: SweepRun) => void;
  /** Told of things worth a note that are not errors (a stale lock taken over). */
  onNotice?: (message: string) => void;
}

export interface SweepRun {
  id: string;
  index: number;
  params: Record<string, string>;
  seed_index: number;
  seed: number;
  metrics: Record<string, number | null>;
  /**
   * Trainings: what the stall detector found at the last evaluation, as `layer: reason`
   * items joined by `; ` (empty: healthy). A stalled run must not be averaged unnoticed.
   */
  stalled?: string;
  wall_s: number;
  /** Queued sweeps: the worker (host:pid) that finished the run. */
  worker?: string;
  /** Queued sweeps: the epoch the run was resumed from after its first worker stopped (a training's checkpoint). */
  resumed_from_epoch?: number;
}

/** One run of a sweep: what a worker (thread or `engram worker`) needs to run it. */
export interface SweepJob {
  id: string;
  index: number;
  params: Record<string, string>;
  seedIndex: number;
  seed: number;
  set: string[];
  /** The run's own folder: <out>/runs/<id>. */
  out: string;
}

/**
 * Parses path=v1,v2,... (values split on commas outside brackets and braces). path may join
 * several paths with '+' to give them the same value at every grid point.
 */
export function parseGrid(specs: readonly string[]): [string, string[]][] {
  const seen = new Map<string, string>();
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0) throw new EngramError(`--grid ${spec}: expected path=value1,value2,... (e.g. --grid training.layers.0.memory.params.window=2,4,8)`);
    const values: string[] = [];
    let depth = 0;
    let cur = '';
    for (const ch of spec.slice(eq + 1)) {
      if (ch === '[' || ch === '{') depth++;
      if (ch === ']' || ch === '}') depth--;
      if (ch === ',' && depth === 0) {
        values.push(cur.trim());
        cur = '';
      } else cur += ch;
    }
    values.push(cur.trim());
    if (values.some((x) => x === '')) throw new EngramError(`--grid ${spec}: an empty value in the list`);
    // A path varied twice would have one of its grids silently overwritten by the other.
    for (const p of spec.slice(0, eq).split('+')) {
      const earlier = seen.get(p);
      if (earlier !== undefined)
        throw new EngramError(`--grid ${spec}: ${p} is varied already by --grid ${earlier}; give each path one --grid (join values with commas)`);
      seen.set(p, spec);
    }
    return [spec.slice(0, eq), values];
  });
}

/** A training's stalls from its summary.json, as `where: reason; ...` (undefined for other runs). */
export function runStalled(summary: Record<string, unknown>): string | undefined {
  const training = summary.training as { stalled?: { where: string; reason: string }[] } | undefined;
  return training ? (training.stalled ?? []).map((s) => `${s.where}: ${s.reason}`).join('; ') : undefined;
}

/** The final figures of a run, from its summary.json: accuracies for training, rates otherwise. */
export function runMetrics(summary: Record<string, unknown>): Record<string, number | null> {
  const training = summary.training as { train_accuracy: number; test_accuracy: number | null } | undefined;
  if (training) return { train_accuracy: training.train_accuracy, test_accuracy: training.test_accuracy };
  const exp = summary.memory_experiment as { rows: { cosine: number }[] } | undefined;
  if (exp) return { mean_cosine: exp.rows.reduce((s, r) => s + r.cosine, 0) / Math.max(1, exp.rows.length) };
  const pops = (summary.populations ?? {}) as Record<string, { rate_hz: number }>;
  return Object.fromEntries(Object.entries(pops).map(([k, p]) => [`${k}_rate_hz`, p.rate_hz]));
}

export function jobs(scenarioSeed: number, grid: [string, string[]][], seeds: number, out: string, fixed: readonly string[]): SweepJob[] {
  let points: Record<string, string>[] = [{}];
  for (const [key, values] of grid) points = points.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  const list: SweepJob[] = [];
  const width = String(points.length * seeds - 1).length;
  for (const params of points) {
    for (let k = 0; k < seeds; k++) {
      const index = list.length;
      const id = `run-${String(index).padStart(width, '0')}`;
      list.push({
        id,
        index,
        params,
        seedIndex: k,
        seed: Rng.derive(scenarioSeed, `sweep/seed/${k}`).int(2 ** 31),
        // A key "a+b" sets every path it joins to the same value (tied parameters).
        set: [...fixed, ...Object.entries(params).flatMap(([p, v]) => p.split('+').map((one) => `${one}=${v}`))],
        out: path.join(out, 'runs', id),
      });
    }
  }
  return list;
}

/** Writes <out>/sweep.csv (atomically): one row per finished run, in run order. */
export function writeSweepCsv(out: string, grid: [string, string[]][], runs: readonly SweepRun[]): void {
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
  const stalls = runs.some((r) => r.stalled !== undefined);
  const csv = new CsvBuilder(['run', ...grid.map(([k]) => k), 'seed_index', 'seed', ...metricKeys, ...(stalls ? ['stalled'] : []), 'wall_s'].join(','));
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  for (const r of [...runs].sort((a, b) => a.index - b.index)) {
    csv.row(
      [r.id, ...grid.map(([k]) => r.params[k]), r.seed_index, r.seed, ...metricKeys.map((m) => r.metrics[m]), ...(stalls ? [r.stalled ?? ''] : []), r.wall_s]
        .map(cell)
        .join(','),
    );
  }
  writeFileAtomicSync(path.join(out, 'sweep.csv'), csv.toString());
}

/** The compiled worker beside this file; absent when running from TypeScript sources. */
export function workerFile(): string | undefined {
  const file = fileURLToPath(new URL('./sweep-worker.js', import.meta.url));
  return existsSync(file) ? file : undefined;
}

/** A sweep laid out: every run, the ones already finished (their run.json exists) and the rest. */
export interface SweepPlan {
  grid: [string, string[]][];
  all: SweepJob[];
  finished: SweepRun[];
  todo: SweepJob[];
}

export type SweepManifest = { scenario: string; grid: [string, string[]][]; seeds: number; set: string[] };

/**
 * Checks a sweep (every grid point must pass the scenario schema), records it in
 * <out>/sweep.json (or checks that the one there is the same, when resuming) and finds the
 * runs already finished. Shared by local and queued sweeps.
 */
export async function planSweep(scenario: string, options: Pick<SweepOptions, 'grid' | 'seeds' | 'out' | 'resume' | 'set'>): Promise<SweepPlan> {
  const loaded = await loadScenario(scenario, { set: options.set });
  const grid = parseGrid(options.grid);
  if (!Number.isInteger(options.seeds) || options.seeds < 1) throw new EngramError(`--seeds: expected an integer >= 1, found ${options.seeds}`);
  // Every grid point must pass the scenario schema before anything runs (plugins check their
  // parameters when each run builds: a full build could mean training a memory circuit).
  const all = jobs(loaded.scenario.seed, grid, options.seeds, options.out, options.set ?? []);
  for (const j of all.filter((j) => j.seedIndex === 0)) {
    try {
      await loadScenario(scenario, { set: j.set });
    } catch (err) {
      throw err instanceof ScenarioError ? blameGrid(err, grid, options.set ?? []) : err;
    }
  }

  ensureOutputFolder(options.out);
  const manifestFile = path.join(options.out, 'sweep.json');
  const manifest = sweepManifest(scenario, options);
  if (existsSync(manifestFile)) {
    const old = readJsonFile(manifestFile, "a sweep's manifest");
    if (!options.resume) throw new EngramError(`${options.out} already holds a sweep: add --resume to continue it, or choose another --out`);
    if (JSON.stringify(old) !== JSON.stringify(manifest))
      throw new EngramError(`${options.out} holds a different sweep (scenario, grid, seeds or --set differ): cannot resume it`);
  }
  mkdirSync(options.out, { recursive: true });
  writeFileAtomicSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  const finished: SweepRun[] = [];
  const todo: SweepJob[] = [];
  for (const j of all) {
    const run = finishedRun(j.out);
    if (run) finished.push(run);
    else todo.push(j);
  }
  return { grid, all, finished, todo };
}

/**
 * A grid point's overrides go through --set: a problem with one of them is reported at the
 * --grid option it came from, not at a --set the user never wrote.
 */
function blameGrid(err: ScenarioError, grid: [string, string[]][], fixed: readonly string[]): ScenarioError {
  const diagnostics = err.diagnostics.map((d) => {
    const expr = d.location.file.startsWith('--set ') ? d.location.file.slice('--set '.length) : undefined;
    if (expr === undefined || fixed.includes(expr)) return d;
    const entry = grid.find(([key]) => key.split('+').some((one) => expr.startsWith(`${one}=`)));
    return entry ? { ...d, location: { file: `--grid ${entry[0]}=${entry[1].join(',')}` } } : d;
  });
  return new ScenarioError(diagnostics);
}

/** What a sweep is, as sweep.json records it: resuming (or re-enqueueing) checks it is the same. */
export function sweepManifest(scenario: string, options: Pick<SweepOptions, 'grid' | 'seeds' | 'set'>): SweepManifest {
  return { scenario: path.resolve(scenario), grid: parseGrid(options.grid), seeds: options.seeds, set: [...(options.set ?? [])] };
}

/** The record of a finished run (its run.json), or undefined while it is not finished. */
export function finishedRun(runDir: string): SweepRun | undefined {
  const marker = path.join(runDir, 'run.json');
  return existsSync(marker) ? (readJsonFile(marker, "a finished run's record") as SweepRun) : undefined;
}

/** Marks a run finished: writes its run.json (atomically, last of its files) from its summary.json. */
export function finishRun(j: SweepJob, wall_s: number, extra: Pick<SweepRun, 'worker' | 'resumed_from_epoch'> = {}): SweepRun {
  const summary = readJsonFile(path.join(j.out, 'summary.json'), "a run's summary") as Record<string, unknown>;
  const run: SweepRun = {
    id: j.id,
    index: j.index,
    params: j.params,
    seed_index: j.seedIndex,
    seed: j.seed,
    metrics: runMetrics(summary),
    stalled: runStalled(summary),
    wall_s,
    ...extra,
  };
  writeFileAtomicSync(path.join(j.out, 'run.json'), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

export async function runSweep(scenario: string, options: SweepOptions): Promise<{ runs: SweepRun[]; skipped: number; out: string }> {
  // Two local sweeps on one folder would run the same runs twice and race on sweep.csv.
  ensureOutputFolder(options.out);
  const unlock = lockOutputFolder(options.out, `engram sweep ${scenario}`, options.onNotice);
  try {
    return await runSweepLocked(scenario, options);
  } finally {
    unlock();
  }
}

async function runSweepLocked(scenario: string, options: SweepOptions): Promise<{ runs: SweepRun[]; skipped: number; out: string }> {
  const { grid, all, finished, todo } = await planSweep(scenario, options);
  const skipped = finished.length;
  writeSweepCsv(options.out, grid, finished);

  const complete = (j: SweepJob, wall_s: number) => {
    const run = finishRun(j, wall_s);
    finished.push(run);
    writeSweepCsv(options.out, grid, finished);
    options.onRun?.(finished.length, all.length, run);
  };

  const file = workerFile();
  if (options.workers === 0 || !file) {
    for (const j of todo) {
      const t0 = performance.now();
      await runScenario(scenario, { set: j.set, seed: j.seed, out: j.out, threads: 1 });
      complete(j, (performance.now() - t0) / 1000);
    }
    return { runs: finished.sort((a, b) => a.index - b.index), skipped, out: options.out };
  }

  // Worker threads: each takes the next job when it finishes one.
  const queue = todo.slice();
  const n = Math.max(1, Math.min(options.workers, queue.length));
  let failure: Error | undefined;
  await Promise.all(
    Array.from(
      { length: queue.length ? n : 0 },
      () =>
        new Promise<void>((resolve) => {
          const worker = new Worker(file);
          let current: SweepJob | undefined;
          let t0 = 0;
          const next = () => {
            current = failure ? undefined : queue.shift();
            if (!current) {
              void worker.terminate().then(() => resolve());
              return;
            }
            t0 = performance.now();
            worker.postMessage({ type: 'run', scenario, set: current.set, seed: current.seed, out: current.out } satisfies RunRequest);
          };
          worker.on('message', (msg: RunReply) => {
            if (!msg.ok)
              failure ??= new EngramError(
                `${current!.id} (${Object.entries(current!.params)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}): ${msg.error}`,
              );
            else complete(current!, (performance.now() - t0) / 1000);
            next();
          });
          worker.on('error', (err) => {
            failure ??= err;
            resolve();
          });
          next();
        }),
    ),
  );
  if (failure) throw failure;
  return { runs: finished.sort((a, b) => a.index - b.index), skipped, out: options.out };
}
