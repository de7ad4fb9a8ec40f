import type { ModulatorChannel, ModulatorListener, SpikeListener } from './contracts.js';
import { Priority, type EventHandler, type Scheduler, type SimEvent } from './scheduler.js';
import { grown } from './typed.js';

/** A named neuromodulator channel: pulses in time order, kept for lazy readers. */
export class Channel implements ModulatorChannel {
  times = new Float64Array(64);
  amounts: Float64Array;
  count = 0;
  private readonly listeners: ModulatorListener[] = [];

  constructor(readonly name: string, readonly width: number) {
    this.amounts = new Float64Array(64 * width);
  }

  pulse(t: number, amounts: number | ArrayLike<number>): void {
    if (this.count > 0 && t < this.times[this.count - 1]) {
      throw new RangeError(`modulator channel ${this.name}: pulse at ${t} ms after one at ${this.times[this.count - 1]} ms`);
    }
    if (this.count === this.times.length) {
      this.times = grown(this.times, this.count * 2);
      this.amounts = grown(this.amounts, this.count * 2 * this.width);
    }
    this.times[this.count] = t;
    if (typeof amounts === 'number') this.amounts.fill(amounts, this.count * this.width, (this.count + 1) * this.width);
    else for (let i = 0; i < this.width; i++) this.amounts[this.count * this.width + i] = amounts[i];
    this.count++;
    for (const l of this.listeners) l.onPulse(t, this.count - 1);
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
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid] > t || (inclusive && this.times[mid] === t)) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/**
 * Turns the spikes of a population or spike input into pulses on a channel (NEST's volume
 * transmitter): each spike at t adds `amount` at t + delay. Pulses go through the scheduler
 * (priority MODULATOR), so they enter the channel in time order even though spikes are
 * found up to one grid step late; hence delay_ms >= resolution_ms.
 */
export class SpikePulseSource implements SpikeListener, EventHandler {
  constructor(private readonly channel: Channel, private readonly scheduler: Scheduler, private readonly amount: number, private readonly delay: number) {}

  onSpike(_neuron: number, t: number): void {
    this.scheduler.at(t + this.delay, Priority.MODULATOR, this);
  }

  handleEvent(ev: SimEvent): void {
    this.channel.pulse(ev.t, this.amount);
  }
}

/**
 * Emits queued signals on a channel at their due times, through the scheduler (priority
 * MODULATOR). Signals must be queued in the order of their times (a constant delay).
 */
export class SignalEmitter implements EventHandler {
  private readonly queue: Float64Array[] = [];
  constructor(private readonly channel: ModulatorChannel, private readonly scheduler: Scheduler) {}
  emit(t: number, xi: Float64Array): void {
    this.queue.push(xi);
    this.scheduler.at(t, Priority.MODULATOR, this);
  }
  handleEvent(ev: SimEvent): void {
    this.channel.pulse(ev.t, this.queue.shift()!);
  }
}
