import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

/**
 * A two-hidden-layer readout for the reservoir (`readout: mlp`).
 *
 * The IB signal multiplies and compares samples through Gaussian kernels
 * (xi~ = -sum_j M[N][j] k_z(z_N, z_j) (z~_N - z~_j), with M built from every pair in the
 * window), which no linear readout of a circuit's state can form; paper-notes section 5 names
 * a richer readout as a fair design. This one is
 *
 *   f^ = (f - mean) / sd                       per feature, fixed after the first samples
 *   h1 = tanh(W1 f^ + b1),  h2 = tanh(W2 h1 + b2)
 *   out = scale (W3 h2 + b3)                    scale: the RMS of the training targets
 *
 * trained a priori on the same random streams as the linear readouts, by back-propagation
 * inside the readout only (the circuit's weights never change).
 *
 * All parameters live in one Float64Array (the circuit's `wOut`, saved with the file):
 *   [mean (F), sd (F), scale (1), W1 (H x F), b1 (H), W2 (H x H), b2 (H), W3 (O x H), b3 (O)]
 * where F = features, H = hidden units, O = outputs.
 */
export class MlpReadout implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'mlp-readout/1';

  readonly size: number;
  /** Offsets of each block in the parameter array. */
  readonly o: { mean: number; sd: number; scale: number; w1: number; b1: number; w2: number; b2: number; w3: number; b3: number };
  /** Activations of the last forward pass (for backward). */
  readonly fh: Float64Array;
  readonly h1: Float64Array;
  readonly h2: Float64Array;
  private readonly d1: Float64Array;
  private readonly d2: Float64Array;

  constructor(
    readonly nFeat: number,
    readonly hidden: number,
    readonly nOut: number,
  ) {
    const F = nFeat;
    const H = hidden;
    const O = nOut;
    let k = 0;
    const take = (len: number) => {
      const at = k;
      k += len;
      return at;
    };
    this.o = { mean: take(F), sd: take(F), scale: take(1), w1: take(H * F), b1: take(H), w2: take(H * H), b2: take(H), w3: take(O * H), b3: take(O) };
    this.size = k;
    this.fh = new Float64Array(F);
    this.h1 = new Float64Array(H);
    this.h2 = new Float64Array(H);
    this.d1 = new Float64Array(H);
    this.d2 = new Float64Array(H);
  }

  /** Fresh parameters: identity normalisation, W1 and W2 ~ N(0, 1/fan_in), W3 = 0 (the output starts at zero, as a linear readout does). */
  init(w: Float64Array, normal: () => number): void {
    const { o, nFeat: F, hidden: H } = this;
    w.fill(0);
    w.fill(1, o.sd, o.sd + F);
    w[o.scale] = 1;
    for (let i = 0; i < H * F; i++) w[o.w1 + i] = normal() / Math.sqrt(F);
    for (let i = 0; i < H * H; i++) w[o.w2 + i] = normal() / Math.sqrt(H);
  }

  forward(w: Float64Array, f: Float64Array, out: Float64Array): void {
    const { o, nFeat: F, hidden: H, nOut: O, fh, h1, h2 } = this;
    for (let i = 0; i < F; i++) fh[i] = (f[i] - w[o.mean + i]) / w[o.sd + i];
    for (let h = 0; h < H; h++) {
      let s = w[o.b1 + h];
      const row = o.w1 + h * F;
      for (let i = 0; i < F; i++) s += w[row + i] * fh[i];
      h1[h] = Math.tanh(s);
    }
    for (let h = 0; h < H; h++) {
      let s = w[o.b2 + h];
      const row = o.w2 + h * H;
      for (let i = 0; i < H; i++) s += w[row + i] * h1[i];
      h2[h] = Math.tanh(s);
    }
    const scale = w[o.scale];
    for (let k = 0; k < O; k++) {
      let s = w[o.b3 + k];
      const row = o.w3 + k * H;
      for (let i = 0; i < H; i++) s += w[row + i] * h2[i];
      out[k] = scale * s;
    }
  }

  /**
   * Adds to `g` (laid out as the parameters) the gradient of |out - target|^2 / (2 scale^2)
   * for the last forward pass; the normalisation and scale blocks get none.
   */
  backward(w: Float64Array, out: Float64Array, target: Float64Array, g: Float64Array): void {
    const { o, nFeat: F, hidden: H, nOut: O, fh, h1, h2, d1, d2 } = this;
    const scale = w[o.scale];
    d2.fill(0);
    for (let k = 0; k < O; k++) {
      const e = (out[k] - target[k]) / scale;
      g[o.b3 + k] += e;
      const row = o.w3 + k * H;
      for (let i = 0; i < H; i++) {
        g[row + i] += e * h2[i];
        d2[i] += e * w[row + i];
      }
    }
    d1.fill(0);
    for (let h = 0; h < H; h++) {
      const d = d2[h] * (1 - h2[h] * h2[h]);
      if (d === 0) continue;
      g[o.b2 + h] += d;
      const row = o.w2 + h * H;
      for (let i = 0; i < H; i++) {
        g[row + i] += d * h1[i];
        d1[i] += d * w[row + i];
      }
    }
    for (let h = 0; h < H; h++) {
      const d = d1[h] * (1 - h1[h] * h1[h]);
      if (d === 0) continue;
      g[o.b1 + h] += d;
      const row = o.w1 + h * F;
      for (let i = 0; i < F; i++) g[row + i] += d * fh[i];
    }
  }

  /** The first parameter that learns (everything before it is the fixed normalisation). */
  get firstLearned(): number {
    return this.o.w1;
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, MlpReadout.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, MlpReadout.stateFields, 'MlpReadout');
  }

  private static readonly stateFields = ['fh', 'h1', 'h2', 'd1', 'd2'];
}
