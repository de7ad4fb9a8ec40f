/**
 * `engram plot <out-dir>`: figures from what a run, a memory experiment or a sweep wrote, as
 * Vega-Lite specs (app/figures/specs.ts) rendered headless to SVG (vega) and PNG (resvg) in
 * <out-dir>/plots/. The same files give the same bytes.
 *   history.csv            learning        train (dashed) and test (solid) accuracy per epoch
 *                          information-plane  each hidden layer's (HSIC(X,Z), HSIC(Y,Z)) per epoch
 *   spikes/<pop>.csv       raster-<pop>    every spike (<= 500 neurons) or a density view
 *                          rates-<pop>     population rate over time (rates/<pop>.csv if recorded)
 *                          isi-cv-<pop>    histogram of the CV of each neuron's inter-spike intervals
 *   weight-trace/<p>.csv   weights-<p>     weight distribution over time (median and bands)
 *   weights/<p>.csv        weights-<p>     initial against final distribution (without a trace)
 *   window/<name>.csv      window-<name>   an STDP window, dw against dt
 *   state/<pop>.csv        state-<pop>-<v> each state variable over time, one line per neuron (first 10)
 *   capacity.csv           capacity        cosine per window (and size)
 *   sweep.csv              sweep           per-seed points, mean and 95% interval, n, fraction
 *                                          learned (one grid parameter), or a heat map (two)
 *   sweep.csv + runs/      sweep-learning  one grid parameter: accuracy per epoch per value
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngramError } from '../core/errors.js';
import { readJsonFile } from '../core/json.js';
import type { PluginKind } from '../core/tokens.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioRegistry } from './open.js';
import type { SweepManifest } from './sweep.js';
import { writeFileAtomicSync } from '../core/output.js';
import { type Spec, toPng, toSvg } from './figures/render.js';
import {
  capacitySpec,
  type Curve,
  densityRasterSpec,
  informationPlaneSpec,
  isiCvSpec,
  isiCvs,
  learningSpec,
  lineSpec,
  rasterSpec,
  type SweepPoint,
  sweepHeatmapSpec,
  sweepSpec,
  weightHistogramSpec,
  weightTraceSpec,
} from './figures/specs.js';
import { mean } from './figures/stats.js';

interface Table {
  header: string[];
  rows: string[][];
}

function readTable(file: string): Table {
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  return {
    header: lines[0].split(','),
    rows: lines
      .slice(1)
      .filter((l) => l !== '')
      .map(splitCsvLine),
  };
}

/** A CSV line with "quoted, fields" (the stalled column of sweep.csv). */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

const col = (t: Table, name: string) => t.header.indexOf(name);
const numbers = (t: Table, name: string) => t.rows.map((r) => (r[col(t, name)] === '' || r[col(t, name)] === undefined ? Number.NaN : Number(r[col(t, name)])));
const sortedUnique = (values: string[]) =>
  [...new Set(values)].sort((a, b) => (Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b)));

/** Populations up to this size get a raster of every spike; larger ones a density view. */
export const MAX_RASTER_NEURONS = 500;

/** A figure: its file name (without extension) and its spec. */
export interface Figure {
  name: string;
  spec: Spec;
}

/**
 * Learning curves of a one-parameter sweep: for each grid value, test and train accuracy (%)
 * per epoch, mean over its seeds, from each run's history.csv. Runs not finished (no
 * history.csv) are left out; the curve is as long as the shortest history of its seeds.
 */
export function sweepLearningCurves(dir: string, sweep: Table = readTable(path.join(dir, 'sweep.csv'))): Curve[] {
  const curves: Curve[] = [];
  for (const x of sortedUnique(sweep.rows.map((r) => r[1]))) {
    const hists = sweep.rows
      .filter((r) => r[1] === x)
      .map((r) => path.join(dir, 'runs', r[0], 'history.csv'))
      .filter((f) => existsSync(f))
      .map(readTable);
    if (hists.length === 0) continue;
    const epochs = Math.min(...hists.map((h) => h.rows.length));
    for (let e = 1; e <= epochs; e++)
      for (const split of ['test', 'train'] as const)
        curves.push({ group: x, split, epoch: e, value: 100 * mean(hists.map((h) => numbers(h, `${split}_accuracy`)[e - 1])) });
  }
  return curves;
}

