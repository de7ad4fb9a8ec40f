/**
 * current: injects a constant or stepwise current into neurons of a target population
 * (NEST dc_generator / step_current_generator). The amplitude changes exactly at the given
 * times (priority INPUT, before synaptic events at the same time); the target model
 * integrates it exactly in between. Several current inputs on one neuron add up.
 */
import * as v from 'valibot';
import type { InputSource, NeuronPopulation } from '../../core/contracts.js';
import { param } from '../../core/params.js';
import { Priority, type EventHandler, type Scheduler } from '../../core/scheduler.js';
import { definePlugin } from '../../core/define.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

const stepsSchema = v.array(
  v.strictObject({
    t_ms: v.pipe(
      v.number(),
      v.check((x) => Number.isFinite(x) && x >= 0),
    ),
    amplitude_nA: v.pipe(v.number(), v.finite()),
  }),
);
type Step = v.InferOutput<typeof stepsSchema>[number];
const neuronsSchema = v.union([
  v.literal('all'),
  v.array(
    v.pipe(
      v.number(),
      v.check((x) => Number.isInteger(x) && x >= 0),
    ),
  ),
]);

export class CurrentInjector implements InputSource, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'current/1';

  private readonly targets: Int32Array;
  private amplitude = 0;
  private next = 0;

  constructor(
    neurons: 'all' | number[],
    private readonly initial: number,
    private readonly steps: Step[],
    private readonly population: NeuronPopulation,
    size: number,
    private readonly scheduler: Scheduler,
  ) {
    this.targets = neurons === 'all' ? Int32Array.from({ length: size }, (_, i) => i) : Int32Array.from(neurons);
  }

  start(): void {
    this.set(this.scheduler.now, this.initial);
    if (this.steps.length) this.scheduler.at(this.steps[0].t_ms, Priority.INPUT, this);
  }

  private set(t: number, amplitude: number): void {
    const delta = amplitude - this.amplitude;
    this.amplitude = amplitude;
    if (delta !== 0) for (const j of this.targets) this.population.addCurrent(j, t, delta);
  }

  handleEvent(ev: { t: number }): void {
    this.set(ev.t, this.steps[this.next++].amplitude_nA);
    if (this.next < this.steps.length) this.scheduler.at(this.steps[this.next].t_ms, Priority.INPUT, this);
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, CurrentInjector.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, CurrentInjector.stateFields, 'CurrentInjector');
  }

  private static readonly stateFields = ['amplitude', 'next'];
}

export const CurrentInput = definePlugin.input({
  name: 'current',
  description: 'constant or stepwise current injected into neurons of the target population',
  params: [
    param.custom('neurons', 'all' as const, 'which neurons of the target: all, or a list of indices', 'all, or a list of neuron indices', neuronsSchema),
    param.number('amplitude_nA', 0, 'amplitude from t = 0'),
    param.custom(
      'steps',
      [] as Step[],
      'amplitude changes: a list of {t_ms, amplitude_nA}, times increasing',
      'a list of {t_ms, amplitude_nA} with t_ms >= 0 increasing',
      stepsSchema,
    ),
  ],
  output: 'current',
  check(params, _size, targetSize) {
    const problems: { param: string; expected: string; found: string }[] = [];
    const neurons = params.neurons;
    if (neurons !== 'all') {
      const bad = neurons.find((j) => j >= targetSize);
      if (bad !== undefined) problems.push({ param: 'neurons', expected: `indices below the target's size ${targetSize}`, found: String(bad) });
    }
    const steps = params.steps;
    steps.forEach((s, i) => {
      if (i > 0 && s.t_ms < steps[i - 1].t_ms)
        problems.push({ param: `steps.${i}.t_ms`, expected: `a time >= the previous step (${steps[i - 1].t_ms})`, found: String(s.t_ms) });
    });
    return problems;
  },
  create(ctx) {
    const target = ctx.target!;
    return new CurrentInjector(ctx.params.neurons, ctx.params.amplitude_nA, ctx.params.steps, target.population, target.size, ctx.scheduler);
  },
});
