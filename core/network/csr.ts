import { grown } from '../typed.js';

/**
 * Compressed sparse row connectivity: the synapses of source neuron i are the indices
 * k in [rowStart[i], rowStart[i + 1]); target[k] is the post neuron. Weights and delays are
 * parallel Float64Arrays kept by the projection.
 */
export interface Csr {
  readonly nPre: number;
  readonly nPost: number;
  readonly rowStart: Int32Array;
  readonly target: Int32Array;
}

/** A growable list of (pre, post) pairs in typed arrays, filled by connectors. */
export class PairList {
  pre: Int32Array;
  post: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.pre = new Int32Array(Math.max(16, capacity));
    this.post = new Int32Array(Math.max(16, capacity));
  }

  push(i: number, j: number): void {
    if (this.length === this.pre.length) {
      this.pre = grown(this.pre, this.length * 2);
      this.post = grown(this.post, this.length * 2);
    }
    this.pre[this.length] = i;
    this.post[this.length] = j;
    this.length++;
  }
}

/**
 * Builds CSR from pairs, grouping by pre neuron. Within a row, synapses keep the order in
 * which the connector produced them (a stable counting sort), so the layout, and therefore
 * the random numbers drawn per synapse afterwards, depend only on the connector's output.
 * `order[k]` gives the index in `pairs` that synapse k came from.
 */
export function buildCsr(nPre: number, nPost: number, pairs: PairList): Csr & { order: Int32Array } {
  const n = pairs.length;
  const rowStart = new Int32Array(nPre + 1);
  for (let s = 0; s < n; s++) rowStart[pairs.pre[s] + 1]++;
  for (let i = 0; i < nPre; i++) rowStart[i + 1] += rowStart[i];
  const fill = rowStart.slice(0, nPre);
  // Shared, so that worker threads can read the rows they deliver (core/threads.ts).
  const target = new Int32Array(new SharedArrayBuffer(4 * n));
  const order = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const k = fill[pairs.pre[s]]++;
    target[k] = pairs.post[s];
    order[k] = s;
  }
  return { nPre, nPost, rowStart, target, order };
}

/**
 * Sorts each row by delay (stable), permuting targets, weights and delays together, so that
 * delivery can walk a row in arrival order with one pending event per spike.
 */
export function sortRowsByDelay(csr: Csr, weight: Float64Array, delay: Float64Array): void {
  const idx: number[] = [];
  for (let i = 0; i < csr.nPre; i++) {
    const a = csr.rowStart[i];
    const b = csr.rowStart[i + 1];
    let sorted = true;
    for (let k = a + 1; k < b; k++) if (delay[k] < delay[k - 1]) sorted = false;
    if (sorted) continue;
    idx.length = 0;
    for (let k = a; k < b; k++) idx.push(k);
    idx.sort((p, q) => delay[p] - delay[q] || p - q);
    const t = idx.map((k) => csr.target[k]);
    const w = idx.map((k) => weight[k]);
    const d = idx.map((k) => delay[k]);
    for (let m = 0; m < idx.length; m++) {
      csr.target[a + m] = t[m];
      weight[a + m] = w[m];
      delay[a + m] = d[m];
    }
  }
}
