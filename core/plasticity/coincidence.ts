import { restoreFields, saveFields, type ExplicitState } from './../checkpoint.js';

/**
 * Same-time pre arrivals, kept so that a lazy pair rule can honour "post first" at equal
 * times when the post spike is found after the pre arrival (docs/plasticity.md).
 *
 * At a synapse, a post spike and a pre spike at the same time t are ordered post first: the
 * post spike pairs with the earlier pre spikes (potentiation) before the pre spike at t pairs
 * with the earlier post spikes (depression), and the two at t do not pair with each other.
 * The engine brings the post neurons up to t before a pre arrival at t, so every post spike
 * that happens before t, or on the grid step at t, is archived in time. With a dendritic
 * delay of 0 one case is left: a post spike at exactly t produced by a delivery at t that
 * runs after the pre arrival (a `parrot`, or a precise-timing neuron pushed over threshold
 * by an input at t, possibly this very synapse's). Such a spike cannot change what the pre
 * spike delivered at t, but it must change the weight that stays, in post-first order, with
 * clipping and weight dependence. NEST meets the same problem with axonal delays and corrects
 * the weight retrospectively; so does this log.
 *
 * The rule logs, at each pre arrival at t (dendritic delay 0 only), the synapse, its post
 * neuron and what it needs to redo the arrival (e.g. the weight before the depression and the
 * pre trace just before t). When a post spike at t is recorded, `forEachAt(j, t)` visits the
 * synapses onto j that a pre spike reached at t, and the rule applies the late post spike and
 * then the depression again. The log holds one time only and empties when time moves on.
 */
export class CoincidenceLog implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'coincidence-log/1';

  /** The synapse time the log holds (NaN: none). */
  time = NaN;
  private n = 0;
  private synapse = new Int32Array(64);
  private next = new Int32Array(64);
  /** Per logged arrival, `width` numbers the rule saves. */
  values: Float64Array;
  private readonly head: Int32Array;
  private readonly stamp: Int32Array;
  private generation = 1;

  constructor(
    nPost: number,
    readonly width: number,
  ) {
    this.head = new Int32Array(nPost);
    this.stamp = new Int32Array(nPost);
    this.values = new Float64Array(64 * width);
  }

  /** Logs synapse k (onto post neuron j), reached by a pre spike at t; returns the slot whose values the rule fills. */
  add(t: number, k: number, j: number): number {
    this.at(t);
    return this.push(k, j);
  }

  /** Moves the log to time t (emptying it when t is new): then push() logs arrivals at t. */
  at(t: number): void {
    if (t !== this.time) {
      this.time = t;
      this.n = 0;
      this.generation++;
    }
  }

  /**
   * add() at the time of the last at(), for a rule's loop over the synapses of one arrival:
   * integer arguments only, so that no call per synapse boxes a time.
   */
  push(k: number, j: number): number {
    const i = this.n++;
    if (i === this.synapse.length) this.grow();
    this.synapse[i] = k;
    this.next[i] = this.stamp[j] === this.generation ? this.head[j] : -1;
    this.stamp[j] = this.generation;
    this.head[j] = i;
    return i;
  }

  /** Calls visit(slot, synapse) for every arrival at t onto post neuron j. */
  forEachAt(j: number, t: number, visit: (slot: number, synapse: number) => void): void {
    if (t !== this.time || this.stamp[j] !== this.generation) return;
    for (let i = this.head[j]; i >= 0; i = this.next[i]) visit(i, this.synapse[i]);
  }

  private grow(): void {
    const cap = this.synapse.length * 2;
    const s = new Int32Array(cap);
    s.set(this.synapse);
    const nx = new Int32Array(cap);
    nx.set(this.next);
    const v = new Float64Array(cap * this.width);
    v.set(this.values);
    this.synapse = s;
    this.next = nx;
    this.values = v;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, CoincidenceLog.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, CoincidenceLog.stateFields, 'CoincidenceLog');
  }

  private static readonly stateFields = ['time', 'n', 'synapse', 'next', 'values', 'head', 'stamp', 'generation'];
}
