import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { connect, ConnectorError } from './connectors.js';
import { buildCsr, PairList, sortRowsByDelay } from './csr.js';

const rng = () => Rng.derive(5, 'connect');
const pairsOf = (p: PairList) => Array.from({ length: p.length }, (_, s) => [p.pre[s], p.post[s]]);

describe('connectors', () => {
  it('all_to_all makes every pair, without autapses when asked', () => {
    expect(connect({ type: 'all_to_all', allow_autapses: true }, 3, 4, false, rng()).length).toBe(12);
    const noSelf = connect({ type: 'all_to_all', allow_autapses: false }, 4, 4, true, rng());
    expect(noSelf.length).toBe(12);
    expect(pairsOf(noSelf).every(([i, j]) => i !== j)).toBe(true);
  });

  it('one_to_one pairs equal indices and rejects unequal sizes', () => {
    expect(pairsOf(connect({ type: 'one_to_one' }, 3, 3, false, rng()))).toEqual([
      [0, 0],
      [1, 1],
      [2, 2],
    ]);
    expect(() => connect({ type: 'one_to_one' }, 3, 4, false, rng())).toThrow(ConnectorError);
  });

  it('fixed_probability makes a binomial number of unique pairs', () => {
    const n = 2000;
    const p = 0.02;
    const pairs = connect({ type: 'fixed_probability', p, allow_autapses: false }, n, n, true, rng());
    const mean = n * n * p;
    expect(Math.abs(pairs.length - mean)).toBeLessThan(5 * Math.sqrt(mean * (1 - p)));
    const keys = new Set(pairsOf(pairs).map(([i, j]) => i * n + j));
    expect(keys.size).toBe(pairs.length);
    expect(pairsOf(pairs).some(([i, j]) => i === j)).toBe(false);
    // The in-degree of post neurons is binomial too: no post neuron is systematically favoured.
    const indeg = new Float64Array(n);
    for (const [, j] of pairsOf(pairs)) indeg[j]++;
    const firstHalf = indeg.slice(0, n / 2).reduce((a, b) => a + b);
    expect(Math.abs(firstHalf / pairs.length - 0.5)).toBeLessThan(0.01);
    expect(connect({ type: 'fixed_probability', p: 0, allow_autapses: true }, 10, 10, false, rng()).length).toBe(0);
    expect(connect({ type: 'fixed_probability', p: 1, allow_autapses: true }, 10, 10, false, rng()).length).toBe(100);
  });

  it('fixed_indegree gives every post neuron exactly k distinct sources', () => {
    const pairs = connect({ type: 'fixed_indegree', indegree: 9, allow_autapses: false, allow_multapses: false }, 10, 50, true, rng());
    const bySource = new Map<number, number[]>();
    for (const [i, j] of pairsOf(pairs)) bySource.set(j, [...(bySource.get(j) ?? []), i]);
    for (let j = 0; j < 50; j++) {
      const src = bySource.get(j)!;
      expect(src.length).toBe(9);
      expect(new Set(src).size).toBe(9);
      if (j < 10) expect(src.includes(j)).toBe(false);
    }
    expect(() => connect({ type: 'fixed_indegree', indegree: 10, allow_autapses: false, allow_multapses: false }, 10, 10, true, rng())).toThrow(/exceeds/);
  });

  it('list keeps the given pairs and checks their range', () => {
    expect(
      pairsOf(
        connect(
          {
            type: 'list',
            pairs: [
              [1, 0],
              [0, 2],
            ],
          },
          2,
          3,
          false,
          rng(),
        ),
      ),
    ).toEqual([
      [1, 0],
      [0, 2],
    ]);
    expect(() => connect({ type: 'list', pairs: [[2, 0]] }, 2, 3, false, rng())).toThrow(/out of range/);
  });
});

describe('CSR', () => {
  it('groups synapses by pre neuron, stable within a row', () => {
    const pairs = new PairList(2);
    for (const [i, j] of [
      [2, 5],
      [0, 1],
      [2, 3],
      [0, 4],
    ])
      pairs.push(i, j);
    const csr = buildCsr(3, 6, pairs);
    expect(Array.from(csr.rowStart)).toEqual([0, 2, 2, 4]);
    expect(Array.from(csr.target)).toEqual([1, 4, 5, 3]);
    expect(Array.from(csr.order)).toEqual([1, 3, 0, 2]);
  });

  it('sorts rows by delay, moving weights and targets along', () => {
    const pairs = new PairList();
    for (const [i, j] of [
      [0, 0],
      [0, 1],
      [0, 2],
      [1, 0],
    ])
      pairs.push(i, j);
    const csr = buildCsr(2, 3, pairs);
    const w = Float64Array.from([10, 11, 12, 13]);
    const d = Float64Array.from([3, 1, 2, 5]);
    sortRowsByDelay(csr, w, d);
    expect(Array.from(csr.target)).toEqual([1, 2, 0, 0]);
    expect(Array.from(w)).toEqual([11, 12, 10, 13]);
    expect(Array.from(d)).toEqual([1, 2, 3, 5]);
  });
});
