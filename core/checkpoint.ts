/**
 * The state of a built network as data, and back (checkpoints, docs/reliability.md).
 *
 * A simulation is rebuilt from its scenario and seed, which recreates every object in the
 * same order with the same fields; what a run changes is data inside those objects. So a
 * snapshot walks the object graph from the simulation, in a fixed order, and records every
 * number, string, boolean and typed array it finds, by the path where the walk first met
 * each object; references between objects are recorded as the path of the object they
 * point to. Restoring walks the freshly built graph the same way and writes the values back,
 * creating the typed arrays, arrays and plain objects the run had added since the build.
 * Functions are not state (closures must keep their state in fields, as the shipped code
 * does); objects in `skip` are left out.
 *
 * An object that implements ExplicitState (a plugin's population, synapse dynamics, ...) is
 * not walked: its saveState() is saved with its stateFormat, and restoreState() gets it back,
 * after the format is checked. Everything else is restored field by field, and a fresh object
 * with a field the checkpoint does not hold (a field renamed or added since) is refused by
 * name rather than left at its initial value.
 */

/** A node of a snapshot: the path of keys from the root. */
export type Path = string;

export type Encoded =
  | number
  | string
  | boolean
  | null
  | { u: 1 } // undefined
  | { n: 'NaN' | 'Infinity' | '-Infinity' }
  | { ref: Path };

export interface Node {
  /** "typed:Float64Array", "array", "map", "object:<constructor name>", or "state" (ExplicitState). */
  kind: string;
  /** state: the object's stateFormat and its saveState() as data. */
  format?: string;
  data?: Data;
  /** Typed arrays: the bytes, base64. */
  bytes?: string;
  /** Arrays: the elements; maps: [key, value] pairs; objects: [field, value] pairs. */
  items?: Encoded[] | [Encoded, Encoded][] | [string, Encoded][];
}

/**
 * Explicit checkpoint state, for plugin objects (populations, synapse dynamics, inputs, memory
 * circuits, recorders): what the object needs to go on as if never stopped, as plain data
 * (numbers, strings, booleans, null, arrays, plain objects, typed arrays). `stateFormat` names
 * and versions that data ("lif-precise/4"); restoreState is only ever given data of the same
 * format, and a checkpoint of another format is refused with both names.
 */
export interface ExplicitState {
  readonly stateFormat: string;
  saveState(): unknown;
  restoreState(state: unknown): void;
}

export function hasExplicitState(x: object): x is ExplicitState {
  const e = x as Partial<ExplicitState>;
  return typeof e.stateFormat === 'string' && typeof e.saveState === 'function' && typeof e.restoreState === 'function';
}

/** Plain data with typed arrays and non-finite numbers, as JSON. */
/** A plain JSON value, as a snapshot stores one. */
export type Data = null | boolean | number | string | Data[] | { [k: string]: Data };

function encodeData(x: unknown): Data {
  if (x === undefined) return { $u: 1 };
  if (typeof x === 'number') return Number.isFinite(x) ? x : { $n: String(x) };
  if (typeof x === 'string' || typeof x === 'boolean' || x === null) return x;
  if (ArrayBuffer.isView(x)) return { $typed: x.constructor.name, b64: Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('base64') };
  if (Array.isArray(x)) return x.map(encodeData);
  if (typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype)
    return { $o: Object.fromEntries(Object.entries(x).map(([k, v]) => [k, encodeData(v)])) };
  throw new Error(`saveState may return plain data only, not ${Object.prototype.toString.call(x)}`);
}

function decodeData(x: Data): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(decodeData);
  if ('$u' in x) return undefined;
  if ('$n' in x) return Number(x.$n);
  if ('$typed' in x) {
    const Ctor = TYPED[x.$typed as string];
    if (!Ctor) throw new CheckpointMismatch(`unknown array type ${x.$typed}`);
    const bytes = Buffer.from(x.b64 as string, 'base64');
    const buffer = new ArrayBuffer(bytes.byteLength);
    new Uint8Array(buffer).set(bytes);
    return new Ctor(buffer);
  }
  return Object.fromEntries(Object.entries(x.$o as Record<string, Data>).map(([k, v]) => [k, decodeData(v)]));
}

export interface Snapshot {
  nodes: Record<Path, Node>;
}

