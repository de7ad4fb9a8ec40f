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
 */

type Path = string;

export type Encoded =
  | number
  | string
  | boolean
  | null
  | { u: 1 } // undefined
  | { n: 'NaN' | 'Infinity' | '-Infinity' }
  | { ref: Path };

export interface Node {
  /** "typed:Float64Array", "array", "map", "object:<constructor name>". */
  kind: string;
  /** Typed arrays: the bytes, base64. */
  bytes?: string;
  /** Arrays: the elements; maps: [key, value] pairs; objects: [field, value] pairs. */
  items?: Encoded[] | [Encoded, Encoded][] | [string, Encoded][];
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
 * the path of each. Objects in `late` are visited after everything else reachable without them
 * (an event queue, whose order depends on the time: paths through it would not be stable).
 */
function walk(root: object, skip: ReadonlySet<object>, late: readonly object[]): Map<object, Path> {
  const paths = new Map<object, Path>();
  const held = new Set(late);
  const visit = (v: unknown, path: Path) => {
    if (v === null || typeof v !== 'object' || skip.has(v) || held.has(v) || paths.has(v)) return;
    paths.set(v, path);
    for (const [k, c] of children(v)) visit(c, `${path}.${k}`);
  };
  visit(root, '$');
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
export function snapshot(root: object, skip: ReadonlySet<object> = new Set(), late: readonly object[] = [], external: readonly object[] = []): Snapshot {
  const paths = walk(root, skip, late);
  const outside = externalPaths(paths, external);
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
    if (outside(path)) continue;
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
  // Prototypes by constructor name, for objects the run created that the build did not.
  const protos = new Map<string, object>();
  for (const v of fresh.values())
    if (!ArrayBuffer.isView(v) && !Array.isArray(v) && !(v instanceof Map)) protos.set(v.constructor?.name ?? 'Object', Object.getPrototypeOf(v));

  const objects = new Map<Path, object>();
  for (const [p, v] of fresh) if (outside(p)) objects.set(p, v);
  for (const [path, node] of Object.entries(snap.nodes)) {
    const existing = fresh.get(path);
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
    if (node.kind === 'array') {
      const arr = target as unknown[];
      arr.length = 0;
      for (const x of node.items as Encoded[]) arr.push(decode(x));
    } else if (node.kind === 'map') {
      const m = target as Map<unknown, unknown>;
      m.clear();
      for (const [k, x] of node.items as [Encoded, Encoded][]) m.set(decode(k), decode(x));
    } else if (node.kind.startsWith('object:')) {
      const o = target as Record<string, unknown>;
      for (const [k, x] of node.items as [string, Encoded][]) {
        const value = decode(x);
        // Functions of the fresh build stay (they are not in the snapshot: undefined there).
        if (value === undefined && typeof o[k] === 'function') continue;
        if (value === undefined && typeof o[k] === 'object' && o[k] !== null) continue; // skipped objects
        if (o[k] !== value) o[k] = value;
      }
    }
  }
}

/** Whether a path lies inside one of the external objects. */
function externalPaths(paths: ReadonlyMap<object, Path>, external: readonly object[]): (p: Path) => boolean {
  const roots = external.map((o) => paths.get(o)).filter((p): p is Path => p !== undefined);
  return (p) => roots.some((r) => p === r || p.startsWith(`${r}.`));
}
