/**
 * What exchanging spikes between threads costs on this machine, before engram runs a network
 * on several threads (issue 24; the plan is in docs/performance.md).
 *
 * NEST's scheme, which the plan follows, lets each thread advance its neurons for one
 * min-delay interval and then meet the others at a barrier to swap the spikes of that
 * interval. With CUBA's delay of one grid step (0.1 ms) that is 10000 barriers per simulated
 * second. This bench measures, for two threads (the main thread and one worker on
 * SharedArrayBuffers):
 *
 * - the round trip of one barrier, blocking (Atomics.wait / Atomics.notify) and spinning
 *   (polling with Atomics.load, which holds the core);
 * - the best speed-up of a neuron loop split in two halves, one per thread, with a barrier
 *   after every step: the loop is the grid update of CUBA's LIF neurons (three decays and
 *   a threshold test per neuron), for the sizes the engine bench runs.
 *
 * It simulates no network: it bounds what threads can give at a given exchange interval.
 *
 *   node dist/bench/exchange.js [--rounds 20000] [--sizes 4000,16000,64000] [--every 1,10]
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { benchOptions } from './options.js';

interface Job {
  kind: 'barrier' | 'loop';
  spin: boolean;
  rounds: number;
  /** Neurons this thread updates per step (loop), and steps between barriers. */
  n: number;
  every: number;
  sync: SharedArrayBuffer;
}

// sync[0]: arrivals in this round, sync[1]: the round's generation.
const ARRIVED = 0;
const GENERATION = 1;

/** A barrier for two parties on sync: the second to arrive opens the next generation. */
function barrier(sync: Int32Array, spin: boolean): void {
  const gen = Atomics.load(sync, GENERATION);
  if (Atomics.add(sync, ARRIVED, 1) === 1) {
    Atomics.store(sync, ARRIVED, 0);
    Atomics.add(sync, GENERATION, 1);
    if (!spin) Atomics.notify(sync, GENERATION);
    return;
  }
  if (spin) while (Atomics.load(sync, GENERATION) === gen);
  else while (Atomics.load(sync, GENERATION) === gen) Atomics.wait(sync, GENERATION, gen);
}

/** CUBA's grid update for n neurons (exact exponential decays, threshold, reset): the work of one step. */
function makeNeurons(n: number) {
  const v = new Float64Array(n);
  const ge = new Float64Array(n);
  const gi = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    v[i] = -60 + (10 * i) / n;
    ge[i] = (i % 7) * 0.3;
    gi[i] = (i % 5) * 0.4;
  }
  const dm = Math.exp(-0.1 / 20);
  const de = Math.exp(-0.1 / 5);
  const di = Math.exp(-0.1 / 10);
  let spikes = 0;
  return {
    step(): void {
      for (let i = 0; i < n; i++) {
        let vi = -49 + (v[i] + 49) * dm + ge[i] * 0.02 + gi[i] * 0.03;
        ge[i] = ge[i] * de + (i & 63 ? 0 : 1.62);
        gi[i] *= di;
        if (vi > -50) {
          vi = -60;
          spikes++;
        }
        v[i] = vi;
      }
    },
    get spikes() {
      return spikes;
    },
  };
}

function runJob(job: Job): number {
  const sync = new Int32Array(job.sync);
  const neurons = job.kind === 'loop' ? makeNeurons(job.n) : undefined;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < job.rounds; r++) {
    if (neurons) for (let s = 0; s < job.every; s++) neurons.step();
    barrier(sync, job.spin);
  }
  const ns = Number(process.hrtime.bigint() - t0);
  return neurons && neurons.spikes < 0 ? -1 : ns; // keeps the loop's result alive
}

if (!isMainThread) {
  parentPort!.postMessage(runJob(workerData as Job));
} else {
  await main();
}

/** Runs job on the main thread and on one worker at once; the wall time of the pair, in ns. */
async function pair(job: Omit<Job, 'sync'>): Promise<number> {
  const sync = new SharedArrayBuffer(8);
  const full: Job = { ...job, sync };
  const worker = new Worker(new URL(import.meta.url), { workerData: full });
  const online = new Promise<void>((resolve) => worker.once('online', () => resolve()));
  const done = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  await online;
  const mine = runJob(full);
  const theirs = await done;
  await worker.terminate();
  return Math.max(mine, theirs);
}

/** One thread doing all the work (the same loop over all n neurons), no barrier; ns. */
function alone(n: number, rounds: number, every: number): number {
  const all = makeNeurons(n);
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) for (let s = 0; s < every; s++) all.step();
  const ns = Number(process.hrtime.bigint() - t0);
  return all.spikes < 0 ? -1 : ns;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function main(): Promise<void> {
  const options = benchOptions('What exchanging spikes between two threads costs\n  node dist/bench/exchange.js [options]', {
    rounds: { default: '20000', describe: 'barrier round trips measured' },
    sizes: { default: '4000,16000,64000', describe: 'neuron counts of the split loop (comma-separated)' },
    every: { default: '1,10', describe: 'steps between barriers (comma-separated)' },
  });
  const rounds = Number(options.rounds);
  const sizes = options.sizes.split(',').map(Number);
  const everyList = options.every.split(',').map(Number);
  const bad = [rounds, ...sizes, ...everyList].find((x) => !(Number.isInteger(x) && x > 0));
  if (bad !== undefined) {
    console.error(`exchange bench: --rounds, --sizes and --every take positive integers, found ${bad}`);
    process.exit(2);
  }
  console.log(`\nSpike exchange between two threads (node ${process.version}, ${rounds} rounds; issue 24's threads are not built yet)`);
  for (const spin of [false, true]) {
    await pair({ kind: 'barrier', spin, rounds: 1000, n: 0, every: 1 }); // warm-up
    const ns = await pair({ kind: 'barrier', spin, rounds, n: 0, every: 1 });
    console.log(`barrier round trip, ${spin ? 'spinning (Atomics.load)' : 'blocking (Atomics.wait/notify)'}: ${(ns / rounds / 1000).toFixed(2)} us`);
  }
  console.log('\nCUBA neuron loop split over two threads, a barrier every `every` steps (1 step = 0.1 ms; medians of 3):');
  console.log('| N | every | one thread, us/step | two threads blocking | speed-up | two threads spinning | speed-up |');
  console.log('|---|---|---|---|---|---|---|');
  for (const n of sizes)
    for (const every of everyList) {
      const r = Math.max(1, Math.round(rounds / every / (n / 4000)));
      const half = n / 2;
      alone(n, r, every); // warm-up
      const one: number[] = [];
      const block: number[] = [];
      const spinning: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        one.push(alone(n, r, every) / (r * every));
        block.push((await pair({ kind: 'loop', spin: false, rounds: r, n: half, every })) / (r * every));
        spinning.push((await pair({ kind: 'loop', spin: true, rounds: r, n: half, every })) / (r * every));
      }
      const [o, b, sp] = [median(one), median(block), median(spinning)];
      console.log(
        `| ${n} | ${every} | ${(o / 1000).toFixed(2)} | ${(b / 1000).toFixed(2)} | ${(o / b).toFixed(2)}x | ${(sp / 1000).toFixed(2)} | ${(o / sp).toFixed(2)}x |`,
      );
    }
}
