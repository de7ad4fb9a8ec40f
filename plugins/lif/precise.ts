/**
 * `spike_timing: precise` (the default), NEST's iaf_psc_exp_ps: every neuron is brought to the
 * time of each synaptic event it receives and to every grid step; when v ends above threshold,
 * the crossing time is found inside the interval by safeguarded Newton iteration on the closed
 * form (math.ts), to ~1e-12 ms. See lif.ts for the equations and parameters.
 *
 * Batched inputs within a step. The state is linear in its inputs between spikes, so the
 * events a neuron receives within one grid step (t_s, t_s + dt] can be summed at the step's
 * end instead of integrated one by one: an event of weight w at offset h = t_e - t before the
 * end t_e adds w e^{-h/tau_s} to the current and R w a (e^{-h/tau_s} - e^{-h/tau_m}) to v,
 * a = tau_s / (tau_s - tau_m). The three exponentials depend on the presynaptic spike only,
 * so a row of synapses costs two multiply-adds per synapse instead of an exact update each.
 * This is exact only while the neuron cannot reach threshold inside the step, which a bound
 * guarantees: with I(s) <= I_up = I_ext + max(I_ex(t_s), 0) + max(I_in(t_s), 0) + (the sum of
 * the positive weights received so far in the step), the comparison theorem gives
 *   v(s) <= v(t_s) + max(0, E_L + R I_up - v(t_s)) (1 - e^{-dt/tau_m})   for s in the step,
 * so each neuron gets a budget of positive weight at its first event of the step; an event
 * that would exhaust it first brings the neuron to its own time exactly (the batch so far,
 * rescaled) and the rest of the step runs event by event as above. Threshold is therefore
 * never crossed inside a batched step, not even by an excursion between two events.
 * Off for tau_syn within 0.1% of tau_m (the kernel's difference form cancels there).
 *
 * The grid step. A neuron's state refers to max(tLast[j], tStep): the neurons nothing moved
 * past the last grid step (most of them) take one vectorisable whole-dt update with no test
 * but the threshold's, and only the listed ones (refractory, or brought forward by an event
 * or a plasticity rule since the step) are advanced exactly one by one, first; so the loop
 * carries neither tLast nor refEnd. A crossing found by the loop is located from the state at
 * the previous step as before.
 */
import { CheckpointMismatch, restoreInto, type ExplicitState } from '../../core/checkpoint.js';
import type { NeuronPopulation, SpikeSink } from '../../core/contracts.js';
import { firstNonFiniteOf, IEX, IEXT, IIN, interleavedState, lifRateSlope, lifVoltage, stepPropagators, synapticKernel, V, type LifPhysics } from './math.js';

/** LifPopulation.mode values. */
const QUIET = 0;
const LISTED = 2;

/** pendingState's result (v, I_syn_ex, I_syn_in): scratch, never part of any population's state. */
const pending = new Float64Array(3);
/** propagate()'s result: scratch, never part of any population's state. */
const propagators = new Float64Array(6);