const TYPED: Record<string, new (buffer: ArrayBufferLike) => ArrayBufferView> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
};

function kindOf(v: object): string {
  if (ArrayBuffer.isView(v)) return `typed:${v.constructor.name}`;
  if (Array.isArray(v)) return 'array';
  if (v instanceof Map) return 'map';
  return `object:${v.constructor?.name ?? 'Object'}`;
}

function children(v: object): [string, unknown][] {
  if (ArrayBuffer.isView(v)) return [];
  if (Array.isArray(v)) return v.map((x, i) => [String(i), x]);
  if (v instanceof Map) return [...v.entries()].map(([k, x], i) => [`${i}`, [k, x]]);
  return Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
}

/**
 * Visits every object reachable from root (depth first, keys in insertion order) once; returns
 * the path of each. The insides of ExplicitState objects are visited after everything else
 * (so an object they share with the rest of the network, e.g. a projection's weights, gets
 * its path outside them and is saved), and objects in `late` last (an event queue, whose
 * order depends on the time: paths through it would not be stable).
 */
function walk(root: object, skip: ReadonlySet<object>, late: readonly object[], explicit = true): Map<object, Path> {
  const paths = new Map<object, Path>();
  const held = new Set(late);
  const deferred: [object, Path][] = [];
  const visit = (v: unknown, path: Path) => {
    if (v === null || typeof v !== 'object' || skip.has(v) || held.has(v) || paths.has(v)) return;
    paths.set(v, path);
    if (explicit && v !== root && hasExplicitState(v)) deferred.push([v, path]);
    else for (const [k, c] of children(v)) visit(c, `${path}.${k}`);
  };
  visit(root, '$');
  for (let i = 0; i < deferred.length; i++) {
    const [v, path] = deferred[i];
    for (const [k, c] of children(v)) visit(c, `${path}.${k}`);
  }
  late.forEach((o, i) => {
    held.delete(o);
    visit(o, `$late${i}`);
  });
  return paths;
}

/**
 * `external`: objects rebuilt from the scenario exactly (a dataset): referenced by path, never
 * written into the snapshot.
 */
