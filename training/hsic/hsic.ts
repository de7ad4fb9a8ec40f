/**
 * HSIC and the information-bottleneck math of Daruwalla & Lipasti (2024), used by the memory
 * circuits and by training diagnostics (../shared/paper-notes.md sections 2 and 3). HSIC is a
 * general dependence measure; nothing here is tied to a particular rule or neuron model.
 *
 * A window holds the N most recent samples; the current one is the last. Vectors are
 * Float64Arrays of equal length within X, Y or Z.
 *
 *   k(a, b)   = exp(-|a - b|^2 / (2 sigma^2 d))          d = dimension of a
 *   K_A[i][j] = k(a_i, a_j),   H = I - 11^T / N
 *   HSIC(A,B) = trace(K_A H K_B H) / (N - 1)^2
 *   L         = HSIC(X, Z) - gamma HSIC(Y, Z)
 *   M         = H (K_X - gamma K_Y) H
 *   xi        = dL/dz_N = -2 / ((N-1)^2 sigma_z^2 d_z) * sum_j M[N][j] k_z(z_N, z_j) (z_N - z_j)
 *
 * (L = trace(M K_Z) / (N-1)^2; only row and column N of K_Z depend on z_N, and M is symmetric.)
 */

import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export interface IbParams {
  sigma_x: number;
  sigma_y: number;
  sigma_z: number;
  gamma: number;
}

export type Window = readonly Float64Array[];

function sqDist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/** Gaussian kernel matrix (N x N, row-major) with the width scaled by the dimension. */
export function kernelMatrix(A: Window, sigma: number): Float64Array {
  const n = A.length;
  const d = n ? A[0].length : 1;
  const scale = 1 / (2 * sigma * sigma * d);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = 1;
    for (let j = i + 1; j < n; j++) K[i * n + j] = K[j * n + i] = Math.exp(-sqDist(A[i], A[j]) * scale);
  }
  return K;
}

/** H K H for an N x N matrix K (double centring). */
export function centre(K: Float64Array, n: number): Float64Array {
  const rowMean = new Float64Array(n);
  const colMean = new Float64Array(n);
  let all = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = K[i * n + j];
      rowMean[i] += v / n;
      colMean[j] += v / n;
      all += v / (n * n);
    }
  }
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) C[i * n + j] = K[i * n + j] - rowMean[i] - colMean[j] + all;
  return C;
}

/** HSIC estimator trace(K_A H K_B H) / (N-1)^2 from two kernel matrices. */
export function hsicFromKernels(KA: Float64Array, KB: Float64Array, n: number): number {
  if (n < 2) return 0;
  const CA = centre(KA, n);
  // trace(HKaH Kb) = sum_ij (HKaH)_ij Kb_ji; H is idempotent so one centring suffices.
  let t = 0;
  for (let i = 0; i < n * n; i++) t += CA[i] * KB[i];
  return t / ((n - 1) * (n - 1));
}

export function hsic(A: Window, B: Window, sigmaA: number, sigmaB: number): number {
  return hsicFromKernels(kernelMatrix(A, sigmaA), kernelMatrix(B, sigmaB), A.length);
}

/** The per-layer bottleneck L = HSIC(X, Z) - gamma HSIC(Y, Z). */
export function ibLoss(X: Window, Y: Window, Z: Window, p: IbParams): number {
  const KZ = kernelMatrix(Z, p.sigma_z);
  const n = Z.length;
  return hsicFromKernels(kernelMatrix(X, p.sigma_x), KZ, n) - p.gamma * hsicFromKernels(kernelMatrix(Y, p.sigma_y), KZ, n);
}

/** Row N (the current sample) of M = H (K_X - gamma K_Y) H. */
function lastRowOfM(X: Window, Y: Window, p: IbParams): Float64Array {
  const n = X.length;
  const KX = kernelMatrix(X, p.sigma_x);
  const KY = kernelMatrix(Y, p.sigma_y);
  const D = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) D[i] = KX[i] - p.gamma * KY[i];
  const M = centre(D, n);
  return M.subarray((n - 1) * n, n * n);
}

