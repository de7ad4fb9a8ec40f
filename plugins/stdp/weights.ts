/**
 * Weight dependence of pair-based STDP, after Gutig et al. (2003) and NEST's stdp_synapse:
 *
 *   potentiation  w += A_plus  * ((w_max - w) / (w_max - w_min))^mu_plus  * K
 *   depression    w -= A_minus * ((w - w_min) / (w_max - w_min))^mu_minus * K
 *
 * then w is clipped to [w_min, w_max]. mu = 0 is the additive rule (hard bounds), mu = 1 the
 * multiplicative rule (soft bounds), values in between Gutig's. A_plus, A_minus are in weight
 * units.
 */
export interface WeightRule {
  A_plus: number;
  A_minus: number;
  mu_plus: number;
  mu_minus: number;
  w_min: number;
  w_max: number;
}

export function potentiate(r: WeightRule, w: number, k: number): number {
  if (k === 0) return w;
  const x = (r.w_max - w) / (r.w_max - r.w_min);
  const scale = r.mu_plus === 0 ? 1 : Math.pow(x > 0 ? x : 0, r.mu_plus);
  const v = w + r.A_plus * scale * k;
  return v > r.w_max ? r.w_max : v < r.w_min ? r.w_min : v;
}

export function depress(r: WeightRule, w: number, k: number): number {
  if (k === 0) return w;
  const x = (w - r.w_min) / (r.w_max - r.w_min);
  const scale = r.mu_minus === 0 ? 1 : Math.pow(x > 0 ? x : 0, r.mu_minus);
  const v = w - r.A_minus * scale * k;
  return v > r.w_max ? r.w_max : v < r.w_min ? r.w_min : v;
}