export class LifPopulation implements NeuronPopulation, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'lif-precise/4';

  /**
   * v, I_syn_ex and I_syn_in of neuron j at [3j], [3j + 1] and [3j + 2]: the step and every
   * delivery read and write the three together (one stream, one cache line per neuron).
   */
  readonly state: Float64Array;
  readonly iext: Float64Array;
  /**
   * Time neuron j's state refers to when it is later than the last grid step; a value at or
   * before tStep means tStep (the grid step does not write it for every neuron).
   */
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
  /** R_m times the kernels: the loop's coefficients of the currents. */
  private readonly rkExDt: number;
  private readonly rkInDt: number;
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
  /** The grid time of the next step: the end of the step whose inputs are being batched. */
  private tEnd: number;
  /** Whether every neuron has the same I_ext (then the loop reads one drive for all). */
  private uniformIext = true;

  /**
   * QUIET (state at tStep, not refractory) or LISTED (in `listed`: refractory, or advanced
   * past tStep), one byte per neuron.
   */
  private readonly mode: Uint8Array;
  /** Neuron j's inputs are batched in this step iff batchStamp[j] === stepNo. */
  private readonly batchStamp: Int32Array;
  /** Counts grid steps: a step ends every batch by moving it on, with no pass over them. */
  private stepNo = 0;
  /** The neurons the grid step must advance one by one, in the order they were listed. */
  private readonly listed: Int32Array;
  private listedCount = 0;
  /** Their state at the new grid time, kept aside while the loop steps every neuron. */
  private readonly asideV: Float64Array;
  private readonly asideEx: Float64Array;
  private readonly asideIn: Float64Array;

  /** Whether inputs within a step are batched (see the header); the exact path otherwise. */
  private readonly batching: boolean;
  /**
   * Per neuron, interleaved so that one delivery touches one cache line: [4j] the positive
   * weight j can still take in this step without a possible crossing (nA); [4j + 1] the sum of
   * w e^{-h/tau_syn_ex} over its batched excitatory events (their current at tEnd); [4j + 2]
   * the same for the inhibitory ones; [4j + 3] the sum of w a e^{-h/tau_m} over all of them
   * (the membrane part of their kernels). Valid while the neuron is batched.
   *
   * A batched event also goes straight into the neuron's state, as A^{-1} c, where c is its
   * contribution at tEnd and A the linear one-step map the grid loop applies (v' = em v +
   * R kEx I_ex + R kIn I_in + drive, I' = decay I): the loop then lands on the right end state
   * with no pass over the batches. While batched, the state held is that virtual state; the
   * sums above give the physical one back (physicalStart()).
   */
  private readonly batch: Float64Array;
  /** Precomputed for the budget: 1 / (1 - e^{-dt/tau_m}) and 1 / R_m. */
  private readonly invOneMinusEmDt: number;
  private readonly invR: number;

  constructor(
    readonly size: number,
    params: LifPhysics,
    init: ReadonlyMap<string, Float64Array>,
    resolution_ms: number,
    sink: SpikeSink,
    options: { batchInputs?: boolean } = {},
  ) {
    this.p = params;
    this.sink = sink;
    this.dt = resolution_ms;
    ({ state: this.state, iext: this.iext } = interleavedState(size, params, init));
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
    this.rkExDt = params.R_m_MOhm * this.kExDt;
    this.rkInDt = params.R_m_MOhm * this.kInDt;
    const coefficient = (tauS: number) => (Math.abs(tauS - params.tau_m_ms) > 1e-3 * params.tau_m_ms ? tauS / (tauS - params.tau_m_ms) : NaN);
    this.aEx = coefficient(params.tau_syn_ex_ms);
    this.aIn = coefficient(params.tau_syn_in_ms);
    this.tEnd = resolution_ms;
    this.uniformIext = this.iext.every((x) => x === this.iext[0]);
    this.mode = new Uint8Array(size);
    this.listed = new Int32Array(size);
    this.asideV = new Float64Array(size);
    this.asideEx = new Float64Array(size);
    this.asideIn = new Float64Array(size);
    // Off when a step decays a state variable below 1% (dt above 4.6 time constants): the
    // virtual state divides by those decays.
    this.batching = (options.batchInputs ?? true) && this.aEx === this.aEx && this.aIn === this.aIn && Math.min(this.emDt, this.exDt, this.inDt) > 0.01;
    this.batch = new Float64Array(this.batching ? 4 * size : 0);
    this.batchStamp = new Int32Array(size).fill(-1);
    this.invOneMinusEmDt = 1 / this.oneMinusEmDt;
    this.invR = 1 / params.R_m_MOhm;
  }

  step(t: number): void {
    const tPrev = this.tStep;
    if (Math.abs(t - tPrev - this.dt) < 1e-9 * this.dt) this.wholeStep(t);
    else this.partialStep(t);
    this.stepNo++;
    this.tStep = t;
    // The next step, whose end the batches refer to: one dt on, as the scheduler computes it
    // ((k + 1) * dt, no accumulated rounding) when the grid is on its origin.
    const aligned = (Math.round(t / this.dt) + 1) * this.dt;
    this.tEnd = Math.abs(aligned - (t + this.dt)) < 1e-9 * this.dt ? aligned : t + this.dt;
    // Neurons stay listed while refractory into the coming step.
    const { mode, listed, refEnd } = this;
    let n = 0;
    for (let k = 0; k < this.listedCount; k++) {
      const j = listed[k];
      if (refEnd[j] > t) listed[n++] = j;
      else mode[j] = QUIET;
    }
    // Entries past the count are cleared, so that the arrays hold nothing but state.
    listed.fill(0, n, this.listedCount);
    this.listedCount = n;
  }

  /** A grid step of exactly dt (the normal case): see the header. */
  private wholeStep(t: number): void {
    const { state: st, listed, asideV, asideEx, asideIn } = this;
    const theta = this.p.v_th_mV;
    const em = this.emDt,
      ex = this.exDt,
      inh = this.inDt,
      rkEx = this.rkExDt,
      rkIn = this.rkInDt;
    const tPrev = this.tStep;
    // The listed neurons first, exactly; their result is put aside while the loop runs.
    const nListed = this.listedCount;
    const { tLast, refEnd } = this;
    const vReset = this.p.v_reset_mV;
    for (let k = 0; k < nListed; k++) {
      const j = listed[k];
      if (refEnd[j] >= t && tLast[j] <= tPrev) {
        // Refractory for the whole step: what advance() computes, without its call.
        asideV[k] = vReset;
        asideEx[k] = st[3 * j + 1] * ex;
        asideIn[k] = st[3 * j + 2] * inh;
        continue;
      }
      this.advance(j, t);
      asideV[k] = st[3 * j];
      asideEx[k] = st[3 * j + 1];
      asideIn[k] = st[3 * j + 2];
    }
    // Every neuron takes the whole step. A crossing is located by advance() from the previous
    // step's state (the loop has not written it yet); the listed neurons are skipped there and
    // get their own state back below.
    const n = this.size;
    if (this.uniformIext) {
      // One drive for all (CUBA: no I_ext), one load fewer per neuron.
      const d = (this.p.E_L_mV + this.p.R_m_MOhm * this.iext[0]) * this.oneMinusEmDt;
      for (let j = 0; j < n; j++) {
        const e0 = st[3 * j + 1];
        const i0 = st[3 * j + 2];
        const vn = st[3 * j] * em + d + e0 * rkEx + i0 * rkIn;
        if (vn >= theta && this.crossesIn(j, tPrev, t)) continue;
        st[3 * j] = vn;
        st[3 * j + 1] = e0 * ex;
        st[3 * j + 2] = i0 * inh;
      }
    } else {
      const { iext } = this;
      const E = this.p.E_L_mV;
      const R = this.p.R_m_MOhm;
      const oneMinusEm = this.oneMinusEmDt;
      for (let j = 0; j < n; j++) {
        const e0 = st[3 * j + 1];
        const i0 = st[3 * j + 2];
        const vn = st[3 * j] * em + (E + R * iext[j]) * oneMinusEm + e0 * rkEx + i0 * rkIn;
        if (vn >= theta && this.crossesIn(j, tPrev, t)) continue;
        st[3 * j] = vn;
        st[3 * j + 1] = e0 * ex;
        st[3 * j + 2] = i0 * inh;
      }
    }
    for (let k = 0; k < nListed; k++) {
      const j = listed[k];
      st[3 * j] = asideV[k];
      st[3 * j + 1] = asideEx[k];
      st[3 * j + 2] = asideIn[k];
      asideV[k] = asideEx[k] = asideIn[k] = 0;
    }
  }

  /**
   * The loop's threshold branch: neuron j, not listed, crosses in (tPrev, t], located and
   * emitted from its state at tPrev (true: the loop leaves it alone). A listed neuron is
   * already at t and gets its state back after the loop; a batched one cannot cross (its
   * budget), so reaching threshold there is rounding and its state is taken as stepped.
   */
  private crossesIn(j: number, tPrev: number, t: number): boolean {
    if (this.mode[j] === LISTED) return true;
    if (this.batchStamp[j] === this.stepNo) return false;
    this.tLast[j] = tPrev;
    this.advance(j, t);
    return true;
  }

  /** A step of another length (a grid entered off its origin): every neuron exactly. */
  private partialStep(t: number): void {
    const until = Math.min(t, this.tEnd);
    for (let j = 0; j < this.size; j++) if (this.batchStamp[j] === this.stepNo) this.leaveBatch(j, until);
    for (let j = 0; j < this.size; j++) this.advance(j, t);
  }

  /** Lists neuron j for the next grid step (it is refractory or ahead of tStep). */
  private enlist(j: number): void {
    if (this.mode[j] === LISTED) return;
    this.mode[j] = LISTED;
    this.listed[this.listedCount++] = j;
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    if (this.batching && t >= this.tStep && t <= this.tEnd) {
      this.receiveBatched(t, targets, weights, start, end, port);
      return;
    }
    const { state: st } = this;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      this.bringTo(j, t);
      const w = weights[k];
      if (port === 0 || (port < 0 && w >= 0)) st[3 * j + 1] += w;
      else st[3 * j + 2] += w;
    }
  }

  /** receive() within the current step: batched where the budget allows (see the header). */
  private receiveBatched(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    const { state: st, tLast, mode, batch, batchStamp } = this;
    const p = this.p;
    const now = this.stepNo;
    const h = this.tEnd - t;
    // The event's weight at the step's end: current e^{-h/tau_s}, membrane part a e^{-h/tau_m}.
    const whole = Math.abs(h - this.dt) < 1e-9 * this.dt;
    const fEx = h === 0 ? 1 : whole ? this.exDt : Math.exp(-h / p.tau_syn_ex_ms);
    const fIn = h === 0 ? 1 : whole ? this.inDt : Math.exp(-h / p.tau_syn_in_ms);
    const fM = h === 0 ? 1 : whole ? this.emDt : Math.exp(-h / p.tau_m_ms);
    const mEx = this.aEx * fM;
    const mIn = this.aIn * fM;
    // Per unit weight, A^{-1} of the contribution at tEnd (see `batch`): current, then v.
    const R = p.R_m_MOhm;
    const cEx = fEx / this.exDt;
    const cIn = fIn / this.inDt;
    const vEx = (R * this.aEx * (fEx - fM) - this.rkExDt * cEx) / this.emDt;
    const vIn = (R * this.aIn * (fIn - fM) - this.rkInDt * cIn) / this.emDt;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      const w = weights[k];
      // QUIET means tLast <= tStep and not refractory: the state is at tStep, batchable.
      if (batchStamp[j] === now || (mode[j] === QUIET && this.enterBatch(j))) {
        const b = 4 * j;
        const left = w > 0 ? batch[b] - w : 1;
        if (left > 0) {
          if (w > 0) batch[b] = left;
          if (port === 0 || (port < 0 && w >= 0)) {
            batch[b + 1] += w * fEx;
            batch[b + 3] += w * mEx;
            st[3 * j + 1] += w * cEx;
            st[3 * j] += w * vEx;
          } else {
            batch[b + 2] += w * fIn;
            batch[b + 3] += w * mIn;
            st[3 * j + 2] += w * cIn;
            st[3 * j] += w * vIn;
          }
          continue;
        }
        this.leaveBatch(j, t);
      }
      if (tLast[j] < t) this.advance(j, t);
      if (port === 0 || (port < 0 && w >= 0)) st[3 * j + 1] += w;
      else st[3 * j + 2] += w;
    }
  }

  /**
   * Opens neuron j's batch for this step (its state is at tStep), with the budget of positive
   * weight under which no crossing is possible before tEnd (header), less 1e-9 mV of margin
   * for rounding. A neuron already within that margin of threshold is not batched.
   */
  private enterBatch(j: number): boolean {
    const p = this.p;
    const v0 = this.state[3 * j];
    const room = p.v_th_mV - 1e-9 - v0;
    if (!(room > 0)) return false;
    const e0 = this.state[3 * j + 1];
    const i0 = this.state[3 * j + 2];
    const b = (room * this.invOneMinusEmDt + v0 - p.E_L_mV) * this.invR - this.iext[this.uniformIext ? 0 : j] - (e0 > 0 ? e0 : 0) - (i0 > 0 ? i0 : 0);
    if (!(b > 0)) return false;
    const k = 4 * j;
    this.batch[k] = b;
    this.batch[k + 1] = 0;
    this.batch[k + 2] = 0;
    this.batch[k + 3] = 0;
    this.batchStamp[j] = this.stepNo;
    return true;
  }

  /**
   * Brings batched neuron j exactly to time t (tStep <= t <= tEnd, no crossing possible before
   * it): the free evolution from tStep plus the batched events, whose contributions were taken
   * at tEnd and are moved back to t by e^{(tEnd - t)/tau}. The neuron leaves the batch and is
   * listed: the rest of its step is integrated event by event.
   */
  private leaveBatch(j: number, t: number): void {
    this.pendingState(j, t);
    this.state[3 * j] = pending[0];
    this.state[3 * j + 1] = pending[1];
    this.state[3 * j + 2] = pending[2];
    this.tLast[j] = t;
    this.batchStamp[j] = -1;
    this.enlist(j);
  }

  /**
   * The propagators of an interval of h ms into `propagators`: e^{-h/tau_m}, its complement,
   * the two current decays and the two synaptic kernels. A whole grid step (most intervals)
   * takes the precomputed ones, the same numbers step() uses.
   */
  private propagate(h: number): void {
    const q = propagators;
    if (Math.abs(h - this.dt) < 1e-9 * this.dt) {
      q[0] = this.emDt;
      q[1] = this.oneMinusEmDt;
      q[2] = this.exDt;
      q[3] = this.inDt;
      q[4] = this.kExDt;
      q[5] = this.kInDt;
      return;
    }
    const p = this.p;
    const em = Math.exp(-h / p.tau_m_ms);
    const ee = Math.exp(-h / p.tau_syn_ex_ms);
    const ei = Math.exp(-h / p.tau_syn_in_ms);
    q[0] = em;
    q[1] = 1 - em;
    q[2] = ee;
    q[3] = ei;
    q[4] = this.aEx === this.aEx ? (ee - em) * this.aEx : synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms);
    q[5] = this.aIn === this.aIn ? (ei - em) * this.aIn : synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms);
  }

  /** The state of batched neuron j at t (tStep <= t <= tEnd), into `pending`. */
  private pendingState(j: number, t: number): void {
    const p = this.p;
    const h = t - this.tStep;
    // The physical state at tStep: the virtual one less A^{-1} of the batched sums (`batch`).
    const b = 4 * j;
    const dEx = this.batch[b + 1] / this.exDt;
    const dIn = this.batch[b + 2] / this.inDt;
    const dV =
      (p.R_m_MOhm * (this.aEx * this.batch[b + 1] + this.aIn * this.batch[b + 2] - this.batch[b + 3]) - this.rkExDt * dEx - this.rkInDt * dIn) / this.emDt;
    const v0 = this.state[3 * j] - dV;
    const e0 = this.state[3 * j + 1] - dEx;
    const i0 = this.state[3 * j + 2] - dIn;
    this.propagate(h);
    const em = propagators[0],
      oneMinusEm = propagators[1],
      ee = propagators[2],
      ei = propagators[3],
      kEx = propagators[4],
      kIn = propagators[5];
    let sEx = this.batch[4 * j + 1];
    let sIn = this.batch[4 * j + 2];
    let sM = this.batch[4 * j + 3];
    const g = this.tEnd - t;
    if (g > 0) {
      sEx *= Math.exp(g / p.tau_syn_ex_ms);
      sIn *= Math.exp(g / p.tau_syn_in_ms);
      sM *= Math.exp(g / p.tau_m_ms);
    }
    const R = p.R_m_MOhm;
    pending[0] = p.E_L_mV + (v0 - p.E_L_mV) * em + R * (this.iext[j] * oneMinusEm + e0 * kEx + i0 * kIn) + R * (this.aEx * sEx + this.aIn * sIn - sM);
    pending[1] = e0 * ee + sEx;
    pending[2] = i0 * ei + sIn;
  }

  /** Neuron j exactly at t, out of its batch if it was in one. */
  private bringTo(j: number, t: number): void {
    if (this.batchStamp[j] === this.stepNo) this.leaveBatch(j, Math.min(t, this.tEnd));
    if (this.tLast[j] < t) this.advance(j, t);
  }

  update(neuron: number, t: number): void {
    // A batched neuron cannot cross threshold before tEnd (its budget says so), and a quiet one
    // whose budget is positive cannot either: then there is no spike to report up to t.
    if (this.batching && t <= this.tEnd) {
      if (this.batchStamp[neuron] === this.stepNo || (this.mode[neuron] === QUIET && this.enterBatch(neuron))) return;
    }
    this.bringTo(neuron, t);
  }

  firstNonFinite(): number {
    return firstNonFiniteOf(this.state);
  }

  rateSlope(rate_hz: number): number {
    return lifRateSlope(this.p, rate_hz);
  }

  addCurrent(neuron: number, t: number, delta_nA: number): void {
    this.bringTo(neuron, t);
    this.iext[neuron] += delta_nA;
    // Every I_ext was equal before this change: they still are if this one equals another's.
    if (this.uniformIext && this.size > 1) this.uniformIext = this.iext[neuron] === this.iext[neuron === 0 ? 1 : 0];
  }

  read(variable: number, j: number, t: number): number {
    if (variable === IEXT) return this.iext[j];
    if (this.batchStamp[j] === this.stepNo && t < this.tEnd) {
      // Without committing: the batched state at t. From the step's end on, the virtual state
      // held is exact under free evolution (it is the state at tStep that the events' own
      // evolution, run backwards to tStep, adds up to), so the projection below serves.
      this.pendingState(j, t);
      return variable === V ? pending[0] : variable === IEX ? pending[1] : variable === IIN ? pending[2] : this.unknown(variable);
    }
    const t0 = Math.max(this.tLast[j], this.tStep);
    const h = t - t0;
    const p = this.p;
    switch (variable) {
      case IEX:
        return h > 0 ? this.state[3 * j + 1] * Math.exp(-h / p.tau_syn_ex_ms) : this.state[3 * j + 1];
      case IIN:
        return h > 0 ? this.state[3 * j + 2] * Math.exp(-h / p.tau_syn_in_ms) : this.state[3 * j + 2];
      case V: {
        if (h <= 0) return this.state[3 * j];
        // Sub-threshold projection without committing (recorders sample after the grid step,
        // where h = 0; this serves readers between steps).
        if (this.refEnd[j] >= t) return p.v_reset_mV;
        const from = Math.max(t0, this.refEnd[j]);
        const lead = from - t0;
        const e0 = this.state[3 * j + 1] * Math.exp(-lead / p.tau_syn_ex_ms);
        const i0 = this.state[3 * j + 2] * Math.exp(-lead / p.tau_syn_in_ms);
        const v0 = lead > 0 ? p.v_reset_mV : this.state[3 * j];
        return lifVoltage(p, t - from, v0, e0, i0, this.iext[j]);
      }
      default:
        return this.unknown(variable);
    }
  }

  private unknown(variable: number): never {
    throw new RangeError(`lif has no state variable ${variable}`);
  }

  /** Brings neuron j from its state's time to t1 exactly, emitting every threshold crossing on the way. */
  advance(j: number, t1: number): void {
    const p = this.p;
    const { state: st, iext, tLast, refEnd } = this;
    let t0 = tLast[j] > this.tStep ? tLast[j] : this.tStep;
    while (t0 < t1) {
      if (refEnd[j] > t0) {
        // Refractory: v is clamped, the synaptic currents keep decaying.
        const tEnd = Math.min(refEnd[j], t1);
        const h = tEnd - t0;
        const whole = Math.abs(h - this.dt) < 1e-9 * this.dt;
        st[3 * j + 1] *= whole ? this.exDt : Math.exp(-h / p.tau_syn_ex_ms);
        st[3 * j + 2] *= whole ? this.inDt : Math.exp(-h / p.tau_syn_in_ms);
        st[3 * j] = p.v_reset_mV;
        t0 = tEnd;
        continue;
      }
      const v0 = st[3 * j];
      let s: number;
      if (v0 >= p.v_th_mV) {
        s = 0; // starts at or above threshold (initial state): spikes at once
      } else {
        const h = t1 - t0;
        this.propagate(h);
        const em = propagators[0],
          oneMinusEm = propagators[1],
          ee = propagators[2],
          ei = propagators[3],
          kEx = propagators[4],
          kIn = propagators[5];
        const vEnd = p.E_L_mV + (v0 - p.E_L_mV) * em + p.R_m_MOhm * (iext[j] * oneMinusEm + st[3 * j + 1] * kEx + st[3 * j + 2] * kIn);
        if (vEnd < p.v_th_mV) {
          st[3 * j] = vEnd;
          st[3 * j + 1] *= ee;
          st[3 * j + 2] *= ei;
          t0 = t1;
          break;
        }
        s = this.crossing(v0, st[3 * j + 1], st[3 * j + 2], iext[j], h, vEnd);
      }
      const tc = t0 + s;
      st[3 * j + 1] *= Math.exp(-s / p.tau_syn_ex_ms);
      st[3 * j + 2] *= Math.exp(-s / p.tau_syn_in_ms);
      st[3 * j] = p.v_reset_mV;
      refEnd[j] = tc + p.t_ref_ms;
      tLast[j] = tc;
      t0 = tc;
      this.sink.spike(j, tc);
    }
    if (t0 > tLast[j]) tLast[j] = t0;
    if (t0 > this.tStep || refEnd[j] > this.tStep) this.enlist(j);
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
    return {
      state: this.state,
      iext: this.iext,
      tLast: this.tLast,
      refEnd: this.refEnd,
      tStep: this.tStep,
      tEnd: this.tEnd,
      mode: this.mode,
      batch: this.batch,
      listed: this.listed.slice(0, this.listedCount),
      batchStamp: this.batchStamp,
      stepNo: this.stepNo,
      uniformIext: this.uniformIext,
    };
  }

  restoreState(state: unknown): void {
    const d = state as Record<string, unknown>;
    restoreInto(this.state, d.state, 'LifPopulation.state');
    restoreInto(this.iext, d.iext, 'LifPopulation.iext');
    restoreInto(this.tLast, d.tLast, 'LifPopulation.tLast');
    restoreInto(this.refEnd, d.refEnd, 'LifPopulation.refEnd');
    this.tStep = d.tStep as number;
    this.tEnd = d.tEnd as number;
    restoreInto(this.mode, d.mode, 'LifPopulation.mode');
    restoreInto(this.batch, d.batch, 'LifPopulation.batch');
    // The lists in their saved order: the step advances the listed neurons, and so emits their
    // spikes, in it.
    const list = (saved: unknown, into: Int32Array, field: string): number => {
      if (!(saved instanceof Int32Array) || saved.length > into.length || saved.some((j) => !(j >= 0 && j < this.size))) {
        throw new CheckpointMismatch(`LifPopulation.${field}: the checkpoint holds no list of neurons below ${this.size}`);
      }
      into.fill(0);
      into.set(saved);
      return saved.length;
    };
    this.listedCount = list(d.listed, this.listed, 'listed');
    restoreInto(this.batchStamp, d.batchStamp, 'LifPopulation.batchStamp');
    this.stepNo = d.stepNo as number;
    this.uniformIext = d.uniformIext === true;
  }
}
