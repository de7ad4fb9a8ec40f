import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { effectiveRank, layerDiagnostics, linearProbe, separability } from './representation.js';

/** n samples of two classes in d dimensions: class means apart by `gap` along unit 0, noise sd 1. */
function blobs(n: number, d: number, gap: number, seed = 1): { Z: Float64Array[]; labels: Int32Array } {
  const rng = Rng.derive(seed, 'blobs');
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const Z = Array.from(labels, (l) => Float64Array.from({ length: d }, (_, u) => rng.normal() + (u === 0 ? gap * l : 0)));
  return { Z, labels };
}

describe('representation diagnostics', () => {
  it('linear probe: ~1 on well separated classes, ~chance when the classes coincide', () => {
    const apart = blobs(400, 5, 8);
    expect(linearProbe(apart.Z, apart.labels, 2)).toBeGreaterThan(0.98);
    const same = blobs(400, 5, 0);
    expect(Math.abs(linearProbe(same.Z, same.labels, 2)! - 0.5)).toBeLessThan(0.1);
  });

  it('linear probe: near chance on an "x1 + x2" code of xor (class 1 between the halves of class 0)', () => {
    const rng = Rng.derive(3, 'xor-code');
    const Z: Float64Array[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 400; i++) {
      const x1 = rng.int(2),
        x2 = rng.int(2);
      const s = 100 * (x1 + x2) + 5 * rng.normal();
      Z.push(Float64Array.from([s, 0.9 * s + 3, 1.1 * s - 7, s])); // four units, all equal up to scale
      labels.push(x1 ^ x2);
    }
    expect(linearProbe(Z, labels, 2)!).toBeLessThan(0.6);
    expect(separability(Z, labels, 2)).toBeLessThan(0.01);
    expect(effectiveRank(Z)).toBeLessThan(1.05);
  });

  it('separability: trace(S_B) / trace(S_W) of a known layout', () => {
    // Class 0 at {0, 2}, class 1 at {10, 12} on one axis: S_B = 4 * 25 = 100 (n = 4, means 1, 11, grand 6), S_W = 4.
    const Z = [0, 2, 10, 12].map((v) => Float64Array.from([v]));
    expect(separability(Z, [0, 0, 1, 1], 2)).toBeCloseTo(100 / 4, 12);
  });

  it('effective rank: 1 for responses on one line, d for isotropic ones', () => {
    const line = Array.from({ length: 50 }, (_, i) => Float64Array.from([i, 2 * i, -i]));
    expect(effectiveRank(line)).toBeCloseTo(1, 6);
    // The 4 corners of a square in 2-D, and the same on 3 orthogonal axes: equal singular values.
    const square = [
      [1, 1],
      [1, -1],
      [-1, 1],
      [-1, -1],
    ].map((v) => Float64Array.from(v));
    expect(effectiveRank(square)).toBeCloseTo(2, 9);
    const axes = [
      [1, 0, 0],
      [-1, 0, 0],
      [0, 1, 0],
      [0, -1, 0],
      [0, 0, 1],
      [0, 0, -1],
    ].map((v) => Float64Array.from(v));
    expect(effectiveRank(axes)).toBeCloseTo(3, 9);
  });

  it('layerDiagnostics: mean rate and the fraction of units that never respond', () => {
    const Z = [Float64Array.from([0, 10, 20]), Float64Array.from([0, 30, 0])];
    const d = layerDiagnostics(Z, [0, 1], 2);
    expect(d.mean_rate).toBeCloseTo(60 / 6, 12);
    expect(d.silent_fraction).toBeCloseTo(1 / 3, 12);
  });
});
