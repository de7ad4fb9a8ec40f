import { jsonSyntaxError } from '../core/json.js';
import { didYouMean } from '../core/suggest.js';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as v from 'valibot';
import { type Document, LineCounter, parseDocument, parse as parseYaml, isMap, isNode, visit } from 'yaml';
import { describeValue, EngramError, ScenarioError, type Diagnostic, type FieldPath, type SourceLocation } from '../core/errors.js';
import { ALLOWED_FIELDS, ScenarioSchema, type Scenario } from './schema.js';

export type { FieldPath };

/**
 * Maps field paths of a scenario back to where they are written: a line and column in the
 * file, or the --set option that overrode them.
 */
export class SourceMap {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lines: LineCounter | undefined,
    private readonly overrides: ReadonlyMap<string, string>,
  ) {}

  /**
   * Where the value at fieldPath is written, or, with `onKey`, where its key is (the better
   * anchor for a field that should not be there at all).
   */
  locate(fieldPath: FieldPath, onKey = false): SourceLocation {
    const key = fieldPath.join('.');
    for (const [p, expr] of this.overrides) {
      if (key === p || key.startsWith(`${p}.`)) return { file: `--set ${expr}` };
    }
    if (!this.doc || !this.lines) return { file: this.file };
    if (onKey && fieldPath.length > 0) {
      const parent = fieldPath.length === 1 ? this.doc.contents : this.doc.getIn(fieldPath.slice(0, -1), true);
      if (isMap(parent)) {
        const last = fieldPath[fieldPath.length - 1];
        const pair = parent.items.find((p) => isNode(p.key) && (p.key as { value?: unknown }).value === last);
        if (pair && isNode(pair.key) && pair.key.range) {
          const pos = this.lines.linePos(pair.key.range[0]);
          return { file: this.file, line: pos.line, column: pos.col };
        }
      }
    }
    // The deepest node that exists along the path: the field itself, or the mapping that
    // should have contained it.
    for (let n = fieldPath.length; n >= 0; n--) {
      const node = n === 0 ? this.doc.contents : this.doc.getIn(fieldPath.slice(0, n), true);
      if (isNode(node) && node.range) {
        const pos = this.lines.linePos(node.range[0]);
        return { file: this.file, line: pos.line, column: pos.col };
      }
    }
    return { file: this.file, line: 1, column: 1 };
  }
}

export interface LoadedScenario {
  /** The scenario's path as given (used in messages). */
  readonly file: string;
  /** Folder that relative paths in the scenario (plugins, data) are resolved against. */
  readonly dir: string;
  readonly scenario: Scenario;
  readonly source: SourceMap;
  /** The memory limit the plan checks its estimate against (LoadOptions.maxMemoryBytes). */
  readonly maxMemoryBytes?: number;
}

export interface LoadOptions {
  /** "path=value" overrides; value is parsed as YAML (numbers, lists, mappings). */
  set?: readonly string[];
  /** Overrides the scenario's seed. */
  seed?: number;
  /** The most memory (bytes) the planned network may need; default: half the machine's (plan.ts). */
  maxMemoryBytes?: number;
}

/** Reads, parses and validates a scenario file (YAML or JSON). Throws ScenarioError. */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<LoadedScenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new EngramError(`${file}: cannot read the scenario file (${code === 'ENOENT' ? 'no such file' : (code ?? String(err))})`);
  }
  return parseScenario(text, file, options);
}

