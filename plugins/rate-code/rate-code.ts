/**
 * rate-code: encodes a feature vector as firing rates, one generator neuron per feature:
 *   rate_j = max_rate_hz * clamp((x_j - low) / (high - low), 0, 1)
 * Trains are `regular` (period 1/rate, a random phase drawn per neuron and sample, so that
 * neurons are not synchronous) or `poisson`; `graded` emits no spikes and transmits the rates
 * themselves (graded transmission, for rate networks such as leaky-rate layers). A training protocol calls present(x, t) at each
 * sample; the trains switch at that moment. Regular trains give far less noisy rate estimates
 * over a short presentation than Poisson ones (paper-notes section 5b).
 */
import type { SampleInput, SpikeSink } from '../../core/contracts.js';
import * as v from 'valibot';
import { param } from '../../core/params.js';
import type { Rng } from '../../core/rng.js';
import { Priority, type EventHandler, type Scheduler, type SimEvent } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export class RateCode implements SampleInput, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'rate-code/1';

  readonly rates: Float64Array;
  /** With train: graded, the rates are the input's output (no spikes). */
  readonly output: Float64Array | undefined;
  /** Generation of each neuron's pending spike: events of an older generation are stale. */
  private readonly generation: Int32Array;

  constructor(
    size: number,
    private readonly p: { max_rate_hz: number; low: number; high: number; train: 'regular' | 'poisson' | 'graded'; values: number[] },
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly sink: SpikeSink,
  ) {
    this.rates = new Float64Array(size);
    this.generation = new Int32Array(size);
    this.output = p.train === 'graded' ? this.rates : undefined;
  }

  /** An input with `values` encodes them from the start (e.g. a bias population). */
  start(): void {
    if (this.p.values.length) this.present(this.p.values, this.scheduler.now);
  }

  present(x: ArrayLike<number>, t: number): void {
    const { max_rate_hz, low, high } = this.p;
    for (let j = 0; j < this.rates.length; j++) {
      const u = Math.min(1, Math.max(0, (x[j] - low) / (high - low)));
      this.rates[j] = max_rate_hz * u;
      const gen = ++this.generation[j];
      if (this.rates[j] <= 0 || this.output) continue;
      const period = 1000 / this.rates[j];
      const first = this.p.train === 'regular' ? t + this.rng.random() * period : t + this.rng.exponential(this.rates[j] / 1000);
      this.scheduler.at(first, Priority.NEURON, this, j, gen);
    }
  }

  handleEvent(ev: SimEvent): void {
    const j = ev.a;
    if (ev.b !== this.generation[j]) return;
    this.sink.spike(j, ev.t);
    const r = this.rates[j];
    const next = this.p.train === 'regular' ? ev.t + 1000 / r : ev.t + this.rng.exponential(r / 1000);
    this.scheduler.at(next, Priority.NEURON, this, j, ev.b);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, RateCode.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, RateCode.stateFields, 'RateCode');
  }

  private static readonly stateFields = ['rates', 'generation', 'rng'];
}

export const RateCodeInput = definePlugin.input({
  name: 'rate-code',
  description: 'one generator per feature, firing at max_rate_hz * (x - low) / (high - low); regular or Poisson trains; set per sample by training',
  params: [
    param.number('max_rate_hz', 200, 'rate for x >= high (at most 1e6 Hz)', { gt: 0, max: 1e6 }),
    param.number('low', 0, 'feature value mapped to 0 Hz'),
    param.number('high', 1, 'feature value mapped to max_rate_hz'),
    param.choice('train', 'regular', 'spike train statistics; graded: no spikes, the rates are transmitted as values', [
      'regular',
      'poisson',
      'graded',
    ] as const),
    param.custom(
      'values',
      [] as number[],
      'features to encode from t = 0, for an input no training protocol drives (e.g. a bias)',
      'a list of numbers, one per neuron',
      v.array(v.pipe(v.number(), v.finite())),
    ),
  ],
  output: 'spikes',
  check(params, size) {
    const problems = params.high > params.low ? [] : [{ param: 'high', expected: `a value above low (${params.low})`, found: String(params.high) }];
    const values = params.values;
    if (values.length && values.length !== size)
      problems.push({ param: 'values', expected: `${size} values (one per neuron) or none`, found: `${values.length}` });
    return problems;
  },
  create: (ctx) => new RateCode(ctx.size, ctx.params, ctx.scheduler, ctx.rng, ctx.sink),
});
