import * as v from 'valibot';
import type { Rng } from './rng.js';

/**
 * A value in a scenario that may be drawn at random: a plain number, or
 *   {dist: uniform, low, high}
 *   {dist: normal, mean, sd, low?, high?}   (out-of-bounds draws are redrawn, as NEST does)
 * Either may add `step`: each draw is rounded to the nearest multiple of step (for delays on
 * the resolution grid: NEST rounds every delay to a whole number of steps).
 */
export type ValueSpec =
  | number
  | { dist: 'uniform'; low: number; high: number; step?: number }
  | { dist: 'normal'; mean: number; sd: number; low?: number; high?: number; step?: number };

const stepSchema = v.optional(v.pipe(v.number('expected step (a number)'), v.finite('expected step (a finite number)'), v.gtValue(0, 'expected step > 0')));

const finite = (what: string) => v.pipe(v.number(`expected ${what} (a number)`), v.finite(`expected ${what} (a finite number)`));

export const ValueSpecSchema = v.union(
  [
    finite('a number'),
    v.pipe(
      v.strictObject({ dist: v.literal('uniform'), low: finite('low'), high: finite('high'), step: stepSchema }),
      v.check((o) => o.low <= o.high, 'expected low <= high'),
    ),
    v.pipe(
      v.strictObject({
        dist: v.literal('normal'),
        mean: finite('mean'),
        sd: v.pipe(finite('sd'), v.minValue(0, 'expected sd >= 0')),
        low: v.optional(finite('low')),
        high: v.optional(finite('high')),
        step: stepSchema,
      }),
      v.check((o) => (o.low ?? -Infinity) < (o.high ?? Infinity), 'expected low < high'),
    ),
  ],
  'expected a number, {dist: uniform, low, high, step?} or {dist: normal, mean, sd, low?, high?, step?}',
);

export function isConstant(spec: ValueSpec): spec is number {
  return typeof spec === 'number';
}

/** Smallest and largest value the spec can produce (for checks made before sampling). */
export function specBounds(spec: ValueSpec): [number, number] {
  if (typeof spec === 'number') return [spec, spec];
  if (spec.dist === 'uniform') return [onStep(spec.low, spec.step), onStep(spec.high, spec.step)];
  return [onStep(spec.low ?? -Infinity, spec.step), onStep(spec.high ?? Infinity, spec.step)];
}

/** x rounded to the nearest multiple of step (x itself without a step). */
function onStep(x: number, step: number | undefined): number {
  return step === undefined || !Number.isFinite(x) ? x : Math.round(x / step) * step;
}

const MAX_REDRAWS = 1000;

/** Draws one value. Throws RangeError when a bounded normal keeps falling outside its bounds. */
export function sampleValue(spec: ValueSpec, rng: Rng): number {
  if (typeof spec === 'number') return spec;
  if (spec.dist === 'uniform') return onStep(rng.uniform(spec.low, spec.high), spec.step);
  const low = spec.low ?? -Infinity;
  const high = spec.high ?? Infinity;
  for (let i = 0; i < MAX_REDRAWS; i++) {
    const x = spec.mean + spec.sd * rng.normal();
    if (x >= low && x <= high) return onStep(x, spec.step);
  }
  throw new RangeError(
    `normal(mean=${spec.mean}, sd=${spec.sd}) fell outside [${low}, ${high}] ${MAX_REDRAWS} times in a row: the bounds cut off almost all of the distribution`,
  );
}

/** Fills out[i] for every i with independent draws (or the constant). */
export function fillValues(out: Float64Array, spec: ValueSpec, rng: Rng): Float64Array {
  if (typeof spec === 'number') out.fill(spec);
  else for (let i = 0; i < out.length; i++) out[i] = sampleValue(spec, rng);
  return out;
}
