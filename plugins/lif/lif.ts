/**
 * lif: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
 * (NEST's iaf_psc_exp; Brian2's CUBA model), integrated exactly and with precise spike times.
 *
 *   tau_m dv/dt  = -(v - E_L) + R_m (I_syn_ex + I_syn_in + I_e + I_ext)
 *   dI_syn_ex/dt = -I_syn_ex / tau_syn_ex          (a spike of weight w: I_syn_ex += w)
 *   dI_syn_in/dt = -I_syn_in / tau_syn_in
 *   v >= v_th: spike, v = v_reset, v is held there for t_ref (currents keep decaying)
 *
 * Units: ms, mV, nA, MOhm (MOhm * nA = mV). With R_m = 1 MOhm a current of 1 nA has the
 * effect of 1 mV, which is how Brian2's CUBA example writes its synaptic variables.
 * NEST users: R_m = tau_m / C_m (e.g. 10 ms / 250 pF = 40 MOhm), weights in pA / 1000.
 *
 * Between events the state has a closed form (below). Every neuron is brought to the time of
 * each synaptic event it receives and to every grid step (resolution_ms); when v ends above
 * threshold, the crossing time is found inside the interval by safeguarded Newton iteration
 * on the closed form, to ~1e-12 ms. As in NEST's precise models, a threshold excursion that
 * starts and ends between two such points (rare: it needs v to rise and fall back within one
 * step with no input arriving) is not seen.
 */
import type { NeuronModelPlugin, NeuronPopulation, PopulationContext, SpikeSink } from '../../core/contracts.js';
import { param } from '../../core/params.js';

export interface LifParams {
  tau_m_ms: number;
  R_m_MOhm: number;
  E_L_mV: number;
  v_th_mV: number;
  v_reset_mV: number;
  t_ref_ms: number;
  tau_syn_ex_ms: number;
  tau_syn_in_ms: number;
  I_e_nA: number;
  /** precise (default): exact crossing times between grid points; grid: spikes on the grid. */
  spike_timing?: 'precise' | 'grid';
}

/** Defaults are NEST's iaf_psc_exp (C_m 250 pF, tau_m 10 ms => R_m 40 MOhm). */
export const lifParams = [
  param.number('tau_m_ms', 10, 'membrane time constant', { gt: 0 }),
  param.number('R_m_MOhm', 40, 'membrane resistance (tau_m / C_m)', { gt: 0 }),
  param.number('E_L_mV', -70, 'resting potential'),
  param.number('v_th_mV', -55, 'spike threshold'),
  param.number('v_reset_mV', -70, 'reset potential (must be below v_th_mV)'),
  param.number('t_ref_ms', 2, 'absolute refractory period (v held at v_reset_mV)', { min: 0 }),
  param.number('tau_syn_ex_ms', 2, 'decay time constant of the excitatory synaptic current', { gt: 0 }),
  param.number('tau_syn_in_ms', 2, 'decay time constant of the inhibitory synaptic current', { gt: 0 }),
  param.number('I_e_nA', 0, 'constant external current'),
  param.choice('spike_timing', 'precise', 'precise: exact threshold crossings between grid points (NEST iaf_psc_exp_ps); grid: threshold checked and spikes emitted on the grid, inputs applied at the end of their step (NEST iaf_psc_exp, Brian2)', ['precise', 'grid'] as const),
];

export const LIF_STATE = [
  { name: 'v_mV', description: 'membrane potential (default: E_L_mV)' },
  { name: 'I_syn_ex_nA', description: 'excitatory synaptic current (default 0)' },
  { name: 'I_syn_in_nA', description: 'inhibitory synaptic current (default 0)' },
  { name: 'I_ext_nA', description: 'external current: I_e_nA plus current inputs (default I_e_nA)' },
] as const;

const V = 0;
const IEX = 1;
const IIN = 2;
const IEXT = 3;

/**
 * Response at time h of v (with R_m = 1) to a unit synaptic current at time 0 that decays with
 * tau_s:  tau_s / (tau_s - tau_m) * (exp(-h/tau_s) - exp(-h/tau_m)).  Written as
 * exp(-h/tau_m) * expm1(c h) / (c tau_m), c = 1/tau_m - 1/tau_s, which stays accurate when
 * tau_s is close to or equal to tau_m (limit: h/tau_m exp(-h/tau_m)).
 */
