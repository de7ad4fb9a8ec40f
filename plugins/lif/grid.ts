import { restoreInto, type ExplicitState } from '../../core/checkpoint.js';
import type { NeuronPopulation, RangeKernel, RangeStep, SpikeSink } from '../../core/contracts.js';
import { lifGridKernel, type LifGridKernelData } from './grid-kernel.js';
import { firstNonFiniteOf, IEX, IEXT, IIN, interleavedState, lifRateSlope, stepPropagators, V, type LifPhysics } from './math.js';

/**
 * `spike_timing: grid`, the grid-constrained lif (NEST's iaf_psc_exp, Brian2's clock-driven
 * CUBA neuron): the state moves only from grid time to grid time, with the same exact one-step
 * propagators as the precise model; the threshold is checked at grid times and a spike is
 * emitted at the grid time it is found. An input arriving in (t - dt, t] (a synaptic weight, a
 * change of current) takes effect at t, after the step to t, so a delay that is not a multiple
 * of dt acts as if rounded up to one. v is held at v_reset for ceil(t_ref / dt) steps after a
 * spike while the currents decay. No exponential per event and no crossing search: the fast
 * choice for large networks, at the price of spike times on the grid.
 *
 * The sub-threshold step is grid-kernel.ts, over a range of neurons, on arrays that live on
 * SharedArrayBuffers: with `--threads` the ranges of one step run on several threads at once
 * (rangeStep, core/threads.ts). Spikes are reported after the whole step, in neuron order,
 * whatever the number of threads, so the spikes and their order do not depend on it.
 */