/** A run's summary.json, or {} without one; a file that is not JSON (a run killed while writing it, say) is named. */
function readSummary(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  return readJsonFile(file, "a run's summary") as Record<string, unknown>;
}

/** Chance accuracy (%) of a training, from its summary (1 / classes). */
function chanceOf(summary: Record<string, unknown>): number | undefined {
  const classes = (summary.training as { classes?: number } | undefined)?.classes;
  return typeof classes === 'number' && classes > 0 ? 100 / classes : undefined;
}

function csvFiles(folder: string): string[] {
  return existsSync(folder)
    ? readdirSync(folder)
        .filter((x) => x.endsWith('.csv'))
        .sort()
    : [];
}

/** The CSV tables of a folder (none when it is absent), by file name without .csv, in name order. */
function tablesIn(folder: string): [string, Table][] {
  return csvFiles(folder).map((f) => [f.replace(/\.csv$/, ''), readTable(path.join(folder, f))]);
}

/** Every figure the output folder has data for, as specs (for plot and report). */
export function collectFigures(dir: string, descriptions: Readonly<Record<string, string>> = {}): Figure[] {
  if (!existsSync(dir)) throw new EngramError(`${dir} does not exist (give the output folder of engram run or engram sweep)`);
  const figures: Figure[] = [];
  const summary = readSummary(path.join(dir, 'summary.json'));
  const name = typeof summary.scenario === 'string' ? summary.scenario : path.basename(path.resolve(dir));
  const chance = chanceOf(summary);

  if (existsSync(path.join(dir, 'history.csv'))) {
    const t = readTable(path.join(dir, 'history.csv'));
    const epoch = numbers(t, 'epoch');
    const curves: Curve[] = [];
    for (const split of ['train', 'test'] as const)
      numbers(t, `${split}_accuracy`).forEach((v, r) => {
        if (Number.isFinite(v)) curves.push({ group: name, split, epoch: epoch[r], value: 100 * v });
      });
    figures.push({ name: 'learning', spec: learningSpec({ title: `${name}: accuracy per epoch`, subtitle: 'train dashed, test solid', curves, chance }) });
    const layers = t.header.filter((h) => h.endsWith('_hsic_xz')).map((h) => h.slice(0, -'_hsic_xz'.length));
    const points = layers.flatMap((layer) => {
      const xz = numbers(t, `${layer}_hsic_xz`);
      const yz = numbers(t, `${layer}_hsic_yz`);
      return epoch.map((e, r) => ({ layer, epoch: e, hsic_xz: xz[r], hsic_yz: yz[r] })).filter((p) => Number.isFinite(p.hsic_xz) && Number.isFinite(p.hsic_yz));
    });
    if (points.length) figures.push({ name: 'information-plane', spec: informationPlaneSpec({ title: `${name}: information plane`, points }) });
  }

  const tStop = typeof summary.t_stop_ms === 'number' ? summary.t_stop_ms : undefined;
  const sizes = { ...((summary.inputs ?? {}) as Record<string, { size: number }>), ...((summary.populations ?? {}) as Record<string, { size: number }>) };
  const recordedRates = new Set(csvFiles(path.join(dir, 'rates')).map((f) => f.replace(/\.csv$/, '')));
  for (const [pop, t] of tablesIn(path.join(dir, 'spikes'))) {
    const times = Float64Array.from(numbers(t, 't_ms'));
    const neurons = Int32Array.from(numbers(t, 'neuron'));
    let maxNeuron = -1;
    let maxTime = 0;
    for (let k = 0; k < neurons.length; k++) {
      if (neurons[k] > maxNeuron) maxNeuron = neurons[k];
      if (times[k] > maxTime) maxTime = times[k];
    }
    const size = sizes[pop]?.size ?? maxNeuron + 1;
    const end = tStop ?? maxTime;
    const title = `${name}: spikes of ${pop}`;
    figures.push({
      name: `raster-${pop}`,
      spec:
        size <= MAX_RASTER_NEURONS ? rasterSpec({ title, times, neurons, tStop: end, size }) : densityRasterSpec({ title, times, neurons, tStop: end, size }),
    });
    if (!recordedRates.has(pop) && end > 0 && size > 0) {
      const bins = 100;
      const w = end / bins;
      const counts = new Float64Array(bins);
      for (const x of times) counts[Math.min(bins - 1, Math.floor(x / w))]++;
      figures.push({
        name: `rates-${pop}`,
        spec: lineSpec({
          title: `${name}: rate of ${pop}`,
          subtitle: `mean rate per neuron in bins of ${Number(w.toPrecision(3))} ms, from its spikes`,
          x: 'time (ms)',
          y: 'rate (Hz)',
          series: [{ name: pop, x: Array.from(counts, (_, b) => b * w), y: Array.from(counts, (c) => (c / size / w) * 1000) }],
        }),
      });
    }
    figures.push({ name: `isi-cv-${pop}`, spec: isiCvSpec({ title: `${name}: ISI variability of ${pop}`, cvs: isiCvs(times, neurons, size), size }) });
  }
  for (const [pop, t] of tablesIn(path.join(dir, 'rates'))) {
    figures.push({
      name: `rates-${pop}`,
      spec: lineSpec({
        title: `${name}: rate of ${pop}`,
        subtitle: 'mean rate per neuron in each bin',
        x: 'time (ms)',
        y: 'rate (Hz)',
        series: [{ name: pop, x: numbers(t, 't_ms'), y: numbers(t, 'rate_hz') }],
      }),
    });
  }
  for (const [pop, t] of tablesIn(path.join(dir, 'state'))) {
    const neuronsCol = numbers(t, 'neuron');
    const shown = sortedUnique(neuronsCol.map(String)).slice(0, 10);
    const times = numbers(t, 't_ms');
    for (const variable of t.header.slice(2)) {
      const v = numbers(t, variable);
      const series = shown.map((i) => {
        const rows = neuronsCol.map((n, r) => (String(n) === i ? r : -1)).filter((r) => r >= 0);
        return { name: `neuron ${i}`, x: rows.map((r) => times[r]), y: rows.map((r) => v[r]) };
      });
      figures.push({
        name: `state-${pop}-${variable}`,
        spec: lineSpec({
          title: `${name}: ${variable} of ${pop}`,
          subtitle: shown.length < sortedUnique(neuronsCol.map(String)).length ? 'the first 10 recorded neurons' : undefined,
          x: 'time (ms)',
          y: variable,
          series,
        }),
      });
    }
  }
  const traced = new Set<string>();
  for (const [proj, t] of tablesIn(path.join(dir, 'weight-trace'))) {
    const times = sortedUnique(t.rows.map((r) => r[0])).map(Number);
    const byTime = new Map<number, number[]>();
    for (const r of t.rows) {
      const at = Number(r[0]);
      if (!byTime.has(at)) byTime.set(at, []);
      byTime.get(at)!.push(Number(r[3]));
    }
    if (times.length === 0) continue;
    traced.add(proj);
    figures.push({
      name: `weights-${proj}`,
      spec: weightTraceSpec({
        title: `${name}: weights of ${proj} over time`,
        times,
        rows: times.map((x) => Float64Array.from(byTime.get(x)!)),
        synapses: byTime.get(times[0])!.length,
      }),
    });
  }
  for (const f of csvFiles(path.join(dir, 'weights'))) {
    const proj = f.replace(/\.csv$/, '');
    if (traced.has(proj)) continue;
    const t = readTable(path.join(dir, 'weights', f));
    figures.push({
      name: `weights-${proj}`,
      spec: weightHistogramSpec({ title: `${name}: weights of ${proj}`, initial: numbers(t, 'w_initial'), final: numbers(t, 'w_final') }),
    });
  }
  for (const [base, t] of tablesIn(path.join(dir, 'window'))) {
    figures.push({
      name: `window-${base}`,
      spec: lineSpec({
        title: `${name}: STDP window ${base}`,
        x: 'dt = t_post - t_pre (ms)',
        y: 'dw',
        series: [{ name: base, x: numbers(t, 'dt_ms'), y: numbers(t, 'dw') }],
        points: true,
        zeroRules: true,
      }),
    });
  }

  if (existsSync(path.join(dir, 'capacity.csv'))) {
    const t = readTable(path.join(dir, 'capacity.csv'));
    const params = t.header.slice(0, col(t, 'cosine'));
    if (params.length >= 1) {
      const [px, py] = params.length >= 2 ? [params[1], params[0]] : [params[0], undefined];
      const rows = t.rows.map((r) => ({ x: r[col(t, px)], ...(py ? { y: r[col(t, py)] } : {}), cosine: Number(r[col(t, 'cosine')]) }));
      figures.push({ name: 'capacity', spec: capacitySpec({ title: `${name}: capacity`, rows, xKey: px, yKey: py }) });
    }
  }

  if (existsSync(path.join(dir, 'sweep.csv'))) figures.push(...sweepFigures(dir, descriptions));
  if (figures.length === 0)
    throw new EngramError(`${dir}: nothing to plot (expected history.csv, spikes/, rates/, weights/, weight-trace/, window/, capacity.csv or sweep.csv)`);
  return figures;
}

