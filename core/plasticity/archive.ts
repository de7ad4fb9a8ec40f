/**
 * The post-synaptic spike archive of one plastic projection (NEST's ArchivingNode): for each
 * post neuron, its spikes as the synapses see them (soma time + dendritic delay) and the value
 * of each post trace right after each spike. Lazy rules read it when a pre spike arrives.
 *
 * Memory stays bounded: each entry counts how many of the neuron's incoming synapses have
 * consumed it and is dropped once all have; `flush(h)` marks everything up to h consumed.
 * The trace value of dropped entries is kept, so trace queries stay exact.
 *
 * Storage is flat (the per-synapse hot path reads it for every pre arrival): one ring buffer
 * per neuron, all of the same power-of-two capacity, inside shared typed arrays, position
 * major; the capacity doubles for everyone when one neuron needs more. Entries are addressed by their index e
 * from the neuron's oldest held entry (0) to count(j) - 1; dropping entries shifts indices.
 */
import type { TimeGrid } from '../time.js';
import { restoreFields, saveFields, type ExplicitState } from './../checkpoint.js';

export interface TraceSpec {
  /** Decay time constant (ms). */
  tau: number;
  /** Nearest-spike interaction: the trace is reset to 1 at a spike instead of incremented. */
  nearest: boolean;
}

