/**
 * Every figure engram draws, as a Vega-Lite spec built from plain data (app/plot.ts reads the
 * files; this module only decides what is drawn). Conventions: accuracy axes fixed to 0-100%
 * with the chance level drawn, per-seed points with the mean and its 95% t interval and n
 * printed, train dashed and test solid, legends outside the plot, colour bars on heat maps.
 */
import { meanInterval, quantile } from './stats.js';
import { type Spec, withConfig } from './render.js';

const WIDTH = 460;
const HEIGHT = 280;

/** How a grid parameter's values are best shown on an axis. */
export type GridScale = 'categorical' | 'log' | 'linear';

/**
 * Integer grids are categorical (2, 4, 10, 20 evenly spaced, not at 5/10/15/20); positive
 * values with a constant ratio (>= 3 of them) go on a log axis; anything else is linear, or
 * categorical when it is not numeric.
 */
export function gridScale(values: readonly string[]): GridScale {
  const xs = values.map(Number);
  if (!xs.every(Number.isFinite)) return 'categorical';
  const sorted = [...new Set(xs)].sort((a, b) => a - b);
  if (sorted.length >= 3 && sorted[0] > 0) {
    const ratios = sorted.slice(1).map((x, i) => x / sorted[i]);
    if (ratios.every((r) => Math.abs(r - ratios[0]) < 1e-6 * ratios[0]) && ratios[0] > 1 + 1e-9) return 'log';
  }
  if (sorted.every(Number.isInteger)) return 'categorical';
  return 'linear';
}

/** Units from a parameter's name suffix (engram's convention: tau_ms, rate_hz, v_mV, ...). */
const UNITS: [RegExp, string][] = [
  [/_ms$/, 'ms'],
  [/_hz$/i, 'Hz'],
  [/_mV$/, 'mV'],
  [/_nA$/, 'nA'],
  [/_pA$/, 'pA'],
  [/_MOhm$/, 'MΩ'],
  [/_nS$/, 'nS'],
  [/_pF$/, 'pF'],
];

/**
 * An axis label for a grid key: the parameter's name with its unit, where it sits, and "tied"
 * when the key joins several paths that take the same value (a+b=...).
 */
export function gridLabel(key: string): string {
  const paths = key.split('+');
  const leaf = (p: string) => p.split('.').at(-1)!;
  const name = leaf(paths[0]);
  const unit = UNITS.find(([re]) => re.test(name))?.[1];
  const where = (p: string) => {
    const parts = p.split('.');
    const i = parts.indexOf('params');
    return (i > 0 ? parts.slice(0, i) : parts.slice(0, -1)).join('.');
  };
  const base = unit ? `${name.replace(/_[A-Za-z]+$/, '')} (${unit})` : name;
  if (paths.length === 1) return `${base}, ${where(paths[0])}`;
  const names = new Set(paths.map(leaf));
  return names.size === 1 ? `${base}, tied across ${paths.length} paths` : `${paths.map(leaf).join(' = ')} (tied)`;
}

/** Where a tied grid key's paths are, for a subtitle (empty for a single path). */
export function tiedPaths(key: string): string {
  const paths = key.split('+').map((p) => p.split('.'));
  if (paths.length < 2) return '';
  // Paths that differ in one segment only: training.layers.{0,1}.memory.params.window.
  const n = paths[0].length;
  if (paths.every((p) => p.length === n)) {
    const differing = paths[0].map((_, i) => i).filter((i) => paths.some((p) => p[i] !== paths[0][i]));
    if (differing.length === 1) {
      const i = differing[0];
      return `tied: ${[...paths[0].slice(0, i), `{${paths.map((p) => p[i]).join(',')}}`, ...paths[0].slice(i + 1)].join('.')}`;
    }
  }
  return `tied: ${paths.map((p) => p.join('.')).join(' = ')}`;
}

export interface SweepPoint {
  x: string;
  /** A second grid value (heat maps), else undefined. */
  y?: string;
  seed: number;
  value: number;
  learned: boolean;
}

