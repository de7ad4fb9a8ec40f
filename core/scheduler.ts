import TinyQueue from 'tinyqueue';

/**
 * Order of events that fall at the same time (ms). Lower runs first. Within one priority,
 * events run in the order they were scheduled (sequence number), never by heap luck.
 *
 *   INPUT       stimulus changes (current steps, rate changes) take effect first
 *   DELIVERY    synaptic events arrive (axonal + dendritic delay after the pre spike)
 *   NEURON      neuron populations step to the grid time and emit the spikes found;
 *               spike generators emit their spikes
 *   GRADED      graded projections read their sources' outputs (every population has
 *               stepped) and schedule the resulting currents, due one delay later
 *   PLASTICITY  post-spike plasticity work
 *   MODULATOR   neuromodulator reads and emissions
 *   LEARNING    clocked learning steps
 *   RECORD      recorders sample state (after the neurons have reached the time)
 *   LIFECYCLE   progress reports and sample boundaries
 */
export const Priority = {
  INPUT: 0,
  DELIVERY: 10,
  NEURON: 20,
  GRADED: 25,
  PLASTICITY: 30,
  MODULATOR: 40,
  LEARNING: 50,
  RECORD: 60,
  LIFECYCLE: 70,
} as const;

/** Anything the scheduler can call back. Event fields a, b, x carry the handler's own data. */
export interface EventHandler {
  handleEvent(ev: SimEvent): void;
}

/**
 * A pending event. Objects are pooled and reused after the handler returns, so a handler
 * must copy what it needs out of the event and never keep a reference to it.
 */
export class SimEvent {
  t = 0;
  priority = 0;
  seq = 0;
  handler: EventHandler = NO_HANDLER;
  /** Integer payload, e.g. the source neuron. */
  a = 0;
  /** Integer payload, e.g. a synapse index. */
  b = 0;
  /** Float payload, e.g. the spike time that caused this delivery. */
  x = 0;
}

const NO_HANDLER: EventHandler = { handleEvent() {} };

function compareEvents(p: SimEvent, q: SimEvent): number {
  return p.t - q.t || p.priority - q.priority || p.seq - q.seq;
}

/** An exception thrown by an event handler, with the handler and the time. */
export class HandlerFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly handler: EventHandler,
    readonly t_ms: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'HandlerFailure';
  }
}

/** Work repeated on a fixed clock: tick(t, k) is called at t = origin + k * period, k = 1, 2, ... */
export interface Tickable {
  tick(t: number, k: number): void;
}

export class Clock implements EventHandler {
  k = 0;
  constructor(
    private readonly scheduler: Scheduler,
    readonly origin: number,
    readonly period: number,
    readonly priority: number,
    readonly target: Tickable,
    readonly until: number,
  ) {}

  /** Times are origin + k * period, recomputed each tick so no rounding error accumulates. */
  timeOf(k: number): number {
    return this.origin + k * this.period;
  }

  handleEvent(ev: SimEvent): void {
    const k = ev.a;
    this.target.tick(ev.t, k);
    const tn = this.timeOf(k + 1);
    if (tn <= this.until + 1e-9 * this.period) this.scheduler.at(tn, this.priority, this, k + 1);
  }
}

/**
 * Discrete-event scheduler. Time is continuous (float ms); events run in (time, priority,
 * sequence) order. An event may not be scheduled before the current time.
 */
export class Scheduler {
  private readonly queue = new TinyQueue<SimEvent>([], compareEvents);
  private readonly pool: SimEvent[] = [];
  private seq = 0;
  /**
   * Per-step ring buffers (NEST's ring_buffer.h) for events at grid times: slot k % size
   * holds the events of grid step k in scheduling order, and `steps` the distinct steps that
   * hold any (one heap entry per step, not per event). runUntil merges them with the heap by
   * (time, priority, sequence), so the order is exactly the heap's: only the cost changes.
   * Off by default (resolution 0): useGrid turns it on.
   */
  private resolution = 0;
  private ring: SimEvent[][] = [];
  private ringRead: Int32Array = new Int32Array(0);
  private readonly steps = new TinyQueue<number>([], (a, b) => a - b);
  private ringCount = 0;
  /** Events handled from the rings since construction (the rest came from the heap). */
  ringHandled = 0;
  /** Time of the event being handled, or of the last one handled. */
  now = 0;
  /** Count of events handled since construction. */
  handled = 0;

  at(t: number, priority: number, handler: EventHandler, a = 0, b = 0, x = 0): void {
    if (!(t >= this.now)) {
      throw new RangeError(`event scheduled at t=${t} ms, before the current time ${this.now} ms`);
    }
    this.queue.push(this.event(t, priority, handler, a, b, x));
  }

  /** A pooled event with the next sequence number. */
  private event(t: number, priority: number, handler: EventHandler, a: number, b: number, x: number): SimEvent {
    const ev = this.pool.pop() ?? new SimEvent();
    ev.t = t;
    ev.priority = priority;
    ev.seq = this.seq++;
    ev.handler = handler;
    ev.a = a;
    ev.b = b;
    ev.x = x;
    return ev;
  }