export class PostSpikeArchive implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'post-spike-archive/2';

  private cap: number;
  /**
   * Synapse time of entry slots. Ring position p of neuron j is slot p * nPost + j (position
   * major), so that doubling every ring is two block copies and no neuron's entries move
   * (grow()).
   */
  private time: Float64Array;
  /** Trace values right after each entry, nTraces per slot. */
  private after: Float64Array;
  /** How many incoming synapses have consumed each entry. */
  private reads: Int32Array;
  /** Per neuron: slot offset of its oldest held entry, and how many it holds. */
  private readonly head: Int32Array;
  private readonly len: Int32Array;
  /**
   * Per neuron: time and trace values of the last dropped entry (trace baseline), and the
   * trace values just before it, so that a query at exactly that time (spikes strictly before
   * t count) stays exact after the entry is gone.
   */
  private readonly baseTime: Float64Array;
  private readonly baseAfter: Float64Array;
  private readonly baseBefore: Float64Array;
  /** Per neuron: synapse time of its latest spike ever recorded (-Infinity: none), and the trace values right after it. */
  private readonly lastTime: Float64Array;
  private readonly lastAfter: Float64Array;
  /**
   * The depression hot path (a trace read per synapse and pre arrival) without an exponential
   * per synapse: trace r of neuron j at t > its latest spike is scaled[j, r] * G_r(t), with
   * scaled = value after the latest spike * exp((latest - ref_r) / tau_r) and
   * G_r(t) = exp(-(t - ref_r) / tau_r), computed once per distinct t (a row of synapses shares
   * it). ref_r moves up (and scaled with it) before latest - ref_r passes 200 tau_r, so nothing
   * overflows; the result equals the direct formula to a few ulps.
   */
  private readonly scaled: Float64Array;
  private readonly ref: Float64Array;
  private readonly qT: Float64Array;
  private readonly qG: Float64Array;
  private readonly nTraces: number;
  /** Everything at or before this synapse time counts as consumed by every synapse. */
  flushedTo = -Infinity;

  constructor(
    nPost: number,
    private readonly indegree: Int32Array,
    private readonly traces: readonly TraceSpec[],
    private readonly dendriticDelay: number,
    /** Makes soma time + dendritic delay exact on the grid (core/time.ts); plain sum without. */
    private readonly timeGrid?: TimeGrid,
  ) {
    this.nTraces = traces.length;
    // grow() replaces these four. Each is assigned twice here so that V8 never tracks them as
    // constants: code that inlined a constant (the spike path of every population feeding a
    // plastic projection) would be deoptimized, and run unoptimized for a while, at each growth.
    this.cap = 0;
    this.cap = 16;
    this.time = this.after = new Float64Array(0);
    this.reads = new Int32Array(0);
    this.time = new Float64Array(nPost * this.cap);
    this.after = new Float64Array(nPost * this.cap * this.nTraces);
    this.reads = new Int32Array(nPost * this.cap);
    this.head = new Int32Array(nPost);
    this.len = new Int32Array(nPost);
    this.baseTime = new Float64Array(nPost).fill(-Infinity);
    this.baseAfter = new Float64Array(nPost * this.nTraces);
    this.baseBefore = new Float64Array(nPost * this.nTraces);
    this.lastTime = new Float64Array(nPost).fill(-Infinity);
    this.lastAfter = new Float64Array(nPost * this.nTraces);
    this.scaled = new Float64Array(nPost * this.nTraces);
    this.ref = new Float64Array(this.nTraces).fill(NaN);
    this.qT = new Float64Array(this.nTraces).fill(NaN);
    this.qG = new Float64Array(this.nTraces);
  }

  /** The archive for a projection's post neurons, with the given post traces. */
  static forProjection(
    proj: { nPost: number; target: Int32Array; dendritic_delay_ms: number; timeGrid?: TimeGrid },
    traces: readonly TraceSpec[],
  ): PostSpikeArchive {
    return new PostSpikeArchive(proj.nPost, inDegrees(proj.nPost, proj.target), traces, proj.dendritic_delay_ms, proj.timeGrid);
  }

  /** Slot of neuron j's entry e. */
  private slot(j: number, e: number): number {
    return ((this.head[j] + e) & (this.cap - 1)) * this.head.length + j;
  }

  /** Records a post spike at soma time t. */
  record(j: number, t: number): void {
    if (this.indegree[j] === 0) return;
    const ts = this.timeGrid ? this.timeGrid.add(t, this.dendriticDelay) : t + this.dendriticDelay;
    if (this.len[j] === this.cap) this.grow();
    const s = this.slot(j, this.len[j]);
    for (let r = 0; r < this.nTraces; r++) {
      const value = this.traces[r].nearest ? 1 : this.traceBefore(r, j, ts) + 1;
      this.after[s * this.nTraces + r] = value;
      this.lastAfter[j * this.nTraces + r] = value;
      const tau = this.traces[r].tau;
      if (!(ts - this.ref[r] <= 200 * tau)) this.rebase(r, ts);
      this.scaled[j * this.nTraces + r] = value * Math.exp((ts - this.ref[r]) / tau);
    }
    this.time[s] = ts;
    this.reads[s] = 0;
    this.len[j]++;
    this.lastTime[j] = ts;
  }

  /** Moves trace r's reference time to t (the first time: sets it). */
  private rebase(r: number, t: number): void {
    const nt = this.nTraces;
    if (this.ref[r] === this.ref[r]) {
      const factor = Math.exp(-(t - this.ref[r]) / this.traces[r].tau);
      for (let i = r; i < this.scaled.length; i += nt) this.scaled[i] *= factor;
    }
    this.ref[r] = t;
    this.qT[r] = NaN;
  }

  /**
   * Doubles every neuron's ring without moving any neuron's entries: positions are position
   * major, so the old rings are copied twice, to positions p and p + cap. An entry at old
   * position p = (head + e) mod cap belongs at (head + e) mod 2cap, which is p when head + e
   * < cap and p + cap otherwise: both copies are where they belong, heads stay, and the slots
   * no entry uses are overwritten when entries are recorded there. Two block copies per array
   * instead of a loop over neurons (this runs a few times per run, too rarely to be compiled).
   */
  private grow(): void {
    const doubled = <T extends Float64Array | Int32Array>(a: T, make: (size: number) => T): T => {
      const b = make(2 * a.length);
      b.set(a, 0);
      b.set(a, a.length);
      return b;
    };
    this.time = doubled(this.time, (k) => new Float64Array(k));
    this.after = doubled(this.after, (k) => new Float64Array(k));
    this.reads = doubled(this.reads, (k) => new Int32Array(k));
    this.cap *= 2;
  }

  /*
   * The arrays behind latest(), firstAfter(), timeAt() and traceBefore()'s fast path, for a
   * rule's loop over the synapses of a pre arrival: there a call per synapse that passes or
   * returns a non-integer number allocates it on the heap whenever V8 does not inline the
   * call. Read them again at each pre arrival: record() replaces the entry arrays when they
   * grow. Neuron j's entry e (0: the oldest held) is at
   * entryTimes[((heads[j] + e) & (capacity - 1)) * heads.length + j], for e < lengths[j].
   */
  /** Per neuron, the synapse time of its latest spike (-Infinity: none). Never replaced. */
  get lastTimes(): Float64Array {
    return this.lastTime;
  }
  get entryTimes(): Float64Array {
    return this.time;
  }
  get heads(): Int32Array {
    return this.head;
  }
  get lengths(): Int32Array {
    return this.len;
  }
  get capacity(): number {
    return this.cap;
  }
  /**
   * With decayFactor: trace r of neuron j just before t, for t after its latest spike, is
   * scaledTraces[j * traceCount + r] * decayFactor(r, t) (what traceBefore computes then).
   */
  get scaledTraces(): Float64Array {
    return this.scaled;
  }
  get traceCount(): number {
    return this.nTraces;
  }
  decayFactor(r: number, t: number): number {
    if (t !== this.qT[r]) {
      this.qT[r] = t;
      this.qG[r] = Math.exp(-(t - this.ref[r]) / this.traces[r].tau);
    }
    return this.qG[r];
  }

  /** Synapse time of neuron j's latest recorded spike (-Infinity when it has none). */
  latest(j: number): number {
    return this.lastTime[j];
  }

  /** Number of entries neuron j holds. */
  count(j: number): number {
    return this.len[j];
  }

  /** Synapse time of neuron j's entry e (0: the oldest held). */
  timeAt(j: number, e: number): number {
    return this.time[this.slot(j, e)];
  }

  /** Value of trace r of neuron j right after its entry e. */
  traceAfter(j: number, e: number, r: number): number {
    return this.after[this.slot(j, e) * this.nTraces + r];
  }

  /** Value of trace r of neuron j just before synapse time t (spikes strictly before t count). */
  traceBefore(r: number, j: number, t: number): number {
    const last = this.lastTime[j];
    if (last < t) {
      if (last === -Infinity) return 0;
      return this.scaled[j * this.nTraces + r] * this.decayFactor(r, t);
    }
    for (let e = this.len[j] - 1; e >= 0; e--) {
      const s = this.slot(j, e);
      if (this.time[s] < t) return this.after[s * this.nTraces + r] * Math.exp(-(t - this.time[s]) / this.traces[r].tau);
    }
    return this.baseTraceBefore(r, j, t);
  }

  /**
   * Value of trace r of neuron j at synapse time t, counting the spikes that reach the synapse
   * by t (one at t included): for recorders. It reads only (no cache), so it never changes
   * what a later update computes.
   */
  traceAt(r: number, j: number, t: number): number {
    const nt = this.nTraces;
    const tau = this.traces[r].tau;
    const last = this.lastTime[j];
    if (last <= t) return last === -Infinity ? 0 : this.lastAfter[j * nt + r] * Math.exp(-(t - last) / tau);
    for (let e = this.len[j] - 1; e >= 0; e--) {
      const s = this.slot(j, e);
      if (this.time[s] <= t) return this.after[s * nt + r] * Math.exp(-(t - this.time[s]) / tau);
    }
    const t0 = this.baseTime[j];
    return t0 <= t && t0 !== -Infinity ? this.baseAfter[j * nt + r] * Math.exp(-(t - t0) / tau) : 0;
  }

  /** Trace r of neuron j just before t from the dropped entries alone (t >= the last dropped). */
  private baseTraceBefore(r: number, j: number, t: number): number {
    const t0 = this.baseTime[j];
    if (t0 === -Infinity) return 0;
    if (t0 < t) return this.baseAfter[j * this.nTraces + r] * Math.exp(-(t - t0) / this.traces[r].tau);
    // t0 === t: a pre spike at the time of a dropped post spike does not pair with it, but it
    // still sees every earlier post spike (dt = 0 does not pair; the rest does).
    return this.baseBefore[j * this.nTraces + r];
  }

  /**
   * Index of neuron j's first entry after synapse time `from` that is not flushed. Entries are
   * in time order; the scan runs back from the newest, so it costs the number of entries the
   * caller is about to read (a neuron holds old entries until its slowest incoming synapse has
   * read them, and a scan from the oldest would make every reader pay for those).
   */
  firstAfter(j: number, from: number): number {
    const after = from > this.flushedTo ? from : this.flushedTo;
    const { time, cap } = this;
    const n = this.head.length;
    const head = this.head[j];
    const mask = cap - 1;
    let e = this.len[j];
    while (e > 0 && time[((head + e - 1) & mask) * n + j] > after) e--;
    return e;
  }

  /**
   * Counts entries [a, b) of neuron j as read by one more synapse, and drops the entries every
   * incoming synapse has read. Call after iterating: indices shift when entries are dropped.
   */
  markRead(j: number, a: number, b: number): void {
    for (let e = a; e < b; e++) this.reads[this.slot(j, e)]++;
    if (a === 0 && b > 0) this.prune(j);
  }

  /** Marks every entry up to synapse time h consumed by every synapse, and drops them. */
  flush(h: number): void {
    if (h <= this.flushedTo) return;
    this.flushedTo = h;
    for (let j = 0; j < this.head.length; j++) this.prune(j);
  }

  /** Number of entries held (for tests of boundedness). */
  get size(): number {
    return this.len.reduce((s, n) => s + n, 0);
  }

  private prune(j: number): void {
    const len = this.len[j];
    let n = 0;
    while (n < len) {
      const s = this.slot(j, n);
      if (this.reads[s] < this.indegree[j] && this.time[s] > this.flushedTo) break;
      n++;
    }
    if (n === 0) return;
    const s = this.slot(j, n - 1);
    const tb = this.time[s];
    const nt = this.nTraces;
    // The trace just before the new baseline: from the latest dropped entry strictly before
    // it, else from the old baseline (read before it is overwritten).
    let e = n - 2;
    while (e >= 0 && this.time[this.slot(j, e)] >= tb) e--;
    for (let r = 0; r < nt; r++) {
      this.baseBefore[j * nt + r] =
        e >= 0 ? this.after[this.slot(j, e) * nt + r] * Math.exp(-(tb - this.time[this.slot(j, e)]) / this.traces[r].tau) : this.baseTraceBefore(r, j, tb);
    }
    this.baseTime[j] = tb;
    for (let r = 0; r < nt; r++) this.baseAfter[j * nt + r] = this.after[s * nt + r];
    this.head[j] = (this.head[j] + n) & (this.cap - 1);
    this.len[j] = len - n;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, PostSpikeArchive.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, PostSpikeArchive.stateFields, 'PostSpikeArchive');
  }

  private static readonly stateFields = [
    'cap',
    'time',
    'after',
    'reads',
    'head',
    'len',
    'baseTime',
    'baseAfter',
    'baseBefore',
    'lastTime',
    'lastAfter',
    'scaled',
    'ref',
    'qT',
    'qG',
    'flushedTo',
  ];
}

/** Number of synapses onto each post neuron of a CSR projection. */
export function inDegrees(nPost: number, target: Int32Array): Int32Array {
  const d = new Int32Array(nPost);
  for (let k = 0; k < target.length; k++) d[target[k]]++;
  return d;
}