/** Per grid value: mean, 95% interval, n, fraction learned. */
export function sweepSummary(
  points: readonly SweepPoint[],
): { x: string; y?: string; n: number; mean: number; low?: number; high?: number; learned: number }[] {
  const keys = [...new Set(points.map((p) => `${p.x}\u0000${p.y ?? ''}`))];
  return keys.map((k) => {
    const [x, y] = k.split('\u0000');
    const here = points.filter((p) => p.x === x && (p.y ?? '') === y);
    const mi = meanInterval(here.map((p) => p.value));
    return { x, ...(y !== '' ? { y } : {}), ...mi, learned: here.filter((p) => p.learned).length / here.length };
  });
}

function xEncoding(values: readonly string[], title: string): Spec {
  const scale = gridScale(values);
  const sorted = [...new Set(values)].sort((a, b) => (Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b)));
  if (scale === 'categorical') return { field: 'x', type: 'ordinal', sort: sorted, title, axis: { labelAngle: 0 } };
  return {
    field: 'xn',
    type: 'quantitative',
    title,
    // Padding keeps the points at the first and last value off the frame.
    scale: scale === 'log' ? { type: 'log', nice: false, padding: 24 } : { zero: false, padding: 24 },
    axis: { values: sorted.map(Number) },
  };
}

