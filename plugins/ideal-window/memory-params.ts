import { param, type ParamsOf } from '../../core/params.js';

/** Parameters every IB memory circuit shares: the target's kernel widths and gamma, and when xi arrives. */
export const ibTargetParams = [
  param.number('sigma_x', 0.5, 'kernel width for the network input x (scaled by sqrt(dim))', { gt: 0 }),
  param.number('sigma_y', 0.25, 'kernel width for the label y', { gt: 0 }),
  param.number('sigma_z', 1, 'kernel width for the layer output z', { gt: 0 }),
  param.number('gamma', 2, 'weight of HSIC(Y, Z) against HSIC(X, Z)', { min: 0 }),
  param.number('delay_ms', 0, 'time from the end of a sample to the arrival of its xi', { min: 0 }),
  param.boolean('normalize_z', false, 'normalise z across the layer (zero mean, unit variance) before the kernel, and pull xi back through it'),
  param.boolean(
    'scale_z',
    false,
    "divide z by its running standard deviation across samples before the kernel, so that sigma_z is in units of the layer's spread",
  ),
  param.number('scale_samples', 100, 'how many samples the running scale of scale_z averages over (about)', { min: 1 }),
] as const;

/** The resolved ibTargetParams. */
export type IbTargetParams = ParamsOf<typeof ibTargetParams>;