export class LifGridPopulation implements NeuronPopulation, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'lif-grid/2';
  /**
   * update(j, t) fires j if its step at t crosses, and an input arriving at t acts after that
   * step: no spike at t can appear after update() (NeuronPopulation.spikesKnownOnUpdate).
   */
  readonly spikesKnownOnUpdate = true;

  /**
   * v, I_syn_ex and I_syn_in of neuron j at [3j], [3j + 1] and [3j + 2]: the step reads and
   * writes the three together, so one interleaved stream instead of three arrays.
   */
  readonly state: Float64Array;
  readonly iext: Float64Array;
  /** The sub-threshold step over a range of neurons (grid-kernel.ts) and what it reads. */
  private readonly kernelData: LifGridKernelData;
  private readonly kernel: RangeKernel;
  /** The neurons one step found above threshold (kernel output), and its one range. */
  private readonly found: Int32Array;
  private readonly wholeLo = new Int32Array(1);
  private readonly wholeCount = new Int32Array(1);
  /**
   * (E_L + R_m I_ext) (1 - exp(-dt / tau_m)): the part of the one-step update that only
   * changes with I_ext, kept per neuron so the step does fewer operations.
   */
  private readonly drive: Float64Array;
  /** [0]: 1 while drive is the same for every neuron (until an I_ext differs), else 0. */
  private readonly flags: Int32Array;
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
    private readonly p: LifPhysics,
    init: ReadonlyMap<string, Float64Array>,
    private readonly dt: number,
    private readonly sink: SpikeSink,
  ) {
    const initial = interleavedState(size, p, init);
    this.state = sharedCopy(initial.state);
    this.iext = initial.iext;
    this.drive = new Float64Array(new SharedArrayBuffer(8 * size));
    this.refractory = new Int32Array(new SharedArrayBuffer(4 * size));
    this.flags = new Int32Array(new SharedArrayBuffer(4));
    this.flags[0] = 1;
    this.found = new Int32Array(size);
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
    this.kernelData = {
      state: this.state,
      drive: this.drive,
      refractory: this.refractory,
      flags: this.flags,
      em: this.em,
      ex: this.ex,
      inh: this.inh,
      rkEx: this.rkEx,
      rkIn: this.rkIn,
      theta: p.v_th_mV,
      vReset: p.v_reset_mV,
    };
    this.kernel = lifGridKernel(this.kernelData);
  }

  private setDrive(j: number): void {
    const d = (this.p.E_L_mV + this.p.R_m_MOhm * this.iext[j]) * this.oneMinusEm;
    this.drive[j] = d;
    if (this.flags[0] === 1 && d !== this.drive[0]) this.flags[0] = 0;
  }

  step(t: number): void {
    this.begin(t);
    this.wholeCount[0] = this.kernel(0, this.size, this.found);
    this.end(t, this.found, this.wholeLo, this.wholeCount);
    this.wholeCount[0] = 0;
  }

  /** The step's bookkeeping before the sub-threshold update of every neuron (RangeStep.begin). */
  private begin(t: number): void {
    this.tStep = t;
    this.tNext = (Math.round(t / this.dt) + 1) * this.dt; // the clock's own k * dt
  }

  /**
   * After the update of every neuron (RangeStep.end): the neurons the kernel found above
   * threshold (already at v_reset) fire in neuron order; then every refractory neuron is put
   * back to reset (a few percent: the kernel carries no refractory test but on a crossing) and
   * the inputs that arrived during the step are added.
   */
  private end(t: number, spikes: Int32Array, lo: Int32Array, counts: Int32Array): void {
    for (let r = 0; r < lo.length; r++)
      for (let c = lo[r], e = lo[r] + counts[r]; c < e; c++) {
        this.fired(spikes[c], t);
        // Cleared once read, so that the scratch list holds no trace of the run (checkpoints
        // compared field by field see the same zeros whatever ran before).
        spikes[c] = 0;
      }
    this.holdRefractory();
    this.applyPending();
  }

  rangeStep(): RangeStep {
    return {
      module: new URL('./grid-kernel.js', import.meta.url).href,
      factory: 'lifGridKernel',
      data: this.kernelData,
      kernel: this.kernel,
      begin: (t) => this.begin(t),
      end: (t, spikes, lo, counts) => this.end(t, spikes, lo, counts),
    };
  }

  /**
   * Every refractory neuron took this step: v back to reset, one step fewer to go. A neuron
   * that fired in this step (in the loop or, just before it, in update()) is counted from
   * refractorySteps + 1, so that it is held for the refractorySteps steps that follow.
   */
  private holdRefractory(): void {
    const { state, refractory, refractoryList } = this;
    const vr = this.p.v_reset_mV;
    let n = this.nRefractory;
    for (let k = 0; k < n; ) {
      const j = refractoryList[k];
      state[3 * j] = vr;
      if (--refractory[j] === 0) refractoryList[k] = refractoryList[--n];
      else k++;
    }
    this.nRefractory = n;
  }

  private fire(j: number, t: number): void {
    this.state[3 * j] = this.p.v_reset_mV;
    this.fired(j, t);
  }

  /** Neuron j, already at reset, fires at t: refractory from now on, and its spike reported. */
  private fired(j: number, t: number): void {
    // Listed even when t_ref is 0: the mark keeps the step from firing a neuron update()
    // already fired.
    this.refractory[j] = this.refractorySteps + 1;
    this.refractoryList[this.nRefractory++] = j;
    this.sink.spike(j, t);
  }

  private applyPending(): void {
    const { state, iext, pendEx, pendIn, pendExt, touched, isTouched } = this;
    for (let k = 0; k < this.nTouched; k++) {
      const j = touched[k];
      state[3 * j + 1] += pendEx[j];
      state[3 * j + 2] += pendIn[j];
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
  private reached(_j: number, t: number): boolean {
    return t <= this.tStep + this.tol;
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    const { state, pendEx, pendIn, isTouched, touched } = this;
    const now = t <= this.tStep + this.tol;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      const w = weights[k];
      const excitatory = port === 0 || (port < 0 && w >= 0);
      if (now) {
        if (excitatory) state[3 * j + 1] += w;
        else state[3 * j + 2] += w;
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
    const s = this.state;
    const vn = s[3 * j] * this.em + this.drive[j] + s[3 * j + 1] * this.rkEx + s[3 * j + 2] * this.rkIn; // as in step()
    if (vn >= this.p.v_th_mV) this.fire(j, this.tNext);
  }

  firstNonFinite(): number {
    return firstNonFiniteOf(this.state);
  }

  rateSlope(rate_hz: number): number {
    return lifRateSlope(this.p, rate_hz);
  }

  /** The state at the last grid time (a grid model has no state between grid times). */
  read(variable: number, j: number): number {
    switch (variable) {
      case V:
        return this.state[3 * j];
      case IEX:
        return this.state[3 * j + 1];
      case IIN:
        return this.state[3 * j + 2];
      case IEXT:
        return this.iext[j];
      default:
        throw new RangeError(`lif has no state variable ${variable}`);
    }
  }

  /** Everything a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return {
      state: this.state,
      iext: this.iext,
      drive: this.drive,
      refractory: this.refractory,
      refractoryList: this.refractoryList,
      pendEx: this.pendEx,
      pendIn: this.pendIn,
      pendExt: this.pendExt,
      touched: this.touched,
      isTouched: this.isTouched,
      uniformDrive: this.flags[0] === 1,
      nRefractory: this.nRefractory,
      nTouched: this.nTouched,
      tStep: this.tStep,
      tNext: this.tNext,
    };
  }

  restoreState(state: unknown): void {
    const d = state as Record<string, unknown>;
    restoreInto(this.state, d.state, 'LifGridPopulation.state');
    restoreInto(this.iext, d.iext, 'LifGridPopulation.iext');
    restoreInto(this.drive, d.drive, 'LifGridPopulation.drive');
    restoreInto(this.refractory, d.refractory, 'LifGridPopulation.refractory');
    restoreInto(this.refractoryList, d.refractoryList, 'LifGridPopulation.refractoryList');
    restoreInto(this.pendEx, d.pendEx, 'LifGridPopulation.pendEx');
    restoreInto(this.pendIn, d.pendIn, 'LifGridPopulation.pendIn');
    restoreInto(this.pendExt, d.pendExt, 'LifGridPopulation.pendExt');
    restoreInto(this.touched, d.touched, 'LifGridPopulation.touched');
    restoreInto(this.isTouched, d.isTouched, 'LifGridPopulation.isTouched');
    this.flags[0] = d.uniformDrive ? 1 : 0;
    this.nRefractory = d.nRefractory as number;
    this.nTouched = d.nTouched as number;
    this.tStep = d.tStep as number;
    this.tNext = d.tNext as number;
  }
}

/** A copy of a on a SharedArrayBuffer (that worker threads can share). */
function sharedCopy(a: Float64Array): Float64Array {
  const b = new Float64Array(new SharedArrayBuffer(8 * a.length));
  b.set(a);
  return b;
}