export function synapticKernel(h: number, tauM: number, tauS: number): number {
  const c = 1 / tauM - 1 / tauS;
  const x = c * h;
  if (x > 30) return (Math.exp(-h / tauS) - Math.exp(-h / tauM)) / (c * tauM);
  const g = Math.abs(x) < 1e-10 ? h * (1 + 0.5 * x) : Math.expm1(x) / c;
  return (Math.exp(-h / tauM) * g) / tauM;
}

/** Closed-form membrane potential h ms after a state (v0, iex0, iin0) with external current iext. */
export function lifVoltage(p: LifParams, h: number, v0: number, iex0: number, iin0: number, iext: number): number {
  const em = Math.exp(-h / p.tau_m_ms);
  return (
    p.E_L_mV +
    (v0 - p.E_L_mV) * em +
    p.R_m_MOhm * (iext * -Math.expm1(-h / p.tau_m_ms) + iex0 * synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms) + iin0 * synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms))
  );
}

/**
 * The exact propagators of one step of length h: membrane decay, its complement, the two
 * current decays and the voltage response to a unit current of each type.
 */
function stepPropagators(h: number, p: LifParams): { em: number; oneMinusEm: number; ex: number; inh: number; kEx: number; kIn: number } {
  return {
    em: Math.exp(-h / p.tau_m_ms),
    oneMinusEm: -Math.expm1(-h / p.tau_m_ms),
    ex: Math.exp(-h / p.tau_syn_ex_ms),
    inh: Math.exp(-h / p.tau_syn_in_ms),
    kEx: synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms),
    kIn: synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms),
  };
}

/**
 * The slope of the lif rate-vs-drive curve at the drive that gives a steady rate r, relative
 * to the slope of its linear regime (the postsynaptic gain of three-factor rules, `rateSlope`).
 *
 * For a constant drive mu = R_m I (mV above E_L) above rheobase theta = v_th - E_L, the
 * interspike interval is T(mu) = t_ref + tau_m ln((mu - rho) / (mu - theta)), rho = v_reset - E_L,
 * and r = 1 / T. With a = (1/r - t_ref) / tau_m (so that e^a = (mu - rho) / (mu - theta)),
 *   dr/dmu = r^2 tau_m (e^a - 1)^2 / ((theta - rho) e^a) = r^2 tau_m (2 sinh(a/2))^2 / (theta - rho).
 * For large drives without refractoriness r ~ mu / (tau_m (theta - rho)), a slope of
 * 1 / (tau_m (theta - rho)); relative to it:
 *   g(r) = (2 r tau_m sinh(a / 2))^2
 * independent of theta, rho and R_m: g -> 0 as r approaches 1 / t_ref (refractory saturation),
 * g(r) = 1 where the curve is as steep as its linear regime, and g grows without bound towards
 * rheobase (the noise-free curve is vertical there; input noise makes it finite, which is why
 * rules cap it). A silent neuron (r = 0) is below rheobase: g = 0, as ReLU'(u) for u < 0.
 */
export function lifRateSlope(p: Pick<LifParams, 'tau_m_ms' | 't_ref_ms'>, rate_hz: number): number {
  if (!(rate_hz > 0)) return 0;
  const isi = 1000 / rate_hz;
  if (isi <= p.t_ref_ms) return 0;
  const a = (isi - p.t_ref_ms) / p.tau_m_ms;
  const g = 2 * (rate_hz / 1000) * p.tau_m_ms * Math.sinh(a / 2);
  return g * g;
}

/** The first neuron with a NaN or infinite v or synaptic current, or -1 (the numerical guard). */
function firstNonFiniteOf(v: Float64Array, iex: Float64Array, iin: Float64Array): number {
  for (let j = 0; j < v.length; j++) if (!Number.isFinite(v[j] + iex[j] + iin[j])) return j;
  return -1;
}