/** The sweep's own name, from sweep.json (its scenario), else the folder. */
function sweepName(dir: string): string {
  const file = path.join(dir, 'sweep.json');
  if (existsSync(file)) {
    const m = readJsonFile(file, 'a sweep manifest') as { scenario?: string; name?: string };
    if (typeof m.name === 'string') return m.name;
    if (typeof m.scenario === 'string') return path.basename(m.scenario).replace(/\.ya?ml$/, '');
  }
  return path.basename(path.resolve(dir));
}

function sweepFigures(dir: string, descriptions: Readonly<Record<string, string>>): Figure[] {
  const t = readTable(path.join(dir, 'sweep.csv'));
  const grid = t.header.slice(1, col(t, 'seed_index'));
  const metric = col(t, 'test_accuracy') >= 0 ? 'test_accuracy' : t.header[col(t, 'seed') + 1];
  const percent = metric.endsWith('accuracy');
  // The scenario's name and chance from the first finished run's summary (a training's number of classes).
  let title = sweepName(dir);
  let chance: number | undefined;
  for (const r of t.rows) {
    const s = path.join(dir, 'runs', r[0], 'summary.json');
    if (existsSync(s)) {
      const summary = readSummary(s);
      chance = chanceOf(summary);
      if (typeof summary.scenario === 'string') title = summary.scenario;
      break;
    }
  }
  const stalledCol = col(t, 'stalled');
  const learnedRule =
    stalledCol >= 0
      ? 'learned: no stall flagged'
      : percent && chance !== undefined
        ? `learned: above the middle of chance and 100% (${((chance + 100) / 2).toFixed(0)}%)`
        : 'every seed counted as learned: no stall flags in this sweep';
  const points: SweepPoint[] = t.rows
    .map((r) => {
      const value = Number(r[col(t, metric)]) * (percent ? 100 : 1);
      const learned = stalledCol >= 0 ? (r[stalledCol] ?? '') === '' : percent && chance !== undefined ? value > (chance + 100) / 2 : true;
      return { x: r[1], ...(grid.length >= 2 ? { y: r[2] } : {}), seed: Number(r[col(t, 'seed')]), value, learned };
    })
    .filter((p) => Number.isFinite(p.value));
  const figures: Figure[] = [];
  if (grid.length === 1) {
    const leaf = grid[0].split('+')[0].split('.').at(-1);
    figures.push({
      name: 'sweep',
      spec: sweepSpec({
        title: `${title}: ${metric.replace(/_/g, ' ')} per seed against ${leaf}`,
        knob: descriptions[grid[0]] ? `${leaf}: ${descriptions[grid[0]]}` : undefined,
        metric,
        gridKey: grid[0],
        points,
        chance,
        percent,
        learnedRule,
      }),
    });
    const curves = sweepLearningCurves(dir, t);
    if (curves.length)
      figures.push({
        name: 'sweep-learning',
        spec: learningSpec({
          title: `${title}: accuracy per epoch, mean over seeds`,
          subtitle: 'train dashed, test solid; one colour per grid value',
          curves,
          chance,
          groupTitle: grid[0].split('+')[0].split('.').at(-1),
        }),
      });
  } else if (grid.length >= 2) {
    figures.push({
      name: 'sweep',
      spec: sweepHeatmapSpec({
        title: `${title}: ${metric.replace(/_/g, ' ')}`,
        knob: grid
          .slice(0, 2)
          .filter((k) => descriptions[k])
          .map((k) => `${k.split('+')[0].split('.').at(-1)}: ${descriptions[k]}`)
          .join('; '),
        metric,
        xKey: grid[0],
        yKey: grid[1],
        points,
        percent,
        extraGrid: grid.length > 2,
      }),
    });
  }
  return figures;
}

