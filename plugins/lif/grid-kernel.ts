/**
 * The sub-threshold grid step of `spike_timing: grid` (grid.ts) over a range of neurons: the
 * part of the step that may run on several threads at once (core/threads.ts). It imports
 * nothing, so that a worker thread loads it alone.
 *
 * For each neuron j of the range, with the exact one-step propagators of math.ts:
 *   I_ex' = I_ex e^{-dt/tau_syn_ex},  I_in' = I_in e^{-dt/tau_syn_in},
 *   v' = v e^{-dt/tau_m} + drive_j + R_m (kEx I_ex + kIn I_in),
 * and when v' >= v_th and j is not refractory: v' = v_reset and j is reported. The bookkeeping
 * of the spike (refractory count, the spike's delivery) is grid.ts's, on the main thread.
 */
import type { RangeKernel } from '../../core/contracts.js';

/** What the kernel works on: the population's arrays (shared when threads are used) and its constants. */
export interface LifGridKernelData {
  /** v, I_syn_ex, I_syn_in of neuron j at [3j], [3j + 1], [3j + 2]. */
  readonly state: Float64Array;
  /** (E_L + R_m I_ext) (1 - e^{-dt/tau_m}) per neuron. */
  readonly drive: Float64Array;
  /** Steps each neuron stays refractory (0: it may fire). */
  readonly refractory: Int32Array;
  /** [0]: 1 while every neuron has drive[0] (one load fewer per neuron). */
  readonly flags: Int32Array;
  readonly em: number;
  readonly ex: number;
  readonly inh: number;
  readonly rkEx: number;
  readonly rkIn: number;
  readonly theta: number;
  readonly vReset: number;
}

export function lifGridKernel(d: LifGridKernelData): RangeKernel {
  return (lo: number, hi: number, spikes: Int32Array): number => lifGridStep(d, lo, hi, spikes);
}

/**
 * One grid step of neurons lo .. hi - 1 (see the header). A plain function that reads
 * everything into locals first: a closure's captured variables are reloaded from its context
 * on every iteration once several closures share the code (about twice the time per neuron).
 */
function lifGridStep(d: LifGridKernelData, lo: number, hi: number, spikes: Int32Array): number {
  const { state: s, drive, refractory, em, ex, inh, rkEx, rkIn, theta, vReset } = d;
  let c = lo;
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
  return c - lo;
}
