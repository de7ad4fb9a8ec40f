import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectFigures, gridDescriptions, plotOutput, sweepLearningCurves } from '../app/plot.js';
import * as path from 'node:path';
import { gridLabel, gridScale, isiCvs, sweepSummary } from '../app/figures/specs.js';
import { meanInterval, t975 } from '../app/figures/stats.js';
import { tempDir } from './helpers.js';

type Layer = {
  data?: { values: Record<string, unknown>[] };
  mark: unknown;
  encoding?: Record<string, { field?: string; type?: string; scale?: { domain?: unknown[]; type?: string } }>;
};
const layersOf = (spec: Record<string, unknown>): Layer[] => {
  const v = (spec.vconcat as Record<string, unknown>[] | undefined) ?? [spec];
  return v.flatMap((s) => (s.layer as Layer[] | undefined) ?? [s as unknown as Layer]);
};
const markType = (l: Layer) => (typeof l.mark === 'string' ? l.mark : (l.mark as { type: string }).type);

/** A sweep folder: sweep.csv (with stall flags) and each run's summary (2 classes). */
function writeSweep(d: string, header: string, rows: string[]) {
  writeFileSync(`${d}/sweep.csv`, `${header}\n${rows.join('\n')}\n`);
  for (const r of rows) {
    const id = r.split(',')[0];
    mkdirSync(`${d}/runs/${id}`, { recursive: true });
    writeFileSync(`${d}/runs/${id}/summary.json`, JSON.stringify({ scenario: 'xor-demo', training: { classes: 2 } }));
  }
}

describe('figure statistics', () => {
  it('computes the 95% t interval of a known sample', () => {
    // 1, 2, 3, 4, 5: mean 3, sd sqrt(2.5), t(4) = 2.776445: half-width 1.963243.
    const mi = meanInterval([1, 2, 3, 4, 5]);
    expect(mi.mean).toBe(3);
    expect(mi.high! - 3).toBeCloseTo((2.776445105 * Math.sqrt(2.5)) / Math.sqrt(5), 9);
    expect(mi.low).toBeCloseTo(3 - 1.963243, 5);
    expect(meanInterval([7]).low).toBeUndefined();
    expect(t975(1)).toBeCloseTo(12.7062, 4);
    expect(t975(60)).toBeCloseTo(2.0003, 3);
    expect(t975(1000)).toBeCloseTo(1.9623, 3);
  });

  it('chooses categorical axes for integer grids, log for geometric ones, and labels tied grids', () => {
    expect(gridScale(['2', '4', '10', '20'])).toBe('categorical');
    expect(gridScale(['0.001', '0.01', '0.1'])).toBe('log');
    expect(gridScale(['1', '2', '4', '8'])).toBe('log');
    expect(gridScale(['0.5', '0.75', '1.5'])).toBe('linear');
    expect(gridScale(['adam', 'sgd'])).toBe('categorical');
    expect(gridLabel('populations.h1.params.tau_ms')).toBe('tau (ms), populations.h1');
    expect(gridLabel('training.layers.0.memory.params.window+training.layers.1.memory.params.window')).toBe('window, tied across 2 paths');
  });

  it('computes per-neuron ISI CVs (regular: 0; neurons with fewer than 3 spikes left out)', () => {
    const cvs = isiCvs([0, 10, 20, 30, 5, 6, 8, 100], [0, 0, 0, 0, 1, 1, 1, 2], 3);
    expect(cvs).toHaveLength(2);
    expect(cvs[0]).toBe(0);
    // Neuron 1: intervals 1 and 2: mean 1.5, population sd 0.5: CV 1/3.
    expect(cvs[1]).toBeCloseTo(1 / 3, 12);
  });
});