/** a_j = k_z(z_N, z_j) (z_N - z_j), the kernel gradient terms for the current sample. */
function gradientTerms(Z: Window, sigmaZ: number, visit: (j: number, k: number, zN: Float64Array, zj: Float64Array) => void): void {
  const n = Z.length;
  const d = Z[0].length;
  const zN = Z[n - 1];
  const scale = 1 / (2 * sigmaZ * sigmaZ * d);
  for (let j = 0; j < n - 1; j++) visit(j, Math.exp(-sqDist(zN, Z[j]) * scale), zN, Z[j]);
}

/** The exact modulatory signal xi = dL/dz_N (one value per unit of the layer). */
export function ibSignal(X: Window, Y: Window, Z: Window, p: IbParams): Float64Array {
  const n = Z.length;
  const dz = Z[0].length;
  const xi = new Float64Array(dz);
  if (n < 2) return xi;
  const m = lastRowOfM(X, Y, p);
  gradientTerms(Z, p.sigma_z, (j, k, zN, zj) => {
    const c = m[j] * k;
    for (let u = 0; u < dz; u++) xi[u] += c * (zN[u] - zj[u]);
  });
  const f = -2 / ((n - 1) * (n - 1) * p.sigma_z * p.sigma_z * dz);
  for (let u = 0; u < dz; u++) xi[u] *= f;
  return xi;
}

/**
 * The row-centred approximation (arXiv version and poster): M replaced by K_X - gamma K_Y with
 * its last row centred, and the gradient terms a_j centred over j.
 */
export function ibSignalRowCentred(X: Window, Y: Window, Z: Window, p: IbParams): Float64Array {
  const n = Z.length;
  const dz = Z[0].length;
  const xi = new Float64Array(dz);
  if (n < 2) return xi;
  const KX = kernelMatrix(X, p.sigma_x);
  const KY = kernelMatrix(Y, p.sigma_y);
  const row = new Float64Array(n);
  let rowMean = 0;
  for (let j = 0; j < n; j++) {
    row[j] = KX[(n - 1) * n + j] - p.gamma * KY[(n - 1) * n + j];
    rowMean += row[j] / n;
  }
  // a_j for all j (a_N = 0), then centred over j.
  const a = new Float64Array(n * dz);
  gradientTerms(Z, p.sigma_z, (j, k, zN, zj) => {
    for (let u = 0; u < dz; u++) a[j * dz + u] = k * (zN[u] - zj[u]);
  });
  const aMean = new Float64Array(dz);
  for (let j = 0; j < n; j++) for (let u = 0; u < dz; u++) aMean[u] += a[j * dz + u] / n;
  for (let j = 0; j < n; j++) for (let u = 0; u < dz; u++) xi[u] += (row[j] - rowMean) * (a[j * dz + u] - aMean[u]);
  const f = -2 / ((n - 1) * (n - 1) * p.sigma_z * p.sigma_z * dz);
  for (let u = 0; u < dz; u++) xi[u] *= f;
  return xi;
}

/**
 * The two-sample pHSIC baseline (Pogodin & Latham 2020): only the previous and the current
 * sample, objective L2 = HSIC2(Z, Z) - gamma HSIC2(Y, Z). With N = 2 the estimator reduces to
 * HSIC2(A, B) = (1 - k_a(a1, a2)) (1 - k_b(b1, b2)).
 */
export function pHsicTwoSampleLoss(y1: Float64Array, y2: Float64Array, z1: Float64Array, z2: Float64Array, p: IbParams): number {
  const kz = Math.exp(-sqDist(z1, z2) / (2 * p.sigma_z * p.sigma_z * z1.length));
  const ky = Math.exp(-sqDist(y1, y2) / (2 * p.sigma_y * p.sigma_y * y1.length));
  return (1 - kz) * (1 - kz) - p.gamma * (1 - ky) * (1 - kz);
}

/** dL2/dz2 for the two-sample objective: (gamma (1 - k_y) - 2 (1 - k_z)) dk_z/dz2. */
export function pHsicTwoSampleSignal(y1: Float64Array, y2: Float64Array, z1: Float64Array, z2: Float64Array, p: IbParams): Float64Array {
  const dz = z1.length;
  const s2 = p.sigma_z * p.sigma_z * dz;
  const kz = Math.exp(-sqDist(z1, z2) / (2 * s2));
  const ky = Math.exp(-sqDist(y1, y2) / (2 * p.sigma_y * p.sigma_y * y1.length));
  const outer = p.gamma * (1 - ky) - 2 * (1 - kz);
  const xi = new Float64Array(dz);
  for (let u = 0; u < dz; u++) xi[u] = outer * kz * (-(z2[u] - z1[u]) / s2);
  return xi;
}

