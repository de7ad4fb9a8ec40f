/**
 * Measures of what a layer's responses carry about the labels, for training diagnostics.
 * HSIC(Y, Z) with a Gaussian kernel cannot tell a collapsed layer from a healthy one (a class
 * sitting as one middle cluster scores well), so the training protocol logs these instead:
 *
 * - linearProbe: accuracy of a ridge-regression linear classifier (one-hot targets, features
 *   standardised, lambda = 1e-3 * n) on held-out samples, by 5-fold cross-validation over a
 *   held-out set (folds by a fixed permutation, so a set ordered by class splits fairly; the
 *   simulation's streams are not touched). What a linear readout could get out of the layer.
 * - separability: Fisher's ratio trace(S_B) / trace(S_W) of between-class to within-class
 *   scatter of the responses: 0 when the class means coincide.
 * - effectiveRank: exp of the entropy of the normalised singular values of the centred
 *   responses (Roy & Vetterli 2007): 1 when every sample lies on one line (all units moving
 *   together, e.g. an "x1 + x2" code), up to the number of units.
 *
 * Nothing here knows a model or a rule: Z is any list of equal-length response vectors.
 */
import { Rng } from '../../core/rng.js';

/** Solves the symmetric positive definite system A x = b (n x n, row-major) by Cholesky; A is overwritten. */
function choleskySolve(A: Float64Array, n: number, B: Float64Array, m: number): void {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    d = Math.sqrt(Math.max(d, 1e-300));
    A[j * n + j] = d;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / d;
    }
  }
  // Forward then back substitution, for each of the m right-hand sides (B is n x m).
  for (let c = 0; c < m; c++) {
    for (let i = 0; i < n; i++) {
      let s = B[i * m + c];
      for (let k = 0; k < i; k++) s -= A[i * n + k] * B[k * m + c];
      B[i * m + c] = s / A[i * n + i];
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = B[i * m + c];
      for (let k = i + 1; k < n; k++) s -= A[k * n + i] * B[k * m + c];
      B[i * m + c] = s / A[i * n + i];
    }
  }
}

/** Per-feature mean and standard deviation (1 where a feature is constant). */
function standardiser(Z: readonly Float64Array[]): { mean: Float64Array; sd: Float64Array } {
  const d = Z[0].length;
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const z of Z) for (let k = 0; k < d; k++) mean[k] += z[k] / Z.length;
  for (const z of Z) for (let k = 0; k < d; k++) sd[k] += (z[k] - mean[k]) ** 2 / Z.length;
  for (let k = 0; k < d; k++) sd[k] = sd[k] > 1e-24 ? Math.sqrt(sd[k]) : 1;
  return { mean, sd };
}

/**
 * Held-out accuracy of a linear classifier of the responses, by 5-fold cross-validation:
 * ridge regression on one-hot labels fitted on four fifths of the samples and scored on the
 * fifth left out, each sample scored once (folds by a fixed permutation). Null with fewer
 * than 10 samples.
 */
export function linearProbe(Z: readonly Float64Array[], labels: ArrayLike<number>, nClasses: number, folds = 5): number | null {
  if (Z.length < 2 * folds) return null;
  const order = Int32Array.from({ length: Z.length }, (_, i) => i);
  const rng = Rng.derive(0, 'diagnostics/probe-folds');
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  let right = 0;
  for (let f = 0; f < folds; f++) {
    const lo = Math.floor((f * Z.length) / folds);
    const hi = Math.floor(((f + 1) * Z.length) / folds);
    const fitIdx = Int32Array.from([...order.subarray(0, lo), ...order.subarray(hi)]);
    right += probeFold(Z, labels, nClasses, fitIdx, order.subarray(lo, hi));
  }
  return right / Z.length;
}

/** Fits the ridge probe on fitIdx and returns how many of testIdx it classifies right. */
function probeFold(Z: readonly Float64Array[], labels: ArrayLike<number>, nClasses: number, fitIdx: Int32Array, testIdx: Int32Array): number {
  const { mean, sd } = standardiser(Array.from(fitIdx, (i) => Z[i]));
  const d = Z[0].length + 1; // + bias
  const f = new Float64Array(d);
  const feat = (z: Float64Array) => {
    for (let k = 0; k < d - 1; k++) f[k] = (z[k] - mean[k]) / sd[k];
    f[d - 1] = 1;
  };
  const A = new Float64Array(d * d);
  const B = new Float64Array(d * nClasses);
  for (const i of fitIdx) {
    feat(Z[i]);
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) A[a * d + b] += f[a] * f[b];
      B[a * nClasses + labels[i]] += f[a];
    }
  }
  const lambda = 1e-3 * fitIdx.length;
  for (let a = 0; a < d - 1; a++) A[a * d + a] += lambda;
  A[(d - 1) * d + (d - 1)] += 1e-9;
  choleskySolve(A, d, B, nClasses);
  let right = 0;
  for (const i of testIdx) {
    feat(Z[i]);
    let best = -Infinity;
    let arg = -1;
    for (let c = 0; c < nClasses; c++) {
      let s = 0;
      for (let a = 0; a < d; a++) s += f[a] * B[a * nClasses + c];
      if (s > best) {
        best = s;
        arg = c;
      }
    }
    if (arg === labels[i]) right++;
  }
  return right;
}

