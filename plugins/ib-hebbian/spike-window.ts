import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

/**
 * SpikeWindow: the spike times of each of n sources within a sliding window of `span_ms`,
 * so that a rule can read "how many spikes in (t - span, t]" exactly, at any t at or after
 * the last spike added. Struct of arrays: one ring of times per source, all rings the same
 * capacity, in one Float64Array (capacity doubles when a ring fills). A source at r Hz keeps
 * about r * span / 1000 entries.
 */
export class SpikeWindow implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'spike-window/1';

  times: Float64Array;
  readonly head: Int32Array;
  readonly len: Int32Array;
  capacity: number;

  constructor(
    readonly n: number,
    readonly span_ms: number,
  ) {
    this.capacity = 8;
    this.times = new Float64Array(n * this.capacity);
    this.head = new Int32Array(n);
    this.len = new Int32Array(n);
  }

  /** A spike of source i at time t (not earlier than its previous one). */
  add(i: number, t: number): void {
    this.prune(i, t);
    if (this.len[i] === this.capacity) this.grow();
    const cap = this.capacity;
    this.times[i * cap + ((this.head[i] + this.len[i]) % cap)] = t;
    this.len[i]++;
  }

  /** Spikes of source i in (t - span, t], for t at or after its last spike. */
  count(i: number, t: number): number {
    const cap = this.capacity;
    const from = t - this.span_ms;
    let c = 0;
    // Newest first: stop at the first one out of the window.
    for (let k = this.len[i] - 1; k >= 0; k--) {
      const s = this.times[i * cap + ((this.head[i] + k) % cap)];
      if (s <= from) break;
      if (s <= t) c++;
    }
    return c;
  }

  /** The rate of source i over (t - span, t], in Hz. */
  rate(i: number, t: number): number {
    return (this.count(i, t) * 1000) / this.span_ms;
  }

  /** Drops the spikes no later read can count: reads happen at or after t. */
  private prune(i: number, t: number): void {
    const cap = this.capacity;
    const from = t - this.span_ms;
    while (this.len[i] > 0 && this.times[i * cap + this.head[i]] <= from) {
      this.head[i] = (this.head[i] + 1) % cap;
      this.len[i]--;
    }
  }

  private grow(): void {
    const old = this.times;
    const cap = this.capacity;
    const next = new Float64Array(this.n * cap * 2);
    for (let i = 0; i < this.n; i++) {
      for (let k = 0; k < this.len[i]; k++) next[i * cap * 2 + k] = old[i * cap + ((this.head[i] + k) % cap)];
      this.head[i] = 0;
    }
    this.times = next;
    this.capacity = cap * 2;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SpikeWindow.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SpikeWindow.stateFields, 'SpikeWindow');
  }

  private static readonly stateFields = ['times', 'head', 'len', 'capacity'];
}
