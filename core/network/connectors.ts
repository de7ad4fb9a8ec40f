import * as v from 'valibot';
import type { Rng } from '../rng.js';
import { PairList } from './csr.js';

/**
 * Connection rules (the names and semantics follow NEST's conn_spec and PyNN's connectors).
 * Autapses (i -> i) only exist when a projection connects a population to itself.
 */
const bool = v.boolean('expected true or false');
const probability = v.pipe(
  v.number('expected a probability (a number)'),
  v.check((p) => p >= 0 && p <= 1, 'expected a probability in [0, 1]'),
);
const count = v.pipe(
  v.number('expected an integer >= 0'),
  v.check((n) => Number.isInteger(n) && n >= 0, 'expected an integer >= 0'),
);
const index = v.pipe(
  v.number('expected a neuron index'),
  v.check((n) => Number.isInteger(n) && n >= 0, 'expected a neuron index (an integer >= 0)'),
);

export const ConnectorSchema = v.variant(
  'type',
  [
    v.strictObject({ type: v.literal('all_to_all'), allow_autapses: v.optional(bool, true) }),
    v.strictObject({ type: v.literal('one_to_one') }),
    v.strictObject({ type: v.literal('fixed_probability'), p: probability, allow_autapses: v.optional(bool, true) }),
    v.strictObject({
      type: v.literal('fixed_indegree'),
      indegree: count,
      allow_autapses: v.optional(bool, true),
      allow_multapses: v.optional(bool, false),
    }),
    v.strictObject({ type: v.literal('list'), pairs: v.array(v.tuple([index, index], 'expected a pair [pre, post]'), 'expected a list of [pre, post] pairs') }),
  ],
  'expected a connector type: all_to_all, one_to_one, fixed_probability, fixed_indegree or list',
);

export type ConnectorSpec = v.InferOutput<typeof ConnectorSchema>;

/** A connector that cannot be realised for the given population sizes. */
export class ConnectorError extends Error {}

/**
 * Why a connector cannot be realised for these sizes, or undefined when it can: checked
 * without drawing a single pair, so that a plan can report it (connect throws the same).
 */
export function connectorProblem(spec: ConnectorSpec, nPre: number, nPost: number, self: boolean): string | undefined {
  switch (spec.type) {
    case 'one_to_one':
      return nPre !== nPost ? `one_to_one needs populations of equal size, got ${nPre} and ${nPost}` : undefined;
    case 'list': {
      const bad = spec.pairs.find(([i, j]) => i >= nPre || j >= nPost);
      return bad ? `pair [${bad[0]}, ${bad[1]}] is out of range: pre has ${nPre} neurons, post has ${nPost}` : undefined;
    }
    case 'fixed_indegree': {
      const k = spec.indegree;
      const autapses = spec.allow_autapses || !self;
      const candidates = (j: number) => (autapses || j >= nPre ? nPre : nPre - 1);
      if (!spec.allow_multapses) {
        const minAvail = nPost === 0 ? nPre : Math.min(...Array.from({ length: Math.min(nPost, nPre + 1) }, (_, j) => candidates(j)));
        if (k > minAvail) return `indegree ${k} exceeds the ${minAvail} distinct sources available (set allow_multapses: true to allow repeats)`;
      } else if (k > 0 && candidates(0) === 0) return `indegree ${k} needs at least one possible source`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Produces the (pre, post) pairs of a projection. `self` is true when pre and post are the
 * same population (only then can autapses be excluded).
 */
export function connect(spec: ConnectorSpec, nPre: number, nPost: number, self: boolean, rng: Rng): PairList {
  const problem = connectorProblem(spec, nPre, nPost, self);
  if (problem) throw new ConnectorError(problem);
  switch (spec.type) {
    case 'all_to_all': {
      const pairs = new PairList(nPre * nPost);
      for (let i = 0; i < nPre; i++) for (let j = 0; j < nPost; j++) if (spec.allow_autapses || !self || i !== j) pairs.push(i, j);
      return pairs;
    }
    case 'one_to_one': {
      if (nPre !== nPost) throw new ConnectorError(`one_to_one needs populations of equal size, got ${nPre} and ${nPost}`);
      const pairs = new PairList(nPre);
      for (let i = 0; i < nPre; i++) pairs.push(i, i);
      return pairs;
    }
    case 'fixed_probability':
      return bernoulli(nPre, nPost, spec.p, spec.allow_autapses || !self, rng);
    case 'fixed_indegree':
      return fixedIndegree(nPre, nPost, spec.indegree, spec.allow_autapses || !self, spec.allow_multapses, rng);
    case 'list': {
      const pairs = new PairList(spec.pairs.length);
      for (const [i, j] of spec.pairs) {
        if (i >= nPre || j >= nPost) throw new ConnectorError(`pair [${i}, ${j}] is out of range: pre has ${nPre} neurons, post has ${nPost}`);
        pairs.push(i, j);
      }
      return pairs;
    }
  }
}

/**
 * Each (i, j) independently with probability p. Instead of one random number per candidate
 * pair (O(nPre * nPost)), the gaps between chosen pairs are drawn from the geometric
 * distribution, so the cost is proportional to the number of synapses made.
 */
function bernoulli(nPre: number, nPost: number, p: number, autapses: boolean, rng: Rng): PairList {
  const total = nPre * nPost;
  const pairs = new PairList(Math.ceil(total * p * 1.05) + 16);
  if (p <= 0 || total === 0) return pairs;
  if (p >= 1) {
    for (let i = 0; i < nPre; i++) for (let j = 0; j < nPost; j++) if (autapses || i !== j) pairs.push(i, j);
    return pairs;
  }
  const logq = Math.log1p(-p);
  let m = -1;
  for (;;) {
    m += 1 + Math.floor(Math.log1p(-rng.random()) / logq);
    if (m >= total) break;
    const i = Math.floor(m / nPost);
    const j = m - i * nPost;
    if (autapses || i !== j) pairs.push(i, j);
  }
  return pairs;
}

/** Each post neuron gets exactly k pre partners, drawn uniformly. */
function fixedIndegree(nPre: number, nPost: number, k: number, autapses: boolean, multapses: boolean, rng: Rng): PairList {
  const pairs = new PairList(nPost * k);
  const candidates = (j: number) => (autapses || j >= nPre ? nPre : nPre - 1);
  if (!multapses) {
    const minAvail = nPost === 0 ? nPre : Math.min(...Array.from({ length: Math.min(nPost, nPre + 1) }, (_, j) => candidates(j)));
    if (k > minAvail) {
      throw new ConnectorError(`indegree ${k} exceeds the ${minAvail} distinct sources available (set allow_multapses: true to allow repeats)`);
    }
  } else if (k > 0 && candidates(0) === 0) {
    throw new ConnectorError(`indegree ${k} needs at least one possible source`);
  }
  const chosen = new Set<number>();
  for (let j = 0; j < nPost; j++) {
    chosen.clear();
    let made = 0;
    while (made < k) {
      const i = rng.int(nPre);
      if (!autapses && i === j) continue;
      if (!multapses) {
        if (chosen.has(i)) continue;
        chosen.add(i);
      }
      pairs.push(i, j);
      made++;
    }
  }
  return pairs;
}
