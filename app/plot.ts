/**
 * `engram plot <out-dir>`: SVG figures from what a run, a memory experiment or a sweep wrote,
 * into <out-dir>/plots/:
 *   history.csv          learning.svg       train and test accuracy per epoch
 *   spikes/<pop>.csv     raster-<pop>.svg   spike raster (the first 200 neurons)
 *   rates/<pop>.csv      rates-<pop>.svg    population rate over time
 *   window/<name>.csv    window-<name>.svg  an STDP window, dw against dt
 *   capacity.csv         capacity.svg       cosine per window and size (heat map)
 *   sweep.csv            sweep.svg          final test accuracy: mean over seeds against one
 *                                           grid parameter (line), or a heat map for two
 *   sweep.csv + runs/    sweep-learning.svg one grid parameter: train and test accuracy per
 *                                           epoch for each of its values, mean over seeds
 */
import { readJsonFile } from '../core/json.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngramError } from '../core/errors.js';
import { writeFileAtomicSync } from '../core/output.js';
import { heatMap, lineChart, raster, type Series } from './svg.js';

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
      .map((l) => l.split(',')),
  };
}

const col = (t: Table, name: string) => t.header.indexOf(name);
const numbers = (t: Table, name: string) => t.rows.map((r) => (r[col(t, name)] === '' ? NaN : Number(r[col(t, name)])));
const sortedUnique = (values: string[]) =>
  [...new Set(values)].sort((a, b) => (Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b)));
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

const MAX_RASTER_NEURONS = 200;

/**
 * Learning curves of a one-parameter sweep: for each grid value, test and train accuracy (%)
 * per epoch, mean over its seeds, from each run's history.csv. Runs not finished (no
 * history.csv) are left out; the curve is as long as the shortest history of its seeds.
 */
export function sweepLearningCurves(dir: string, sweep: Table = readTable(path.join(dir, 'sweep.csv'))): Series[] {
  const param = sweep.header[1].split('+')[0].split('.').slice(-2).join('.');
  const curves: Series[] = [];
  for (const x of sortedUnique(sweep.rows.map((r) => r[1]))) {
    const hists = sweep.rows
      .filter((r) => r[1] === x)
      .map((r) => path.join(dir, 'runs', r[0], 'history.csv'))
      .filter((f) => existsSync(f))
      .map(readTable);
    if (hists.length === 0) continue;
    const epochs = Math.min(...hists.map((h) => h.rows.length));
    const ep = Array.from({ length: epochs }, (_, e) => e + 1);
    const avg = (m: string) => ep.map((e) => 100 * mean(hists.map((h) => numbers(h, m)[e - 1])));
    curves.push({ name: `${param} ${x} test`, x: ep, y: avg('test_accuracy') });
    curves.push({ name: `${param} ${x} train`, x: ep, y: avg('train_accuracy') });
  }
  return curves;
}

