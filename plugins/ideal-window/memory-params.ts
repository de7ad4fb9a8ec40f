import { normalise, pullBack } from '../../core/hsic/hsic.js';
import { param } from '../../core/params.js';

/** Parameters every IB memory circuit shares: the target's kernel widths and gamma, and when xi arrives. */
export const ibTargetParams = [
  param.number('sigma_x', 0.5, 'kernel width for the network input x (scaled by sqrt(dim))', { gt: 0 }),
  param.number('sigma_y', 0.25, 'kernel width for the label y', { gt: 0 }),
  param.number('sigma_z', 1, 'kernel width for the layer output z', { gt: 0 }),
  param.number('gamma', 2, 'weight of HSIC(Y, Z) against HSIC(X, Z)', { min: 0 }),
  param.number('delay_ms', 0, 'time from the end of a sample to the arrival of its xi', { min: 0 }),
  param.boolean('normalize_z', false, 'normalise z across the layer (zero mean, unit variance) before the kernel, and pull xi back through it'),
];

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
