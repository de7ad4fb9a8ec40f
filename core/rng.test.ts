import { describe, expect, it } from 'vitest';
import { Rng } from './rng.js';

describe('Rng', () => {
  it('is reproducible per (seed, name) and independent across names and seeds', () => {
    const draw = (seed: number, name: string) =>
      Array.from(
        { length: 5 },
        (
          (r) => () =>
            r.nextU32()
        )(Rng.derive(seed, name)),
      );
    expect(draw(42, 'a')).toEqual(draw(42, 'a'));
    expect(draw(42, 'a')).not.toEqual(draw(42, 'b'));
    expect(draw(42, 'a')).not.toEqual(draw(43, 'a'));
    expect(draw(2 ** 40, 'a')).not.toEqual(draw(0, 'a'));
  });

  it('gives uniform doubles in [0, 1) with the right mean and variance', () => {
    const r = Rng.derive(1, 'u');
    const n = 200000;
    let sum = 0;
    let sq = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const x = r.random();
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
      sum += x;
      sq += x * x;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(sq / n - (sum / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
  });

  it('gives standard normal and exponential deviates', () => {
    const r = Rng.derive(2, 'n');
    const n = 200000;
    let s1 = 0,
      s2 = 0,
      e1 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s1 += z;
      s2 += z * z;
      e1 += r.exponential(4);
    }
    expect(Math.abs(s1 / n)).toBeLessThan(0.015);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.015);
    expect(Math.abs(e1 / n - 0.25)).toBeLessThan(0.005);
  });

  it('draws integers uniformly in [0, n)', () => {
    const r = Rng.derive(3, 'i');
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[r.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(500);
  });
});
