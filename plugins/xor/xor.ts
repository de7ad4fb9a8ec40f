/**
 * xor: the paper's XOR task (paper-notes section 6). Each of n points is a corner of {0, 1}^2
 * drawn uniformly, plus N(0, noise_sd^2) noise per coordinate; its label is x1 XOR x2 of the
 * corner. The first n_train points train, the rest test. Seeded by the dataset's stream.
 *
 * parity: the same for `bits` inputs: corners of {0, 1}^bits, label x1 XOR ... XOR x_bits.
 * No linear function of the input, nor of a random fixed layer of few units, predicts it
 * better than chance by much: a task on which hidden layers must learn.
 */
import type { Dataset } from '../../core/contracts.js';
import { splitShape, trainTestSplit } from '../../training/datasets.js';
import { param } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';
import { definePlugin } from '../../core/define.js';

export function makeXor(rng: Rng, n: number, nTrain: number, noiseSd: number): Dataset & { corners: Int32Array } {
  const x: Float64Array[] = [];
  const labels = new Int32Array(n);
  const corners = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    const a = c & 1;
    const b = c >> 1;
    corners[i] = c;
    x.push(Float64Array.of(a + noiseSd * rng.normal(), b + noiseSd * rng.normal()));
    labels[i] = a ^ b;
  }
  return { ...trainTestSplit(x, labels, nTrain, 2), corners };
}

export function makeParity(rng: Rng, bits: number, n: number, nTrain: number, noiseSd: number): Dataset {
  const x: Float64Array[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(2 ** bits);
    const v = new Float64Array(bits);
    let parity = 0;
    for (let b = 0; b < bits; b++) {
      const bit = (c >> b) & 1;
      parity ^= bit;
      v[b] = bit + noiseSd * rng.normal();
    }
    x.push(v);
    labels[i] = parity;
  }
  return trainTestSplit(x, labels, nTrain, 2);
}

export const ParityDataset = definePlugin.dataset({
  name: 'parity',
  description: 'noisy corners of the unit cube {0, 1}^bits labelled by their parity (xor of all bits)',
  params: [
    param.integer('bits', 3, 'number of inputs', { min: 2, max: 16 }),
    param.integer('n', 1000, 'number of points', { min: 2 }),
    param.integer('n_train', 900, 'the first n_train points train; the rest test', { min: 1 }),
    param.number('noise_sd', 0.1, 'standard deviation of the Gaussian noise per coordinate', { min: 0 }),
  ],
  create: (ctx) => {
    const { bits, n, n_train, noise_sd } = ctx.params;
    return makeParity(ctx.rng, bits, n, n_train, noise_sd);
  },
  shape: (ctx) => {
    const { bits, n, n_train } = ctx.params;
    return splitShape(n, n_train, bits, 2);
  },
});

export const XorDataset = definePlugin.dataset({
  name: 'xor',
  description: 'noisy corners of the unit square labelled x1 XOR x2 (Daruwalla & Lipasti 2024)',
  params: [
    param.integer('n', 1000, 'number of points', { min: 2 }),
    param.integer('n_train', 900, 'the first n_train points train; the rest test', { min: 1 }),
    param.number('noise_sd', 0.1, 'standard deviation of the Gaussian noise per coordinate', { min: 0 }),
  ],
  create: (ctx) => {
    const { n, n_train, noise_sd } = ctx.params;
    return makeXor(ctx.rng, n, n_train, noise_sd);
  },
  shape: (ctx) => {
    const { n, n_train } = ctx.params;
    return splitShape(n, n_train, 2, 2);
  },
});