export function plotOutput(dir: string): string[] {
  if (!existsSync(dir)) throw new EngramError(`${dir} does not exist (give the output folder of engram run or engram sweep)`);
  const written: string[] = [];
  const write = (name: string, svg: string) => {
    writeFileAtomicSync(path.join(dir, 'plots', name), svg);
    written.push(`plots/${name}`);
  };
  const summary = readSummary(path.join(dir, 'summary.json'));
  const name = typeof summary.scenario === 'string' ? summary.scenario : path.basename(path.resolve(dir));

  if (existsSync(path.join(dir, 'history.csv'))) {
    const t = readTable(path.join(dir, 'history.csv'));
    const epoch = numbers(t, 'epoch');
    const series: Series[] = [{ name: 'train', x: epoch, y: numbers(t, 'train_accuracy').map((v) => 100 * v) }];
    if (numbers(t, 'test_accuracy').some(Number.isFinite)) series.push({ name: 'test', x: epoch, y: numbers(t, 'test_accuracy').map((v) => 100 * v) });
    write('learning.svg', lineChart(`${name}: accuracy per epoch`, 'epoch', 'accuracy (%)', series, { y: [0, 100], markers: true }));
  }

  const tStop = typeof summary.t_stop_ms === 'number' ? summary.t_stop_ms : undefined;
  const pops = (summary.populations ?? {}) as Record<string, { size: number }>;
  for (const sub of ['spikes', 'rates', 'window']) {
    const folder = path.join(dir, sub);
    if (!existsSync(folder)) continue;
    for (const f of readdirSync(folder)
      .filter((x) => x.endsWith('.csv'))
      .sort()) {
      const base = f.replace(/\.csv$/, '');
      const t = readTable(path.join(folder, f));
      if (sub === 'spikes') {
        const size = pops[base]?.size ?? Math.max(0, ...numbers(t, 'neuron')) + 1;
        const shown = Math.min(size, MAX_RASTER_NEURONS);
        const keep = t.rows.filter((r) => Number(r[1]) < shown);
        const times = keep.map((r) => Number(r[0]));
        write(
          `raster-${base}.svg`,
          raster(
            `${name}: spikes of ${base}${shown < size ? ` (first ${shown} of ${size} neurons)` : ''}`,
            times,
            keep.map((r) => Number(r[1])),
            tStop ?? Math.max(0, ...times),
            shown,
          ),
        );
      } else if (sub === 'rates') {
        write(
          `rates-${base}.svg`,
          lineChart(`${name}: rate of ${base}`, 'time (ms)', 'rate (Hz)', [{ name: base, x: numbers(t, 't_ms'), y: numbers(t, 'rate_hz') }]),
        );
      } else {
        write(
          `window-${base}.svg`,
          lineChart(`${name}: STDP window ${base}`, 'dt = t_post - t_pre (ms)', 'dw', [{ name: base, x: numbers(t, 'dt_ms'), y: numbers(t, 'dw') }], {
            markers: true,
          }),
        );
      }
    }
  }

  if (existsSync(path.join(dir, 'capacity.csv'))) {
    const t = readTable(path.join(dir, 'capacity.csv'));
    const params = t.header.slice(0, col(t, 'cosine'));
    if (params.length >= 1) {
      const [px, py] = params.length >= 2 ? [params[1], params[0]] : [params[0], undefined];
      const xs = sortedUnique(t.rows.map((r) => r[col(t, px)]));
      const ys = py ? sortedUnique(t.rows.map((r) => r[col(t, py)])) : ['cosine'];
      const cell = (x: string, y: string) => {
        const r = t.rows.find((row) => row[col(t, px)] === x && (!py || row[col(t, py)] === y));
        return r ? Number(Number(r[col(t, 'cosine')]).toFixed(3)) : undefined;
      };
      write('capacity.svg', heatMap(`${name}: cosine with the exact xi`, px, py ?? '', xs, ys, cell));
    }
  }

  if (existsSync(path.join(dir, 'sweep.csv'))) {
    const t = readTable(path.join(dir, 'sweep.csv'));
    const grid = t.header.slice(1, col(t, 'seed_index'));
    const metric = col(t, 'test_accuracy') >= 0 ? 'test_accuracy' : t.header[col(t, 'seed') + 1];
    const scale = metric.endsWith('accuracy') ? 100 : 1;
    const label = metric.endsWith('accuracy') ? `${metric.replace('_', ' ')} (%)` : metric;
    const at = (filter: (r: string[]) => boolean) => {
      const v = t.rows
        .filter(filter)
        .map((r) => Number(r[col(t, metric)]) * scale)
        .filter(Number.isFinite);
      return v.length ? mean(v) : undefined;
    };
    const short = (p: string) => p.split('.').slice(-2).join('.');
    if (grid.length === 1) {
      const xs = sortedUnique(t.rows.map((r) => r[1]));
      if (xs.every((x) => Number.isFinite(Number(x)))) {
        write(
          'sweep.svg',
          lineChart(
            `${path.basename(path.resolve(dir))}: mean over seeds`,
            short(grid[0]),
            label,
            [{ name: metric, x: xs.map(Number), y: xs.map((x) => at((r) => r[1] === x) ?? NaN) }],
            { markers: true },
          ),
        );
      } else {
        write(
          'sweep.svg',
          heatMap(`${path.basename(path.resolve(dir))}: mean over seeds`, short(grid[0]), '', xs, [label], (x) => at((r) => r[1] === x)),
        );
      }
      const curves = sweepLearningCurves(dir, t);
      if (curves.length)
        write(
          'sweep-learning.svg',
          lineChart(`${path.basename(path.resolve(dir))}: accuracy per epoch, mean over seeds`, 'epoch', 'accuracy (%)', curves, { markers: true }),
        );
    } else if (grid.length >= 2) {
      const xs = sortedUnique(t.rows.map((r) => r[1]));
      const ys = sortedUnique(t.rows.map((r) => r[2]));
      write(
        'sweep.svg',
        heatMap(
          `${path.basename(path.resolve(dir))}: mean ${label} over seeds${grid.length > 2 ? ' and further grid values' : ''}`,
          short(grid[0]),
          short(grid[1]),
          xs,
          ys,
          (x, y) => {
            const v = at((r) => r[1] === x && r[2] === y);
            return v === undefined ? undefined : Number(v.toFixed(scale === 100 ? 1 : 3));
          },
        ),
      );
    }
  }
  if (written.length === 0) throw new EngramError(`${dir}: nothing to plot (expected history.csv, spikes/, rates/, window/, capacity.csv or sweep.csv)`);
  return written;
}

/** A run's summary.json, or {} without one; a file that is not JSON (a run killed while writing it, say) is named. */
function readSummary(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  return readJsonFile(file, "a run's summary") as Record<string, unknown>;
}
