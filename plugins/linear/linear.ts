/**
 * linear: the paper's linearly separable task (paper-notes section 6). A weight vector
 * w ~ N(0, I_d) is drawn first, then n points x ~ U(-1, 1)^d with label [x . w > 0]; the first
 * n_train are the training set, the rest the test set. Everything comes from the dataset's
 * seeded stream, so a scenario seed fixes the data.
 */
import type { Dataset } from '../../core/contracts.js';
import { splitShape, trainTestSplit } from '../../training/datasets.js';
import { param } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';
import { definePlugin } from '../../core/define.js';

export function makeLinear(rng: Rng, n: number, nTrain: number, d: number): Dataset & { w: Float64Array } {
  const w = Float64Array.from({ length: d }, () => rng.normal());
  const x: Float64Array[] = [];
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from({ length: d }, () => rng.uniform(-1, 1));
    let dot = 0;
    for (let u = 0; u < d; u++) dot += v[u] * w[u];
    x.push(v);
    labels[i] = dot > 0 ? 1 : 0;
  }
  return { ...trainTestSplit(x, labels, nTrain, 2), w };
}

export const LinearDataset = definePlugin.dataset({
  name: 'linear',
  description: 'points uniform in [-1, 1]^d labelled by the sign of a random projection (Daruwalla & Lipasti 2024)',
  params: [
    param.integer('n', 1000, 'number of points', { min: 2 }),
    param.integer('n_train', 900, 'the first n_train points train; the rest test', { min: 1 }),
    param.integer('dims', 2, 'input dimension', { min: 1 }),
  ],
  create: (ctx) => {
    const { n, n_train, dims } = ctx.params;
    return makeLinear(ctx.rng, n, n_train, dims);
  },
  shape: (ctx) => {
    const { n, n_train, dims } = ctx.params;
    return splitShape(n, n_train, dims, 2);
  },
});