/** The chance level as a dashed rule with its label (accuracy in %). */
function chanceLayers(chance: number | undefined): Spec[] {
  if (chance === undefined) return [];
  return [
    { data: { values: [{ chance }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#888' }, encoding: { y: { field: 'chance', type: 'quantitative' } } },
    {
      data: { values: [{ chance, label: `chance (${Number(chance.toFixed(1))}%)` }] },
      mark: { type: 'text', align: 'right', dx: -4, dy: -6, color: '#666', fontSize: 10, x: 'width' },
      encoding: { y: { field: 'chance', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

/**
 * A one-parameter sweep: every seed as a point (hollow: did not learn), the mean with its 95%
 * t interval, n in the subtitle, and below it the fraction of seeds that learned.
 */
export function sweepSpec(o: {
  title: string;
  /** What the grid parameter is (its plugin's description), for the subtitle. */
  knob?: string;
  metric: string;
  gridKey: string;
  points: readonly SweepPoint[];
  /** In %, for accuracies; undefined for other metrics. */
  chance?: number;
  percent: boolean;
  learnedRule: string;
}): Spec {
  const values = o.points.map((p) => p.x);
  const summary = sweepSummary(o.points);
  const ns = [...new Set(summary.map((s) => s.n))];
  const xTitle = gridLabel(o.gridKey);
  const x = xEncoding(values, xTitle);
  const withXn = <T extends { x: string }>(r: T) => ({ ...r, xn: Number(r.x) });
  const yTitle = o.percent ? `${o.metric.replace(/_/g, ' ')} (%)` : o.metric;
  const y = { field: 'value', type: 'quantitative', title: yTitle, ...(o.percent ? { scale: { domain: [0, 100] } } : { scale: { zero: false } }) };
  const accuracy: Spec = {
    width: WIDTH,
    height: HEIGHT,
    layer: [
      ...(o.percent ? chanceLayers(o.chance) : []),
      {
        data: { values: o.points.map((p) => withXn({ ...p, status: p.learned ? 'learned' : 'did not learn' })) },
        mark: { type: 'point', size: 36, opacity: 0.8, filled: true },
        encoding: {
          x,
          y,
          // Seeds side by side within their grid value (categorical axes), so equal values stay visible.
          ...(x.type === 'ordinal' ? { xOffset: { field: 'seed', type: 'nominal', scale: { paddingOuter: 0.6 } } } : {}),
          color: {
            field: 'status',
            type: 'nominal',
            title: 'each seed',
            scale: { domain: ['learned', 'did not learn'], range: ['#1f77b4', '#d62728'] },
          },
          tooltip: [{ field: 'x', title: xTitle }, { field: 'seed', title: 'seed' }, { field: 'value', title: yTitle, format: '.2f' }, { field: 'status' }],
        },
      },
      {
        data: { values: summary.filter((s) => s.low !== undefined).map(withXn) },
        mark: { type: 'errorbar', ticks: { width: 10 }, color: 'black', clip: true },
        encoding: { x, y: { field: 'low', type: 'quantitative', title: yTitle }, y2: { field: 'high' } },
      },
      {
        data: { values: summary.map((s) => withXn({ ...s, value: s.mean, label: 'mean, 95% t interval' })) },
        mark: { type: 'tick', orient: 'horizontal', thickness: 2.5, size: 18, color: 'black' },
        encoding: {
          x,
          y,
          tooltip: [
            { field: 'x', title: xTitle },
            { field: 'mean', format: '.2f' },
            { field: 'low', format: '.2f', title: '95% low' },
            { field: 'high', format: '.2f', title: '95% high' },
            { field: 'n' },
          ],
        },
      },
    ],
  };
  const learned: Spec = {
    width: WIDTH,
    height: 90,
    data: { values: summary.map((s) => withXn({ ...s, percent: 100 * s.learned })) },
    mark: { type: 'bar', color: '#1f77b4', size: 22 },
    encoding: {
      x,
      y: { field: 'percent', type: 'quantitative', title: 'seeds learned (%)', scale: { domain: [0, 100] }, axis: { values: [0, 50, 100] } },
      tooltip: [{ field: 'x', title: xTitle }, { field: 'percent', title: 'learned (%)', format: '.0f' }, { field: 'n' }],
    },
  };
  if (x.type === 'quantitative') {
    learned.mark = { type: 'point', filled: true, size: 60, color: '#1f77b4' };
  }
  return withConfig({
    title: {
      text: o.title,
      subtitle: [
        ...(o.knob ? [o.knob] : []),
        `n = ${ns.join(' / ')} seed${ns.length === 1 && ns[0] === 1 ? '' : 's'} per value; black: mean and 95% t interval (clipped to the axis)`,
        `red: a seed that did not learn (${o.learnedRule})`,
        ...(tiedPaths(o.gridKey) ? [tiedPaths(o.gridKey)] : []),
      ],
    },
    vconcat: [accuracy, learned],
    spacing: 12,
  });
}

/** Two grid parameters: mean per cell as a heat map with a colour bar and the value printed; n in the subtitle. */
export function sweepHeatmapSpec(o: {
  title: string;
  knob?: string;
  metric: string;
  xKey: string;
  yKey: string;
  points: readonly SweepPoint[];
  percent: boolean;
  extraGrid: boolean;
}): Spec {
  const summary = sweepSummary(o.points);
  const ns = [...new Set(summary.map((s) => s.n))];
  const sortValues = (v: string[]) =>
    [...new Set(v)].sort((a, b) => (Number.isFinite(Number(a)) && Number.isFinite(Number(b)) ? Number(a) - Number(b) : a.localeCompare(b)));
  const colourTitle = ['mean', `${o.metric.replace(/_/g, ' ')}${o.percent ? ' (%)' : ''}`];
  const x = { field: 'x', type: 'ordinal', sort: sortValues(summary.map((s) => s.x)), title: gridLabel(o.xKey), axis: { labelAngle: 0, grid: false } };
  const y = { field: 'y', type: 'ordinal', sort: sortValues(summary.map((s) => s.y ?? '')).reverse(), title: gridLabel(o.yKey), axis: { grid: false } };
  return withConfig({
    title: {
      text: o.title,
      subtitle: [
        ...(o.knob ? [o.knob] : []),
        `mean over n = ${ns.join(' / ')} seeds per cell${o.extraGrid ? ' and the further grid values' : ''}; in brackets: seeds learned`,
      ],
    },
    width: WIDTH,
    height: HEIGHT,
    data: { values: summary.map((s) => ({ ...s, label: `${o.percent ? s.mean.toFixed(1) : s.mean.toPrecision(3)} (${Math.round(s.learned * s.n)}/${s.n})` })) },
    encoding: { x, y },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'mean',
            type: 'quantitative',
            title: colourTitle,
            scale: o.percent ? { domain: [0, 100], scheme: 'viridis' } : { scheme: 'viridis' },
            legend: { orient: 'right', gradientLength: HEIGHT - 20 },
          },
          tooltip: [{ field: 'x', title: gridLabel(o.xKey) }, { field: 'y', title: gridLabel(o.yKey) }, { field: 'mean', format: '.2f' }, { field: 'n' }],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: `datum.mean > ${o.percent ? 60 : 'datum.mean'}`, value: 'black' }, value: 'white' },
        },
      },
    ],
  });
}

export interface Curve {
  /** What the colour tells apart (a grid value, or one series). */
  group: string;
  split: 'train' | 'test';
  epoch: number;
  value: number;
}

/** Accuracy per epoch: train dashed, test solid, one colour per group; 0-100% with chance. */
export function learningSpec(o: { title: string; subtitle?: string; curves: readonly Curve[]; chance?: number; groupTitle?: string }): Spec {
  const groups = [...new Set(o.curves.map((c) => c.group))];
  return withConfig({
    title: { text: o.title, ...(o.subtitle ? { subtitle: o.subtitle } : {}) },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      ...chanceLayers(o.chance),
      {
        data: { values: o.curves },
        mark: { type: 'line', strokeWidth: 1.8 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { zero: false } },
          y: { field: 'value', type: 'quantitative', title: 'accuracy (%)', scale: { domain: [0, 100] } },
          color: groups.length > 1 ? { field: 'group', type: 'nominal', title: o.groupTitle ?? '', sort: groups } : { value: '#1f77b4' },
          strokeDash: {
            field: 'split',
            type: 'nominal',
            title: 'split',
            scale: {
              domain: ['test', 'train'],
              range: [
                [1, 0],
                [5, 3],
              ],
            },
            legend: { symbolStrokeColor: '#333', symbolStrokeWidth: 2 },
          },
          detail: { field: 'group' },
          tooltip: [
            { field: 'group', title: o.groupTitle ?? 'series' },
            { field: 'split' },
            { field: 'epoch' },
            { field: 'value', format: '.2f', title: 'accuracy (%)' },
          ],
        },
      },
    ],
  });
}

