/**
 * spike-source: generator neurons that fire at given times (NEST spike_generator, Brian2
 * SpikeGeneratorGroup). Times are continuous (float ms), emitted in time order, ties by
 * neuron index.
 */
import * as v from 'valibot';
import type { InputSource, SpikeSink } from '../../core/contracts.js';
import { param } from '../../core/params.js';
import { Priority, type EventHandler, type Scheduler } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

const timesSchema = v.array(
  v.array(
    v.pipe(
      v.number(),
      v.check((x) => Number.isFinite(x) && x >= 0),
    ),
  ),
);

export class SpikeSource implements InputSource, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'spike-source/1';

  private readonly times: Float64Array;
  private readonly neurons: Int32Array;
  private next = 0;

  constructor(
    spikeTimes: number[][],
    private readonly scheduler: Scheduler,
    private readonly sink: SpikeSink,
    tStop: number,
  ) {
    const all: [number, number][] = [];
    spikeTimes.forEach((ts, i) => ts.forEach((t) => t <= tStop && all.push([t, i])));
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    this.times = Float64Array.from(all, (e) => e[0]);
    this.neurons = Int32Array.from(all, (e) => e[1]);
  }

  start(): void {
    if (this.times.length) this.scheduler.at(this.times[0], Priority.NEURON, this);
  }

  handleEvent(): void {
    const t = this.times[this.next];
    // Every spike at this same time goes out now, in neuron order.
    while (this.next < this.times.length && this.times[this.next] === t) this.sink.spike(this.neurons[this.next++], t);
    if (this.next < this.times.length) this.scheduler.at(this.times[this.next], Priority.NEURON, this);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, SpikeSource.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, SpikeSource.stateFields, 'SpikeSource');
  }

  private static readonly stateFields = ['next'];
}

export const SpikeSourceInput = definePlugin.input({
  name: 'spike-source',
  description: 'generator neurons that spike at given times',
  params: [
    param.custom(
      'spike_times_ms',
      undefined,
      'spike times of each neuron: a list with one list of times per neuron',
      'a list of lists of times >= 0 (one list per neuron)',
      timesSchema,
    ),
  ],
  output: 'spikes',
  check(params, size) {
    const times = params.spike_times_ms;
    return times.length === size ? [] : [{ param: 'spike_times_ms', expected: `one list of times per neuron (${size} lists)`, found: `${times.length} lists` }];
  },
  create(ctx) {
    return new SpikeSource(ctx.params.spike_times_ms, ctx.scheduler, ctx.sink, ctx.t_stop_ms);
  },
});