export function snapshot(
  root: object,
  skip: ReadonlySet<object> = new Set(),
  late: readonly object[] = [],
  external: readonly object[] = [],
  /** false: walk inside explicit-state objects too (to check that their saveState is complete). */
  explicit = true,
): Snapshot {
  const paths = walk(root, skip, late, explicit);
  const outside = externalPaths(paths, external);
  const owned = explicit ? explicitPaths(paths, outside) : { roots: new Set<Path>(), inside: () => false };
  const encode = (x: unknown): Encoded => {
    if (x === undefined) return { u: 1 };
    if (typeof x === 'number') return Number.isFinite(x) ? x : { n: String(x) as 'NaN' };
    if (typeof x === 'string' || typeof x === 'boolean' || x === null) return x;
    if (typeof x === 'object') {
      const p = paths.get(x);
      return p === undefined ? { u: 1 } : { ref: p };
    }
    return { u: 1 }; // functions, symbols, bigints: not state
  };
  const nodes: Record<Path, Node> = {};
  for (const [v, path] of paths) {
    if (outside(path) || owned.inside(path)) continue;
    if (owned.roots.has(path)) {
      const e = v as ExplicitState;
      nodes[path] = { kind: 'state', format: e.stateFormat, data: encodeData(e.saveState()) };
      continue;
    }
    const kind = kindOf(v);
    if (ArrayBuffer.isView(v)) {
      nodes[path] = { kind, bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') };
    } else if (Array.isArray(v)) {
      nodes[path] = { kind, items: v.map(encode) };
    } else if (v instanceof Map) {
      nodes[path] = { kind, items: [...v.entries()].map(([k, x]) => [encode(k), encode(x)] as [Encoded, Encoded]) };
    } else {
      nodes[path] = { kind, items: Object.keys(v).map((k) => [k, encode((v as Record<string, unknown>)[k])] as [string, Encoded]) };
    }
  }
  return { nodes };
}

export class CheckpointMismatch extends Error {}

/** Writes a snapshot's state into the graph at root (built from the same scenario and seed). */
export function restore(
  root: object,
  snap: Snapshot,
  skip: ReadonlySet<object> = new Set(),
  late: readonly object[] = [],
  external: readonly object[] = [],
): void {
  const fresh = new Map<Path, object>();
  const paths = walk(root, skip, late);
  for (const [v, p] of paths) fresh.set(p, v);
  const outside = externalPaths(paths, external);
  const owned = explicitPaths(paths, outside);
  // Prototypes by constructor name, for objects the run created that the build did not.
  const protos = new Map<string, object>();
  for (const v of fresh.values())
    if (!ArrayBuffer.isView(v) && !Array.isArray(v) && !(v instanceof Map)) protos.set(v.constructor?.name ?? 'Object', Object.getPrototypeOf(v));

  const objects = new Map<Path, object>();
  // Objects rebuilt exactly, and the insides of explicit-state objects: the fresh ones stand.
  for (const [p, v] of fresh) if (outside(p) || owned.inside(p)) objects.set(p, v);
  for (const [path, node] of Object.entries(snap.nodes)) {
    const existing = fresh.get(path);
    if (node.kind === 'state' || (existing && owned.roots.has(path))) {
      const e = existing && hasExplicitState(existing) ? existing : undefined;
      if (!e || node.kind !== 'state') {
        throw new CheckpointMismatch(
          `${path}: the checkpoint holds ${node.kind === 'state' ? `state of format ${node.format}` : `an object of kind ${node.kind}`}, this network has ${e ? `an object with state of format ${e.stateFormat}` : 'no object with explicit state'} there`,
        );
      }
      if (node.format !== e.stateFormat)
        throw new CheckpointMismatch(
          `${path} (${e.constructor.name}): the checkpoint holds state of format ${node.format}, this engram reads ${e.stateFormat}`,
        );
      objects.set(path, e);
      continue;
    }
    if (existing && kindOf(existing) === node.kind) {
      if (ArrayBuffer.isView(existing)) {
        const bytes = Buffer.from(node.bytes!, 'base64');
        if (bytes.byteLength === existing.byteLength) {
          new Uint8Array(existing.buffer, existing.byteOffset, existing.byteLength).set(bytes);
          objects.set(path, existing);
          continue;
        }
      } else {
        objects.set(path, existing);
        continue;
      }
    }
    if (node.kind.startsWith('typed:')) {
      const Ctor = TYPED[node.kind.slice(6)];
      if (!Ctor) throw new CheckpointMismatch(`${path}: unknown array type ${node.kind}`);
      const bytes = Buffer.from(node.bytes!, 'base64');
      const buffer = new ArrayBuffer(bytes.byteLength);
      new Uint8Array(buffer).set(bytes);
      objects.set(path, new Ctor(buffer));
    } else if (node.kind === 'array') objects.set(path, []);
    else if (node.kind === 'map') objects.set(path, new Map());
    else {
      const name = node.kind.slice(7);
      const proto = name === 'Object' ? Object.prototype : protos.get(name);
      if (!proto) throw new CheckpointMismatch(`${path}: an object of class ${name} that this network does not have`);
      objects.set(path, Object.create(proto));
    }
  }
  const decode = (x: Encoded): unknown => {
    if (x === null || typeof x !== 'object') return x;
    if ('u' in x) return undefined;
    if ('n' in x) return Number(x.n);
    const o = objects.get(x.ref);
    if (!o) throw new CheckpointMismatch(`reference to ${x.ref}, which the checkpoint does not hold`);
    return o;
  };
  for (const [path, node] of Object.entries(snap.nodes)) {
    const target = objects.get(path)!;
    if (node.kind === 'state') {
      (target as ExplicitState).restoreState(decodeData(node.data!));
    } else if (node.kind === 'array') {
      const arr = target as unknown[];
      arr.length = 0;
      for (const x of node.items as Encoded[]) arr.push(decode(x));
    } else if (node.kind === 'map') {
      const m = target as Map<unknown, unknown>;
      m.clear();
      for (const [k, x] of node.items as [Encoded, Encoded][]) m.set(decode(k), decode(x));
    } else if (node.kind.startsWith('object:')) {
      const o = target as Record<string, unknown>;
      if (fresh.get(path) === target) {
        // A field of the fresh object that the checkpoint does not hold was renamed or added
        // since it was written: refuse, rather than leave it at its initial value.
        const saved = new Set((node.items as [string, Encoded][]).map(([k]) => k));
        const missing = Object.keys(o).filter(
          (k) => !saved.has(k) && typeof o[k] !== 'function' && !(typeof o[k] === 'object' && o[k] !== null && skip.has(o[k] as object)),
        );
        if (missing.length)
          throw new CheckpointMismatch(
            `${path} (${node.kind.slice(7)}): the checkpoint has no field ${missing.map((k) => `"${k}"`).join(', ')}; it was written by another version of this code`,
          );
      }
      for (const [k, x] of node.items as [string, Encoded][]) {
        const value = decode(x);
        // Functions of the fresh build stay (they are not in the snapshot: undefined there).
        if (value === undefined && typeof o[k] === 'function') continue;
        if (value === undefined && typeof o[k] === 'object' && o[k] !== null) continue; // skipped objects
        if (o[k] !== value || !(k in o)) o[k] = value;
      }
    }
  }
}

/** Whether a path lies inside one of the external objects. */
function externalPaths(paths: ReadonlyMap<object, Path>, external: readonly object[]): (p: Path) => boolean {
  const roots = external.map((o) => paths.get(o)).filter((p): p is Path => p !== undefined);
  return (p) => roots.some((r) => p === r || p.startsWith(`${r}.`));
}

/** The explicit-state objects that are not inside another one (or an external object), and a test for paths inside them. */
function explicitPaths(paths: ReadonlyMap<object, Path>, outside: (p: Path) => boolean): { roots: Set<Path>; inside: (p: Path) => boolean } {
  const roots = new Set<Path>();
  const candidates = [...paths].filter(([v, p]) => p !== '$' && hasExplicitState(v) && !outside(p)).map(([, p]) => p);
  for (const p of candidates) if (!candidates.some((q) => q !== p && p.startsWith(`${q}.`))) roots.add(p);
  const list = [...roots];
  return { roots, inside: (p) => list.some((r) => p.startsWith(`${r}.`)) };
}

/** Copies a saved array into an object's own, in place (others may hold it), checking its type and length. */
export function restoreInto<T extends ArrayBufferView & { set(a: ArrayLike<number>): void; length: number }>(target: T, saved: unknown, field: string): void {
  if (!ArrayBuffer.isView(saved) || saved.constructor !== target.constructor || (saved as unknown as T).length !== target.length) {
    throw new CheckpointMismatch(
      `${field}: the checkpoint holds ${ArrayBuffer.isView(saved) ? `a ${saved.constructor.name} of ${(saved as unknown as T).length}` : 'no array'}, this network a ${target.constructor.name} of ${target.length}`,
    );
  }
  target.set(saved as unknown as ArrayLike<number>);
}

/**
 * ExplicitState by a list of fields, for classes whose state is plain fields: typed arrays
 * (restored in place when the length matches, so that others holding them see the values;
 * replaced when the run grew them), numbers, strings, booleans, arrays of numbers, and nested
 * objects that have explicit state themselves (saved with their format).
 */
export function saveFields(obj: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = (obj as Record<string, unknown>)[f];
    out[f] = v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && hasExplicitState(v) ? { format: v.stateFormat, state: v.saveState() } : v;
  }
  return out;
}

export function restoreFields(obj: object, state: unknown, fields: readonly string[], owner: string): void {
  const d = state as Record<string, unknown>;
  const o = obj as Record<string, unknown>;
  for (const f of fields) {
    if (!(f in d)) throw new CheckpointMismatch(`${owner}.${f}: not in the checkpoint`);
    const saved = d[f];
    const current = o[f];
    if (saved === undefined && current === undefined) continue;
    if (current !== null && typeof current === 'object' && !ArrayBuffer.isView(current) && hasExplicitState(current)) {
      const s = saved as { format: string; state: unknown };
      if (s.format !== current.stateFormat)
        throw new CheckpointMismatch(`${owner}.${f}: the checkpoint holds state of format ${s.format}, this engram reads ${current.stateFormat}`);
      current.restoreState(s.state);
    } else if (
      ArrayBuffer.isView(current) &&
      ArrayBuffer.isView(saved) &&
      saved.constructor === current.constructor &&
      saved.byteLength === current.byteLength
    ) {
      (current as unknown as { set(a: ArrayLike<number>): void }).set(saved as unknown as ArrayLike<number>);
    } else {
      o[f] = saved;
    }
  }
}