/** The information plane: each hidden layer's (HSIC(X,Z), HSIC(Y,Z)) per epoch, joined in epoch order. */
export function informationPlaneSpec(o: { title: string; points: readonly { layer: string; epoch: number; hsic_xz: number; hsic_yz: number }[] }): Spec {
  const enc = {
    x: { field: 'hsic_xz', type: 'quantitative', title: 'HSIC(X, Z): compression (lower is more compressed)', scale: { zero: false } },
    y: { field: 'hsic_yz', type: 'quantitative', title: 'HSIC(Y, Z): relevance', scale: { zero: false } },
    color: { field: 'layer', type: 'nominal', title: 'layer' },
  };
  return withConfig({
    title: { text: o.title, subtitle: 'each hidden layer over epochs (small: first epoch, large: last)' },
    width: WIDTH,
    height: HEIGHT,
    data: { values: o.points },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.2, opacity: 0.7 }, encoding: { ...enc, order: { field: 'epoch' } } },
      {
        mark: { type: 'point', filled: true },
        encoding: {
          ...enc,
          size: { field: 'epoch', type: 'quantitative', scale: { range: [15, 120] }, legend: null },
          tooltip: [{ field: 'layer' }, { field: 'epoch' }, { field: 'hsic_xz', format: '.4f' }, { field: 'hsic_yz', format: '.4f' }],
        },
      },
    ],
  });
}