/**
 * What each grid parameter of a sweep is: the description its plugin gives it (found through
 * sweep.json's scenario and the plugins it loads), for figure titles. {} for a run, or when
 * the scenario cannot be read any more (the figures then name the parameter only).
 */
export async function gridDescriptions(dir: string): Promise<Record<string, string>> {
  const file = path.join(dir, 'sweep.json');
  if (!existsSync(file)) return {};
  try {
    const manifest = readJsonFile(file, 'a sweep manifest') as SweepManifest;
    const loaded = await loadScenario(manifest.scenario);
    const registry = await scenarioRegistry(loaded);
    const out: Record<string, string> = {};
    for (const [key] of manifest.grid) {
      const parts = key.split('+')[0].split('.');
      const at = parts.indexOf('params');
      if (at < 1 || at !== parts.length - 2) continue;
      let node: unknown = loaded.scenario;
      for (const k of parts.slice(0, at)) node = (node as Record<string, unknown> | undefined)?.[k];
      const o = (node ?? {}) as { model?: string; type?: string; rule?: string };
      const owner = parts[at - 1];
      const found: [PluginKind, string | undefined] | undefined =
        parts[0] === 'populations'
          ? ['neuron', o.model]
          : parts[0] === 'inputs'
            ? ['input', o.type]
            : parts[0] === 'recorders'
              ? ['recorder', o.type]
              : owner === 'plasticity'
                ? ['plasticity', o.rule]
                : owner === 'memory'
                  ? ['memory', o.type]
                  : undefined;
      const spec = found?.[1]
        ? registry
            .table(found[0])
            .get(found[1])
            ?.params.find((p) => p.name === parts[at + 1])
        : undefined;
      if (spec) out[key] = spec.description;
    }
    return out;
  } catch {
    return {};
  }
}

/** Writes every figure as SVG and PNG into <dir>/plots; returns the files, relative to dir. */
export async function plotOutput(dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const f of collectFigures(dir, await gridDescriptions(dir))) {
    const svg = await toSvg(f.spec);
    writeFileAtomicSync(path.join(dir, 'plots', `${f.name}.svg`), svg);
    writeFileAtomicSync(path.join(dir, 'plots', `${f.name}.png`), toPng(svg));
    written.push(`plots/${f.name}.svg`, `plots/${f.name}.png`);
  }
  return written;
}
