import type { TimeGrid } from './time.js';
import type { ModulatorChannel, ModulatorListener, SpikeListener } from './contracts.js';
import { Priority, type EventHandler, type Scheduler, type SimEvent } from './scheduler.js';
import { grown } from './typed.js';
import { restoreFields, saveFields, type ExplicitState } from './checkpoint.js';

/**
 * A named neuromodulator channel: pulses in time order, kept for lazy readers only as long as
 * one may still read them. Indices are absolute (0 = the first pulse ever); the arrays hold the
 * pulses first..count-1, so pulse i is at times[i - first]. Without this, a training (pulses
 * per layer per sample) kept every value it ever carried, and wrote it all into every
 * checkpoint: 53 MB after 200 epochs of xor-rate, about 3.3 kB per MNIST sample (5 GB over
 * 25 epochs of the full set).
 */
export class Channel implements ModulatorChannel {
  times = new Float64Array(64);
  amounts: Float64Array;
  count = 0;
  first = 0;
  private readonly listeners: ModulatorListener[] = [];
  /**
   * The listener being told of a pulse (its index; -1 between pulses). A listener that throws
   * leaves it set, so that the failure is blamed on the plugin that listens, not on whoever
   * pulsed (Simulation.explain).
   */
  private notifying = -1;
  private readonly retainers: (() => number)[] = [];

  constructor(
    readonly name: string,
    readonly width: number,
  ) {
    this.amounts = new Float64Array(64 * width);
  }

  pulse(t: number, amounts: number | ArrayLike<number>): void {
    // A signal of the wrong width would read past its end (NaN) or lose its tail silently.
    if (typeof amounts !== 'number' && amounts?.length !== this.width)
      throw new RangeError(`modulator channel ${this.name}: a pulse of ${amounts?.length ?? 'no'} values, but the channel is ${this.width} wide`);
    if (!(t >= 0 && t < Infinity)) throw new RangeError(`modulator channel ${this.name}: a pulse at t = ${t} ms`);
    if (this.count > 0 && t < this.times[this.count - 1 - this.first]) {
      throw new RangeError(`modulator channel ${this.name}: pulse at ${t} ms after one at ${this.times[this.count - 1 - this.first]} ms`);
    }
    if (this.count - this.first === this.times.length) this.makeRoom();
    const r = this.count - this.first;
    this.times[r] = t;
    if (typeof amounts === 'number') this.amounts.fill(amounts, r * this.width, (r + 1) * this.width);
    else for (let i = 0; i < this.width; i++) this.amounts[r * this.width + i] = amounts[i];
    this.count++;
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      this.notifying = i;
      listeners[i].onPulse(t, this.count - 1);
    }
    this.notifying = -1;
  }

  /** The listener whose onPulse is running (or threw, stopping the run), if any. */
  get notifiedListener(): ModulatorListener | undefined {
    return this.notifying < 0 ? undefined : this.listeners[this.notifying];
  }

  retain(oldestNeeded: () => number): void {
    this.retainers.push(oldestNeeded);
  }

  /**
   * The arrays are full: drop the pulses older than every reader still needs (never the
   * newest), if that frees at least half of them; else grow. Either way, amortised O(1).
   */
  private makeRoom(): void {
    let keepFrom = Infinity;
    for (const oldest of this.retainers) keepFrom = Math.min(keepFrom, oldest());
    const kept = this.count - this.first;
    let drop = 0;
    while (drop < kept - 1 && this.times[drop] < keepFrom) drop++;
    if (drop >= kept / 2) {
      this.times.copyWithin(0, drop, kept);
      this.amounts.copyWithin(0, drop * this.width, kept * this.width);
      this.first += drop;
    } else {
      this.times = grown(this.times, kept * 2);
      this.amounts = grown(this.amounts, kept * 2 * this.width);
    }
  }

  subscribe(listener: ModulatorListener): void {
    this.listeners.push(listener);
  }

  firstAfter(t: number): number {
    return this.search(t, false);
  }

  firstAtOrAfter(t: number): number {
    return this.search(t, true);
  }

  private search(t: number, inclusive: boolean): number {
    let lo = 0;
    let hi = this.count - this.first;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] > t || (inclusive && this.times[mid] === t)) hi = mid;
      else lo = mid + 1;
    }
    return lo + this.first;
  }
}

/**
 * Turns the spikes of a population or spike input into pulses on a channel (NEST's volume
 * transmitter): each spike at t adds `amount` at t + delay. Pulses go through the scheduler
 * (priority MODULATOR), so they enter the channel in time order even though spikes are
 * found up to one grid step late; hence delay_ms >= resolution_ms.
 */
export class SpikePulseSource implements SpikeListener, EventHandler {
  constructor(
    readonly channel: Channel,
    private readonly scheduler: Scheduler,
    private readonly amount: number,
    private readonly delay: number,
    private readonly timeGrid?: TimeGrid,
  ) {}

  onSpike(_neuron: number, t: number): void {
    this.scheduler.at(this.timeGrid ? this.timeGrid.add(t, this.delay) : t + this.delay, Priority.MODULATOR, this);
  }

  handleEvent(ev: SimEvent): void {
    this.channel.pulse(ev.t, this.amount);
  }
}

/**
 * Emits queued signals on a channel at their due times, through the scheduler (priority
 * MODULATOR). Signals must be queued in the order of their times (a constant delay).
 */
export class SignalEmitter implements EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'signal-emitter/1';

  private readonly queue: Float64Array[] = [];
  constructor(
    private readonly channel: ModulatorChannel,
    private readonly scheduler: Scheduler,
  ) {}
  /** The channel it emits on (a failure of its event names the plugin that owns the channel). */
  get channelName(): string {
    return this.channel.name;
  }
  emit(t: number, xi: Float64Array): void {
    this.queue.push(xi);
    this.scheduler.at(t, Priority.MODULATOR, this);
  }
  handleEvent(ev: SimEvent): void {
    this.channel.pulse(ev.t, this.queue.shift()!);
  }

  /**
   * Where a signal waits in the queue (-1: not queued), and putting an array back in its place:
   * a memory that keeps the signal it emitted restores the two as one array (ExplicitState).
   */
  indexOf(signal: Float64Array): number {
    return this.queue.indexOf(signal);
  }

  requeue(index: number, signal: Float64Array): void {
    this.queue[index] = signal;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SignalEmitter.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SignalEmitter.stateFields, 'SignalEmitter');
  }

  private static readonly stateFields = ['queue'];
}
