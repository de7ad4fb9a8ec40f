/**
 * `spike_timing: precise` (the default), NEST's iaf_psc_exp_ps: every neuron is brought to the
 * time of each synaptic event it receives and to every grid step; when v ends above threshold,
 * the crossing time is found inside the interval by safeguarded Newton iteration on the closed
 * form (math.ts), to ~1e-12 ms. See lif.ts for the equations and parameters.
 */
import { restoreInto, type ExplicitState } from '../../core/checkpoint.js';
import type { NeuronPopulation, SpikeSink } from '../../core/contracts.js';
import { firstNonFiniteOf, IEX, IEXT, IIN, initialState, lifRateSlope, lifVoltage, stepPropagators, synapticKernel, V, type LifPhysics } from './math.js';

export class LifPopulation implements NeuronPopulation, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'lif-precise/1';

  readonly v: Float64Array;
  readonly iex: Float64Array;
  readonly iin: Float64Array;
  readonly iext: Float64Array;
  /** Time each neuron's state refers to. */
  readonly tLast: Float64Array;
  /** End of the current refractory period (-Infinity when none). */
  readonly refEnd: Float64Array;

  private readonly p: LifPhysics;
  private readonly sink: SpikeSink;
  private readonly dt: number;
  // One-step propagators for h = dt, computed once.
  private readonly emDt: number;
  private readonly oneMinusEmDt: number;
  private readonly exDt: number;
  private readonly inDt: number;
  private readonly kExDt: number;
  private readonly kInDt: number;
  /**
   * tau_s / (tau_s - tau_m) for each synapse type, or NaN when tau_s is within 0.1% of tau_m.
   * With it the synaptic kernel is (exp(-h/tau_s) - exp(-h/tau_m)) * coefficient, reusing the
   * decay factors the update computes anyway (3 exponentials per update instead of 8); near
   * tau_s = tau_m that difference cancels, and the expm1 form is used instead.
   */
  private readonly aEx: number;
  private readonly aIn: number;
  /** The grid time of the last step. */
  private tStep = 0;

  constructor(
    readonly size: number,
    params: LifPhysics,
    init: ReadonlyMap<string, Float64Array>,
    resolution_ms: number,
    sink: SpikeSink,
  ) {
    this.p = params;
    this.sink = sink;
    this.dt = resolution_ms;
    ({ v: this.v, iex: this.iex, iin: this.iin, iext: this.iext } = initialState(size, params, init));
    this.tLast = new Float64Array(size);
    this.refEnd = new Float64Array(size).fill(-Infinity);
    ({
      em: this.emDt,
      oneMinusEm: this.oneMinusEmDt,
      ex: this.exDt,
      inh: this.inDt,
      kEx: this.kExDt,
      kIn: this.kInDt,
    } = stepPropagators(resolution_ms, params));
    const coefficient = (tauS: number) => (Math.abs(tauS - params.tau_m_ms) > 1e-3 * params.tau_m_ms ? tauS / (tauS - params.tau_m_ms) : NaN);
    this.aEx = coefficient(params.tau_syn_ex_ms);
    this.aIn = coefficient(params.tau_syn_in_ms);
  }

  step(t: number): void {
    const { v, iex, iin, iext, tLast, refEnd } = this;
    const { E_L_mV: E, R_m_MOhm: R, v_th_mV: theta } = this.p;
    const em = this.emDt,
      oneMinusEm = this.oneMinusEmDt,
      ex = this.exDt,
      inh = this.inDt,
      kEx = this.kExDt,
      kIn = this.kInDt;
    // Neurons no event touched since the last grid step are still at tPrev; when the step is
    // a whole dt (it is, up to rounding of k * dt, unless the grid was entered off its origin),
    // they take the precomputed one-step propagators.
    const tPrev = this.tStep;
    const whole = Math.abs(t - tPrev - this.dt) < 1e-9 * this.dt;
    this.tStep = t;
    for (let j = 0; j < this.size; j++) {
      const t0 = tLast[j];
      if (t0 >= t) continue;
      // Fast path: a whole quiet step, not refractory, no threshold crossing.
      if (t0 === tPrev && whole && refEnd[j] <= t0) {
        const e0 = iex[j];
        const i0 = iin[j];
        const vn = E + (v[j] - E) * em + R * (iext[j] * oneMinusEm + e0 * kEx + i0 * kIn);
        if (vn < theta) {
          v[j] = vn;
          iex[j] = e0 * ex;
          iin[j] = i0 * inh;
          tLast[j] = t;
          continue;
        }
      }
      this.advance(j, t);
    }
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    const { iex, iin, tLast } = this;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      if (tLast[j] < t) this.advance(j, t);
      const w = weights[k];
      if (port === 0 || (port < 0 && w >= 0)) iex[j] += w;
      else iin[j] += w;
    }
  }

  update(neuron: number, t: number): void {
    if (this.tLast[neuron] < t) this.advance(neuron, t);
  }

  firstNonFinite(): number {
    return firstNonFiniteOf(this.v, this.iex, this.iin);
  }

  rateSlope(rate_hz: number): number {
    return lifRateSlope(this.p, rate_hz);
  }

  addCurrent(neuron: number, t: number, delta_nA: number): void {
    if (this.tLast[neuron] < t) this.advance(neuron, t);
    this.iext[neuron] += delta_nA;
  }

  read(variable: number, j: number, t: number): number {
    const h = t - this.tLast[j];
    const p = this.p;
    switch (variable) {
      case IEX:
        return h > 0 ? this.iex[j] * Math.exp(-h / p.tau_syn_ex_ms) : this.iex[j];
      case IIN:
        return h > 0 ? this.iin[j] * Math.exp(-h / p.tau_syn_in_ms) : this.iin[j];
      case IEXT:
        return this.iext[j];
      case V: {
        if (h <= 0) return this.v[j];
        // Sub-threshold projection without committing (recorders sample after the grid step,
        // where h = 0; this serves readers between steps).
        const t0 = this.tLast[j];
        if (this.refEnd[j] >= t) return p.v_reset_mV;
        const from = Math.max(t0, this.refEnd[j]);
        const lead = from - t0;
        const e0 = this.iex[j] * Math.exp(-lead / p.tau_syn_ex_ms);
        const i0 = this.iin[j] * Math.exp(-lead / p.tau_syn_in_ms);
        const v0 = lead > 0 ? p.v_reset_mV : this.v[j];
        return lifVoltage(p, t - from, v0, e0, i0, this.iext[j]);
      }
      default:
        throw new RangeError(`lif has no state variable ${variable}`);
    }
  }

  /** Brings neuron j from tLast[j] to t1 exactly, emitting every threshold crossing on the way. */
  advance(j: number, t1: number): void {
    const p = this.p;
    const { v, iex, iin, iext, tLast, refEnd } = this;
    let t0 = tLast[j];
    while (t0 < t1) {
      if (refEnd[j] > t0) {
        // Refractory: v is clamped, the synaptic currents keep decaying.
        const tEnd = Math.min(refEnd[j], t1);
        const h = tEnd - t0;
        const whole = Math.abs(h - this.dt) < 1e-9 * this.dt;
        iex[j] *= whole ? this.exDt : Math.exp(-h / p.tau_syn_ex_ms);
        iin[j] *= whole ? this.inDt : Math.exp(-h / p.tau_syn_in_ms);
        v[j] = p.v_reset_mV;
        t0 = tEnd;
        continue;
      }
      const v0 = v[j];
      let s: number;
      if (v0 >= p.v_th_mV) {
        s = 0; // starts at or above threshold (initial state): spikes at once
      } else {
        const h = t1 - t0;
        let em: number, oneMinusEm: number, ee: number, ei: number, kEx: number, kIn: number;
        if (Math.abs(h - this.dt) < 1e-9 * this.dt) {
          // A whole grid step (most events arrive on the grid): the precomputed propagators,
          // the same numbers step() uses.
          em = this.emDt;
          oneMinusEm = this.oneMinusEmDt;
          ee = this.exDt;
          ei = this.inDt;
          kEx = this.kExDt;
          kIn = this.kInDt;
        } else {
          em = Math.exp(-h / p.tau_m_ms);
          oneMinusEm = 1 - em;
          ee = Math.exp(-h / p.tau_syn_ex_ms);
          ei = Math.exp(-h / p.tau_syn_in_ms);
          kEx = this.aEx === this.aEx ? (ee - em) * this.aEx : synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms);
          kIn = this.aIn === this.aIn ? (ei - em) * this.aIn : synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms);
        }
        const vEnd = p.E_L_mV + (v0 - p.E_L_mV) * em + p.R_m_MOhm * (iext[j] * oneMinusEm + iex[j] * kEx + iin[j] * kIn);
        if (vEnd < p.v_th_mV) {
          v[j] = vEnd;
          iex[j] *= ee;
          iin[j] *= ei;
          t0 = t1;
          break;
        }
        s = this.crossing(v0, iex[j], iin[j], iext[j], h, vEnd);
      }
      const tc = t0 + s;
      iex[j] *= Math.exp(-s / p.tau_syn_ex_ms);
      iin[j] *= Math.exp(-s / p.tau_syn_in_ms);
      v[j] = p.v_reset_mV;
      refEnd[j] = tc + p.t_ref_ms;
      tLast[j] = tc;
      t0 = tc;
      this.sink.spike(j, tc);
    }
    tLast[j] = t1;
  }

  /**
   * Time s in (0, h] at which v first reaches threshold, given v(0) < v_th <= v(h):
   * Newton's method on the closed form, kept inside a shrinking bracket (falls back to
   * bisection when a Newton step would leave it).
   */
  private crossing(v0: number, e0: number, i0: number, iext: number, h: number, vEnd: number): number {
    const p = this.p;
    const theta = p.v_th_mV;
    let lo = 0;
    let hi = h;
    let flo = v0 - theta;
    let fhi = vEnd - theta;
    let s = lo + ((hi - lo) * -flo) / (fhi - flo);
    for (let iter = 0; iter < 100; iter++) {
      const vs = lifVoltage(p, s, v0, e0, i0, iext);
      const f = vs - theta;
      if (f === 0) return s;
      if (f < 0) {
        lo = s;
        flo = f;
      } else {
        hi = s;
        fhi = f;
      }
      const current = e0 * Math.exp(-s / p.tau_syn_ex_ms) + i0 * Math.exp(-s / p.tau_syn_in_ms) + iext;
      const dv = (-(vs - p.E_L_mV) + p.R_m_MOhm * current) / p.tau_m_ms;
      let next = s - f / dv;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (Math.abs(next - s) < 1e-13 || hi - lo < 1e-13) return next;
      s = next;
    }
    return hi;
  }

  /** Everything a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return { v: this.v, iex: this.iex, iin: this.iin, iext: this.iext, tLast: this.tLast, refEnd: this.refEnd, tStep: this.tStep };
  }

  restoreState(state: unknown): void {
    const d = state as Record<string, unknown>;
    restoreInto(this.v, d.v, 'LifPopulation.v');
    restoreInto(this.iex, d.iex, 'LifPopulation.iex');
    restoreInto(this.iin, d.iin, 'LifPopulation.iin');
    restoreInto(this.iext, d.iext, 'LifPopulation.iext');
    restoreInto(this.tLast, d.tLast, 'LifPopulation.tLast');
    restoreInto(this.refEnd, d.refEnd, 'LifPopulation.refEnd');
    this.tStep = d.tStep as number;
  }
}
