/**
 * poisson: a population of independent Poisson spike generators (NEST poisson_generator with
 * one train per neuron; Brian2 PoissonGroup), with exact, continuous spike times.
 *
 * Rates are per neuron (one number for all, or a list) and may change over time
 * (`schedule`: piecewise-constant segments). The population is simulated as one superposed
 * process: the next spike of the whole population comes after an exponential interval with
 * the total rate, and belongs to neuron i with probability rate_i / total. This is exact for
 * independent Poisson processes and costs O(log n) per spike, with one pending event.
 */
import * as v from 'valibot';
import type { InputSource, SpikeSink } from '../../core/contracts.js';
import { param } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';
import { Priority, type EventHandler, type Scheduler } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

/**
 * Rates above 1 MHz (a spike per microsecond per generator) are typos or unit mistakes; at
 * absurd rates the draws fall below the resolution of double time stamps and time stops.
 */
export const MAX_RATE_HZ = 1e6;
const rateOk = (x: number) => Number.isFinite(x) && x >= 0 && x <= MAX_RATE_HZ;
const rateValue = v.union([v.pipe(v.number(), v.check(rateOk)), v.array(v.pipe(v.number(), v.check(rateOk)))]);
const scheduleSchema = v.array(
  v.strictObject({
    t_ms: v.pipe(
      v.number(),
      v.check((x) => Number.isFinite(x) && x >= 0),
    ),
    rate_hz: rateValue,
  }),
);
type Segment = v.InferOutput<typeof scheduleSchema>[number];

export const poissonParams = [
  param.numberOrList('rate_hz', undefined, 'firing rate of each generator from t = 0 (one number, or one per neuron)', { min: 0, max: MAX_RATE_HZ }),
  param.custom(
    'schedule',
    [] as Segment[],
    'rate changes: a list of {t_ms, rate_hz}, times increasing; each rate holds until the next change',
    'a list of {t_ms, rate_hz} with t_ms >= 0 increasing and rates from 0 to 1e6 Hz (one number or one per neuron)',
    scheduleSchema,
  ),
];

class CumulativeRates {
  /** cum[i] = sum of rates of neurons 0..i (kHz, i.e. spikes per ms). */
  readonly cum: Float64Array;
  constructor(rates_hz: number | number[], size: number) {
    this.cum = new Float64Array(size);
    let acc = 0;
    for (let i = 0; i < size; i++) {
      acc += (typeof rates_hz === 'number' ? rates_hz : rates_hz[i]) / 1000;
      this.cum[i] = acc;
    }
  }
  get total(): number {
    return this.cum.length ? this.cum[this.cum.length - 1] : 0;
  }
  /** The neuron whose share of [0, total) contains u. */
  pick(u: number): number {
    const c = this.cum;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (c[mid] > u) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

export class PoissonGenerator implements InputSource, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'poisson/1';

  private readonly segments: { t: number; rates: CumulativeRates }[];
  private segment = 0;

  constructor(
    size: number,
    rate_hz: number | number[],
    schedule: Segment[],
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly sink: SpikeSink,
    private readonly tStop: number,
  ) {
    this.segments = [{ t: 0, rates: new CumulativeRates(rate_hz, size) }, ...schedule.map((s) => ({ t: s.t_ms, rates: new CumulativeRates(s.rate_hz, size) }))];
    // A later segment that starts at the same time replaces an earlier one.
    this.segments = this.segments.filter((s, i, all) => i + 1 >= all.length || all[i + 1].t > s.t);
  }

  start(): void {
    this.scheduleNext(this.scheduler.now);
  }

  /** Draws the population's next spike after time t, moving through rate segments as needed. */
  private scheduleNext(t: number): void {
    for (;;) {
      while (this.segment + 1 < this.segments.length && this.segments[this.segment + 1].t <= t) this.segment++;
      const seg = this.segments[this.segment];
      const end = this.segment + 1 < this.segments.length ? this.segments[this.segment + 1].t : Infinity;
      const total = seg.rates.total;
      const next = total > 0 ? t + this.rng.exponential(total) : Infinity;
      if (next < end) {
        if (next <= this.tStop) this.scheduler.at(next, Priority.NEURON, this, 0, 0, 0);
        return;
      }
      if (end > this.tStop) return;
      t = end; // memoryless: restart the draw at the segment boundary
    }
  }

  handleEvent(ev: { t: number }): void {
    const t = ev.t;
    const seg = this.segments[this.segment];
    const neuron = seg.rates.pick(this.rng.random() * seg.rates.total);
    this.sink.spike(neuron, t);
    this.scheduleNext(t);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, PoissonGenerator.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, PoissonGenerator.stateFields, 'PoissonGenerator');
  }

  private static readonly stateFields = ['segment', 'rng'];
}

export const PoissonInput = definePlugin.input({
  name: 'poisson',
  description: 'independent Poisson spike trains, one per neuron; constant or piecewise-constant rates',
  params: poissonParams,
  output: 'spikes',
  check(params, size) {
    const problems: { param: string; expected: string; found: string }[] = [];
    const checkList = (where: string, r: number | number[]) => {
      if (Array.isArray(r) && r.length !== size)
        problems.push({ param: where, expected: `one rate or a list of ${size} rates`, found: `a list of ${r.length}` });
    };
    checkList('rate_hz', params.rate_hz);
    const schedule = params.schedule;
    schedule.forEach((s, i) => {
      checkList(`schedule.${i}.rate_hz`, s.rate_hz);
      if (i > 0 && s.t_ms < schedule[i - 1].t_ms)
        problems.push({ param: `schedule.${i}.t_ms`, expected: `a time >= the previous change (${schedule[i - 1].t_ms})`, found: String(s.t_ms) });
    });
    return problems;
  },
  create(ctx) {
    return new PoissonGenerator(ctx.size, ctx.params.rate_hz, ctx.params.schedule, ctx.scheduler, ctx.rng, ctx.sink, ctx.t_stop_ms);
  },
});