/** Parses and validates scenario text; `file` names it in messages and anchors relative paths. */
export function parseScenario(text: string, file: string, options: LoadOptions = {}): LoadedScenario {
  // A byte-order mark (as some editors write) is not part of the document.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = new LineCounter();
  if (file.toLowerCase().endsWith('.json')) strictJson(text, file);
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: false });
  // Warnings too: a %YAML directive for a version the parser does not know, and the like,
  // would otherwise be read by the rules of another version without a word.
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length > 0) {
    throw new ScenarioError(
      problems.slice(0, 5).map((e) => {
        const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
        return {
          location: { file, line: pos?.line, column: pos?.col },
          path: '',
          expected: 'valid YAML or JSON',
          found: e.message.split('\n')[0],
        };
      }),
    );
  }
  let data: unknown;
  try {
    // The alias bound stops "billion laughs" documents (aliases of aliases, exponential size).
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias with no anchor before it is reported where it is written; otherwise the
    // document expands too many aliases.
    let unresolved: { source: string; offset: number } | undefined;
    visit(doc, {
      Alias(_, node) {
        if (!unresolved && node.resolve(doc) === undefined) unresolved = { source: node.source, offset: node.range?.[0] ?? 0 };
      },
    });
    const pos = unresolved ? lines.linePos(unresolved.offset) : undefined;
    throw new ScenarioError([
      unresolved
        ? {
            location: { file, line: pos?.line, column: pos?.col },
            path: '',
            expected: `an anchor &${unresolved.source} before the alias *${unresolved.source}`,
            found: `no anchor named ${unresolved.source}`,
          }
        : {
            location: { file, line: 1, column: 1 },
            path: '',
            expected: 'at most 100 alias expansions (YAML anchors and aliases)',
            found: (err as Error).message.split('\n')[0],
          },
    ]);
  }
  const overrides = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const expr of options.set ?? []) {
    const eq = expr.indexOf('=');
    if (eq <= 0) {
      diagnostics.push({ location: { file: `--set ${expr}` }, path: '', expected: 'path=value, e.g. --set duration_ms=200', found: JSON.stringify(expr) });
      continue;
    }
    const keyPath = expr
      .slice(0, eq)
      .split('.')
      .map((k) => (/^\d+$/.test(k) ? Number(k) : k));
    let value: unknown;
    try {
      value = parseYaml(expr.slice(eq + 1));
    } catch (err) {
      diagnostics.push({
        location: { file: `--set ${expr}` },
        path: keyPath.join('.'),
        expected: 'a YAML value',
        found: (err as Error).message.split('\n')[0],
      });
      continue;
    }
    const problem = setPath(data, keyPath, value);
    if (problem)
      diagnostics.push({
        location: { file: `--set ${expr}` },
        path: keyPath.join('.'),
        expected: "a path into the scenario's mappings and lists",
        found: problem,
      });
    else overrides.set(keyPath.join('.'), expr);
  }
  if (options.seed !== undefined && data && typeof data === 'object') {
    (data as Record<string, unknown>).seed = options.seed;
    overrides.set('seed', `seed=${options.seed} (--seed)`);
  }
  const source = new SourceMap(file, doc, lines, overrides);
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  const cycle = findCycle(data);
  if (cycle)
    throw new ScenarioError([
      {
        location: source.locate(cycle),
        path: cycle.join('.'),
        expected: 'no YAML anchor that contains an alias of itself',
        found: 'a cycle back to an enclosing value',
      },
    ]);
  const reserved = findReservedKey(data);
  if (reserved)
    throw new ScenarioError([
      {
        location: source.locate(reserved, true),
        path: reserved.join('.'),
        expected: 'a field name other than __proto__, constructor and prototype',
        found: `"${reserved[reserved.length - 1]}"`,
      },
    ]);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioError([
      { location: source.locate([]), path: '', expected: 'a mapping with at least duration_ms and populations', found: describeValue(data) },
    ]);
  }
  const result = v.safeParse(ScenarioSchema, data);
  if (!result.success) throw new ScenarioError(result.issues.slice(0, 20).map((issue) => issueToDiagnostic(issue, data, source)));
  // The mappings looked up by name hold only their own entries: a reference to "toString"
  // or "constructor" is an unknown name, never a hit on Object.prototype.
  const scenario = result.output;
  for (const map of [scenario.populations, scenario.inputs, scenario.modulators]) Object.setPrototypeOf(map, null);
  return { file, dir: path.dirname(path.resolve(file)), scenario, source, maxMemoryBytes: options.maxMemoryBytes };
}

/** The path of the first key named __proto__, constructor or prototype (the schema would drop it silently). */
function findReservedKey(value: unknown, at: (string | number)[] = []): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((x, i) => [i, x])
    : Object.keys(value).map((k) => [k, (value as Record<string, unknown>)[k]]);
  for (const [k, x] of entries) {
    if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) return [...at, k];
    const inner = findReservedKey(x, [...at, k]);
    if (inner) return inner;
  }
  return undefined;
}

/** Keys that would reach an object's prototype instead of a field of it. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Sets the value at keyPath in the parsed scenario (a --set override). Only own fields are
 * walked and made, so no key reaches a prototype (`__proto__`, `constructor` and `prototype`
 * are refused); a list takes indices up to its length (the length appends), a mapping takes
 * names. Returns what is wrong with the path, or undefined once it is set.
 */
function setPath(root: unknown, keyPath: (string | number)[], value: unknown): string | undefined {
  let node = root as Record<string | number, unknown>;
  for (let i = 0; i < keyPath.length; i++) {
    const k = keyPath[i];
    const at = keyPath.slice(0, i).join('.') || 'the scenario';
    if (k === '') return `an empty field name after ${at}`;
    if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) return `"${k}", which names no field (it would reach the prototype of ${at})`;
    if (Array.isArray(node)) {
      if (typeof k !== 'number') return `${at} is a list: "${k}" is not an index (0..${node.length - 1})`;
      if (k > node.length)
        return `index ${k} is past the end of ${at}, which has ${node.length} entries${node.length ? ` (0..${node.length - 1})` : ''}; index ${node.length} appends one`;
    } else if (typeof k === 'number') {
      return `${at} is a mapping: ${k} is an index, not a name`;
    }
    if (i === keyPath.length - 1) break;
    let next = Object.hasOwn(node, k) ? node[k] : undefined;
    if (next === undefined) {
      next = typeof keyPath[i + 1] === 'number' ? [] : {};
      node[k] = next;
    }
    if (next === null || typeof next !== 'object') return `${keyPath.slice(0, i + 1).join('.')} is ${describeValue(next)}, not a mapping or list`;
    node = next as Record<string | number, unknown>;
  }
  node[keyPath[keyPath.length - 1]] = value;
  return undefined;
}