/** The state arrays of a lif population: the scenario's init values, else the defaults. */
function initialState(size: number, p: LifParams, init: ReadonlyMap<string, Float64Array>): { v: Float64Array; iex: Float64Array; iin: Float64Array; iext: Float64Array } {
  const initOr = (name: string, value: number) => init.get(name)?.slice() ?? new Float64Array(size).fill(value);
  return { v: initOr('v_mV', p.E_L_mV), iex: initOr('I_syn_ex_nA', 0), iin: initOr('I_syn_in_nA', 0), iext: initOr('I_ext_nA', p.I_e_nA) };
}

export class LifPopulation implements NeuronPopulation {
  readonly v: Float64Array;
  readonly iex: Float64Array;
  readonly iin: Float64Array;
  readonly iext: Float64Array;
  /** Time each neuron's state refers to. */
  readonly tLast: Float64Array;
  /** End of the current refractory period (-Infinity when none). */
  readonly refEnd: Float64Array;

  private readonly p: LifParams;
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

  constructor(readonly size: number, params: LifParams, init: ReadonlyMap<string, Float64Array>, resolution_ms: number, sink: SpikeSink) {
    this.p = params;
    this.sink = sink;
    this.dt = resolution_ms;
    ({ v: this.v, iex: this.iex, iin: this.iin, iext: this.iext } = initialState(size, params, init));
    this.tLast = new Float64Array(size);
    this.refEnd = new Float64Array(size).fill(-Infinity);
    ({ em: this.emDt, oneMinusEm: this.oneMinusEmDt, ex: this.exDt, inh: this.inDt, kEx: this.kExDt, kIn: this.kInDt } = stepPropagators(resolution_ms, params));
    const coefficient = (tauS: number) => (Math.abs(tauS - params.tau_m_ms) > 1e-3 * params.tau_m_ms ? tauS / (tauS - params.tau_m_ms) : NaN);
    this.aEx = coefficient(params.tau_syn_ex_ms);
    this.aIn = coefficient(params.tau_syn_in_ms);
  }

  step(t: number): void {
    const { v, iex, iin, iext, tLast, refEnd } = this;
    const { E_L_mV: E, R_m_MOhm: R, v_th_mV: theta } = this.p;
    const em = this.emDt, oneMinusEm = this.oneMinusEmDt, ex = this.exDt, inh = this.inDt, kEx = this.kExDt, kIn = this.kInDt;
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
}

export const LifModel: NeuronModelPlugin = {
  name: 'lif',
  description: 'leaky integrate-and-fire, exponential current synapses (exc/inh), exact integration, precise spike times',
  params: lifParams,
  receptors: ['exc', 'inh'],
  state: LIF_STATE,
  check(params) {
    const p = params as unknown as LifParams;
    return p.v_reset_mV < p.v_th_mV ? [] : [{ param: 'v_reset_mV', expected: `a reset below v_th_mV (${p.v_th_mV})`, found: String(p.v_reset_mV) }];
  },
  create(ctx: PopulationContext) {
    const Population = ctx.params.spike_timing === 'grid' ? LifGridPopulation : LifPopulation;
    return new Population(ctx.size, ctx.params as unknown as LifParams, ctx.init, ctx.resolution_ms, ctx.sink);
  },
};

/**
 * `spike_timing: grid`, the grid-constrained lif (NEST's iaf_psc_exp, Brian2's clock-driven
 * CUBA neuron): the state moves only from grid time to grid time, with the same exact one-step
 * propagators as the precise model; the threshold is checked at grid times and a spike is
 * emitted at the grid time it is found. An input arriving in (t - dt, t] (a synaptic weight, a
 * change of current) takes effect at t, after the step to t, so a delay that is not a multiple
 * of dt acts as if rounded up to one. v is held at v_reset for ceil(t_ref / dt) steps after a
 * spike while the currents decay. No exponential per event and no crossing search: the fast
 * choice for large networks, at the price of spike times on the grid.
 */
export class LifGridPopulation implements NeuronPopulation {
  readonly v: Float64Array;
  readonly iex: Float64Array;
  readonly iin: Float64Array;
  readonly iext: Float64Array;
  /**
   * (E_L + R_m I_ext) (1 - exp(-dt / tau_m)): the part of the one-step update that only
   * changes with I_ext, kept per neuron so the step does fewer operations.
   */
  private readonly drive: Float64Array;
  /** Whether drive is the same for every neuron (until an I_ext differs). */
  private uniformDrive = true;
  /** Steps each neuron stays refractory (v held at reset). */
  readonly refractory: Int32Array;
  private readonly refractorySteps: number;
  /** The neurons with refractory[j] > 0, in no particular order. */
  private readonly refractoryList: Int32Array;
  private nRefractory = 0;
  /** Inputs that arrived during the step in progress, applied at its end. */
  private readonly pendEx: Float64Array;
  private readonly pendIn: Float64Array;
  private readonly pendExt: Float64Array;
  /** The neurons with pending input (each listed once). */
  private readonly touched: Int32Array;
  private readonly isTouched: Uint8Array;
  private nTouched = 0;
  /** The grid time the state refers to. */
  private tStep = 0;
  /** The next grid time, as the engine's clock computes it (k * dt). */
  private tNext: number;
  /**
   * Event times are sums like t_spike + delay and can land an ulp off the grid time they
   * mean; within this tolerance of a grid time they count as at it.
   */
  private readonly tol: number;
  private readonly em: number;
  private readonly oneMinusEm: number;
  private readonly ex: number;
  private readonly inh: number;
  private readonly kEx: number;
  private readonly kIn: number;
  private readonly rkEx: number;
  private readonly rkIn: number;