/** Drag and wheel zoom the time axis (in the browser: engram report). */
const zoomTime = { name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' };

/** A raster of every spike (small populations). */
export function rasterSpec(o: { title: string; times: ArrayLike<number>; neurons: ArrayLike<number>; tStop: number; size: number }): Spec {
  const values = Array.from({ length: o.times.length }, (_, k) => ({ t: o.times[k], i: o.neurons[k] }));
  return withConfig({
    title: { text: o.title, subtitle: `${o.times.length} spikes of ${o.size} neurons` },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    params: [zoomTime],
    mark: { type: 'tick', orient: 'horizontal', thickness: 1, size: Math.max(1, Math.min(6, HEIGHT / o.size)), color: 'black' },
    encoding: {
      x: { field: 't', type: 'quantitative', title: 'time (ms)', scale: { domain: [0, o.tStop] } },
      y: { field: 'i', type: 'quantitative', title: 'neuron', scale: { domain: [0, o.size], nice: false } },
      tooltip: [
        { field: 't', title: 't (ms)' },
        { field: 'i', title: 'neuron' },
      ],
    },
  });
}

/**
 * A density raster for large populations: spikes counted in time x neuron bins, shown as the
 * rate per neuron in each bin (Hz), so that 16k neurons stay readable and small.
 */
export function densityRasterSpec(o: {
  title: string;
  times: ArrayLike<number>;
  neurons: ArrayLike<number>;
  tStop: number;
  size: number;
  timeBins?: number;
  neuronBins?: number;
}): Spec {
  const tb = o.timeBins ?? 120;
  const nb = Math.min(o.neuronBins ?? 80, o.size);
  const counts = new Float64Array(tb * nb);
  const width = o.tStop / tb;
  for (let k = 0; k < o.times.length; k++) {
    const a = Math.min(tb - 1, Math.floor(o.times[k] / width));
    const b = Math.min(nb - 1, Math.floor((o.neurons[k] * nb) / o.size));
    counts[a * nb + b]++;
  }
  const perBin = o.size / nb;
  const values: { t0: number; t1: number; n0: number; n1: number; rate: number }[] = [];
  for (let a = 0; a < tb; a++)
    for (let b = 0; b < nb; b++)
      values.push({ t0: a * width, t1: (a + 1) * width, n0: b * perBin, n1: (b + 1) * perBin, rate: (counts[a * nb + b] / perBin / width) * 1000 });
  return withConfig({
    title: {
      text: o.title,
      subtitle: `${o.times.length} spikes of ${o.size} neurons, as the rate in ${tb} x ${nb} bins (${Number(width.toPrecision(3))} ms x ${Number(perBin.toPrecision(3))} neurons)`,
    },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    params: [zoomTime],
    mark: { type: 'rect' },
    encoding: {
      x: { field: 't0', type: 'quantitative', title: 'time (ms)', scale: { domain: [0, o.tStop], nice: false } },
      x2: { field: 't1' },
      y: { field: 'n0', type: 'quantitative', title: 'neuron', scale: { domain: [0, o.size], nice: false } },
      y2: { field: 'n1' },
      color: { field: 'rate', type: 'quantitative', title: 'rate (Hz)', scale: { scheme: 'greys' }, legend: { gradientLength: HEIGHT - 20 } },
      tooltip: [
        { field: 't0', title: 'from (ms)' },
        { field: 'n0', title: 'neurons from' },
        { field: 'rate', format: '.1f', title: 'rate (Hz)' },
      ],
    },
  });
}

/** Lines over time (population rates; an STDP window with points). */
export function lineSpec(o: {
  title: string;
  subtitle?: string;
  x: string;
  y: string;
  series: readonly { name: string; x: ArrayLike<number>; y: ArrayLike<number> }[];
  points?: boolean;
  zeroRules?: boolean;
}): Spec {
  const values = o.series.flatMap((s) => Array.from({ length: s.x.length }, (_, k) => ({ series: s.name, x: s.x[k], y: s.y[k] })));
  return withConfig({
    title: { text: o.title, ...(o.subtitle ? { subtitle: o.subtitle } : {}) },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      ...(o.zeroRules
        ? [
            { data: { values: [{ v: 0 }] }, mark: { type: 'rule', color: '#999' }, encoding: { y: { field: 'v', type: 'quantitative' } } },
            { data: { values: [{ v: 0 }] }, mark: { type: 'rule', color: '#999' }, encoding: { x: { field: 'v', type: 'quantitative' } } },
          ]
        : []),
      {
        data: { values },
        mark: { type: 'line', point: o.points ? { size: 20 } : false, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: o.x, scale: { zero: false } },
          y: { field: 'y', type: 'quantitative', title: o.y },
          color: o.series.length > 1 ? { field: 'series', type: 'nominal', title: '' } : { value: '#1f77b4' },
          tooltip: [{ field: 'series' }, { field: 'x', title: o.x }, { field: 'y', title: o.y, format: '.4g' }],
        },
      },
    ],
  });
}

