import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { plotOutput, sweepLearningCurves } from '../app/plot.js';
import { ticks } from '../app/svg.js';
import { tempDir } from './helpers.js';

describe('engram plot', () => {
  it('draws learning curves, rasters and sweep heat maps (means over seeds) as SVG, the same bytes every time', () => {
    const out = tempDir();
    const d = out.dir;
    writeFileSync(`${d}/summary.json`, JSON.stringify({ scenario: 'demo', t_stop_ms: 100, populations: { exc: { size: 300 } } }));
    writeFileSync(`${d}/history.csv`, 'epoch,train_accuracy,test_accuracy,t_ms,wall_s\n1,0.5,0.55,10,1\n2,0.9,0.85,20,2\n');
    mkdirSync(`${d}/spikes`);
    writeFileSync(`${d}/spikes/exc.csv`, 't_ms,neuron\n1.5,0\n2.5,250\n50,199\n');
    writeFileSync(
      `${d}/sweep.csv`,
      'run,a.window,b.tau_ms,seed_index,seed,train_accuracy,test_accuracy,wall_s\nrun-0,2,5,0,11,1,0.5,1\nrun-1,2,5,1,12,1,0.7,1\nrun-2,4,5,0,11,1,0.9,1\nrun-3,4,5,1,12,1,0.95,1\n',
    );
    const files = plotOutput(d);
    expect(files).toEqual(['plots/learning.svg', 'plots/raster-exc.svg', 'plots/sweep.svg']);
    const svg = (f: string) => readFileSync(`${d}/${f}`, 'utf8');
    for (const f of files) expect(svg(f)).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<\/svg>\n$/);
    expect(svg('plots/learning.svg')).toContain('>test</text>');
    // The raster shows the first 200 of 300 neurons: neuron 250's spike is left out.
    expect(svg('plots/raster-exc.svg')).toContain('first 200 of 300 neurons');
    expect((svg('plots/raster-exc.svg').match(/h1/g) ?? []).length).toBe(2);
    // Heat-map cells hold the mean test accuracy over seeds: (50 + 70) / 2 and (90 + 95) / 2.
    expect(svg('plots/sweep.svg')).toMatch(/>60<\/text>/);
    expect(svg('plots/sweep.svg')).toMatch(/>92\.5<\/text>/);
    const first = files.map(svg);
    plotOutput(d);
    expect(files.map(svg)).toEqual(first);
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
    expect(curves.map((c) => c.name)).toEqual(['b.window 2 test', 'b.window 2 train']);
    expect(Array.from(curves[0].x)).toEqual([1, 2]); // the shortest history of the seeds
    expect(Array.from(curves[0].y).map((v) => Number(v.toFixed(6)))).toEqual([40, 60]);
    expect(Array.from(curves[1].y).map((v) => Number(v.toFixed(6)))).toEqual([50, 70]);
    expect(plotOutput(d)).toEqual(['plots/sweep.svg', 'plots/sweep-learning.svg']);
    expect(readFileSync(`${d}/plots/sweep-learning.svg`, 'utf8')).toContain('>b.window 2 test</text>');
    out.done();
  });

  it('says when there is nothing to plot', () => {
    const out = tempDir();
    expect(() => plotOutput(out.dir)).toThrow(/nothing to plot/);
    expect(() => plotOutput(`${out.dir}/nope`)).toThrow(/does not exist/);
    writeFileSync(`${out.dir}/summary.json`, '{"scenario": "x');
    expect(() => plotOutput(out.dir)).toThrow(
      `${out.dir}/summary.json:1:16: expected a run's summary (JSON), found a file that breaks off or is damaged here (a closing double quote, found the end of the file)`,
    );
    out.done();
  });

  it('chooses round ticks', () => {
    expect(ticks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(ticks(-0.012, 0.012)).toEqual([-0.01, -0.005, 0, 0.005, 0.01]);
  });
});
