/**
 * Several threads for the grid step of large populations (Simulation.useThreads, `engram run
 * --threads N`).
 *
 * What runs in parallel. Each population given (one that offers a RangeStep, core/contracts.ts)
 * has its neurons cut into N contiguous ranges of nearly equal size. At each grid time the main
 * thread calls begin(t) of every population, wakes the N - 1 worker threads once, steps range 0
 * of every population itself while each worker steps its own range of every population, and
 * waits for all of them (run); then end(t) reports each population's spikes, in scenario order
 * (end). One wake-up and one wait per grid time, whatever the number of populations: the
 * populations' steps at one time are independent (every delay is at least one step, so a spike
 * found at t arrives at t + dt at the earliest), and a population too small to pay for a
 * wake-up of its own steps on every thread at no extra cost.
 * A range step may also sum the synaptic inputs of the step into its own neurons (lif grid:
 * the rows its receive() kept in an inbox, from CSR arrays on SharedArrayBuffers), so that the
 * deliveries' scattered writes happen on the thread that owns the targets, as in NEST, and no
 * cache line of a worker's neurons is written by another core. The rest (spike routing,
 * plasticity, recorders, inputs, training) stays on the main thread, between steps, while the
 * workers wait: fork-join at every step rather than NEST's exchange every min-delay, so one
 * network and one event queue serve every thread.
 *
 * Why the spikes do not depend on N. Each neuron's update is the same arithmetic on the same
 * numbers whichever thread does it, and end(t) reports the spikes range by range in neuron
 * order, which is the order one thread reports them in. Nothing about a thread reaches the
 * state: no random numbers are drawn in a kernel (streams belong to components, core/rng.ts).
 *
 * Waiting. A round trip through Atomics.wait / notify costs about 13 us here
 * (bench/exchange.ts), as much as a 4000-neuron step, so both sides first spin on the shared
 * counter for a bounded number of reads and only then sleep. When the populations that could
 * be split hold fewer than `minNeuronsPerThread` neurons per thread together, they all step on
 * the main thread (the wake-up would cost more than it saves; Simulation.useThreads).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { RangeKernel, RangeStep } from './contracts.js';

/** Slots of the control array shared with the workers. */
export const Slot = {
  /** Incremented by the main thread for every job; workers wait for it to change. */
  GENERATION: 0,
  /** Workers done with the current job. */
  DONE: 1,
  /** 1: the workers leave their loop. */
  STOP: 2,
  /** Workers that have loaded their kernels and wait for jobs. */
  READY: 3,
  /** A worker whose kernel threw sets this to its index (1 .. threads - 1) and posts the message on its port. */
  FAILED: 4,
} as const;
const CONTROL_SLOTS = 5;

/** Grid steps between two moves of the range cuts (balance()). */
export const BALANCE_STEPS = 200;

/** Reads of a shared counter before a thread sleeps on it (about 20-50 us here). */
export const SPIN_READS = 1 << 14;

/** What each worker is sent (worker data): the control array, its index and the jobs. */
export interface StepWorkerData {
  control: Int32Array;
  /** busy[r]: ms thread r spent in its kernels since the cuts last moved (balance()). */
  busy: Float64Array;
  index: number;
  threads: number;
  port: MessagePort;
  jobs: { module: string; factory: string; data: unknown; lo: Int32Array; spikes: Int32Array; counts: Int32Array }[];
}

/** One population stepped on several threads. */
interface Job {
  readonly name: string;
  readonly step: RangeStep;
  /** lo[r] is the first neuron of range r; lo[threads] = size (the ranges of the worker threads are lo[1..]). */
  readonly lo: Int32Array;
  /** lo without its last entry: what end() reads. */
  readonly starts: Int32Array;
  readonly spikes: Int32Array;
  readonly counts: Int32Array;
  readonly kernel: RangeKernel;
}

/** Why a threaded step failed: a worker's kernel threw, or a worker stopped answering. */
export class StepThreadError extends Error {}

export class StepThreads {
  private readonly control: Int32Array;
  private readonly busy: Float64Array;
  /** share[r]: the fraction of every population's neurons that thread r steps. */
  private readonly share: Float64Array;
  private stepsSinceBalance = 0;
  private readonly jobs: Job[] = [];
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private closed = false;

