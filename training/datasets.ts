import type { Dataset, DatasetShape } from '../core/contracts.js';
import { ParamError } from '../core/errors.js';

/** A dataset from n generated samples: the first nTrain train, the rest test. */
export function trainTestSplit(x: Float64Array[], labels: Int32Array, nTrain: number, nClasses: number): Dataset {
  splitShape(x.length, nTrain, x.length ? x[0].length : 0, nClasses);
  return {
    nFeatures: x.length ? x[0].length : 0,
    nClasses,
    train: { x: x.slice(0, nTrain), labels: labels.slice(0, nTrain) },
    test: { x: x.slice(nTrain), labels: labels.slice(nTrain) },
  };
}

/** The shape of n generated points split into the first nTrain for training and the rest for test. */
export function splitShape(n: number, nTrain: number, nFeatures: number, nClasses: number): DatasetShape {
  if (nTrain >= n)
    throw new ParamError('n_train', `n_train below n (${n}), so that some points are left to test`, `n_train (${nTrain}) must be below n (${n})`);
  return { nFeatures, nClasses, nTrain, nTest: n - nTrain };
}
