/**
 * Figures (issue 23): wall time of `engram plot` (every figure as SVG and PNG) on every output
 * of a CUBA run of 16000 neurons (1 s: spikes, rates, state), and on a 3 x 3 grid x 10-seed
 * sweep of 10 epochs each (sweep.csv, each run's summary and history). Target: under 5 s each.
 * The sweep's numbers are synthetic (a real 90-run training sweep takes an hour); what is
 * timed is reading and drawing them, which does not depend on where they came from.
 *
 *   node dist/bench/plot.js [--neurons 16000]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { plotOutput, writeReport } from '../index.js';
import { runScenario } from '../app/run.js';
import { benchOptions, repo } from './options.js';

const options = benchOptions('Wall time of engram plot on a CUBA run and a sweep\n  node dist/bench/plot.js [options]', {
  neurons: { default: '16000', describe: 'N of the CUBA run' },
});
const neurons = Number(options.neurons);
const work = mkdtempSync(path.join(tmpdir(), 'engram-bench-plot-'));
const TARGET_S = 5;

async function timed(what: string, dir: string): Promise<void> {
  const t0 = performance.now();
  const files = await plotOutput(dir);
  const plot = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  await writeReport(dir);
  const report = (performance.now() - t1) / 1000;
  console.log(
    `  ${what.padEnd(34)} plot ${plot.toFixed(2)} s (${files.length / 2} figures, SVG + PNG; target < ${TARGET_S} s: ${plot < TARGET_S ? 'met' : 'missed'})   report ${report.toFixed(2)} s`,
  );
}

console.log(`engram figures, node ${process.version}`);
const cuba = path.join(work, 'cuba');
await runScenario(path.join(repo, 'scenarios/cuba.yaml'), {
  out: cuba,
  set: [`populations.exc.size=${(neurons * 4) / 5}`, `populations.inh.size=${neurons / 5}`],
});
await timed(`CUBA ${neurons} neurons, 1 s`, cuba);

const sweep = path.join(work, 'sweep');
const rows: string[] = [];
let i = 0;
for (const a of [2, 4, 8])
  for (const b of [0.001, 0.01, 0.1])
    for (let s = 0; s < 10; s++) {
      const id = `run-${String(i).padStart(2, '0')}`;
      const acc = ((s * 37 + a * 11 + i) % 10) / 20 + 0.5;
      rows.push(`${id},${a},${b},${s},${1000 + s},${acc},${acc},${acc < 0.6 ? '"h1: collapsed"' : ''},1`);
      mkdirSync(path.join(sweep, 'runs', id), { recursive: true });
      writeFileSync(path.join(sweep, 'runs', id, 'summary.json'), JSON.stringify({ scenario: 'bench', training: { classes: 2 } }));
      writeFileSync(
        path.join(sweep, 'runs', id, 'history.csv'),
        `epoch,train_accuracy,test_accuracy\n${Array.from({ length: 10 }, (_, e) => `${e + 1},${0.5 + ((acc - 0.5) * (e + 1)) / 10},${0.5 + ((acc - 0.5) * (e + 1)) / 10}`).join('\n')}\n`,
      );
      i++;
    }
writeFileSync(
  path.join(sweep, 'sweep.csv'),
  `run,training.layers.0.memory.params.window,training.layers.0.memory.params.gamma,seed_index,seed,train_accuracy,test_accuracy,stalled,wall_s\n${rows.join('\n')}\n`,
);
await timed('sweep 3 x 3 x 10 seeds (heat map)', sweep);
// The same 90 runs as one grid parameter of 9 values: per-seed points and learning curves.
writeFileSync(
  path.join(sweep, 'sweep.csv'),
  `run,training.layers.0.memory.params.window,seed_index,seed,train_accuracy,test_accuracy,stalled,wall_s\n${rows
    .map((r) => {
      const c = r.split(',');
      return [c[0], `${c[1]}x${c[2]}`, ...c.slice(3)].join(',');
    })
    .join('\n')}\n`,
);
await timed('sweep 9 values x 10 seeds (points)', sweep);
rmSync(work, { recursive: true, force: true });