/** Cosine similarity of two vectors (0 when either is zero): a diagnostic for xi estimates. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

/**
 * Layer normalisation of a rate vector: zero mean and unit variance across the units
 * (z_hat = (z - mean) / sd, sd over the units with 1/d). A silent or uniform layer (sd = 0)
 * gives zeros.
 */
export function normalise(z: ArrayLike<number>): { zHat: Float64Array; sd: number } {
  const d = z.length;
  let mean = 0;
  for (let i = 0; i < d; i++) mean += z[i] / d;
  let v = 0;
  for (let i = 0; i < d; i++) v += (z[i] - mean) ** 2 / d;
  const sd = Math.sqrt(v);
  return { zHat: Float64Array.from(z, (x) => (sd > 0 ? (x - mean) / sd : 0)), sd };
}

/**
 * Pulls a gradient g = dL/dz_hat back through the normalisation: dL/dz = J^T g with
 * J = (I - 11^T/d - z_hat z_hat^T / d) / sd (J is symmetric).
 */
export function pullBack(g: ArrayLike<number>, zHat: ArrayLike<number>, sd: number): Float64Array {
  const d = g.length;
  if (sd === 0) return new Float64Array(d);
  let gMean = 0;
  let dot = 0;
  for (let i = 0; i < d; i++) {
    gMean += g[i] / d;
    dot += zHat[i] * g[i];
  }
  return Float64Array.from(g, (gi, i) => (gi - gMean - (zHat[i] * dot) / d) / sd);
}

/**
 * Layer normalisation of z for the kernel (the reference code's z_hat = (z - mean) / sd, so
 * that sigma_z is on the scale |z_hat|^2 = d): the z to remember, and how to turn the signal
 * computed for it back into one for the raw z (the normalisation's Jacobian, transposed).
 */
export function normalisedView(z: Float64Array, on: boolean): { z: Float64Array; back: (xi: Float64Array) => Float64Array } {
  if (!on) return { z: Float64Array.from(z), back: (xi) => xi };
  const norm = normalise(z);
  return { z: norm.zHat, back: (xi) => pullBack(xi, norm.zHat, norm.sd) };
}

/**
 * The layer's z as the kernel sees it, for a memory circuit that sees samples one at a time:
 * - `normalize_z`: layer normalisation of each sample (normalisedView);
 * - `scale_z`: z divided by its running standard deviation s across samples (the mean over
 *   units of each unit's variance, exponential averages over about `scale_samples` samples),
 *   so that sigma_z is in units of the layer's own spread, as in the reference code whose
 *   layers are normalised (paper-notes 5b: sigma_z only means something relative to the scale
 *   of z). Unlike per-sample layer normalisation it keeps a code in which all units move
 *   together. xi is divided by s on the way back (s is held fixed for the gradient).
 */
export class KernelView implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'kernel-view/1';

  /** Running mean of each unit and running pooled variance (scale_z). */
  readonly mean: Float64Array;
  variance = 0;
  seen = 0;

  constructor(
    size: number,
    private readonly p: { normalize_z: boolean; scale_z: boolean; scale_samples: number },
  ) {
    this.mean = new Float64Array(p.scale_z ? size : 0);
  }

  /** Call once per sample, in presentation order. */
  view(z: Float64Array): { z: Float64Array; back: (xi: Float64Array) => Float64Array } {
    const inner = normalisedView(z, this.p.normalize_z);
    if (!this.p.scale_z) return inner;
    const zz = inner.z;
    this.seen++;
    const a = Math.max(1 / this.seen, 1 / this.p.scale_samples);
    let v = 0;
    for (let u = 0; u < zz.length; u++) {
      this.mean[u] += a * (zz[u] - this.mean[u]);
      v += (zz[u] - this.mean[u]) ** 2 / zz.length;
    }
    this.variance += a * (v - this.variance);
    const s = this.variance > 0 ? Math.sqrt(this.variance) : 1;
    return { z: Float64Array.from(zz, (x) => x / s), back: (xi) => inner.back(Float64Array.from(xi, (g) => g / s)) };
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, KernelView.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, KernelView.stateFields, 'KernelView');
  }

  private static readonly stateFields = ['mean', 'variance', 'seen'];
}
