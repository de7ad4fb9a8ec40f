import * as v from 'valibot';
import { describeValue, type Diagnostic } from './errors.js';
import { didYouMean } from './suggest.js';

/**
 * One parameter of a plugin: its name (with the unit in the name, e.g. tau_m_ms), what it
 * means, its default (absent = required) and the schema its value must satisfy. `engram
 * plugins` prints these, and scenarios are validated against them before anything runs.
 */
export interface ParamSpec<T = unknown, N extends string = string> {
  readonly name: N;
  readonly description: string;
  readonly default?: T;
  /** Human text for the expectation, used in error messages: "a number > 0". */
  readonly expects: string;
  readonly schema: v.GenericSchema<unknown, T>;
}

/** The range a number or integer parameter must lie in. */
export interface RangeOptions {
  /** value >= min */
  min?: number;
  /** value > gt */
  gt?: number;
  /** value <= max */
  max?: number;
  /** Infinite values are allowed (e.g. a bound whose default is "none": -Infinity / Infinity; .inf in YAML). */
  infinite?: boolean;
}

function rangeText(base: string, o: RangeOptions): string {
  const parts: string[] = [];
  if (o.gt !== undefined) parts.push(`> ${o.gt}`);
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  const text = parts.length ? `${base} ${parts.join(' and ')}` : base;
  return o.infinite ? `${text} (or .inf / -.inf)` : text;
}

function inRange(x: number, o: RangeOptions): boolean {
  return (o.gt === undefined || x > o.gt) && (o.min === undefined || x >= o.min) && (o.max === undefined || x <= o.max);
}

function numberSchema(expects: string, o: RangeOptions, integer: boolean): v.GenericSchema<unknown, number> {
  return v.pipe(
    v.number(),
    v.check((x) => (Number.isFinite(x) || (o.infinite === true && Math.abs(x) === Infinity)) && (!integer || Number.isInteger(x)) && inRange(x, o), expects),
  );
}

export const param = {
  number<N extends string>(name: N, def: number | undefined, description: string, range: RangeOptions = {}): ParamSpec<number, N> {
    const expects = rangeText('a number', range);
    return { name, description, default: def, expects, schema: numberSchema(expects, range, false) };
  },
  integer<N extends string>(name: N, def: number | undefined, description: string, range: RangeOptions = {}): ParamSpec<number, N> {
    const expects = rangeText('an integer', range);
    return { name, description, default: def, expects, schema: numberSchema(expects, range, true) };
  },
  boolean<N extends string>(name: N, def: boolean | undefined, description: string): ParamSpec<boolean, N> {
    return { name, description, default: def, expects: 'true or false', schema: v.boolean() };
  },
  choice<const T extends string, N extends string = string>(name: N, def: T | undefined, description: string, choices: readonly T[]): ParamSpec<T, N> {
    return {
      name,
      description,
      default: def,
      expects: `one of ${choices.join(', ')}`,
      schema: v.picklist(choices as T[]) as unknown as v.GenericSchema<unknown, T>,
    };
  },
  /** A number for every neuron alike, or a list with one number per neuron. */
  /** 'all' (the default), or a list of names: the populations or projections a recorder observes, say. */
  names<N extends string>(name: N, description: string): ParamSpec<'all' | string[], N> {
    const expects = 'all, or a list of names';
    return { name, description, default: 'all', expects, schema: v.union([v.literal('all'), v.array(v.string())], expects) };
  },
  numberOrList<N extends string>(name: N, def: number | undefined, description: string, range: RangeOptions = {}): ParamSpec<number | number[], N> {
    const one = rangeText('a number', range);
    const expects = `${one}, or a list of such numbers`;
    const item = numberSchema(expects, range, false);
    return { name, description, default: def, expects, schema: v.union([item, v.array(item)]) };
  },
  custom<T, N extends string = string>(
    name: N,
    def: T | undefined,
    description: string,
    expects: string,
    schema: v.GenericSchema<unknown, T>,
  ): ParamSpec<T, N> {
    return { name, description, default: def, expects, schema };
  },
};