describe('engram plot', () => {
  it('a one-parameter sweep: per-seed points, mean with 95% interval, n, 0-100% axis, chance line, fraction learned', async () => {
    const out = tempDir();
    const d = out.dir;
    writeSweep(d, 'run,training.layers.0.memory.params.window,seed_index,seed,train_accuracy,test_accuracy,stalled,wall_s', [
      'run-0,2,0,11,1,0.5,"h1: collapsed",1',
      'run-1,2,1,12,1,0.7,,1',
      'run-2,2,2,13,1,0.9,,1',
      'run-3,10,0,11,1,1,,1',
      'run-4,10,1,12,1,0.98,,1',
      'run-5,10,2,13,1,0.3,"h1: collapsed; h2: lost information",1',
    ]);
    const [sweep] = collectFigures(d);
    expect(sweep.name).toBe('sweep');
    const layers = layersOf(sweep.spec);
    const points = layers.find((l) => markType(l) === 'point' && l.data!.values.length === 6)!;
    expect(points.data!.values.map((v) => v.value)).toEqual([50, 70, 90, 100, 98, 30]);
    expect(points.data!.values.map((v) => v.learned)).toEqual([false, true, true, true, true, false]);
    expect(points.encoding!.y.scale!.domain).toEqual([0, 100]);
    expect(points.encoding!.x.type).toBe('ordinal'); // integer grid: categorical
    const rule = layers.find((l) => markType(l) === 'rule')!;
    expect(rule.data!.values[0].chance).toBe(50);
    const bars = layers.find((l) => markType(l) === 'errorbar')!;
    const at2 = bars.data!.values.find((v) => v.x === '2')!;
    const mi = meanInterval([50, 70, 90]);
    expect(at2.mean).toBeCloseTo(70, 12);
    expect(at2.low).toBeCloseTo(mi.low!, 12);
    expect(at2.high).toBeCloseTo(mi.high!, 12);
    const learned = layers.find((l) => l.encoding?.y?.field === 'percent')!;
    expect(learned.data!.values.map((v) => [v.x, Number((v.percent as number).toFixed(6))])).toEqual([
      ['2', 66.666667],
      ['10', 66.666667],
    ]);
    const title = sweep.spec.title as { text: string; subtitle: string[] };
    expect(title.text).toBe('xor-demo: test accuracy per seed against window');
    expect(title.subtitle[0]).toContain('n = 3 seeds per value');
    const files = await plotOutput(d);
    expect(files).toEqual(['plots/sweep.svg', 'plots/sweep.png']);
    const svg = readFileSync(`${d}/plots/sweep.svg`, 'utf8');
    expect(svg).toMatch(/^<svg [\s\S]*<\/svg>\n$/);
    expect(svg).toContain('window, tied'.slice(0, 6));
    expect(readFileSync(`${d}/plots/sweep.png`).subarray(1, 4).toString()).toBe('PNG');
    // The same data gives the same bytes.
    const first = files.map((f) => readFileSync(`${d}/${f}`));
    await plotOutput(d);
    expect(files.map((f) => readFileSync(`${d}/${f}`))).toEqual(first);
    out.done();
  });

  it('a two-parameter sweep is a heat map with a colour bar on 0-100% and the mean printed per cell', async () => {
    const out = tempDir();
    const d = out.dir;
    writeSweep(d, 'run,a.window,b.tau_ms,seed_index,seed,train_accuracy,test_accuracy,wall_s', [
      'run-0,2,5,0,11,1,0.5,1',
      'run-1,2,5,1,12,1,0.7,1',
      'run-2,4,5,0,11,1,0.9,1',
      'run-3,4,5,1,12,1,0.95,1',
    ]);
    const [sweep] = collectFigures(d);
    const [rect, text] = layersOf(sweep.spec);
    expect(markType(rect)).toBe('rect');
    expect(rect.encoding!.color.scale!.domain).toEqual([0, 100]);
    const values = (sweep.spec.data as { values: { label: string }[] }).values;
    expect(values.map((v) => v.label)).toEqual(['60.0 (0/2)', '92.5 (2/2)']);
    expect(markType(text)).toBe('text');
    await plotOutput(d);
    expect(readFileSync(`${d}/plots/sweep.svg`, 'utf8')).toContain('92.5 (2/2)');
    out.done();
  });

  it('draws the learning curves of a one-parameter sweep: accuracy per epoch for each value, mean over its seeds', () => {
    const out = tempDir();
    const d = out.dir;
    writeFileSync(
      `${d}/sweep.csv`,
      'run,a.b.window+c.window,seed_index,seed,train_accuracy,test_accuracy,wall_s\nrun-0,2,0,11,0.6,0.5,1\nrun-1,2,1,12,0.8,0.7,1\nrun-2,8,0,11,0.9,0.9,1\n',
    );
    const hist = (run: string, rows: string) => {
      mkdirSync(`${d}/runs/${run}`, { recursive: true });
      writeFileSync(`${d}/runs/${run}/history.csv`, `epoch,train_accuracy,test_accuracy,t_ms,wall_s\n${rows}`);
    };
    hist('run-0', '1,0.4,0.3,1,1\n2,0.6,0.5,2,2\n');
    hist('run-1', '1,0.6,0.5,1,1\n2,0.8,0.7,2,2\n3,0.9,0.9,3,3\n');
    // run-2 has not finished: no history, so window 8 has no curve.
    const curves = sweepLearningCurves(d);
    const round = (v: number) => Number(v.toFixed(6));
    expect(curves.filter((c) => c.split === 'test').map((c) => [c.group, c.epoch, round(c.value)])).toEqual([
      ['2', 1, 40],
      ['2', 2, 60],
    ]);
    expect(curves.filter((c) => c.split === 'train').map((c) => round(c.value))).toEqual([50, 70]);
    const figures = collectFigures(d);
    expect(figures.map((f) => f.name)).toEqual(['sweep', 'sweep-learning']);
    const line = layersOf(figures[1].spec).find((l) => markType(l) === 'line')!;
    expect(line.encoding!.strokeDash.field).toBe('split');
    out.done();
  });

  it('run figures: learning curve, information plane, rasters (density above 500 neurons), rates, ISI CVs, weights over time', () => {
    const out = tempDir();
    const d = out.dir;
    writeFileSync(
      `${d}/summary.json`,
      JSON.stringify({ scenario: 'demo', t_stop_ms: 100, populations: { exc: { size: 300 }, big: { size: 16000 } }, training: { classes: 4 } }),
    );
    writeFileSync(
      `${d}/history.csv`,
      'epoch,train_accuracy,test_accuracy,h1_hsic_xz,h1_hsic_yz,t_ms,wall_s\n1,0.5,0.55,0.1,0.2,10,1\n2,0.9,0.85,0.08,0.3,20,2\n',
    );
    mkdirSync(`${d}/spikes`);
    writeFileSync(`${d}/spikes/exc.csv`, 't_ms,neuron\n1.5,0\n2.5,250\n50,199\n60,0\n70,0\n');
    writeFileSync(`${d}/spikes/big.csv`, `t_ms,neuron\n${Array.from({ length: 1000 }, (_, k) => `${(k % 100) + 0.5},${(k * 16) % 16000}`).join('\n')}\n`);
    mkdirSync(`${d}/weight-trace`);
    writeFileSync(`${d}/weight-trace/ee.csv`, 't_ms,pre,post,w\n0,0,1,0.5\n0,1,0,0.5\n10,0,1,0.6\n10,1,0,0.4\n');
    const figures = collectFigures(d);
    expect(figures.map((f) => f.name)).toEqual([
      'learning',
      'information-plane',
      'raster-big',
      'rates-big',
      'isi-cv-big',
      'raster-exc',
      'rates-exc',
      'isi-cv-exc',
      'weights-ee',
    ]);
    const byName = Object.fromEntries(figures.map((f) => [f.name, f.spec]));
    expect(layersOf(byName.learning).find((l) => markType(l) === 'rule')!.data!.values[0].chance).toBe(25);
    // Every spike of 300 neurons; 16000 neurons as a density of 120 x 80 bins holding all 1000 spikes.
    expect(layersOf(byName['raster-exc'])[0].data!.values).toHaveLength(5);
    const density = layersOf(byName['raster-big'])[0].data!.values as { rate: number; t0: number; t1: number; n0: number; n1: number }[];
    expect(density).toHaveLength(120 * 80);
    const spikes = density.reduce((s, c) => s + (c.rate * (c.n1 - c.n0) * (c.t1 - c.t0)) / 1000, 0);
    expect(spikes).toBeCloseTo(1000, 6);
    const plane = layersOf(byName['information-plane'])[0].data;
    expect((byName['information-plane'].data as { values: unknown[] }).values).toEqual([
      { layer: 'h1', epoch: 1, hsic_xz: 0.1, hsic_yz: 0.2 },
      { layer: 'h1', epoch: 2, hsic_xz: 0.08, hsic_yz: 0.3 },
    ]);
    expect(plane).toBeUndefined();
    const weights = (byName['weights-ee'].data as { values: { t: number; q50: number }[] }).values;
    expect(weights.map((w) => [w.t, Number(w.q50.toFixed(9))])).toEqual([
      [0, 0.5],
      [10, 0.5],
    ]);
    out.done();
  });

  it('STDP windows with zero axes, state variables per neuron, and capacity as lines or a heat map on 0-1', () => {
    const out = tempDir();
    const d = out.dir;
    mkdirSync(`${d}/window`);
    writeFileSync(`${d}/window/p.csv`, 'dt_ms,dw\n-10,-0.005\n10,0.006\n');
    mkdirSync(`${d}/state`);
    writeFileSync(`${d}/state/exc.csv`, 't_ms,neuron,v_mV,I_nA\n0,3,-70,0\n0,7,-65,0.1\n1,3,-69,0\n1,7,-60,0.2\n');
    writeFileSync(`${d}/capacity.csv`, 'size,window,cosine\n50,2,0.9\n50,8,0.5\n200,2,0.95\n200,8,0.7\n');
    const byName = Object.fromEntries(collectFigures(d).map((f) => [f.name, f.spec]));
    expect(Object.keys(byName)).toEqual(['state-exc-v_mV', 'state-exc-I_nA', 'window-p', 'capacity']);
    const window = layersOf(byName['window-p']);
    expect(window.filter((l) => markType(l) === 'rule')).toHaveLength(2);
    expect(window.at(-1)!.data!.values).toEqual([
      { series: 'p', x: -10, y: -0.005 },
      { series: 'p', x: 10, y: 0.006 },
    ]);
    const v = layersOf(byName['state-exc-v_mV']).at(-1)!.data!.values;
    expect(v.filter((r) => r.series === 'neuron 7').map((r) => r.y)).toEqual([-65, -60]);
    const [cells] = layersOf(byName.capacity);
    expect(markType(cells)).toBe('rect');
    expect(cells.encoding!.color.scale!.domain).toEqual([0, 1]);
    expect((byName.capacity.data as { values: { x: string; y: string; cosine: number }[] }).values.find((c) => c.x === '8' && c.y === '200')!.cosine).toBe(0.7);
    out.done();
  });

  it("titles a sweep with the knob's own description, found through sweep.json's scenario and its plugins", async () => {
    const out = tempDir();
    const d = out.dir;
    const window = 'training.layers.0.memory.params.window+training.layers.1.memory.params.window';
    const tau = 'populations.h1.params.tau_ms';
    writeFileSync(
      `${d}/sweep.json`,
      JSON.stringify({
        scenario: path.resolve('scenarios/xor-rate.yaml'),
        grid: [
          [window, ['2', '4']],
          [tau, ['1', '2']],
        ],
        seeds: 1,
        set: [],
      }),
    );
    const descriptions = await gridDescriptions(d);
    expect(descriptions[window]).toMatch(/how many samples/);
    expect(descriptions[tau]).toMatch(/time constant/);
    writeSweep(d, `run,${window},seed_index,seed,train_accuracy,test_accuracy,wall_s`, ['run-0,2,0,11,1,1,1', 'run-1,4,0,11,1,1,1']);
    const [sweep] = collectFigures(d, descriptions);
    expect((sweep.spec.title as { subtitle: string[] }).subtitle[0]).toBe(`window: ${descriptions[window]}`);
    // A scenario that cannot be read any more: the figures name the parameter only.
    writeFileSync(`${d}/sweep.json`, JSON.stringify({ scenario: `${d}/gone.yaml`, grid: [[window, ['2']]], seeds: 1, set: [] }));
    expect(await gridDescriptions(d)).toEqual({});
    out.done();
  });

  it('says when there is nothing to plot', () => {
    const out = tempDir();
    expect(() => collectFigures(out.dir)).toThrow(/nothing to plot/);
    expect(() => collectFigures(`${out.dir}/nope`)).toThrow(/does not exist/);
    writeFileSync(`${out.dir}/summary.json`, '{"scenario": "x');
    expect(() => collectFigures(out.dir)).toThrow(
      `${out.dir}/summary.json:1:16: expected a run's summary (JSON), found a file that breaks off or is damaged here (a closing double quote, found the end of the file)`,
    );
    out.done();
  });

  it('sweepSummary counts n and the fraction learned per grid value', () => {
    const s = sweepSummary([
      { x: '1', seed: 1, value: 10, learned: true },
      { x: '1', seed: 2, value: 20, learned: false },
      { x: '3', seed: 1, value: 5, learned: true },
    ]);
    expect(s.map((r) => [r.x, r.n, r.mean, r.learned])).toEqual([
      ['1', 2, 15, 0.5],
      ['3', 1, 5, 1],
    ]);
  });
});
