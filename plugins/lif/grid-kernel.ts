/**
 * The grid step of `spike_timing: grid` (grid.ts) over a range of neurons: the part of the step
 * that may run on several threads at once (core/threads.ts). It imports nothing, so that a
 * worker thread loads it alone.
 *
 * For the neurons j of the range, in this order:
 *  1. The synaptic inputs that arrived for this step (the population's inbox: rows of the
 *     projections' CSR arrays, in arrival order) are summed per neuron, for the targets in the
 *     range only: P_ex(j) = w_1 + w_2 + ..., P_in(j) likewise. A row whose targets increase
 *     (InboxSource.sorted) is bisected to the range's slice; any other is read in full.
 *  2. With the exact one-step propagators of math.ts:
 *       I_ex' = I_ex e^{-dt/tau_syn_ex},  I_in' = I_in e^{-dt/tau_syn_in},
 *       v' = v e^{-dt/tau_m} + drive_j + R_m (kEx I_ex + kIn I_in);
 *     a refractory neuron (refractory[j] > 0) is held at v_reset and counts one step down;
 *     otherwise, when v' >= v_th, v' = v_reset, the neuron is refractory for the next
 *     ceil(t_ref / dt) steps and is reported.
 *  3. I_ex' += P_ex(j), I_in' += P_in(j): an input arriving in (t - dt, t] acts after the step
 *     to t, as the sum of its weights in arrival order.
 * So a neuron's arithmetic is the same whichever thread steps it, and each thread writes only
 * the state of its own neurons (the inbox and the CSR arrays it reads are not written during a
 * step). Reporting the spikes (their delivery) is grid.ts's, on the main thread.
 *
 * Why the refractory neurons come as a list. The loop of step 2 reads refractory[j] only for a
 * neuron above threshold; the refractory neurons (a few percent) are then put back at v_reset
 * and counted down from a list: a load and a test per neuron in the loop made the step about
 * 1.5x slower (V8, measured on this loop). The list is grid.ts's, written on the main thread
 * only: the spikes of the last ceil(t_ref / dt) steps, in the order they were reported, in the
 * ring `recent` (flags[2] the start, flags[3] the length), and the neurons fired between steps
 * by grid.ts's update() in `fired` (flags[4] of them). Each range takes its own neurons from
 * both, as it takes its inputs from the inbox, so the list is the same for any number of threads.
 */
import type { RangeKernel } from '../../core/contracts.js';

/** The synapse arrays of one projection into the population (a CSR's targets and weights). */
export interface InboxSource {
  readonly targets: Int32Array;
  readonly weights: Float64Array;
  /**
   * Every row lists its targets in increasing order (the connectors' order, known once the
   * projection is built): a range then finds its own slice of a row by bisection instead of
   * reading every synapse of the row. The slice keeps the row's order, so the sums are the same.
   */
  readonly sorted: boolean;
}

/** Ints per inbox entry: source, start, stop, port. */
export const INBOX_ENTRY = 4;

/** What the kernel works on: the population's arrays (shared when threads are used) and its constants. */
export interface LifGridKernelData {
  /** v, I_syn_ex, I_syn_in of neuron j at [3j], [3j + 1], [3j + 2]. */
  readonly state: Float64Array;
  /** (E_L + R_m I_ext) (1 - e^{-dt/tau_m}) per neuron. */
  readonly drive: Float64Array;
  /** Steps each neuron stays refractory (0: it may fire). */
  readonly refractory: Int32Array;
  /**
   * [0]: 1 while every neuron has drive[0] (one load fewer per neuron); [1]: entries in the
   * inbox; [2], [3]: start and length of the window of `recent`; [4]: entries in `fired`.
   */
  readonly flags: Int32Array;
  /** A ring (capacity: the population's size) of the spikes of the last ceil(t_ref / dt) steps. */
  readonly recent: Int32Array;
  /** Neurons made refractory on the main thread before this step (update(): they fire at its time). */
  readonly fired: Int32Array;
  /**
   * The inputs of this step, INBOX_ENTRY ints each: the index of the source in `sources`, the
   * synapses [start, stop) of its row, and the receptor port (0 excitatory, 1 inhibitory,
   * -1 by the sign of the weight).
   */
  readonly inbox: Int32Array;
  readonly sources: (InboxSource | null)[];
  /** Per-neuron sums of the inputs not yet added to the currents. */
  readonly pendEx: Float64Array;
  readonly pendIn: Float64Array;
  /** 1 while neuron j has a sum waiting (it is listed, here or by grid.ts). */
  readonly isTouched: Uint8Array;
  /** Scratch list of the neurons a range's inbox touched: the range [lo, hi) uses touched[lo..hi). */
  readonly touched: Int32Array;
  readonly refractorySteps: number;
  readonly em: number;
  readonly ex: number;
  readonly inh: number;
  readonly rkEx: number;
  readonly rkIn: number;
  readonly theta: number;
  readonly vReset: number;
}