/**
 * The resolved parameters a list of specs describes: one field per spec, named as the spec and
 * typed as its schema's output (defaults are filled in before a plugin sees them). definePlugin
 * infers a plugin's params type with it, so its factory needs no casts.
 */
export type ParamsOf<S extends readonly ParamSpec<unknown, string>[]> = {
  readonly [K in S[number] as K['name']]: K extends ParamSpec<infer T, string> ? T : never;
};

/** Renders a default for listings: JSON for structures, plain text otherwise. */
export function formatDefault(spec: ParamSpec): string {
  if (!('default' in spec) || spec.default === undefined) return '(required)';
  return typeof spec.default === 'object' ? JSON.stringify(spec.default) : String(spec.default);
}

/**
 * Checks a plugin's parameter mapping against its specs and fills in defaults. Unknown names,
 * missing required ones and bad values each give a diagnostic at `path`.<name>. `locate`
 * turns a field path into a location in the scenario file.
 */
export function resolveParams(
  owner: string,
  specs: readonly ParamSpec[],
  raw: unknown,
  path: readonly (string | number)[],
  locate: (path: readonly (string | number)[], onKey?: boolean) => Diagnostic['location'],
  /** The plugin's check of the combination, run once every value is valid. */
  check?: (values: Readonly<Record<string, unknown>>) => { param: string; expected: string; found: string }[],
): { values: Record<string, unknown>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const values: Record<string, unknown> = {};
  const given = raw ?? {};
  const fmt = (p: readonly (string | number)[]) => p.join('.');
  if (typeof given !== 'object' || Array.isArray(given)) {
    diagnostics.push({ location: locate(path), path: fmt(path), expected: `a mapping of ${owner} parameters`, found: describeValue(raw) });
    return { values, diagnostics };
  }
  const known = new Set(specs.map((s) => s.name));
  for (const key of Object.keys(given)) {
    if (!known.has(key)) {
      diagnostics.push({
        location: locate([...path, key], true),
        path: fmt([...path, key]),
        expected: `a parameter of ${owner}: ${specs.length ? specs.map((s) => s.name).join(', ') : '(it takes none)'}`,
        found: `unknown parameter "${key}"${didYouMean(key, known)}`,
      });
    }
  }
  for (const spec of specs) {
    const value = (given as Record<string, unknown>)[spec.name];
    const p = [...path, spec.name];
    if (value === undefined) {
      if (spec.default === undefined) {
        diagnostics.push({ location: locate(path), path: fmt(p), expected: `${spec.expects} (required by ${owner})`, found: 'nothing' });
      } else {
        values[spec.name] = structuredClone(spec.default);
      }
      continue;
    }
    const result = v.safeParse(spec.schema, value);
    if (result.success) values[spec.name] = result.output;
    else diagnostics.push({ location: locate(p), path: fmt(p), expected: spec.expects, found: describeValue(value) });
  }
  if (check && diagnostics.length === 0) {
    for (const c of check(values)) {
      const p = [...path, c.param];
      const given = Object.hasOwn(asObject(raw), c.param);
      diagnostics.push({ location: locate(given ? p : path), path: fmt(p), expected: c.expected, found: c.found });
    }
  }
  return { values, diagnostics };
}

const asObject = (raw: unknown): object => (raw && typeof raw === 'object' ? raw : {});

/**
 * The parameters whose default their own spec refuses (a default of the wrong type or out of
 * range would otherwise reach the plugin unchecked: defaults are not validated per scenario).
 */
export function defaultProblems(specs: readonly ParamSpec[]): string[] {
  return specs
    .filter((s) => s.default !== undefined && !v.safeParse(s.schema, s.default).success)
    .map((s) => `parameter ${s.name} has the default ${describeValue(s.default)}, which its own spec refuses (it expects ${s.expects})`);
}
