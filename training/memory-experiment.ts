/**
 * The memory experiment: how well does a memory circuit supply the IB signal? For each point
 * of a parameter grid it builds the circuit (a circuit that learns before use trains then, on
 * its own random stream), feeds it a held-out stream of random samples one at a time through
 * the same contract the training protocol uses (present [x; y; z], read its channel), and
 * compares each signal with the exact xi over the last `window` samples (training/hsic):
 *
 *   cosine  mean over samples of cos(signal, xi)        (samples with xi = 0 skipped)
 *   nmse    sum |signal - xi|^2 / sum |xi|^2
 *
 * The first `window` samples of the stream only fill the window and are not scored. Works with
 * any memory plugin: `ideal-window` scores cosine 1, nmse 0 (a check of the harness itself).
 */
import type { MemoryCircuitPlugin } from '../core/contracts.js';
import { CsvBuilder, writeFileAtomicSync } from '../core/output.js';
import { cosine, ibSignal } from './hsic/hsic.js';
import { Channel } from '../core/modulators.js';
import { resolveParams } from '../core/params.js';
import type { MemoryExperimentSpec } from './schema.js';
import { Rng } from '../core/rng.js';
import { Scheduler } from '../core/scheduler.js';
import { ScenarioError, type FieldPath, type SourceLocation } from '../core/errors.js';

export interface MemoryExperimentRow {
  params: Record<string, unknown>;
  cosine: number;
  nmse: number;
  /** Samples scored. */
  samples: number;
  /** Wall time to build (and train) the circuit, and to run the test stream, in s. */
  build_s: number;
  test_s: number;
}

export interface MemoryExperimentResult {
  memory: string;
  dims: { x: number; y: number; z: number };
  rows: MemoryExperimentRow[];
}

/** The statistics of a random memory stream: x and z Gaussian per component. */
export interface StreamStats {
  x_mean: number;
  x_sd: number;
  z_mean: number;
  z_sd: number;
}

/**
 * One random sample for training or testing a memory circuit, independent of any task:
 * x ~ N(x_mean, x_sd^2) and z ~ N(z_mean, z_sd^2) per component, y a uniformly drawn one-hot.
 */
export function randomMemorySample(
  rng: Rng,
  dims: { x: number; y: number; z: number },
  st: StreamStats,
): { x: Float64Array; y: Float64Array; z: Float64Array } {
  const x = Float64Array.from({ length: dims.x }, () => st.x_mean + st.x_sd * rng.normal());
  const y = new Float64Array(dims.y);
  y[rng.int(dims.y)] = 1;
  const z = Float64Array.from({ length: dims.z }, () => st.z_mean + st.z_sd * rng.normal());
  return { x, y, z };
}

/** Every combination of the grid's values, in order (the last key varies fastest). */
function combinations(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [key, values] of Object.entries(grid)) out = out.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  return out;
}

/** Every grid point's circuit parameters, checked (throws ScenarioError naming the field): done before any training starts. */
export function resolveMemoryExperiment(
  spec: MemoryExperimentSpec,
  plugin: MemoryCircuitPlugin,
  locate: (p: FieldPath, onKey?: boolean) => SourceLocation,
): { point: Record<string, unknown>; values: Record<string, unknown> }[] {
  const base: FieldPath = ['memory_experiment', 'memory', 'params'];
  return combinations(spec.grid).map((point) => {
    const { values, diagnostics } = resolveParams(
      `memory circuit ${plugin.name}`,
      plugin.params,
      { ...spec.memory.params, ...point },
      base,
      locate,
      plugin.check,
    );
    if (diagnostics.length) throw new ScenarioError(diagnostics);
    for (const k of ['window', 'sigma_x', 'sigma_y', 'sigma_z', 'gamma']) {
      if (typeof values[k] !== 'number')
        throw new ScenarioError([
          {
            location: locate(base),
            path: base.join('.'),
            expected: `a memory circuit with a numeric ${k} parameter (the target it is scored against)`,
            found: `${plugin.name} without ${k}`,
          },
        ]);
    }
    return { point, values };
  });
}

