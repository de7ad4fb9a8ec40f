/**
 * Field schemas shared by the scenario format and the sections other layers define (the
 * training section, training/schema.ts): names, positive numbers, plugin parameter mappings.
 */
import * as v from 'valibot';

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Names that would reach an object's prototype when used as a key. */
const RESERVED_NAMES = new Set(['__proto__', 'constructor', 'prototype']);
export const NameSchema = v.pipe(
  v.string('expected a name (letters, digits, _ . -, starting with a letter or _)'),
  v.regex(NAME_RE, 'expected a name (letters, digits, _ . -, starting with a letter or _)'),
  v.check((name) => !RESERVED_NAMES.has(name), 'expected a name other than __proto__, constructor and prototype'),
);

export const positive = (what: string) =>
  v.pipe(
    v.number(`expected ${what} (a number > 0)`),
    v.check((x) => Number.isFinite(x) && x > 0, `expected ${what} (a finite number > 0)`),
  );
export const nonNegative = (what: string) =>
  v.pipe(
    v.number(`expected ${what} (a number >= 0)`),
    v.check((x) => Number.isFinite(x) && x >= 0, `expected ${what} (a finite number >= 0)`),
  );
export const positiveInt = (what: string) =>
  v.pipe(
    v.number(`expected ${what} (an integer >= 1)`),
    v.check((x) => Number.isInteger(x) && x >= 1 && x <= 2 ** 31 - 1, `expected ${what} (an integer from 1 to 2^31-1)`),
  );
export const params = v.optional(v.record(v.string(), v.unknown(), 'expected a mapping of parameters'), {});
