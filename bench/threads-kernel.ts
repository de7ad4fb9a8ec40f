/**
 * What the grid step on two threads (core/threads.ts) gains on the neuron update alone, and
 * what writes from the main thread between steps cost it: the lif grid kernel over n neurons
 * for 10000 steps, on one thread and on two (StepThreads), with `touch` neurons' currents
 * written by the main thread after every step (as grid deliveries are: their targets' cache
 * lines then move between the cores).
 *
 *   node dist/bench/threads-kernel.js [--sizes 3200,12800,51200] [--touch 0,1000]
 */
import { pathToFileURL } from 'node:url';
import { StepThreads } from '../core/threads.js';
import { lifGridKernel } from '../plugins/lif/grid-kernel.js';
import { option } from './options.js';

const STEPS = 10000;

function measure(n: number, touch: number): { one: number; two: number } {
  const shared = <T>(make: (b: SharedArrayBuffer) => T, bytes: number) => make(new SharedArrayBuffer(bytes));
  const state = shared((b) => new Float64Array(b), 24 * n);
  const drive = shared((b) => new Float64Array(b), 8 * n).fill(0.05);
  const refractory = shared((b) => new Int32Array(b), 4 * n);
  const flags = shared((b) => new Int32Array(b), 4).fill(1);
  for (let j = 0; j < n; j++) state[3 * j] = -60 + (10 * ((j * 7919) % n)) / n;
  const data = {
    state,
    drive,
    refractory,
    flags,
    em: Math.exp(-0.005),
    ex: Math.exp(-0.02),
    inh: Math.exp(-0.01),
    rkEx: 0.001,
    rkIn: 0.001,
    theta: -50,
    vReset: -60,
  };
  const kernel = lifGridKernel(data);
  const spikes = new Int32Array(n);
  const between = () => {
    for (let i = 0; i < touch; i++) state[3 * ((i * 7919) % n) + 1] += 0.01;
  };
  for (let s = 0; s < 1000; s++) kernel(0, n, spikes); // warm-up
  let t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    kernel(0, n, spikes);
    between();
  }
  const one = performance.now() - t0;
  const step = {
    module: pathToFileURL(new URL('../plugins/lif/grid-kernel.js', import.meta.url).pathname).href,
    factory: 'lifGridKernel',
    data,
    kernel,
    begin() {},
    end() {},
  };
  const threads = new StepThreads(2, [{ name: 'p', size: n, step }]);
  for (let s = 0; s < 1000; s++) threads.step(0, s);
  t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    threads.step(0, s);
    between();
  }
  const two = performance.now() - t0;
  threads.close();
  return { one, two };
}

console.log(`lif grid kernel, ${STEPS} steps, one thread against two (core/threads.ts)`);
for (const n of option('sizes', '3200,12800,51200').split(',').map(Number))
  for (const touch of option('touch', '0,1000').split(',').map(Number)) {
    const { one, two } = measure(n, touch);
    console.log(
      `n ${String(n).padStart(6)}, ${String(touch).padStart(5)} neurons written per step: one thread ${((1000 * one) / STEPS).toFixed(1)} us/step, two ${((1000 * two) / STEPS).toFixed(1)} us/step, speed-up ${(one / two).toFixed(2)}x`,
    );
  }