  constructor(
    readonly size: number,
    private readonly p: LifParams,
    init: ReadonlyMap<string, Float64Array>,
    private readonly dt: number,
    private readonly sink: SpikeSink,
  ) {
    ({ v: this.v, iex: this.iex, iin: this.iin, iext: this.iext } = initialState(size, p, init));
    this.drive = new Float64Array(size);
    this.refractory = new Int32Array(size);
    this.refractoryList = new Int32Array(size);
    this.tol = 1e-6 * dt;
    this.refractorySteps = Math.max(0, Math.ceil((p.t_ref_ms - this.tol) / dt));
    this.pendEx = new Float64Array(size);
    this.pendIn = new Float64Array(size);
    this.pendExt = new Float64Array(size);
    this.touched = new Int32Array(size);
    this.isTouched = new Uint8Array(size);
    this.tNext = dt;
    ({ em: this.em, oneMinusEm: this.oneMinusEm, ex: this.ex, inh: this.inh, kEx: this.kEx, kIn: this.kIn } = stepPropagators(dt, p));
    this.rkEx = p.R_m_MOhm * this.kEx;
    this.rkIn = p.R_m_MOhm * this.kIn;
    for (let j = 0; j < size; j++) this.setDrive(j);
  }

  private setDrive(j: number): void {
    const d = (this.p.E_L_mV + this.p.R_m_MOhm * this.iext[j]) * this.oneMinusEm;
    this.drive[j] = d;
    if (this.uniformDrive && d !== this.drive[0]) this.uniformDrive = false;
  }

  step(t: number): void {
    const { v, iex, iin, drive, refractory } = this;
    const theta = this.p.v_th_mV;
    const { em, ex, inh, rkEx, rkIn } = this;
    const n = this.size;
    this.tStep = t;
    this.tNext = (Math.round(t / this.dt) + 1) * this.dt; // the clock's own k * dt
    // Every neuron takes the sub-threshold step; the refractory ones (a few percent) are put
    // back to reset afterwards, so the loop carries no refractory test but on a crossing.
    if (this.uniformDrive) {
      // Every neuron has the same I_ext (CUBA: none): one drive for all, one load fewer.
      const d = drive[0];
      for (let j = 0; j < n; j++) {
        const e0 = iex[j];
        const i0 = iin[j];
        iex[j] = e0 * ex;
        iin[j] = i0 * inh;
        const vn = v[j] * em + d + e0 * rkEx + i0 * rkIn;
        v[j] = vn;
        if (vn >= theta && refractory[j] === 0) this.fire(j, t);
      }
    } else {
      for (let j = 0; j < n; j++) {
        const e0 = iex[j];
        const i0 = iin[j];
        iex[j] = e0 * ex;
        iin[j] = i0 * inh;
        const vn = v[j] * em + drive[j] + e0 * rkEx + i0 * rkIn;
        v[j] = vn;
        if (vn >= theta && refractory[j] === 0) this.fire(j, t);
      }
    }
    this.holdRefractory();
    this.applyPending();
  }

