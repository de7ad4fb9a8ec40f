/**
 * The IDX file format (LeCun's MNIST files): a 4-byte magic number (two zero bytes, a type
 * code, the number of dimensions), one big-endian int32 per dimension, then the values in
 * row-major order, big-endian. Type codes: 0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
 * 0x0C int32, 0x0D float32, 0x0E float64.
 *
 * Everything that can be wrong with a file is reported by name (IdxError): a missing file, a
 * bad magic number, an unknown type, a size that does not match the header.
 */
import { existsSync, readFileSync } from 'node:fs';
import { notARegularFile } from '../../core/files.js';

export class IdxError extends RangeError {}

export interface IdxArray {
  readonly dims: readonly number[];
  /** Values as numbers (bytes stay bytes: 0..255 for type 0x08). */
  readonly data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'unsigned byte', bytes: 1 },
  0x09: { name: 'signed byte', bytes: 1 },
  0x0b: { name: 'int16', bytes: 2 },
  0x0c: { name: 'int32', bytes: 4 },
  0x0d: { name: 'float32', bytes: 4 },
  0x0e: { name: 'float64', bytes: 8 },
};

export function parseIdx(buf: Uint8Array, file: string): IdxArray {
  if (buf.length < 4) throw new IdxError(`${file}: not an IDX file (${buf.length} bytes, fewer than the 4-byte header)`);
  if (buf[0] !== 0 || buf[1] !== 0)
    throw new IdxError(`${file}: not an IDX file (it starts with bytes ${buf[0]}, ${buf[1]}; IDX files start with two zero bytes)`);
  const type = TYPES[buf[2]];
  if (!type)
    throw new IdxError(
      `${file}: unknown IDX value type 0x${buf[2].toString(16)} (expected one of ${Object.keys(TYPES)
        .map((k) => `0x${Number(k).toString(16).padStart(2, '0')}`)
        .join(', ')})`,
    );
  const nDims = buf[3];
  if (nDims === 0) throw new IdxError(`${file}: an IDX header with 0 dimensions`);
  const headerBytes = 4 + 4 * nDims;
  if (buf.length < headerBytes) throw new IdxError(`${file}: truncated header (${nDims} dimensions need ${headerBytes} bytes, the file has ${buf.length})`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < nDims; d++) {
    const n = view.getInt32(4 + 4 * d, false);
    if (n < 0) throw new IdxError(`${file}: dimension ${d} is negative (${n})`);
    dims.push(n);
    count *= n;
  }
  const expected = headerBytes + count * type.bytes;
  if (buf.length !== expected) {
    throw new IdxError(
      `${file}: the header says ${dims.join(' x ')} values of ${type.name} (${expected} bytes with the header), the file has ${buf.length} bytes${buf.length < expected ? ' (truncated?)' : ''}`,
    );
  }
  let data: IdxArray['data'];
  switch (buf[2]) {
    case 0x08:
      data = buf.subarray(headerBytes, expected);
      break;
    case 0x09:
      data = new Int8Array(buf.buffer, buf.byteOffset + headerBytes, count);
      break;
    default: {
      const Ctor = { 0x0b: Int16Array, 0x0c: Int32Array, 0x0d: Float32Array, 0x0e: Float64Array }[buf[2] as 0x0b | 0x0c | 0x0d | 0x0e];
      const out = new Ctor(count);
      const get = { 0x0b: view.getInt16, 0x0c: view.getInt32, 0x0d: view.getFloat32, 0x0e: view.getFloat64 }[buf[2] as 0x0b | 0x0c | 0x0d | 0x0e].bind(view);
      for (let i = 0; i < count; i++) out[i] = get(headerBytes + i * type.bytes, false);
      data = out;
    }
  }
  return { dims, data };
}

export function readIdx(file: string): IdxArray {
  if (!existsSync(file)) throw new IdxError(`${file} does not exist`);
  const why = notARegularFile(file);
  if (why) throw new IdxError(`${file}: ${why}`);
  return parseIdx(readFileSync(file), file);
}

/** Writes an IDX file's bytes (unsigned bytes only): for tests and for users who make their own. */
export function idxBytes(dims: readonly number[], data: ArrayLike<number>): Uint8Array {
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((n, d) => view.setInt32(4 + 4 * d, n, false));
  out.set(Array.from(data), header);
  return out;
}

/**
 * Images and labels from an IDX pair, as feature vectors (one per image, flattened row-major)
 * with a pixel transform, and integer labels. Checks that the pair belongs together.
 */
export function idxPair(
  imagesFile: string,
  labelsFile: string,
  limit: number,
  transform: (v: number) => number,
): { x: Float64Array[]; labels: Int32Array; classes: number } {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (labels.dims.length !== 1) throw new IdxError(`${labelsFile}: labels must be a 1-dimensional IDX array, found ${labels.dims.join(' x ')}`);
  if (images.dims[0] !== labels.dims[0]) throw new IdxError(`${imagesFile} holds ${images.dims[0]} images but ${labelsFile} holds ${labels.dims[0]} labels`);
  const n = Math.min(limit > 0 ? limit : Infinity, images.dims[0]);
  const size = images.dims.slice(1).reduce((a, b) => a * b, 1);
  // One buffer for all feature vectors: 60000 MNIST images are 376 MB as float64, so no copies.
  const all = new Float64Array(n * size);
  const src = images.data;
  for (let i = 0; i < n * size; i++) all[i] = transform(src[i]);
  const x = Array.from({ length: n }, (_, i) => all.subarray(i * size, (i + 1) * size));
  const lab = new Int32Array(n);
  let classes = 0;
  for (let i = 0; i < n; i++) {
    const l = labels.data[i];
    if (!Number.isInteger(l) || l < 0) throw new IdxError(`${labelsFile}: label ${i} is ${l}, expected a class index >= 0`);
    lab[i] = l;
    if (l + 1 > classes) classes = l + 1;
  }
  return { x, labels: lab, classes };
}