/** Which fields a mapping at this path may have, for "unknown field" messages. */
function allowedFieldsAt(p: FieldPath, root: unknown): readonly string[] | undefined {
  if (p.length === 0) return ALLOWED_FIELDS.scenario;
  if (p.length === 2 && p[0] === 'populations') return ALLOWED_FIELDS.population;
  if (p.length === 2 && p[0] === 'inputs') return ALLOWED_FIELDS.input;
  if (p.length === 2 && p[0] === 'projections') return ALLOWED_FIELDS.projection;
  if (p.length === 2 && p[0] === 'recorders') return ALLOWED_FIELDS.recorder;
  if (p.length === 2 && p[0] === 'modulators') return ALLOWED_FIELDS.modulator;
  if (p.length === 1 && p[0] === 'training') return ALLOWED_FIELDS.training;
  if (p.length === 3 && p[0] === 'projections' && p[2] === 'plasticity') return ['rule', 'params'];
  if (p.length === 3 && p[0] === 'projections' && p[2] === 'connector') {
    const type = (getPath(root, p) as { type?: unknown } | undefined)?.type;
    const byType: Record<string, string[]> = {
      all_to_all: ['type', 'allow_autapses'],
      one_to_one: ['type'],
      fixed_probability: ['type', 'p', 'allow_autapses'],
      fixed_indegree: ['type', 'indegree', 'allow_autapses', 'allow_multapses'],
      list: ['type', 'pairs'],
    };
    return typeof type === 'string' ? byType[type] : undefined;
  }
  const last = getPath(root, p) as { dist?: unknown } | undefined;
  if (last && typeof last === 'object' && 'dist' in last) {
    if (last.dist === 'uniform') return ['dist', 'low', 'high'];
    if (last.dist === 'normal') return ['dist', 'mean', 'sd', 'low', 'high'];
  }
  return undefined;
}

function getPath(root: unknown, p: FieldPath): unknown {
  let node = root;
  for (const k of p) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[k];
  }
  return node;
}

function issueToDiagnostic(issue: v.BaseIssue<unknown>, root: unknown, source: SourceMap): Diagnostic {
  const p: (string | number)[] = (issue.path ?? []).map((item) => item.key as string | number);
  const value = getPath(root, p);
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const parent = p.slice(0, -1);
    const allowed = allowedFieldsAt(parent, root);
    return {
      location: source.locate(p, true),
      path: p.join('.'),
      expected: allowed ? `one of the fields ${allowed.join(', ')}` : 'no such field',
      found: `unknown field "${String(p[p.length - 1])}"${allowed ? didYouMean(String(p[p.length - 1]), allowed) : ''}`,
    };
  }
  let expected = issue.message.replace(/^expected /, '');
  if (/^Invalid (type|key|length|value)/.test(issue.message)) {
    expected = issue.expected === 'never' ? 'nothing here' : `${issue.expected ?? 'a valid value'}`;
    if (value === undefined && p.length > 0) expected = `a value for required field ${String(p[p.length - 1])}`;
  }
  return { location: source.locate(p), path: p.join('.'), expected, found: describeValue(value) };
}

/**
 * JSON scenarios are parsed as YAML (for positions), which accepts more than JSON does
 * (trailing commas, comments, single quotes). A .json file must be JSON: check it strictly.
 */
function strictJson(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    // V8's messages carry no position for most errors (and quote the text around it): find
    // the first error with a strict scanner of our own, for its line and column.
    const error = jsonSyntaxError(text) ?? { offset: text.length, expected: 'valid JSON', found: (err as Error).message.split('\n')[0] };
    const before = text.slice(0, error.offset).split('\n');
    throw new ScenarioError([
      {
        location: { file, line: before.length, column: before[before.length - 1].length + 1 },
        path: '',
        expected: `${error.expected} (a .json scenario must be JSON; YAML syntax needs a .yaml name)`,
        found: error.found,
      },
    ]);
  }
}

/** The path to a value that contains itself (a YAML anchor aliased inside itself), if any. */
function findCycle(root: unknown): (string | number)[] | undefined {
  const onPath = new Set<object>();
  const walk = (value: unknown, path: (string | number)[]): (string | number)[] | undefined => {
    if (value === null || typeof value !== 'object') return undefined;
    if (onPath.has(value)) return path;
    onPath.add(value);
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [k, v] of entries) {
      const found = walk(v, [...path, k]);
      if (found) return found;
    }
    onPath.delete(value);
    return undefined;
  };
  return walk(root, []);
}
