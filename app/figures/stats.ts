/**
 * The statistics the figures print: means and 95% confidence intervals of the mean over seeds
 * (Student's t, two-sided), and quantiles. Small and exact, so that unit tests can check a
 * figure's interval on a known sample.
 */

/** t_{0.975, df} for df = 1..30 (two-sided 95%). */
const T975 = [
  12.706204736, 4.30265273, 3.182446305, 2.776445105, 2.570581836, 2.446911851, 2.364624252, 2.306004135, 2.262157163, 2.228138852, 2.20098516, 2.17881283,
  2.160368656, 2.144786688, 2.131449546, 2.119905299, 2.109815578, 2.10092204, 2.093024054, 2.085963447, 2.079613845, 2.073873068, 2.06865761, 2.063898562,
  2.059538553, 2.055529439, 2.051830516, 2.048407142, 2.045229642, 2.042272456,
];

/** The 0.975 quantile of Student's t with df degrees of freedom (a table to 30, Cornish-Fisher beyond: error < 1e-4). */
export function t975(df: number): number {
  if (!(df >= 1)) return Number.NaN;
  if (df <= 30) return T975[Math.floor(df) - 1];
  const z = 1.959963985;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

export function mean(v: readonly number[]): number {
  return v.length ? v.reduce((s, x) => s + x, 0) / v.length : Number.NaN;
}

/** Mean and 95% t interval of the mean (undefined bounds below 2 values). */
export function meanInterval(values: readonly number[]): { n: number; mean: number; low?: number; high?: number } {
  const v = values.filter(Number.isFinite);
  const n = v.length;
  const m = mean(v);
  if (n < 2) return { n, mean: m };
  const sd = Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (n - 1));
  const h = (t975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean: m, low: m - h, high: m + h };
}

/** The q-quantile of sorted values (linear interpolation, as numpy's default). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