/** Fisher's ratio trace(S_B) / trace(S_W); Infinity when the classes are points apart, 0 when the means coincide. */
export function separability(Z: readonly Float64Array[], labels: ArrayLike<number>, nClasses: number): number {
  if (Z.length === 0) return 0;
  const d = Z[0].length;
  const mean = new Float64Array(d);
  const cm = Array.from({ length: nClasses }, () => new Float64Array(d));
  const n = new Float64Array(nClasses);
  Z.forEach((z, i) => {
    n[labels[i]]++;
    for (let k = 0; k < d; k++) {
      cm[labels[i]][k] += z[k];
      mean[k] += z[k] / Z.length;
    }
  });
  for (let c = 0; c < nClasses; c++) if (n[c]) for (let k = 0; k < d; k++) cm[c][k] /= n[c];
  let sb = 0;
  let sw = 0;
  for (let c = 0; c < nClasses; c++) for (let k = 0; k < d; k++) sb += n[c] * (cm[c][k] - mean[k]) ** 2;
  Z.forEach((z, i) => {
    for (let k = 0; k < d; k++) sw += (z[k] - cm[labels[i]][k]) ** 2;
  });
  if (sb === 0) return 0;
  return sw === 0 ? Infinity : sb / sw;
}

/** Eigenvalues of a symmetric matrix (n x n, row-major; overwritten) by cyclic Jacobi rotations. */
function symmetricEigenvalues(A: Float64Array, n: number): Float64Array {
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-22 * (1 + Array.from({ length: n }, (_, i) => A[i * n + i] ** 2).reduce((a, b) => a + b, 0))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq;
          A[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk;
          A[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => A[i * n + i]);
}

/** exp(entropy of the normalised singular values of the centred responses); 0 when they do not vary. */
export function effectiveRank(Z: readonly Float64Array[]): number {
  if (Z.length < 2) return 0;
  const d = Z[0].length;
  const mean = new Float64Array(d);
  for (const z of Z) for (let k = 0; k < d; k++) mean[k] += z[k] / Z.length;
  const C = new Float64Array(d * d);
  for (const z of Z) for (let a = 0; a < d; a++) for (let b = a; b < d; b++) C[a * d + b] += (z[a] - mean[a]) * (z[b] - mean[b]);
  for (let a = 0; a < d; a++) for (let b = 0; b < a; b++) C[a * d + b] = C[b * d + a];
  const sv = Array.from(symmetricEigenvalues(C, d), (e) => Math.sqrt(Math.max(e, 0)));
  const total = sv.reduce((a, b) => a + b, 0);
  if (!(total > 0)) return 0;
  let h = 0;
  for (const s of sv) if (s > 0) h -= (s / total) * Math.log(s / total);
  return Math.exp(h);
}

/** The figures logged per hidden layer per evaluated epoch. */
export interface LayerDiagnostics {
  /** Held-out accuracy of a linear probe of the layer's rates. */
  probe: number | null;
  separability: number;
  effective_rank: number;
  /** Mean rate over samples and neurons (Hz for spiking layers; the output for graded ones). */
  mean_rate: number;
  /** Fraction of neurons that never responded to any sample. */
  silent_fraction: number;
}

export function layerDiagnostics(Z: readonly Float64Array[], labels: ArrayLike<number>, nClasses: number): LayerDiagnostics {
  const d = Z.length ? Z[0].length : 0;
  let sum = 0;
  const active = new Uint8Array(d);
  for (const z of Z)
    for (let k = 0; k < d; k++) {
      sum += z[k];
      if (z[k] !== 0) active[k] = 1;
    }
  return {
    probe: linearProbe(Z, labels, nClasses),
    separability: separability(Z, labels, nClasses),
    effective_rank: effectiveRank(Z),
    mean_rate: Z.length && d ? sum / (Z.length * d) : 0,
    silent_fraction: d ? active.reduce((a, b) => a + 1 - b, 0) / d : 0,
  };
}