  /**
   * Starts threads - 1 worker threads for the populations given (name, size, rangeStep()),
   * and waits until each has loaded their kernels (a fraction of a second).
   */
  constructor(
    readonly threads: number,
    populations: readonly { name: string; size: number; step: RangeStep }[],
    private readonly timeoutMs = 60_000,
  ) {
    if (!(Number.isInteger(threads) && threads >= 2)) throw new RangeError(`StepThreads: expected at least 2 threads, found ${threads}`);
    this.control = new Int32Array(new SharedArrayBuffer(4 * CONTROL_SLOTS));
    this.busy = new Float64Array(new SharedArrayBuffer(8 * threads));
    this.share = new Float64Array(threads).fill(1 / threads);
    for (const p of populations) {
      const lo = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)));
      for (let r = 0; r <= threads; r++) lo[r] = Math.floor((r * p.size) / threads);
      this.jobs.push({
        name: p.name,
        step: p.step,
        lo,
        starts: lo.slice(0, threads),
        spikes: new Int32Array(new SharedArrayBuffer(4 * p.size)),
        counts: new Int32Array(new SharedArrayBuffer(4 * threads)),
        kernel: p.step.kernel,
      });
    }
    const jobs = this.jobs.map((j) => ({ module: j.step.module, factory: j.step.factory, data: j.step.data, lo: j.lo, spikes: j.spikes, counts: j.counts }));
    for (let index = 1; index < threads; index++) {
      const { port1, port2 } = new MessageChannel();
      const workerData: StepWorkerData = { control: this.control, busy: this.busy, index, threads, port: port2, jobs };
      const worker = new Worker(new URL('./step-worker.js', import.meta.url), { workerData, transferList: [port2] });
      // The workers never keep the process alive: the run owns them and closes them.
      worker.unref();
      port1.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const ready = Atomics.load(this.control, Slot.READY);
      if (ready === threads - 1) break;
      this.checkFailed();
      if (performance.now() > deadline) {
        this.close();
        throw new StepThreadError(`the step threads did not start within ${this.timeoutMs / 1000} s (${ready} of ${threads - 1} ready)`);
      }
      Atomics.wait(this.control, Slot.READY, ready, 100);
    }
  }

  /** The populations stepped on several threads, by name. */
  get populations(): string[] {
    return this.jobs.map((j) => j.name);
  }

  /**
   * The kernels of every population at grid time t, on every thread: begin(t) of each, one
   * wake-up, range 0 of each here, then the wait for the workers. end(job, t) reports them.
   */
  run(t: number): void {
    const c = this.control;
    const jobs = this.jobs;
    // Here, not after the join: end() reads the spikes at the cuts the kernels ran with.
    if (this.stepsSinceBalance === BALANCE_STEPS) this.balance();
    for (const j of jobs) j.step.begin(t);
    Atomics.store(c, Slot.DONE, 0);
    Atomics.add(c, Slot.GENERATION, 1);
    Atomics.notify(c, Slot.GENERATION);
    const t0 = performance.now();
    for (const j of jobs) j.counts[0] = j.kernel(j.lo[0], j.lo[1], j.spikes);
    this.busy[0] += performance.now() - t0;
    const want = this.threads - 1;
    let spins = 0;
    let slept = 0;
    for (;;) {
      const done = Atomics.load(c, Slot.DONE);
      if (done === want) break;
      if (Atomics.load(c, Slot.FAILED) !== 0) this.checkFailed();
      if (++spins > SPIN_READS) {
        // Asleep for at most 100 ms at a time; a worker that has not answered for timeoutMs is gone.
        if (Atomics.wait(c, Slot.DONE, done, 100) === 'timed-out' && ++slept * 100 > this.timeoutMs)
          throw new StepThreadError(`a step thread did not finish the step of ${this.populations.join(', ')} at t = ${t} ms within ${this.timeoutMs / 1000} s`);
      }
    }
    this.stepsSinceBalance++;
  }

  /**
   * Moves the range cuts so that every thread takes about as long as the others: thread r's
   * share of each population becomes proportional to the neurons it stepped per ms of kernel
   * time since the last move (half-way there, so that one disturbed interval does not swing
   * it). Threads of one machine are not equally fast here (a virtual core can be taken by the
   * host, the main thread's caches hold what it wrote between steps), and the step waits for
   * the slowest. Only the cuts move: a neuron's arithmetic does not depend on which range
   * holds it, and end() reports the ranges in order, so the spikes are the same
   * (plugins/lif/lif.test.ts tests a kernel under moving cuts). Called at the start of a step,
   * while the workers wait.
   */
  private balance(): void {
    this.stepsSinceBalance = 0;
    const { threads, busy, share, jobs } = this;
    let total = 0;
    const speed = new Float64Array(threads);
    for (let r = 0; r < threads; r++) {
      let neurons = 0;
      for (const j of jobs) neurons += j.lo[r + 1] - j.lo[r];
      // A thread with no neurons, or no measurable time, keeps its share.
      speed[r] = neurons > 0 && busy[r] > 0 ? neurons / busy[r] : 0;
      total += speed[r];
    }
    busy.fill(0);
    if (!(total > 0) || speed.some((v) => v === 0)) return;
    let sum = 0;
    for (let r = 0; r < threads; r++) {
      share[r] = 0.5 * share[r] + 0.5 * (speed[r] / total);
      sum += share[r];
    }
    for (const j of jobs) {
      const size = j.lo[threads];
      let acc = 0;
      for (let r = 1; r < threads; r++) {
        acc += share[r - 1] / sum;
        j.lo[r] = Math.min(size, Math.round(acc * size));
        j.starts[r] = j.lo[r];
      }
    }
  }

  /** After run(t): reports the spikes job `job` (an index into the populations given) found. */
  end(job: number, t: number): void {
    const j = this.jobs[job];
    j.step.end(t, j.spikes, j.starts, j.counts);
  }

  /** The whole grid step at time t: run(t), then end(t) of every population in the order given. */
  step(t: number): void {
    this.run(t);
    for (let job = 0; job < this.jobs.length; job++) this.end(job, t);
  }

  /** Throws the message of a worker whose kernel failed, if any. */
  private checkFailed(): void {
    const failed = Atomics.load(this.control, Slot.FAILED);
    if (failed === 0) return;
    const message = receiveMessageOnPort(this.ports[failed - 1])?.message as string | undefined;
    this.close();
    throw new StepThreadError(`step thread ${failed} failed: ${message ?? 'no message'}`);
  }

  /** Stops the workers (idempotent). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, Slot.STOP, 1);
    Atomics.add(this.control, Slot.GENERATION, 1);
    Atomics.notify(this.control, Slot.GENERATION);
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
  }
}
