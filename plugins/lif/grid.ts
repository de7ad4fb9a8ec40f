import { restoreInto, type ExplicitState } from '../../core/checkpoint.js';
import type { NeuronPopulation, RangeKernel, RangeStep, SpikeSink, SynapseArrays } from '../../core/contracts.js';
import { INBOX_ENTRY, lifGridKernel, type InboxSource, type LifGridKernelData } from './grid-kernel.js';
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
 * The step is grid-kernel.ts, over a range of neurons, on arrays that live on
 * SharedArrayBuffers: with `--threads` the ranges of one step run on several threads at once
 * (rangeStep, core/threads.ts). Spikes are reported after the whole step, in neuron order,
 * whatever the number of threads, so the spikes and their order do not depend on it.
 *
 * Synaptic input on several threads. A delivery that arrives at the next grid time (the usual
 * case: a spike on the grid plus a delay on the grid) is not summed when it arrives: the row of the
 * projection's CSR arrays it names goes into the inbox, and the kernel sums the inbox into its
 * own neurons during the step, on whichever thread steps them, so that no thread writes another
 * thread's neurons (NEST delivers on the thread that owns the target for the same reason).
 * Weights are read then rather than on arrival; nothing can change them in between (rules
 * change a row's weights as that row arrives, and runs end after the step). Any other delivery
 * (off the grid, from arrays this population was not given) is summed on arrival, after the
 * inbox is summed, so each neuron's inputs are always added in arrival order: the sums, and so
 * the spikes, are the same whichever path an input took and however many threads ran. On one
 * thread every input is summed on arrival (the inbox would cost a second pass over each row).
 */
export class LifGridPopulation implements NeuronPopulation, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'lif-grid/3';
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
  /**
   * [0]: 1 while drive is drive0 for every neuron (until an I_ext changes), else 0;
   * [1]: entries in the inbox.
   */
  private readonly flags: Int32Array;
  private drive0: number;
  /** Steps each neuron stays refractory (v held at reset). */
  readonly refractory: Int32Array;
  private readonly refractorySteps: number;
  /**
   * The spike steps in the window of kernelData.recent (grid-kernel.ts): how many spikes each
   * of the last `slots` steps added, oldest at slotHead (a ring of refractorySteps entries).
   */
  private readonly slotLen: Int32Array;
  private slotHead = 0;
  private slots = 0;
  /** Deliveries for the next grid time, read by the kernel (grid-kernel.ts). */
  private readonly inbox: Int32Array;
  /** The synapse arrays inbox entries name, and their index by target array. */
  private readonly sources: (InboxSource | null)[] = [];
  private readonly sourceIds = new Map<Int32Array, number>();
  /** The projections into this population (connectInputs), whose rows the inbox may name once threads are used. */
  private inputs: readonly SynapseArrays[] = [];
  /** Synaptic inputs that arrived during the step in progress, added at its end. */
  private readonly pendEx: Float64Array;
  private readonly pendIn: Float64Array;
  /** 1 while neuron j has a sum waiting (listed by the kernel or in `touched`). */
  private readonly isTouched: Uint8Array;
  /** The neurons whose sums this thread made (summed on arrival), each once. */
  private readonly touched: Int32Array;
  private nTouched = 0;
  /** Changes of I_ext that arrived during the step in progress, the neurons they concern, and a mark per neuron. */
  private readonly pendExt: Float64Array;
  private readonly extTouched: Int32Array;
  private readonly isExtTouched: Uint8Array;
  private nExtTouched = 0;
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
    this.flags = new Int32Array(new SharedArrayBuffer(20));
    this.flags[0] = 1;
    this.found = new Int32Array(size);
    this.tol = 1e-6 * dt;
    this.refractorySteps = Math.max(0, Math.ceil((p.t_ref_ms - this.tol) / dt));
    this.slotLen = new Int32Array(Math.max(1, this.refractorySteps));
    this.inbox = new Int32Array(new SharedArrayBuffer(4 * INBOX_ENTRY * INBOX_CAPACITY));
    this.pendEx = new Float64Array(new SharedArrayBuffer(8 * size));
    this.pendIn = new Float64Array(new SharedArrayBuffer(8 * size));
    this.isTouched = new Uint8Array(new SharedArrayBuffer(size));
    this.touched = new Int32Array(size);
    this.pendExt = new Float64Array(size);
    this.extTouched = new Int32Array(size);
    this.isExtTouched = new Uint8Array(size);
    this.tNext = dt;
    ({ em: this.em, oneMinusEm: this.oneMinusEm, ex: this.ex, inh: this.inh, kEx: this.kEx, kIn: this.kIn } = stepPropagators(dt, p));
    this.rkEx = p.R_m_MOhm * this.kEx;
    this.rkIn = p.R_m_MOhm * this.kIn;
    this.drive0 = (p.E_L_mV + p.R_m_MOhm * this.iext[0]) * this.oneMinusEm;
    for (let j = 0; j < size; j++) this.setDrive(j);
    this.kernelData = {
      state: this.state,
      drive: this.drive,
      refractory: this.refractory,
      flags: this.flags,
      inbox: this.inbox,
      sources: this.sources,
      pendEx: this.pendEx,
      pendIn: this.pendIn,
      isTouched: this.isTouched,
      touched: new Int32Array(new SharedArrayBuffer(4 * size)),
      recent: new Int32Array(new SharedArrayBuffer(4 * Math.max(1, size))),
      fired: new Int32Array(new SharedArrayBuffer(4 * size)),
      refractorySteps: this.refractorySteps,
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
    // Against the value every neuron had, not drive[0]: neuron 0's own drive may be the one changing.
    if (this.flags[0] === 1 && d !== this.drive0) this.flags[0] = 0;
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
   * After the kernel ran over every neuron (RangeStep.end): the neurons it found above
   * threshold (already at v_reset and refractory) are reported in neuron order; then the
   * inputs summed on arrival during the step are added (the kernel added the inbox's).
   */
  private end(t: number, spikes: Int32Array, lo: Int32Array, counts: Int32Array): void {
    this.clearInbox();
    // Before the report: a neuron fired during it (update()) is held from the next step on.
    this.recordRefractory(spikes, lo, counts);
    for (let r = 0; r < lo.length; r++)
      for (let c = lo[r], e = lo[r] + counts[r]; c < e; c++) {
        this.sink.spike(spikes[c], t);
        // Cleared once read, so that the scratch list holds no trace of the run (checkpoints
        // compared field by field see the same zeros whatever ran before).
        spikes[c] = 0;
      }
    this.applyPending();
  }

  /**
   * The window of recent spikes (grid-kernel.ts) moves on by one step: the oldest step's spikes
   * leave it (they have been held refractorySteps times), this step's and the neurons fired
   * before it (update()) enter it. On the main thread only, in the order of the report, so the
   * same for any number of threads.
   */
  private recordRefractory(spikes: Int32Array, lo: Int32Array, counts: Int32Array): void {
    const f = this.flags;
    const steps = this.refractorySteps;
    if (steps > 0) {
      const { recent, fired } = this.kernelData;
      const capacity = recent.length;
      if (this.slots === steps) {
        const drop = this.slotLen[this.slotHead];
        f[2] = (f[2] + drop) % capacity;
        f[3] -= drop;
        this.slotLen[this.slotHead] = 0;
        this.slotHead = (this.slotHead + 1) % steps;
        this.slots--;
      }
      let w = (f[2] + f[3]) % capacity;
      let n = 0;
      for (let r = 0; r < lo.length; r++)
        for (let c = lo[r], e = lo[r] + counts[r]; c < e; c++, n++) {
          recent[w] = spikes[c];
          if (++w === capacity) w = 0;
        }
      for (let m = 0, e = f[4]; m < e; m++, n++) {
        recent[w] = fired[m];
        if (++w === capacity) w = 0;
      }
      f[3] += n;
      this.slotLen[(this.slotHead + this.slots) % steps] = n;
      this.slots++;
    }
    f[4] = 0;
  }

  /**
   * The kernel on several threads; from now on the inbox holds the on-grid rows of the inputs
   * on SharedArrayBuffers (the only ones worker threads can read); others are summed on arrival.
   */
  rangeStep(): RangeStep {
    this.sumInbox();
    this.sources.length = 0;
    this.sourceIds.clear();
    for (const { targets, weights, rowStart } of this.inputs)
      if (targets.buffer instanceof SharedArrayBuffer && weights.buffer instanceof SharedArrayBuffer && !this.sourceIds.has(targets)) {
        this.sourceIds.set(targets, this.sources.length);
        this.sources.push({ targets, weights, sorted: rowStart !== undefined && rowsIncrease(targets, rowStart) });
      }
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
   * Neuron j fires at t = tNext, before its step there (update()): refractory for that step
   * and the refractorySteps that follow (the kernel counts it down; the mark, even when t_ref
   * is 0, keeps the step from firing it again).
   */
  private fire(j: number, t: number): void {
    this.state[3 * j] = this.p.v_reset_mV;
    this.refractory[j] = this.refractorySteps + 1;
    // Held by the kernel's next step (grid-kernel.ts), then in the window of recent spikes.
    this.kernelData.fired[this.flags[4]++] = j;
    this.sink.spike(j, t);
  }

  /** Adds the sums made on arrival during the step (synaptic and I_ext) to the state. */
  private applyPending(): void {
    const { state, iext, pendEx, pendIn, pendExt, touched, isTouched, extTouched, isExtTouched } = this;
    for (let k = 0; k < this.nTouched; k++) {
      const j = touched[k];
      state[3 * j + 1] += pendEx[j];
      state[3 * j + 2] += pendIn[j];
      pendEx[j] = 0;
      pendIn[j] = 0;
      isTouched[j] = 0;
    }
    this.nTouched = 0;
    for (let k = 0; k < this.nExtTouched; k++) {
      const j = extTouched[k];
      iext[j] += pendExt[j];
      this.setDrive(j);
      pendExt[j] = 0;
      isExtTouched[j] = 0;
    }
    this.nExtTouched = 0;
  }

  /**
   * The projections into this population (NeuronPopulation.connectInputs). Kept for rangeStep:
   * the inbox is used only once the kernel runs on several threads, because on one thread
   * summing on arrival is cheaper (one pass over the row instead of two).
   */
  connectInputs(inputs: readonly SynapseArrays[]): void {
    this.inputs = inputs;
  }

  /** The index of a projection's synapse arrays among the inbox's sources, or -1 (sum on arrival). */
  private sourceOf(targets: Int32Array, weights: Float64Array): number {
    const id = this.sourceIds.get(targets);
    return id !== undefined && this.sources[id]!.weights === weights ? id : -1;
  }

  /** Sums the inbox now, on this thread (before an input that is summed on arrival, or a checkpoint). */
  private sumInbox(): void {
    const n = this.flags[1];
    const { inbox, sources } = this;
    for (let e = 0; e < n * INBOX_ENTRY; e += INBOX_ENTRY) {
      const src = sources[inbox[e]]!;
      this.sumNow(src.targets, src.weights, inbox[e + 1], inbox[e + 2], inbox[e + 3]);
    }
    this.clearInbox();
  }

  /** Empties the inbox; its entries are zeroed so that it holds no trace of the run (checkpoints compared field by field). */
  private clearInbox(): void {
    this.inbox.fill(0, 0, this.flags[1] * INBOX_ENTRY);
    this.flags[1] = 0;
  }

  /** Adds synapses [start, end) to the per-neuron sums of the step in progress. */
  private sumNow(targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    const { pendEx, pendIn, isTouched, touched } = this;
    for (let k = start; k < end; k++) {
      const j = targets[k];
      const w = weights[k];
      if (port === 0 || (port < 0 && w >= 0)) pendEx[j] += w;
      else pendIn[j] += w;
      if (isTouched[j] === 0) {
        isTouched[j] = 1;
        touched[this.nTouched++] = j;
      }
    }
  }

  /** Reads every deferred input now (NeuronPopulation.settleInputs): nothing changes numerically. */
  settleInputs(): void {
    this.sumInbox();
  }

  /** Whether neuron j's state already includes time t (else an input at t waits for the step). */
  private reached(_j: number, t: number): boolean {
    return t <= this.tStep + this.tol;
  }

  receive(t: number, targets: Int32Array, weights: Float64Array, start: number, end: number, port: number): void {
    if (t <= this.tStep + this.tol) {
      // After the step to t already ran: straight into the currents.
      const state = this.state;
      for (let k = start; k < end; k++) {
        const w = weights[k];
        state[3 * targets[k] + (port === 0 || (port < 0 && w >= 0) ? 1 : 2)] += w;
      }
      return;
    }
    if (Math.abs(t - this.tNext) <= this.tol) {
      // On one thread (no sources registered) every input is summed on arrival: no lookup.
      const id = this.sources.length > 0 ? this.sourceOf(targets, weights) : -1;
      if (id >= 0) {
        let n = this.flags[1];
        if (n === INBOX_CAPACITY) {
          this.sumInbox();
          n = 0;
        }
        const e = n * INBOX_ENTRY;
        this.inbox[e] = id;
        this.inbox[e + 1] = start;
        this.inbox[e + 2] = end;
        this.inbox[e + 3] = port;
        this.flags[1] = n + 1;
        return;
      }
    }
    this.sumInbox();
    this.sumNow(targets, weights, start, end, port);
  }

  addCurrent(neuron: number, t: number, delta_nA: number): void {
    if (this.reached(neuron, t)) {
      this.iext[neuron] += delta_nA;
      this.setDrive(neuron);
    } else {
      this.pendExt[neuron] += delta_nA;
      if (this.isExtTouched[neuron] === 0) {
        this.isExtTouched[neuron] = 1;
        this.extTouched[this.nExtTouched++] = neuron;
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

  /** Everything a run changes, as data (ExplicitState); the inbox is summed first. */
  saveState(): unknown {
    this.sumInbox();
    return {
      state: this.state,
      iext: this.iext,
      drive: this.drive,
      refractory: this.refractory,
      pendEx: this.pendEx,
      pendIn: this.pendIn,
      touched: this.touched,
      isTouched: this.isTouched,
      nTouched: this.nTouched,
      pendExt: this.pendExt,
      extTouched: this.extTouched,
      isExtTouched: this.isExtTouched,
      nExtTouched: this.nExtTouched,
      uniformDrive: this.flags[0] === 1,
      recent: this.kernelData.recent,
      fired: this.kernelData.fired,
      slotLen: this.slotLen,
      window: [this.flags[2], this.flags[3], this.flags[4]],
      slotHead: this.slotHead,
      slots: this.slots,
      drive0: this.drive0,
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
    restoreInto(this.pendEx, d.pendEx, 'LifGridPopulation.pendEx');
    restoreInto(this.pendIn, d.pendIn, 'LifGridPopulation.pendIn');
    restoreInto(this.touched, d.touched, 'LifGridPopulation.touched');
    restoreInto(this.isTouched, d.isTouched, 'LifGridPopulation.isTouched');
    restoreInto(this.pendExt, d.pendExt, 'LifGridPopulation.pendExt');
    restoreInto(this.extTouched, d.extTouched, 'LifGridPopulation.extTouched');
    restoreInto(this.isExtTouched, d.isExtTouched, 'LifGridPopulation.isExtTouched');
    this.flags[0] = d.uniformDrive ? 1 : 0;
    this.flags[1] = 0;
    restoreInto(this.kernelData.recent, d.recent, 'LifGridPopulation.recent');
    restoreInto(this.kernelData.fired, d.fired, 'LifGridPopulation.fired');
    restoreInto(this.slotLen, d.slotLen, 'LifGridPopulation.slotLen');
    [this.flags[2], this.flags[3], this.flags[4]] = d.window as [number, number, number];
    this.slotHead = d.slotHead as number;
    this.slots = d.slots as number;
    this.drive0 = d.drive0 as number;
    this.nTouched = d.nTouched as number;
    this.nExtTouched = d.nExtTouched as number;
    this.tStep = d.tStep as number;
    this.tNext = d.tNext as number;
  }
}

/** Inbox entries a population holds before it sums them on arrival instead (a step rarely has more). */
const INBOX_CAPACITY = 4096;

/** A copy of a on a SharedArrayBuffer (that worker threads can share). */
function sharedCopy(a: Float64Array): Float64Array {
  const b = new Float64Array(new SharedArrayBuffer(8 * a.length));
  b.set(a);
  return b;
}

/**
 * Whether every row of a CSR lists its targets in increasing order (repeats allowed), so that a
 * range's slice of a row can be found by bisection (grid-kernel.ts). One pass, once per rangeStep().
 */
export function rowsIncrease(targets: Int32Array, rowStart: Int32Array): boolean {
  for (let i = 0; i + 1 < rowStart.length; i++) for (let k = rowStart[i] + 1, e = rowStart[i + 1]; k < e; k++) if (targets[k] < targets[k - 1]) return false;
  return true;
}
