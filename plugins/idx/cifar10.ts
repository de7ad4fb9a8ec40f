/**
 * CIFAR-10 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html, "binary version"):
 * each record is 1 label byte (0..9) then 3072 pixel bytes, the red, green and blue planes of
 * a 32 x 32 image, row-major. A batch file is a whole number of records (10000 in the
 * standard files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { notARegularFile } from '../../core/files.js';

export const CIFAR_RECORD = 1 + 3072;

export function readCifarBatches(
  files: readonly string[],
  limit: number,
  transform: (v: number) => number,
): { x: Float64Array[]; labels: Int32Array; classes: number } {
  const bufs = files.map((f) => {
    if (!existsSync(f)) throw new RangeError(`${f} does not exist`);
    const why = notARegularFile(f);
    if (why) throw new RangeError(`${f}: ${why}`);
    const b = readFileSync(f);
    if (b.length === 0 || b.length % CIFAR_RECORD !== 0)
      throw new RangeError(`${f}: ${b.length} bytes is not a whole number of CIFAR-10 records (${CIFAR_RECORD} bytes each: 1 label + 3072 pixels)`);
    return b;
  });
  const total = bufs.reduce((s, b) => s + b.length / CIFAR_RECORD, 0);
  const n = Math.min(limit > 0 ? limit : Infinity, total);
  const all = new Float64Array(n * 3072);
  const labels = new Int32Array(n);
  let i = 0;
  for (const [k, b] of bufs.entries()) {
    for (let r = 0; r < b.length / CIFAR_RECORD && i < n; r++, i++) {
      const at = r * CIFAR_RECORD;
      if (b[at] > 9) throw new RangeError(`${files[k]}: record ${r} has label ${b[at]}, expected 0..9`);
      labels[i] = b[at];
      for (let q = 0; q < 3072; q++) all[i * 3072 + q] = transform(b[at + 1 + q]);
    }
  }
  return { x: Array.from({ length: n }, (_, q) => all.subarray(q * 3072, (q + 1) * 3072)), labels, classes: 10 };
}
