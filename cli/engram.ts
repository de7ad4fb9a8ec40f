#!/usr/bin/env node
/**
 * The engram command line: a thin layer over the public API in ../index.ts.
 * Expected failures (bad scenario, unknown plugin, unreadable file) print their message
 * alone and exit with code 2; a bug prints one line (the stack with ENGRAM_DEBUG=1), exit 1.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import {
  createEngramRegistry,
  scenarioFileRegistry,
  scaffoldKinds,
  scaffoldPlugin,
  type ScaffoldKind,
  scenarioJsonSchema,
  writeFileAtomicSync,
  EngramError,
  didYouMean,
  formatDefault,
  PluginKinds,
  runScenarioInThread,
  runSweep,
  trainMemory,
  validateScenario,
  exportScenario,
  enqueueSweep,
  localSweepStatus,
  queueStatus,
  startSweepWorker,
  waitForSweep,
  plotOutput,
  writeReport,
  type QueueStatus,
  type SweepRun,
  type EpochRecord,
  type PluginKind,
  type RunSummary,
  type TrainingResult,
} from '../index.js';

const kinds = Object.keys(PluginKinds) as PluginKind[];

// A reader that stops early (engram run ... | head) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

function fail(err: unknown): never {
  if (err instanceof EngramError) {
    process.stderr.write(`engram: ${err.message.replace(/\n/g, '\nengram: ')}\n`);
    process.exit(err.exitCode);
  }
  if (process.env.ENGRAM_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  else process.stderr.write(`engram: internal error: ${(err as Error)?.message ?? String(err)} (run with ENGRAM_DEBUG=1 for the stack trace)\n`);
  process.exit(1);
}

// Plugin code that throws outside any call (a timer it set, a promise nobody awaited) would
// otherwise end the process with Node's raw stack: say which file it came from and exit 3.
// (engram run catches these inside its worker thread and stops the run, app/run-thread-worker.ts.)
// engram's compiled code (this file is dist/cli/engram.js).
const engramDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
function failedOutside(how: string) {
  return (err: unknown) => {
    const frame = (err instanceof Error ? (err.stack ?? '') : '').split('\n').find((l) => /^\s+at /.test(l) && !l.includes('node:'));
    // Thrown from engram's own code: a bug of ours, not a plugin's.
    if (frame && (frame.includes(`${engramDist}${path.sep}`) || frame.includes(`${pathToFileURL(engramDist).href}/`))) fail(err);
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    process.stderr.write(`engram: plugin code ${how}, outside any call of engram${frame ? ` (${frame.trim()})` : ''}: ${message}\n`);
    process.exit(3);
  };
}
process.on('uncaughtException', failedOutside('threw'));
process.on('unhandledRejection', failedOutside('left a promise rejected'));

function formatQueueStatus(s: QueueStatus): string {
  if (!s.out) return `${s.queue}: no sweep was enqueued on this queue\n`;
  const c = s.counts;
  const lines = [
    `${s.queue}: sweep of ${s.scenario} into ${s.out}`,
    `  ${s.finished} of ${s.total} runs finished; ${c.active} running, ${c.waiting + c.delayed} waiting, ${c.failed} failed; ${s.workers} workers connected`,
    ...s.running.map((r) => `  running: ${r.id} on ${r.worker} since ${r.started}${r.attempt > 1 ? ` (attempt ${r.attempt}: an earlier worker stopped)` : ''}`),
    ...s.failed.map((f) => `  failed: ${f.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** A one-line progress bar on stderr, shown only on a terminal and only for runs over a second. */
