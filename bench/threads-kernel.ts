/**
 * What the grid step on two threads (core/threads.ts) gains on the neuron update, and what the
 * synaptic inputs between steps cost it: the lif grid kernel over n neurons for 10000 steps,
 * on one thread and on two (StepThreads), with `touch` synapses delivered per step (rows of
 * 100 random targets) in one of two ways:
 *   main   the main thread adds the weights into the targets' currents between steps (how
 *          grid deliveries worked before the inbox: the targets' cache lines then move
 *          between the cores);
 *   inbox  the rows go into the population's inbox and each thread sums those of its own
 *          neurons during the step (plugins/lif/grid-kernel.ts).
 *
 *   node dist/bench/threads-kernel.js [--sizes 3200,12800,51200] [--touch 0,3000]
 */
import { pathToFileURL } from 'node:url';
import { StepThreads } from '../core/threads.js';
import { INBOX_ENTRY, lifGridKernel, type LifGridKernelData } from '../plugins/lif/grid-kernel.js';
import { benchOptions } from './options.js';

const STEPS = 10000;
const ROW = 100;

function measure(n: number, touch: number, mode: 'main' | 'inbox'): { one: number; two: number } {
  const shared = <T>(make: (b: SharedArrayBuffer) => T, bytes: number) => make(new SharedArrayBuffer(bytes));
  const state = shared((b) => new Float64Array(b), 24 * n);
  const rows = Math.max(1, Math.ceil(touch / ROW));
  // 64 rows of a random CSR, used in turn.
  const targets = shared((b) => new Int32Array(b), 4 * 64 * ROW);
  const weights = shared((b) => new Float64Array(b), 8 * 64 * ROW).fill(0.01);
  for (let k = 0; k < targets.length; k++) targets[k] = (k * 7919 + 13) % n;
  const data: LifGridKernelData = {
    state,
    drive: shared((b) => new Float64Array(b), 8 * n).fill(0.05),
    refractory: shared((b) => new Int32Array(b), 4 * n),
    flags: shared((b) => new Int32Array(b), 20).fill(1, 0, 1),
    recent: shared((b) => new Int32Array(b), 4 * n),
    fired: shared((b) => new Int32Array(b), 4 * n),
    inbox: shared((b) => new Int32Array(b), 4 * INBOX_ENTRY * rows),
    sources: [{ targets, weights, sorted: false }], // rows in no order: every range reads every synapse
    pendEx: shared((b) => new Float64Array(b), 8 * n),
    pendIn: shared((b) => new Float64Array(b), 8 * n),
    isTouched: shared((b) => new Uint8Array(b), n),
    touched: shared((b) => new Int32Array(b), 4 * n),
    refractorySteps: 20,
    em: Math.exp(-0.005),
    ex: Math.exp(-0.02),
    inh: Math.exp(-0.01),
    rkEx: 0.001,
    rkIn: 0.001,
    theta: -50,
    vReset: -60,
  };
  for (let j = 0; j < n; j++) state[3 * j] = -60 + (10 * ((j * 7919) % n)) / n;
  const kernel = lifGridKernel(data);
  const spikes = new Int32Array(n);
  let step = 0;
  const before = () => {
    if (mode !== 'inbox' || touch === 0) return;
    for (let r = 0; r < rows; r++) {
      const row = (step + r) % 64;
      data.inbox.set([0, row * ROW, row * ROW + Math.min(ROW, touch - r * ROW), 0], r * INBOX_ENTRY);
    }
    data.flags[1] = rows;
  };
  const after = () => {
    step++;
    data.flags[1] = 0;
    if (mode !== 'main') return;
    for (let i = 0; i < touch; i++) state[3 * targets[(step * ROW + i) % targets.length] + 1] += 0.01;
  };
  for (let s = 0; s < 1000; s++) {
    before();
    kernel(0, n, spikes);
    after();
  }
  let t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    before();
    kernel(0, n, spikes);
    after();
  }
  const one = performance.now() - t0;
  const rangeStep = {
    module: pathToFileURL(new URL('../plugins/lif/grid-kernel.js', import.meta.url).pathname).href,
    factory: 'lifGridKernel',
    data,
    kernel,
    begin: before,
    end() {},
  };
  const threads = new StepThreads(2, [{ name: 'p', size: n, step: rangeStep }]);
  for (let s = 0; s < 1000; s++) {
    threads.step(s);
    after();
  }
  t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    threads.step(s);
    after();
  }
  const two = performance.now() - t0;
  threads.close();
  return { one, two };
}

console.log(`lif grid kernel, ${STEPS} steps, one thread against two (core/threads.ts)`);
const options = benchOptions('The lif grid kernel on one thread against two\n  node dist/bench/threads-kernel.js [options]', {
  sizes: { default: '3200,12800,51200', describe: 'neurons (comma-separated)' },
  touch: { default: '0,3000', describe: 'synapses delivered per step (comma-separated)' },
});
for (const n of options.sizes.split(',').map(Number))
  for (const touch of options.touch.split(',').map(Number))
    for (const mode of touch === 0 ? (['inbox'] as const) : (['main', 'inbox'] as const)) {
      const { one, two } = measure(n, touch, mode);
      console.log(
        `n ${String(n).padStart(6)}, ${String(touch).padStart(5)} synapses per step, ${mode.padEnd(5)}: one thread ${((1000 * one) / STEPS).toFixed(1)} us/step, two ${((1000 * two) / STEPS).toFixed(1)} us/step, speed-up ${(one / two).toFixed(2)}x`,
      );
    }