/** Coefficient of variation of each neuron's inter-spike intervals (neurons with >= 3 spikes). */
export function isiCvs(times: ArrayLike<number>, neurons: ArrayLike<number>, size: number): number[] {
  const last = new Float64Array(size).fill(Number.NaN);
  const n = new Float64Array(size);
  const s = new Float64Array(size);
  const s2 = new Float64Array(size);
  const order = Int32Array.from({ length: times.length }, (_, k) => k).sort((a, b) => times[a] - times[b] || a - b);
  for (const k of order) {
    const i = neurons[k];
    if (i < 0 || i >= size) continue;
    if (last[i] === last[i]) {
      const d = times[k] - last[i];
      n[i]++;
      s[i] += d;
      s2[i] += d * d;
    }
    last[i] = times[k];
  }
  const cvs: number[] = [];
  for (let i = 0; i < size; i++)
    if (n[i] >= 2) {
      const m = s[i] / n[i];
      const v = Math.max(0, s2[i] / n[i] - m * m);
      if (m > 0) cvs.push(Math.sqrt(v) / m);
    }
  return cvs;
}

/** A histogram of ISI CVs (bins of 0.1 from 0 to 3; larger values in the last bin). */
export function isiCvSpec(o: { title: string; cvs: readonly number[]; size: number }): Spec {
  const bins = new Array(30).fill(0);
  for (const c of o.cvs) bins[Math.min(29, Math.floor(c * 10))]++;
  const sorted = [...o.cvs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return withConfig({
    title: {
      text: o.title,
      subtitle: `${o.cvs.length} of ${o.size} neurons with >= 3 spikes; median CV ${Number.isFinite(median) ? median.toFixed(2) : '-'} (Poisson: 1)`,
    },
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values: bins.map((count, b) => ({ lo: b / 10, hi: (b + 1) / 10, count })) },
        mark: { type: 'rect', color: '#1f77b4' },
        encoding: {
          x: { field: 'lo', type: 'quantitative', title: 'CV of inter-spike intervals', scale: { domain: [0, 3] } },
          x2: { field: 'hi' },
          y: { field: 'count', type: 'quantitative', title: 'neurons' },
          tooltip: [{ field: 'lo', title: 'CV from' }, { field: 'count' }],
        },
      },
      { data: { values: [{ v: 1 }] }, mark: { type: 'rule', strokeDash: [6, 4], color: '#888' }, encoding: { x: { field: 'v', type: 'quantitative' } } },
    ],
  });
}

/** Weights over time: median and 5-95% / 25-75% bands per sample time (from a weight trace). */
export function weightTraceSpec(o: { title: string; times: readonly number[]; rows: readonly Float64Array[]; synapses: number }): Spec {
  const values = o.times.map((t, r) => {
    const s = Float64Array.from(o.rows[r]).sort();
    return { t, q05: quantile(s, 0.05), q25: quantile(s, 0.25), q50: quantile(s, 0.5), q75: quantile(s, 0.75), q95: quantile(s, 0.95) };
  });
  const x = { field: 't', type: 'quantitative', title: 'time (ms)' };
  return withConfig({
    title: { text: o.title, subtitle: `${o.synapses} synapses recorded: median, 25-75% and 5-95% of their weights` },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.25, color: '#1f77b4' },
        encoding: { x, y: { field: 'q05', type: 'quantitative', title: 'weight' }, y2: { field: 'q95' } },
      },
      { mark: { type: 'area', opacity: 0.45, color: '#1f77b4' }, encoding: { x, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' } } },
      {
        mark: { type: 'line', color: '#08306b', strokeWidth: 1.8 },
        encoding: { x, y: { field: 'q50', type: 'quantitative' }, tooltip: [{ field: 't' }, { field: 'q50', format: '.4g', title: 'median' }] },
      },
    ],
  });
}