function progressBar(enabled: boolean) {
  let last = 0;
  let shown = false;
  return {
    update(fraction: number, wall_s: number) {
      if (!enabled || wall_s < 1) return;
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = Math.round(Math.min(1, fraction) * width);
      const eta = fraction > 0 ? (wall_s * (1 - fraction)) / fraction : 0;
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${wall_s.toFixed(1)} s, ~${eta.toFixed(1)} s left `,
      );
    },
    done() {
      if (shown) process.stderr.write('\n');
    },
  };
}

function formatEpoch(r: EpochRecord): string {
  const epochs = r.of;
  const pct = (x: number | null) => (x === null ? '   -  ' : `${(100 * x).toFixed(1).padStart(5)}%`);
  const stalled = r.stalled.length ? `  stalled: ${r.stalled.map((s) => `${s.where} ${s.reason}`).join(', ')}` : '';
  return `epoch ${String(r.epoch).padStart(String(epochs).length)}/${epochs}: train ${pct(r.train_accuracy)}  test ${pct(r.test_accuracy)}  (${r.wall_s.toFixed(1)} s)${stalled}`;
}

/** The stall warning of a finished training (stderr, also with --quiet): nobody should average a stalled run unknowingly. */
function warnStalled(training: { stalled?: { where: string; reason: string; detail: string }[] } | undefined): void {
  const stalls = training?.stalled ?? [];
  if (!stalls.length) return;
  process.stderr.write(
    `engram: warning: the training stalled: ${stalls.map((s) => `${s.where} ${s.reason} (${s.detail})`).join('; ')}; see history.csv and docs/ib-rule.md\n`,
  );
}

function printSummary(s: RunSummary, outDir: string, files: string[]): void {
  const lines = [`${s.scenario}: ${s.t_stop_ms} ms simulated in ${s.wall_s.toFixed(3)} s (build ${s.build_s.toFixed(3)} s), seed ${s.seed}`];
  const rows = [
    ...Object.entries(s.populations).map(([name, p]) => [name, `${p.model}`, p] as const),
    ...Object.entries(s.inputs).map(([name, p]) => [name, `${p.type}`, p] as const),
  ];
  const w = Math.max(...rows.map((r) => r[0].length), 4);
  for (const [name, kind, p] of rows) {
    const activity =
      p.mean_output !== undefined
        ? `graded, mean output ${p.mean_output.toPrecision(4)}`
        : `${String(p.spikes).padStart(9)} spikes ${p.rate_hz.toFixed(2).padStart(8)} Hz`;
    lines.push(`  ${name.padEnd(w)}  ${kind.padEnd(12)} ${String(p.size).padStart(7)} neurons ${activity}`);
  }
  const rate = s.wall_s > 0 ? s.events_delivered / s.wall_s : 0;
  lines.push(`  synapses ${s.synapses}, synaptic events delivered ${s.events_delivered} (${(rate / 1e6).toFixed(2)} M/s)`);
  if (s.training) {
    const t = s.training as TrainingResult;
    lines.push(
      `  ${t.dataset}: final train accuracy ${(100 * t.train_accuracy).toFixed(1)}%, test accuracy ${t.test_accuracy === null ? '-' : `${(100 * t.test_accuracy).toFixed(1)}%`} after ${t.epochs} epochs`,
    );
  }
  lines.push(`wrote ${outDir}/: ${files.join(', ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

const maxMemoryOption = {
  type: 'number',
  description: 'refuse a network whose estimated memory exceeds this many GB (default: half of this machine)',
} as const;

/** --max-memory-gb as bytes, or a refusal naming the option. */
function maxMemoryBytes(gb: number | undefined): number | undefined {
  if (gb === undefined) return undefined;
  if (!(gb > 0 && gb < Infinity)) fail(new EngramError(`--max-memory-gb: expected a number of GB > 0, found ${gb}`));
  return gb * 2 ** 30;
}

/** --threads as a count, or a refusal naming the option. */
function threadsOption(n: number | undefined): number | undefined {
  if (n === undefined) return undefined;
  if (!(Number.isInteger(n) && n >= 1 && n <= 256)) fail(new EngramError(`--threads: expected a whole number of threads from 1 to 256, found ${n}`));
  return n;
}

const setOption = {
  type: 'string',
  array: true,
  description: 'override a scenario field, e.g. --set duration_ms=200 --set populations.exc.size=100',
} as const;

const cli = yargs(hideBin(process.argv));
await cli
  .scriptName('engram')
  .usage('$0 <command> [options]\n\nEvent-driven spiking neural network simulator.')
  .command(
    'run <scenario>',
    'run a scenario and write its recordings and summary.json',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, description: 'scenario file (YAML or JSON)' })
        .option('out', { type: 'string', description: 'output folder (default: out/<scenario name>)' })
        .option('seed', { type: 'number', description: "override the scenario's seed" })
        .option('set', setOption)
        .option('max-memory-gb', maxMemoryOption)
        .option('resume', { type: 'string', description: 'continue the training whose checkpoint is in this output folder (same scenario, --seed and --set)' })
        .option('checkpoint-every', { type: 'number', description: 'trainings: save a checkpoint every N epochs (default 1; 0: not by epochs)' })
        .option('checkpoint-minutes', { type: 'number', description: 'trainings: and every M minutes (default 10; 0: not by time); always on SIGINT/SIGTERM' })
        .option('threads', {
          type: 'number',
          description:
            'threads for the grid step (default: the cores; used where the grid populations give each thread >= 4096 neurons together, else one); the outputs do not depend on it',
        })
        .option('quiet', { type: 'boolean', default: false, description: 'print nothing but errors' }),
    async (argv) => {
      const bar = progressBar(Boolean(process.stderr.isTTY) && !argv.quiet);
      try {
        // Ctrl-C or a kill: stop at the next batch of events (a training: at the next sample,
        // after saving a checkpoint) and keep what was recorded.
        const stop = new AbortController();
        process.once('SIGINT', () => stop.abort('SIGINT'));
        process.once('SIGTERM', () => stop.abort('SIGTERM'));
        // In a worker thread: a plugin stuck in a loop cannot make the run deaf to signals.
        const result = await runScenarioInThread(argv.scenario, {
          out: argv.out,
          seed: argv.seed,
          set: argv.set,
          maxMemoryBytes: maxMemoryBytes(argv.maxMemoryGb),
          signal: stop.signal,
          resume: argv.resume,
          checkpointEveryEpochs: argv.checkpointEvery,
          checkpointEveryMinutes: argv.checkpointMinutes,
          threads: threadsOption(argv.threads),
          onProgress: bar.update,
          onNotice: (message) => process.stderr.write(`engram: note: ${message}\n`),
          onExperimentRow: (row, i, total) => {
            if (argv.quiet) return;
            bar.done();
            const params = Object.entries(row.params)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ');
            process.stdout.write(
              `${String(i + 1).padStart(String(total).length)}/${total}  ${params || '(base parameters)'}: cosine ${row.cosine.toFixed(3)}, nmse ${row.nmse.toFixed(3)}  (build ${row.build_s.toFixed(1)} s, test ${row.test_s.toFixed(1)} s)\n`,
            );
          },
          onEpoch: (r) => {
            if (argv.quiet) return;
            bar.done();
            process.stdout.write(`${formatEpoch(r)}\n`);
          },
        });
        bar.done();
        if (!argv.quiet && result.summary) printSummary(result.summary, result.outDir, result.files);
        warnStalled(result.summary?.training as Parameters<typeof warnStalled>[0]);
        if (!argv.quiet && result.experiment) process.stdout.write(`wrote ${result.outDir}/: ${result.files.join(', ')}\n`);
      } catch (err) {
        bar.done();
        fail(err);
      }
    },
  )
  .command(
    'validate <scenario>',
    'check a scenario completely (structure, plugins, references) without running it',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, description: 'scenario file (YAML or JSON)' })
        .option('set', setOption)
        .option('max-memory-gb', maxMemoryOption),
    async (argv) => {
      try {
        await validateScenario(argv.scenario, { set: argv.set, maxMemoryBytes: maxMemoryBytes(argv.maxMemoryGb) });
        process.stdout.write(`${argv.scenario}: valid\n`);
        // Timers that a plugin module left behind are not part of the scenario: do not wait for them.
        process.exit(0);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'plugins',
    'list every registered plugin with its parameters and defaults',
    (y) =>
      y
        .option('kind', { choices: kinds, description: 'only this kind of plugin' })
        .option('scenario', { type: 'string', description: 'also the plugins this scenario loads (its plugins: list), marked with where they come from' })
        .option('json', { type: 'boolean', default: false, description: 'print JSON' }),
    async (argv) => {
      // What a rule-state recorder may record of a plasticity rule.
      const recordable = (p: object) => {
        const variables = (p as { variables?: readonly { name: string; per: string; description: string }[] }).variables;
        return variables?.length ? { variables: variables.map((x) => ({ name: x.name, per: x.per, description: x.description })) } : {};
      };
      try {
        const registry = argv.scenario ? await scenarioFileRegistry(argv.scenario) : await createEngramRegistry();
        const origin = (kind: PluginKind, name: string) => registry.describe(kind, name).replace(/^.*? \((.*)\)$/, '$1');
        const selected = argv.kind ? [argv.kind] : kinds;
        if (argv.json) {
          const out = Object.fromEntries(
            selected.map((k) => [
              k,
              registry
                .table(k)
                .all()
                .map((p) => ({
                  name: p.name,
                  origin: origin(k, p.name),
                  description: p.description,
                  params: p.params.map((s) => ({ name: s.name, default: s.default ?? null, expects: s.expects, description: s.description })),
                  ...recordable(p),
                })),
            ]),
          );
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
          return;
        }
        const lines: string[] = [];
        for (const kind of selected) {
          const plugins = registry.table(kind).all();
          lines.push(`${kind} plugins${plugins.length ? '' : ': (none)'}`);
          for (const p of plugins) {
            const from = origin(kind, p.name);
            lines.push(`  ${p.name}: ${p.description}${from === 'built in' ? '' : ` [${from}]`}`);
            const w = Math.max(0, ...p.params.map((s) => s.name.length));
            for (const s of p.params)
              lines.push(`    ${s.name.padEnd(w)}  ${s.default === undefined ? 'required' : `default ${formatDefault(s)}`}; ${s.description} (${s.expects})`);
            const { variables } = recordable(p);
            if (variables?.length) lines.push(`    variables (rule-state recorder): ${variables.map((x) => `${x.name} per ${x.per}`).join(', ')}`);
          }
        }
        process.stdout.write(`${lines.join('\n')}\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'schema',
    "write the JSON Schema of scenario files (for editors: completion and checks of fields and every plugin's parameters)",
    (y) =>
      y
        .option('scenario', { type: 'string', description: 'include the plugins this scenario loads (its plugins: list)' })
        .option('out', { type: 'string', description: 'write it to this file (default: print it)' }),
    async (argv) => {
      // What a rule-state recorder may record of a plasticity rule.
      const recordable = (p: object) => {
        const variables = (p as { variables?: readonly { name: string; per: string; description: string }[] }).variables;
        return variables?.length ? { variables: variables.map((x) => ({ name: x.name, per: x.per, description: x.description })) } : {};
      };
      try {
        const registry = argv.scenario ? await scenarioFileRegistry(argv.scenario) : await createEngramRegistry();
        const text = `${JSON.stringify(scenarioJsonSchema(registry), null, 2)}\n`;
        if (argv.out) {
          writeFileAtomicSync(argv.out, text);
          process.stdout.write(`wrote ${argv.out}\n`);
        } else process.stdout.write(text);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command('new', 'make a new plugin package to start from', (y) =>
    y
      .command(
        'plugin <name>',
        'a working plugin package: the plugin (from a tested example), a scenario that uses it, a vitest test, package.json and README',
        (y2) =>
          y2
            .positional('name', { type: 'string', demandOption: true, description: 'the plugin name (lower-case letters, digits, dashes)' })
            .option('kind', { choices: scaffoldKinds, demandOption: true, description: 'the kind of plugin' })
            .option('dir', { type: 'string', description: 'the folder to make (default: ./<name>)' })
            .option('ts', { type: 'boolean', default: false, description: 'write the plugin in TypeScript (with a tsconfig.json; engram loads .ts directly)' }),
        async (argv) => {
          try {
            const made = scaffoldPlugin({ kind: argv.kind as ScaffoldKind, name: argv.name, dir: argv.dir, typescript: argv.ts });
            process.stdout.write(
              `wrote ${made.dir}/: ${made.files.join(', ')}\nnext: cd ${made.dir} && npm install && npm test   (npx engram run scenario.yaml to run it)\n`,
            );
          } catch (err) {
            fail(err);
          }
        },
      )
      .demandCommand(1, 'name what to make: plugin'),
  )
  .command('memory', 'work with memory circuits that are trained before use', (y) =>
    y
      .command(
        'train <scenario>',
        "train a layer's memory circuit a priori on random data and save it (resumable)",
        (y2) =>
          y2
            .positional('scenario', { type: 'string', demandOption: true, description: 'a training scenario whose layer memory is e.g. a reservoir' })
            .option('out', { type: 'string', demandOption: true, description: 'the file to write (JSON)' })
            .option('layer', { type: 'string', description: 'the layer (population) whose memory to train; default: the first trainable one' })
            .option('resume', { type: 'boolean', default: false, description: 'continue the unfinished training saved in --out' })
            .option('seed', { type: 'number', description: "override the scenario's seed" })
            .option('set', setOption),
        async (argv) => {
          const bar = progressBar(Boolean(process.stderr.isTTY));
          const started = performance.now();
          try {
            const result = await trainMemory(argv.scenario, {
              out: argv.out,
              layer: argv.layer,
              resume: argv.resume,
              seed: argv.seed,
              set: argv.set,
              onProgress: (done, total) => bar.update(done / total, (performance.now() - started) / 1000),
            });
            bar.done();
            process.stdout.write(
              `${Object.entries(result)
                .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`)
                .join('\n')}\n`,
            );
          } catch (err) {
            bar.done();
            fail(err);
          }
        },
      )
      .demandCommand(1, 'name a memory command: train'),
  )
  .command(
    'sweep [scenario]',
    'run a scenario over a grid of parameter values and seeds, in parallel worker threads (or, with --queue, on engram workers anywhere); writes one folder per run and sweep.csv (resumable)',
    (y) =>
      y
        .positional('scenario', { type: 'string', description: 'scenario file' })
        .option('grid', {
          type: 'string',
          array: true,
          default: [] as string[],
          description: 'path=v1,v2,... (repeatable), e.g. --grid training.layers.0.memory.params.window=2,4,8; join paths with + to tie them to one value',
        })
        .option('seeds', { type: 'number', default: 1, description: 'runs per grid point, each with its own derived seed' })
        .option('workers', { type: 'number', default: availableParallelism(), description: 'worker threads (runs at a time); 0: in this thread' })
        .option('out', {
          type: 'string',
          description: 'output folder (default: out/<scenario name>-sweep); with --queue, a folder every worker reaches at the same path',
        })
        .option('resume', { type: 'boolean', default: false, description: 'continue a sweep in --out, skipping finished runs' })
        .option('queue', {
          type: 'string',
          description: 'redis://HOST:PORT/NAME: enqueue the runs as BullMQ jobs for engram worker instead of running them here',
        })
        .option('wait', { type: 'boolean', default: false, description: 'with --queue: wait until every run has finished or failed, then write sweep.csv' })
        .option('status', { type: 'boolean', default: false, description: 'show the progress of the sweep on --queue (or in --out) and exit' })
        .option('json', { type: 'boolean', default: false, description: 'with --status: print it as JSON' })
        .option('set', setOption),
    async (argv) => {
      if (!Number.isInteger(argv.workers) || argv.workers < 0)
        fail(new EngramError(`--workers: expected a whole number of worker threads >= 0 (0: in this thread), found ${argv.workers}`));
      if (!Number.isInteger(argv.seeds) || argv.seeds < 1)
        fail(new EngramError(`--seeds: expected a whole number of runs per grid point >= 1, found ${argv.seeds}`));
      const started = performance.now();
      const printRun = (done: number, total: number, run: SweepRun) => {
        const params = Object.entries(run.params)
          .map(([k, v]) => `${k.split('.').pop()}=${v}`)
          .join(' ');
        const metrics = Object.entries(run.metrics)
          .map(([k, v]) => `${k} ${v === null ? '-' : Number(v.toFixed(4))}`)
          .join(', ');
        process.stdout.write(
          `[${String(done).padStart(String(total).length)}/${total}] ${run.id} ${params} seed ${run.seed}: ${metrics} (${run.wall_s.toFixed(1)} s${run.worker ? ` on ${run.worker}` : ''})\n`,
        );
      };
      try {
        if (argv.status) {
          if (argv.queue) {
            const s = await queueStatus(argv.queue);
            if (argv.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
            else process.stdout.write(formatQueueStatus(s));
          } else if (argv.out) {
            const s = localSweepStatus(argv.out);
            if (argv.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
            else process.stdout.write(`sweep of ${s.scenario} in ${s.out}: ${s.finished} of ${s.total} runs finished\n`);
          } else throw new EngramError('--status: name the sweep: --queue redis://HOST:PORT/NAME, or --out <folder> for a local sweep');
          return;
        }
        if (!argv.scenario) throw new EngramError('sweep: name a scenario file (or use --status)');
        const name = path.basename(argv.scenario).replace(/\.(ya?ml|json)$/i, '');
        const out = argv.out ?? `out/${name}-sweep`;
        if (argv.queue) {
          const r = await enqueueSweep(argv.scenario, { grid: argv.grid, seeds: argv.seeds, out, resume: argv.resume, set: argv.set, queue: argv.queue });
          const parts = [
            `${r.enqueued} runs enqueued`,
            r.retried && `${r.retried} failed runs enqueued again`,
            r.pending && `${r.pending} already queued`,
            r.finished && `${r.finished} finished before`,
          ].filter(Boolean);
          process.stdout.write(`${r.queue}: ${r.total} runs into ${r.out}: ${parts.join(', ')}\n`);
          if (!argv.wait) {
            process.stdout.write(
              `start workers (any machine that sees ${r.out} at that path): engram worker --queue ${r.queue}\nprogress: engram sweep --status --queue ${r.queue}\n`,
            );
            return;
          }
          const { runs, failed } = await waitForSweep(argv.queue, { onRun: printRun });
          process.stdout.write(`wrote ${r.out}/sweep.csv: ${runs.length} of ${r.total} runs in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
          if (failed.length)
            throw new EngramError(
              `${failed.length} runs failed:\n${failed.map((f) => `  ${f.reason}`).join('\n')}\n(fix the cause, then enqueue the same sweep again: the failed runs are retried)`,
            );
          return;
        }
        const result = await runSweep(argv.scenario, {
          grid: argv.grid,
          seeds: argv.seeds,
          workers: argv.workers,
          out,
          resume: argv.resume,
          set: argv.set,
          onRun: printRun,
        });
        process.stdout.write(
          `wrote ${result.out}/sweep.csv: ${result.runs.length} runs${result.skipped ? ` (${result.skipped} finished before, skipped)` : ''} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
        );
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'worker',
    'run the jobs of queued sweeps (engram sweep --queue), on this machine, until stopped (Ctrl-C hands unfinished runs back to the queue)',
    (y) =>
      y
        .option('queue', { type: 'string', demandOption: true, description: 'redis://HOST:PORT/NAME: the queue to take runs from' })
        .option('concurrency', { type: 'number', default: 1, description: 'runs at a time, each in its own thread' })
        .option('stalled-seconds', {
          type: 'number',
          default: 30,
          description: 'a run whose worker has not renewed its lock for this long (the worker died) goes back to the queue; this worker checks as often',
        })
        .option('exit-when-empty', { type: 'boolean', default: false, description: 'stop once nothing is left waiting or running on the queue' }),
    async (argv) => {
      try {
        const stamp = () => new Date().toISOString().slice(11, 19);
        const say = (line: string) => process.stdout.write(`${stamp()} ${line}\n`);
        let lastError = '';
        let lastErrorAt = 0;
        const worker = await startSweepWorker(argv.queue, {
          concurrency: argv.concurrency,
          stalledSeconds: argv['stalled-seconds'],
          exitWhenEmpty: argv['exit-when-empty'],
          onEvent: (e) => {
            switch (e.type) {
              case 'ready':
                return say(`worker ${e.worker} takes runs from ${e.queue}, ${e.concurrency} at a time`);
              case 'started':
                return say(
                  `${e.id} started${e.resumedFromEpoch !== undefined ? `, resumed from its checkpoint (${e.resumedFromEpoch} epochs done)` : ''}${e.stalls ? ` (its worker stopped ${e.stalls === 1 ? 'once' : `${e.stalls} times`})` : ''}: ${
                    Object.entries(e.params)
                      .map(([k, v]) => `${k}=${v}`)
                      .join(' ') || 'no grid'
                  }, seed ${e.seed}`,
                );
              case 'finished':
                return say(
                  `${e.run.id} finished in ${e.run.wall_s.toFixed(1)} s: ${Object.entries(e.run.metrics)
                    .map(([k, v]) => `${k} ${v === null ? '-' : Number(v.toFixed(4))}`)
                    .join(', ')}`,
                );
              case 'skipped':
                return say(`${e.id} was already finished (its run.json exists): not run again`);
              case 'failed':
                return say(`${e.id} failed: ${e.error.replace(/\n/g, ' ')}`);
              case 'handed-back':
                return say(`${e.id} handed back to the queue${e.checkpointEpoch !== undefined ? ` (its checkpoint: ${e.checkpointEpoch} epochs done)` : ''}`);
              case 'lost':
                return say(`${e.id} stopped here: another worker took it over while this one could not reach Redis`);
              case 'error': {
                // Redis away: the same complaint every second or so; say it once per minute.
                const now = Date.now();
                if (e.message === lastError && now - lastErrorAt < 60_000) return;
                lastError = e.message;
                lastErrorAt = now;
                return say(`queue error: ${e.message}`);
              }
              case 'stopped':
                return say(`worker stopped: ${e.reason}`);
            }
          },
        });
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void worker.stop(`${sig}; runs in progress went back to the queue`));
        await worker.done;
        process.exit(0);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'plot <dir>',
    'write SVG and PNG figures (learning curves, information plane, rasters, rates, ISI CVs, weights, STDP windows, capacity, sweeps) from an output folder into <dir>/plots',
    (y) => y.positional('dir', { type: 'string', demandOption: true, description: 'the output folder of engram run or engram sweep' }),
    async (argv) => {
      try {
        const files = await plotOutput(argv.dir);
        process.stdout.write(`wrote ${argv.dir}/: ${files.join(', ')}\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'report <dir>',
    'write one self-contained HTML report (interactive figures, summary, scenario, the runs of a sweep) of an output folder, to <dir>/report.html',
    (y) => y.positional('dir', { type: 'string', demandOption: true, description: 'the output folder of engram run or engram sweep' }),
    async (argv) => {
      try {
        process.stdout.write(`wrote ${await writeReport(argv.dir)}\n`);
      } catch (err) {
        fail(err);
      }
    },
  )
  .command(
    'export <scenario>',
    'write the network as a script for another simulator (Brian2, PyNN), to standard output',
    (y) =>
      y
        .positional('scenario', { type: 'string', demandOption: true, description: 'scenario file (YAML or JSON)' })
        .option('to', {
          choices: ['brian2', 'pynn'] as const,
          demandOption: true,
          description: 'target: a Brian2 script, or a PyNN script (NEST, NEURON or Brian2 backend)',
        })
        .option('seed', { type: 'number', description: "override the scenario's seed" })
        .option('set', setOption),
    async (argv) => {
      try {
        process.stdout.write(await exportScenario(argv.scenario, argv.to, { seed: argv.seed, set: argv.set }));
      } catch (err) {
        fail(err);
      }
    },
  )
  .demandCommand(1, 'name a command: run, validate, plugins, schema, new, memory, sweep, worker, plot or export')
  .strict()
  .recommendCommands()
  .fail((msg, err) => {
    // yargs reports its own checks (.check, unknown options) as a YError: a usage error, not ours.
    if (err && err.name !== 'YError') fail(err);
    let text = msg ?? err?.message ?? '';
    if (text.startsWith('Did you mean')) text = `unknown command "${process.argv[2]}": ${text.replace(/^D/, 'd')}`;
    const unknown = /^Unknown arguments?: (.+)$/.exec(text);
    const isOption = (a: string) => process.argv.some((x) => x === `--${a}` || x === `-${a}` || x.startsWith(`--${a}=`));
    if (unknown && !unknown[1].split(', ').every(isOption)) {
      const commands = ['run', 'validate', 'plugins', 'schema', 'new', 'memory', 'sweep', 'worker', 'plot', 'export'];
      const word = unknown[1].split(', ').find((a) => !isOption(a))!;
      text = `unknown command or argument "${word}"${didYouMean(word, commands)}; the commands are ${commands.join(', ')}`;
    } else if (unknown) {
      // Suggest the option meant: the closest of the command's own.
      const known = Object.keys((cli as unknown as { getOptions(): { key: Record<string, unknown> } }).getOptions().key).filter((k) => k.length > 1);
      text = `unknown option${unknown[1].includes(',') ? 's' : ''} ${unknown[1]
        .split(', ')
        .map((a) => `--${a}${didYouMean(a, known).replace(/mean (.+)\?/, 'mean --$1?')}`)
        .join(', ')}`;
    }
    process.stderr.write(`engram: ${text}\n(engram --help lists the commands and options)\n`);
    process.exit(2);
  })
  .help()
  .parseAsync();