  /**
   * Every refractory neuron took this step: v back to reset, one step fewer to go. A neuron
   * that fired in this step (in the loop or, just before it, in update()) is counted from
   * refractorySteps + 1, so that it is held for the refractorySteps steps that follow.
   */
  private holdRefractory(): void {
    const { v, refractory, refractoryList } = this;
    const vr = this.p.v_reset_mV;
    let n = this.nRefractory;
    for (let k = 0; k < n; ) {
      const j = refractoryList[k];
      v[j] = vr;
      if (--refractory[j] === 0) refractoryList[k] = refractoryList[--n];
      else k++;
    }
    this.nRefractory = n;
  }

  private fire(j: number, t: number): void {
    this.v[j] = this.p.v_reset_mV;
    // Listed even when t_ref is 0: the mark keeps the step from firing a neuron update()
    // already fired.
    this.refractory[j] = this.refractorySteps + 1;
    this.refractoryList[this.nRefractory++] = j;
    this.sink.spike(j, t);
  }

  private applyPending(): void {
    const { iex, iin, iext, pendEx, pendIn, pendExt, touched, isTouched } = this;
    for (let k = 0; k < this.nTouched; k++) {
      const j = touched[k];
      iex[j] += pendEx[j];
      iin[j] += pendIn[j];
      if (pendExt[j] !== 0) {
        iext[j] += pendExt[j];
        this.setDrive(j);
      }
      pendEx[j] = 0;
      pendIn[j] = 0;
      pendExt[j] = 0;
      isTouched[j] = 0;
    }
    this.nTouched = 0;
  }

  /** Whether neuron j's state already includes time t (else an input at t waits for the step). */
  private reached(j: number, t: number): boolean {
    return t <= this.tStep + this.tol;
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    const { iex, iin, pendEx, pendIn, isTouched, touched } = this;
    const now = t <= this.tStep + this.tol;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      const w = weights[k];
      const excitatory = port === 0 || (port < 0 && w >= 0);
      if (now) {
        if (excitatory) iex[j] += w;
        else iin[j] += w;
      } else {
        if (excitatory) pendEx[j] += w;
        else pendIn[j] += w;
        if (isTouched[j] === 0) {
          isTouched[j] = 1;
          touched[this.nTouched++] = j;
        }
      }
    }
  }

  addCurrent(neuron: number, t: number, delta_nA: number): void {
    if (this.reached(neuron, t)) {
      this.iext[neuron] += delta_nA;
      this.setDrive(neuron);
    } else {
      this.pendExt[neuron] += delta_nA;
      if (this.isTouched[neuron] === 0) {
        this.isTouched[neuron] = 1;
        this.touched[this.nTouched++] = neuron;
      }
    }
  }

  /**
   * When t has reached the next grid time: if the neuron's step there will cross threshold,
   * fires it now (the step itself then finds it refractory and only holds it at reset), so
   * that a pre spike arriving at that grid time is paired after the post spike is archived.
   * The state is not touched otherwise: the step computes the same numbers.
   */
  update(neuron: number, t: number): void {
    const j = neuron;
    if (t < this.tNext - this.tol || this.refractory[j] !== 0) return;
    const vn = this.v[j] * this.em + this.drive[j] + this.iex[j] * this.rkEx + this.iin[j] * this.rkIn; // as in step()
    if (vn >= this.p.v_th_mV) this.fire(j, this.tNext);
  }

  firstNonFinite(): number {
    return firstNonFiniteOf(this.v, this.iex, this.iin);
  }

  rateSlope(rate_hz: number): number {
    return lifRateSlope(this.p, rate_hz);
  }

  /** The state at the last grid time (a grid model has no state between grid times). */
  read(variable: number, j: number): number {
    switch (variable) {
      case V:
        return this.v[j];
      case IEX:
        return this.iex[j];
      case IIN:
        return this.iin[j];
      case IEXT:
        return this.iext[j];
      default:
        throw new RangeError(`lif has no state variable ${variable}`);
    }
  }
}