  /** Turns on the per-step rings for atGrid: grid times k * resolution_ms, up to `slots` steps ahead. */
  useGrid(resolution_ms: number, slots = 2048): void {
    if (this.ringCount > 0) throw new Error('useGrid: events are pending in the rings');
    this.resolution = resolution_ms;
    this.ring = Array.from({ length: slots }, () => []);
    this.ringRead = new Int32Array(slots);
  }

  /**
   * As `at`, for an event that usually falls on the grid (a synaptic delivery): on the grid
   * and within the rings' horizon it goes to the ring of its step (O(1), no heap work), else
   * to the heap. Either way it runs in the same (time, priority, sequence) order.
   */
  atGrid(t: number, priority: number, handler: EventHandler, a = 0, b = 0, x = 0): void {
    const res = this.resolution;
    if (res > 0 && t >= this.now) {
      const k = Math.round(t / res);
      const size = this.ring.length;
      // On the grid exactly (TimeGrid.snap's canonical value), and its slot free of other steps:
      // every pending ring event is at a step >= the step of now.
      if (k * res === t && k - Math.floor(this.now / res) < size - 1) {
        const slot = this.ring[k % size];
        if (slot.length === this.ringRead[k % size]) this.steps.push(k);
        slot.push(this.event(t, priority, handler, a, b, x));
        this.ringCount++;
        return;
      }
    }
    this.at(t, priority, handler, a, b, x);
  }

  /** The next ring event, or undefined. */
  private ringPeek(): SimEvent | undefined {
    if (this.ringCount === 0) return undefined;
    const i = this.steps.peek()! % this.ring.length;
    return this.ring[i][this.ringRead[i]];
  }

  /** Takes the next ring event (ringPeek's). */
  private ringTake(): void {
    const i = this.steps.peek()! % this.ring.length;
    const slot = this.ring[i];
    this.ringCount--;
    this.ringHandled++;
    if (++this.ringRead[i] === slot.length) {
      slot.length = 0;
      this.ringRead[i] = 0;
      this.steps.pop();
    }
  }

  /**
   * Calls target.tick at origin + k * period for k = 1, 2, ... while the time is <= until.
   * Clocked work (neuron grid steps, recorders, learning steps) runs through the same queue
   * as spikes, so its order with respect to them is fixed by priority.
   */
  every(period: number, priority: number, target: Tickable, origin = this.now, until = Infinity): void {
    if (!(period > 0)) throw new RangeError(`clock period must be > 0 ms, got ${period}`);
    const clock = new Clock(this, origin, period, priority, target, until);
    const t1 = clock.timeOf(1);
    if (t1 <= until + 1e-9 * period) this.at(t1, priority, clock, 1);
  }

  /** Time of the next pending event, or Infinity. */
  peekTime(): number {
    const top = this.queue.peek();
    const r = this.ringPeek();
    return Math.min(top === undefined ? Infinity : top.t, r === undefined ? Infinity : r.t);
  }

  /**
   * The handler whose event is being handled, while runUntil runs (undefined between runs).
   * A run interrupted inside plugin code (a signal, see app/interruptible.ts) has no exception
   * to carry the handler, so the message that names the plugin reads it here.
   */
  dispatching: EventHandler | undefined = undefined;

  get pending(): number {
    return this.queue.length + this.ringCount;
  }

  /**
   * Handles every event with t <= tStop, in order; afterwards now = tStop. `onBatch`, if
   * given, is called after every `batch` events with the current time (progress reports).
   */
  runUntil(tStop: number, onBatch?: (now: number) => void, batch = 65536): void {
    const q = this.queue;
    let count = 0;
    let handler: EventHandler = NO_HANDLER;
    try {
      for (;;) {
        let top = q.peek();
        if (this.ringCount > 0) {
          const r = this.ringPeek()!;
          if (top === undefined || compareEvents(r, top) < 0) {
            if (r.t > tStop) break;
            this.ringTake();
            top = r;
          } else {
            if (top.t > tStop) break;
            q.pop();
          }
        } else {
          if (top === undefined || top.t > tStop) break;
          q.pop();
        }
        this.now = top.t;
        handler = top.handler;
        this.dispatching = handler;
        handler.handleEvent(top);
        top.handler = NO_HANDLER;
        this.pool.push(top);
        if (++count === batch) {
          this.handled += count;
          count = 0;
          onBatch?.(this.now);
        }
      }
    } catch (err) {
      // Which handler failed, for the message that names the plugin (core/simulation.ts).
      this.dispatching = undefined;
      throw new HandlerFailure(err, handler, this.now);
    }
    this.dispatching = undefined;
    this.handled += count;
    if (tStop > this.now) this.now = tStop;
  }

  /** How many pending events each handler has (for the queue guard's message). */
  pendingByHandler(): Map<EventHandler, number> {
    const counts = new Map<EventHandler, number>();
    const ringed = this.ring.flatMap((slot, i) => slot.slice(this.ringRead[i]));
    for (const ev of [...(this.queue as unknown as { data: SimEvent[] }).data.slice(0, this.queue.length), ...ringed])
      counts.set(ev.handler, (counts.get(ev.handler) ?? 0) + 1);
    return counts;
  }
}