export function lifGridKernel(d: LifGridKernelData): RangeKernel {
  return (lo: number, hi: number, spikes: Int32Array): number => {
    const listed = d.flags[1] > 0 ? sumInbox(d, lo, hi) : 0;
    const n = lifGridStep(d, lo, hi, spikes);
    if (listed > 0) addSums(d, lo, listed);
    return n;
  };
}

/** Step 1 of the header for neurons lo .. hi - 1; returns how many it listed in touched[lo..]. */
function sumInbox(d: LifGridKernelData, lo: number, hi: number): number {
  const { inbox, sources, pendEx, pendIn, isTouched, touched } = d;
  const span = hi - lo;
  const entries = d.flags[1] * INBOX_ENTRY;
  let listed = 0;
  for (let e = 0; e < entries; e += INBOX_ENTRY) {
    const src = sources[inbox[e]]!;
    const targets = src.targets;
    const weights = src.weights;
    let stop = inbox[e + 2];
    const port = inbox[e + 3];
    let k = inbox[e + 1];
    if (src.sorted) {
      // The row's slice [k, stop) of targets in [lo, hi): two bisections.
      k = firstAtLeast(targets, k, stop, lo);
      stop = firstAtLeast(targets, k, stop, hi);
    }
    for (; k < stop; k++) {
      const j = targets[k];
      if ((j - lo) >>> 0 >= span) continue;
      const w = weights[k];
      if (port === 0 || (port < 0 && w >= 0)) pendEx[j] += w;
      else pendIn[j] += w;
      if (isTouched[j] === 0) {
        isTouched[j] = 1;
        touched[lo + listed++] = j;
      }
    }
  }
  return listed;
}

/** The first index k in [a, b) with targets[k] >= x, or b (targets[a..b) increasing). */
function firstAtLeast(targets: Int32Array, a: number, b: number, x: number): number {
  while (a < b) {
    const m = (a + b) >>> 1;
    if (targets[m] < x) a = m + 1;
    else b = m;
  }
  return a;
}

/** Step 3 of the header for the neurons sumInbox listed. */
function addSums(d: LifGridKernelData, lo: number, listed: number): void {
  const { state, pendEx, pendIn, isTouched, touched } = d;
  for (let m = lo, e = lo + listed; m < e; m++) {
    const j = touched[m];
    // Cleared once read: the scratch list holds no trace of the run (checkpoints compared field by field).
    touched[m] = 0;
    state[3 * j + 1] += pendEx[j];
    state[3 * j + 2] += pendIn[j];
    pendEx[j] = 0;
    pendIn[j] = 0;
    isTouched[j] = 0;
  }
}

/**
 * Step 2 of the header for neurons lo .. hi - 1. A plain function that reads everything into
 * locals first: a closure's captured variables are reloaded from its context on every
 * iteration once several closures share the code (about twice the time per neuron).
 */
function lifGridStep(d: LifGridKernelData, lo: number, hi: number, spikes: Int32Array): number {
  const { state: s, drive, refractory, em, ex, inh, rkEx, rkIn, theta, vReset, refractorySteps } = d;
  let c = lo;
  // Two copies of the loop rather than a test per neuron: with one drive for all, one load fewer.
  // A refractory neuron is integrated too (no test per neuron) and put back at v_reset below.
  if (d.flags[0] === 1) {
    const dr = drive[0];
    for (let j = lo, k = 3 * lo; j < hi; j++, k += 3) {
      const e0 = s[k + 1];
      const i0 = s[k + 2];
      s[k + 1] = e0 * ex;
      s[k + 2] = i0 * inh;
      const vn = s[k] * em + dr + e0 * rkEx + i0 * rkIn;
      if (vn >= theta && refractory[j] === 0) {
        s[k] = vReset;
        spikes[c++] = j;
      } else s[k] = vn;
    }
  } else {
    for (let j = lo, k = 3 * lo; j < hi; j++, k += 3) {
      const e0 = s[k + 1];
      const i0 = s[k + 2];
      s[k + 1] = e0 * ex;
      s[k + 2] = i0 * inh;
      const vn = s[k] * em + drive[j] + e0 * rkEx + i0 * rkIn;
      if (vn >= theta && refractory[j] === 0) {
        s[k] = vReset;
        spikes[c++] = j;
      } else s[k] = vn;
    }
  }
  holdRefractory(d, lo, hi);
  for (let m = lo; m < c; m++) refractory[spikes[m]] = refractorySteps;
  return c - lo;
}

/** The refractory neurons of the range (see the header): v back at v_reset, one step counted down. */
function holdRefractory(d: LifGridKernelData, lo: number, hi: number): void {
  const { state, refractory, recent, fired, flags, vReset } = d;
  const capacity = recent.length;
  for (let m = 0, q = flags[2], e = flags[3]; m < e; m++) {
    const j = recent[q];
    if (++q === capacity) q = 0;
    if (j >= lo && j < hi) {
      state[3 * j] = vReset;
      refractory[j]--;
    }
  }
  for (let m = 0, e = flags[4]; m < e; m++) {
    const j = fired[m];
    if (j >= lo && j < hi) {
      state[3 * j] = vReset;
      refractory[j]--;
    }
  }
}
