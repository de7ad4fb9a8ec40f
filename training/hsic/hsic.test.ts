import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import {
  cosine,
  hsic,
  ibLoss,
  ibSignal,
  ibSignalRowCentred,
  kernelMatrix,
  normalise,
  pHsicTwoSampleLoss,
  pHsicTwoSampleSignal,
  pullBack,
  type IbParams,
} from './hsic.js';

const vectors = (rng: Rng, n: number, d: number, scale = 1) => Array.from({ length: n }, () => Float64Array.from({ length: d }, () => scale * rng.normal()));
const oneHot = (rng: Rng, n: number, classes: number) =>
  Array.from({ length: n }, () => {
    const v = new Float64Array(classes);
    v[rng.int(classes)] = 1;
    return v;
  });

/** Central differences with Richardson extrapolation (error O(h^4)) of f along each coordinate of z. */
function numericGradient(f: (z: Float64Array) => number, z: Float64Array, h: number): Float64Array {
  const g = new Float64Array(z.length);
  const at = (u: number, dz: number) => {
    const w = Float64Array.from(z);
    w[u] += dz;
    return f(w);
  };
  for (let u = 0; u < z.length; u++) {
    const d1 = (at(u, h) - at(u, -h)) / (2 * h);
    const d2 = (at(u, h / 2) - at(u, -h / 2)) / h;
    g[u] = (4 * d2 - d1) / 3;
  }
  return g;
}

const relErr = (a: Float64Array, b: Float64Array) => {
  let num = 0,
    den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
};

describe('HSIC math', () => {
  it('kernel matrices are symmetric with unit diagonal and the width scales with sqrt(d)', () => {
    const rng = Rng.derive(1, 'k');
    const A = vectors(rng, 5, 3);
    const K = kernelMatrix(A, 0.7);
    for (let i = 0; i < 5; i++) {
      expect(K[i * 5 + i]).toBe(1);
      for (let j = 0; j < 5; j++) expect(K[i * 5 + j]).toBe(K[j * 5 + i]);
    }
    const d2 = A[0].reduce((s, _, u) => s + (A[0][u] - A[1][u]) ** 2, 0);
    expect(K[1]).toBeCloseTo(Math.exp(-d2 / (2 * 0.49 * 3)), 15);
  });

  it('HSIC is near zero for independent samples and large for dependent ones', () => {
    const rng = Rng.derive(2, 'h');
    const A = vectors(rng, 64, 2);
    const B = vectors(rng, 64, 2);
    const dep = hsic(
      A,
      A.map((a) => Float64Array.from(a, (x) => 2 * x)),
      1,
      2,
    );
    const indep = hsic(A, B, 1, 1);
    expect(dep).toBeGreaterThan(10 * Math.abs(indep));
    // Explicit trace formula on a tiny case.
    const n = 3;
    const KA = kernelMatrix(A.slice(0, 3), 1);
    const KB = kernelMatrix(B.slice(0, 3), 1);
    const H = (i: number, j: number) => (i === j ? 1 : 0) - 1 / n;
    let t = 0;
    for (let a = 0; a < n; a++)
      for (let b = 0; b < n; b++) for (let c = 0; c < n; c++) for (let d = 0; d < n; d++) t += KA[a * n + b] * H(b, c) * KB[c * n + d] * H(d, a);
    expect(hsic(A.slice(0, 3), B.slice(0, 3), 1, 1)).toBeCloseTo(t / 4, 14);
  });

  it('xi equals central finite differences of L on random windows (N = 2..64) to 1e-6', () => {
    const rng = Rng.derive(3, 'fd');
    let worst = 0;
    let cases = 0;
    for (const N of [2, 3, 5, 8, 16, 33, 64]) {
      for (const [dx, dy, dz] of [
        [2, 2, 4],
        [5, 3, 1],
        [10, 10, 8],
      ]) {
        for (const p of [
          { sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1, gamma: 2 },
          { sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, gamma: 10 },
          { sigma_x: 1.5, sigma_y: 0.1, sigma_z: 0.7, gamma: 50 },
        ] as IbParams[]) {
          const X = vectors(rng, N, dx);
          const Y = oneHot(rng, N, dy);
          const Z = vectors(rng, N, dz, p.sigma_z);
          const xi = ibSignal(X, Y, Z, p);
          const loss = (zN: Float64Array) => ibLoss(X, Y, [...Z.slice(0, -1), zN], p);
          const fd = numericGradient(loss, Z[N - 1], 1e-3 * p.sigma_z);
          const norm = Math.sqrt(fd.reduce((s, x) => s + x * x, 0));
          if (norm < 1e-12) continue; // a flat point (e.g. N = 2 with equal labels): nothing to compare
          worst = Math.max(worst, relErr(xi, fd));
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(55);
    expect(worst).toBeLessThan(1e-6);
  });

  it('the row-centred approximation points the same way as the exact signal', () => {
    const rng = Rng.derive(4, 'rc');
    const cosines: number[] = [];
    for (let trial = 0; trial < 50; trial++) {
      const p = { sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1, gamma: 5 };
      const N = 10;
      const X = vectors(rng, N, 2);
      const Y = oneHot(rng, N, 2);
      const Z = vectors(rng, N, 4);
      cosines.push(cosine(ibSignalRowCentred(X, Y, Z, p), ibSignal(X, Y, Z, p)));
    }
    const mean = cosines.reduce((a, b) => a + b) / cosines.length;
    expect(mean).toBeGreaterThan(0.9);
  });

  it('pulling xi back through layer normalisation equals finite differences with respect to raw z', () => {
    const rng = Rng.derive(6, 'norm');
    const p = { sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, gamma: 10 };
    for (let trial = 0; trial < 10; trial++) {
      const N = 8;
      const X = vectors(rng, N, 2);
      const Y = oneHot(rng, N, 2);
      const Zraw = vectors(rng, N, 6, 40).map((z) => Float64Array.from(z, (v) => v + 80));
      const Zhat = Zraw.map((z) => normalise(z).zHat);
      const { zHat, sd } = normalise(Zraw[N - 1]);
      const xi = pullBack(ibSignal(X, Y, Zhat, p), zHat, sd);
      const loss = (zN: Float64Array) => ibLoss(X, Y, [...Zhat.slice(0, -1), normalise(zN).zHat], p);
      const fd = numericGradient(loss, Zraw[N - 1], 1e-2);
      expect(relErr(xi, fd)).toBeLessThan(1e-6);
    }
  });

  it('the two-sample pHSIC signal equals finite differences of its objective', () => {
    const rng = Rng.derive(5, 'p2');
    for (let trial = 0; trial < 20; trial++) {
      const p = { sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1 + trial / 10, gamma: 1 + trial };
      const [y1, y2] = oneHot(rng, 2, 3);
      const [z1, z2] = vectors(rng, 2, 5);
      const xi = pHsicTwoSampleSignal(y1, y2, z1, z2, p);
      const fd = numericGradient((z) => pHsicTwoSampleLoss(y1, y2, z1, z, p), z2, 1e-3);
      expect(relErr(xi, fd)).toBeLessThan(1e-6);
    }
  });
});
