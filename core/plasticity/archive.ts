/**
 * The post-synaptic spike archive of one plastic projection (NEST's ArchivingNode): for each
 * post neuron, its spikes as the synapses see them (soma time + dendritic delay) and the value
 * of each post trace right after each spike. Lazy rules read it when a pre spike arrives.
 *
 * Memory stays bounded: each entry counts how many of the neuron's incoming synapses have
 * consumed it and is dropped once all have; `flush(h)` marks everything up to h consumed.
 * The trace value of dropped entries is kept, so trace queries stay exact.
 */
export interface TraceSpec {
  /** Decay time constant (ms). */
  tau: number;
  /** Nearest-spike interaction: the trace is reset to 1 at a spike instead of incremented. */
  nearest: boolean;
}

export class PostSpikeArchive {
  /** Per neuron: synapse times of its archived spikes. */
  private readonly times: number[][];
  /** Per neuron: trace values right after each archived spike, `nTraces` per spike. */
  private readonly after: number[][];
  /** Per neuron: how many incoming synapses have consumed each entry. */
  private readonly reads: number[][];
  /** Per neuron: time and trace values of the last dropped entry (trace baseline). */
  private readonly baseTime: Float64Array;
  private readonly baseAfter: Float64Array;
  /**
   * Per neuron: synapse time of its latest spike ever recorded (-Infinity: none) and the
   * trace values right after it. Most queries only need these (typed arrays, no pointer
   * chasing): see latest() and traceBefore().
   */
  private readonly lastTime: Float64Array;
  private readonly lastAfter: Float64Array;
  private readonly nTraces: number;
  /** Everything at or before this synapse time counts as consumed by every synapse. */
  flushedTo = -Infinity;

  constructor(nPost: number, private readonly indegree: Int32Array, private readonly traces: readonly TraceSpec[], private readonly dendriticDelay: number) {
    this.nTraces = traces.length;
    this.times = Array.from({ length: nPost }, () => []);
    this.after = Array.from({ length: nPost }, () => []);
    this.reads = Array.from({ length: nPost }, () => []);
    this.baseTime = new Float64Array(nPost).fill(-Infinity);
    this.baseAfter = new Float64Array(nPost * this.nTraces);
    this.lastTime = new Float64Array(nPost).fill(-Infinity);
    this.lastAfter = new Float64Array(nPost * this.nTraces);
  }

  /** The archive for a projection's post neurons, with the given post traces. */
  static forProjection(proj: { nPost: number; target: Int32Array; dendritic_delay_ms: number }, traces: readonly TraceSpec[]): PostSpikeArchive {
    return new PostSpikeArchive(proj.nPost, inDegrees(proj.nPost, proj.target), traces, proj.dendritic_delay_ms);
  }

  /** Records a post spike at soma time t. */
  record(j: number, t: number): void {
    if (this.indegree[j] === 0) return;
    const ts = t + this.dendriticDelay;
    const after = this.after[j];
    for (let r = 0; r < this.nTraces; r++) {
      const spec = this.traces[r];
      const value = spec.nearest ? 1 : this.traceBefore(r, j, ts) + 1;
      after.push(value);
      this.lastAfter[j * this.nTraces + r] = value;
    }
    this.times[j].push(ts);
    this.reads[j].push(0);
    this.lastTime[j] = ts;
  }

  /** Synapse time of neuron j's latest recorded spike (-Infinity when it has none). */
  latest(j: number): number {
    return this.lastTime[j];
  }

  /** Value of trace r of neuron j just before synapse time t (spikes strictly before t count). */
  traceBefore(r: number, j: number, t: number): number {
    const last = this.lastTime[j];
    if (last < t) return last === -Infinity ? 0 : this.lastAfter[j * this.nTraces + r] * Math.exp(-(t - last) / this.traces[r].tau);
    const times = this.times[j];
    for (let e = times.length - 1; e >= 0; e--) {
      if (times[e] < t) return this.after[j][e * this.nTraces + r] * Math.exp(-(t - times[e]) / this.traces[r].tau);
    }
    const t0 = this.baseTime[j];
    return t0 < t && t0 > -Infinity ? this.baseAfter[j * this.nTraces + r] * Math.exp(-(t - t0) / this.traces[r].tau) : 0;
  }

  /** Synapse times of neuron j's archived spikes, oldest first (read only). */
  timesOf(j: number): readonly number[] {
    return this.times[j];
  }

  /** Index of neuron j's first entry after synapse time `from` that is not flushed. */
  firstAfter(j: number, from: number): number {
    const times = this.times[j];
    const lo = from > this.flushedTo ? from : this.flushedTo;
    let e = 0;
    while (e < times.length && times[e] <= lo) e++;
    return e;
  }

  /**
   * Counts entries [a, b) of neuron j as read by one more synapse, and drops the entries every
   * incoming synapse has read. Call after iterating: indices shift when entries are dropped.
   */
  markRead(j: number, a: number, b: number): void {
    const reads = this.reads[j];
    for (let e = a; e < b; e++) reads[e]++;
    if (a === 0 && b > 0) this.prune(j);
  }

  traceAfter(j: number, entry: number, r: number): number {
    return this.after[j][entry * this.nTraces + r];
  }

  /** Marks every entry up to synapse time h consumed by every synapse, and drops them. */
  flush(h: number): void {
    if (h <= this.flushedTo) return;
    this.flushedTo = h;
    for (let j = 0; j < this.times.length; j++) this.prune(j);
  }

  /** Number of entries held (for tests of boundedness). */
  get size(): number {
    return this.times.reduce((s, t) => s + t.length, 0);
  }

  private prune(j: number): void {
    const times = this.times[j];
    const reads = this.reads[j];
    let n = 0;
    while (n < times.length && (reads[n] >= this.indegree[j] || times[n] <= this.flushedTo)) n++;
    if (n === 0) return;
    this.baseTime[j] = times[n - 1];
    for (let r = 0; r < this.nTraces; r++) this.baseAfter[j * this.nTraces + r] = this.after[j][(n - 1) * this.nTraces + r];
    times.splice(0, n);
    reads.splice(0, n);
    this.after[j].splice(0, n * this.nTraces);
  }
}

/** Number of synapses onto each post neuron of a CSR projection. */
export function inDegrees(nPost: number, target: Int32Array): Int32Array {
  const d = new Int32Array(nPost);
  for (let k = 0; k < target.length; k++) d[target[k]]++;
  return d;
}