/** The weight distribution at the start and at the end of a run (from the weights recorder). */
export function weightHistogramSpec(o: { title: string; initial: ArrayLike<number>; final: ArrayLike<number> }): Spec {
  const all = [...Array.from(o.initial), ...Array.from(o.final)].filter(Number.isFinite);
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (!(hi > lo)) {
    lo -= 0.5;
    hi += 0.5;
  }
  const nb = 40;
  const w = (hi - lo) / nb;
  const hist = (a: ArrayLike<number>, when: string) => {
    const c = new Array(nb).fill(0);
    for (let k = 0; k < a.length; k++) if (Number.isFinite(a[k])) c[Math.min(nb - 1, Math.floor((a[k] - lo) / w))]++;
    return c.map((count, b) => ({ when, lo: lo + b * w, hi: lo + (b + 1) * w, count }));
  };
  return withConfig({
    title: { text: o.title, subtitle: `${o.final.length} synapses at the start and at the end of the run` },
    width: WIDTH,
    height: HEIGHT,
    data: { values: [...hist(o.initial, 'initial'), ...hist(o.final, 'final')] },
    mark: { type: 'rect', opacity: 0.6 },
    encoding: {
      x: { field: 'lo', type: 'quantitative', title: 'weight', scale: { domain: [lo, hi], nice: false } },
      x2: { field: 'hi' },
      y: { field: 'count', type: 'quantitative', title: 'synapses', stack: null },
      color: { field: 'when', type: 'nominal', title: '', scale: { domain: ['initial', 'final'], range: ['#aaaaaa', '#1f77b4'] } },
      tooltip: [{ field: 'when' }, { field: 'lo', title: 'from', format: '.4g' }, { field: 'count' }],
    },
  });
}

/** A memory experiment's capacity: cosine with the exact signal per window (and size): lines, or a heat map with a colour bar. */
export function capacitySpec(o: { title: string; rows: readonly { x: string; y?: string; cosine: number }[]; xKey: string; yKey?: string }): Spec {
  if (o.yKey === undefined)
    return lineSpec({
      title: o.title,
      x: o.xKey,
      y: 'cosine with the exact signal',
      series: [{ name: 'cosine', x: o.rows.map((r) => Number(r.x)), y: o.rows.map((r) => r.cosine) }],
      points: true,
    });
  const sortValues = (v: string[]) => [...new Set(v)].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
  return withConfig({
    title: { text: o.title, subtitle: 'cosine between the circuit’s signal and the exact one' },
    width: WIDTH,
    height: HEIGHT,
    data: { values: o.rows.map((r) => ({ ...r, label: r.cosine.toFixed(2) })) },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: o.xKey, sort: sortValues(o.rows.map((r) => r.x)), axis: { labelAngle: 0, grid: false } },
      y: { field: 'y', type: 'ordinal', title: o.yKey, sort: sortValues(o.rows.map((r) => r.y ?? '')).reverse(), axis: { grid: false } },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'cosine',
            type: 'quantitative',
            title: 'cosine',
            scale: { domain: [0, 1], scheme: 'viridis' },
            legend: { gradientLength: HEIGHT - 20 },
          },
          tooltip: [
            { field: 'x', title: o.xKey },
            { field: 'y', title: o.yKey },
            { field: 'cosine', format: '.3f' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: { text: { field: 'label' }, color: { condition: { test: 'datum.cosine > 0.6', value: 'black' }, value: 'white' } },
      },
    ],
  });
}
