import type { Dataset } from './contracts.js';

/** A dataset from n generated samples: the first nTrain train, the rest test. */
export function trainTestSplit(x: Float64Array[], labels: Int32Array, nTrain: number, nClasses: number): Dataset {
  if (nTrain >= x.length) throw new RangeError(`n_train (${nTrain}) must be below n (${x.length})`);
  return {
    nFeatures: x.length ? x[0].length : 0,
    nClasses,
    train: { x: x.slice(0, nTrain), labels: labels.slice(0, nTrain) },
    test: { x: x.slice(nTrain), labels: labels.slice(nTrain) },
  };
}