export function runMemoryExperiment(
  spec: MemoryExperimentSpec,
  plugin: MemoryCircuitPlugin,
  seed: number,
  baseDir: string,
  locate: (p: FieldPath, onKey?: boolean) => SourceLocation,
  onRow?: (row: MemoryExperimentRow, index: number, total: number) => void,
): MemoryExperimentResult {
  const resolved = resolveMemoryExperiment(spec, plugin, locate);
  const dims = spec.dims;
  const rows: MemoryExperimentRow[] = [];
  for (const [index, { point, values }] of resolved.entries()) {
    const t0 = performance.now();
    const scheduler = new Scheduler();
    const channel = new Channel('xi', dims.z);
    const circuit = plugin.create({ params: values, scheduler, rng: Rng.derive(seed, `memory-experiment/${index}/circuit`), dims, channel, baseDir });
    const t1 = performance.now();
    const window = values.window as number;
    const ib = { sigma_x: values.sigma_x as number, sigma_y: values.sigma_y as number, sigma_z: values.sigma_z as number, gamma: values.gamma as number };
    const rng = Rng.derive(seed, 'memory-experiment/test-stream');
    const X: Float64Array[] = [];
    const Y: Float64Array[] = [];
    const Z: Float64Array[] = [];
    let cosSum = 0;
    let cosN = 0;
    let err = 0;
    let norm = 0;
    const st = spec.stream;
    for (let s = 0; s < window + spec.test_samples; s++) {
      const { x, y, z } = randomMemorySample(rng, dims, st);
      X.push(x);
      Y.push(y);
      Z.push(z);
      if (X.length > window) {
        X.shift();
        Y.shift();
        Z.shift();
      }
      const t = scheduler.now;
      const before = channel.count;
      circuit.present({ x, y, z }, t);
      scheduler.runUntil(t + spec.wait_ms);
      if (s < window) continue;
      const exact = ibSignal(X, Y, Z, ib);
      const est =
        channel.count > before
          ? channel.amounts.subarray((channel.count - 1 - channel.first) * dims.z, (channel.count - channel.first) * dims.z)
          : new Float64Array(dims.z);
      let e2 = 0;
      let x2 = 0;
      for (let k = 0; k < dims.z; k++) {
        e2 += (est[k] - exact[k]) ** 2;
        x2 += exact[k] ** 2;
      }
      err += e2;
      norm += x2;
      if (x2 > 0) {
        cosSum += cosine(est, exact);
        cosN++;
      }
    }
    const row: MemoryExperimentRow = {
      params: point,
      cosine: cosN ? cosSum / cosN : 0,
      nmse: norm > 0 ? err / norm : 0,
      samples: spec.test_samples,
      build_s: (t1 - t0) / 1000,
      test_s: (performance.now() - t1) / 1000,
    };
    rows.push(row);
    onRow?.(row, index, resolved.length);
  }
  return { memory: plugin.name, dims, rows };
}

/** Writes capacity.csv (one row per grid point) and summary.json below outDir. */
/**
 * Writes capacity.csv and summary.json (atomically). Called after every finished grid point
 * with complete = false, so an interrupted experiment keeps the rows it finished.
 */
export function writeMemoryExperiment(result: MemoryExperimentResult, meta: Record<string, unknown>, outDir: string, complete = true): string[] {
  const keys = [...new Set(result.rows.flatMap((r) => Object.keys(r.params)))];
  const csv = new CsvBuilder([...keys, 'cosine', 'nmse', 'samples', 'build_s', 'test_s'].join(','));
  for (const r of result.rows) csv.row([...keys.map((k) => String(r.params[k] ?? '')), r.cosine, r.nmse, r.samples, r.build_s, r.test_s].join(','));
  writeFileAtomicSync(`${outDir}/capacity.csv`, csv.toString());
  writeFileAtomicSync(
    `${outDir}/summary.json`,
    `${JSON.stringify({ ...meta, complete, memory_experiment: result, files: ['capacity.csv', 'summary.json'] }, null, 2)}\n`,
  );
  return ['capacity.csv', 'summary.json'];
}
