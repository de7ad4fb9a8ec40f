/**
 * The reservoir working memory of paper-notes section 5: a rate network of tanh units whose
 * linear readout is trained, a priori and on random data, to output the IB signal xi of the
 * last N samples it has seen.
 *
 *   r   = tanh(u) + noise_h                       noise_h ~ U(-noise_h, noise_h)
 *   out = W_o [r; in; 1] + noise_o                noise_o ~ U(-noise_o, noise_o) (training only)
 *   u  <- u + (dt / tau) (-u + lambda W_r r + W_in in + W_fb out)
 *
 * in = [x; y; z] of the sample being presented, held for `steps_per_sample` steps of dt; the
 * output at the last step is the circuit's estimate for that sample. The state is never reset
 * between samples: whatever the circuit knows of earlier samples is in u.
 *
 * With `readout: bilinear` the readout also sees every product in_a * r_b of the held input and
 * the rates: the signal multiplies properties of the current sample (its z, its label) with
 * what the circuit holds of earlier ones, which a linear readout of r cannot form.
 *
 * Scales. The kernels see x, y, z only through |a - b| / (sigma sqrt(d)), so the input is
 * presented in those units: in = [x / (sigma_x sqrt(dx)); y / (sigma_y sqrt(dy));
 * (z - z_mean) / (sigma_z sqrt(dz))] (z_mean: the mean of the random z it was trained on; a
 * layer's rates in Hz would otherwise saturate the units). The readout learns the
 * dimensionless xi~ = xi (N - 1)^2 sigma_z sqrt(dz) / 2 = -sum_j M[N][j] k_z (z~_N - z~_j), and
 * the circuit emits xi = xi~ * 2 / ((N - 1)^2 sigma_z sqrt(dz)), in the units of the exact
 * signal.
 *
 * Structure. `random` (the paper's): W_r is sparse (CSR, `connectivity` of the entries,
 * N(0, 1 / (connectivity * size))), every unit gets the input and the readout reads every unit;
 * a step costs O(nnz + size * (inputs + outputs)).
 * `delay-line` (a memory with structure, paper-notes section 5): the units form a chain of
 * banks of b units, B = steps_per_sample * (window - 1) banks, b = floor(size / B). Only the
 * first bank gets the input; bank k feeds bank k + 1 through a random signed permutation
 * (times lambda), so with tau = dt a bank holds what the bank before it held one step earlier
 * and bank k holds the input of k steps ago. The readout reads the banks that hold the last
 * step of each of the previous window - 1 samples (taps at k = steps_per_sample * j) and the
 * current input; a step costs O(size + b * inputs). When size < B the chain stops at the last
 * bank it can fill and older samples are simply not held: this is the circuit's capacity.
 *
 * Readout: `linear` and `bilinear` as above; `mlp` a two-hidden-layer network over the same
 * features (mlp.ts).
 */
import { Rng } from '../../core/rng.js';
import { MlpReadout } from './mlp.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';

export interface ReservoirParams {
  size: number;
  tau_ms: number;
  dt_ms: number;
  lambda: number;
  connectivity: number;
  input_scale: number;
  feedback_scale: number;
  noise_h: number;
  noise_o: number;
  steps_per_sample: number;
  window: number;
  sigma_x: number;
  sigma_y: number;
  sigma_z: number;
  gamma: number;
  /** Random training stream: x ~ N(x_mean, x_sd^2), z ~ N(z_mean, z_sd^2) per component, y a uniform one-hot. */
  x_mean: number;
  x_sd: number;
  z_mean: number;
  z_sd: number;
  /** linear: features [r; in; 1]; bilinear: also every product in_a * r_b (a multiplicative readout); mlp: a two-hidden-layer network over [r; in; 1]. */
  readout: 'linear' | 'bilinear' | 'mlp';
  /** random: sparse random W_r; delay-line: a chain of banks that holds the last samples (file comment). Absent in files from before it existed: random. */
  structure?: 'random' | 'delay-line';
  /** Hidden units per layer of the mlp readout. */
  hidden?: number;
}

/** Where a delay line's banks are: bank size, number of banks, and the units the readout reads. */
export function delayLineLayout(p: ReservoirParams): { bank: number; banks: number; taps: number[] } {
  const needed = p.steps_per_sample * (p.window - 1);
  const bank = Math.max(1, Math.floor(p.size / needed));
  const banks = Math.min(needed, Math.floor(p.size / bank));
  const taps: number[] = [];
  for (let j = 1; j < p.window; j++) {
    const k = p.steps_per_sample * j; // 1-based bank holding sample t - j
    if (k > banks) break;
    for (let i = 0; i < bank; i++) taps.push((k - 1) * bank + i);
  }
  return { bank, banks, taps };
}

export interface Dims {
  x: number;
  y: number;
  z: number;
}

/** What must match between a trained circuit and the layer that loads it. */
export const CONTRACT_KEYS = ['window', 'sigma_x', 'sigma_y', 'sigma_z', 'gamma'] as const;

export class ReservoirNet implements ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'reservoir-net/1';

  readonly n: number;
  readonly nIn: number;
  readonly nOut: number;
  /** Recurrent weights (CSR by row = post unit), already multiplied by lambda. */
  readonly rowStart: Int32Array;
  readonly col: Int32Array;
  readonly val: Float64Array;
  /** Dense input and feedback weights, row-major (unit i: nIn / nOut entries). */
  readonly wIn: Float64Array;
  readonly wFb: Float64Array;
  /** Readout, row-major over the features (output k: nFeat entries); for `mlp`, its parameter block (mlp.ts). */
  readonly wOut: Float64Array;
  /** Readout features: the rates of the units it reads, then the held input and a constant 1 (as in echo state networks). */
  readonly feat: Float64Array;
  readonly nFeat: number;
  /** The units the readout reads (all of them for `random`, the taps of a delay line). */
  readonly readIdx: Int32Array;
  /** Units 0..inRows-1 get the input (all for `random`, the first bank of a delay line). */
  readonly inRows: number;
  readonly mlp: MlpReadout | undefined;
  readonly u: Float64Array;
  readonly r: Float64Array;
  readonly out: Float64Array;
  readonly input: Float64Array;
  private readonly drive: Float64Array;
  /** Noise while training (exploration); off when frozen. */
  explore = false;

  constructor(
    readonly p: ReservoirParams,
    readonly dims: Dims,
    /** Stream for construction and for the state noise. */
    public rng: Rng,
    weights?: { rowStart: Int32Array; col: Int32Array; val: Float64Array; wIn: Float64Array; wFb: Float64Array; wOut: Float64Array },
  ) {
    const n = (this.n = p.size);
    this.nIn = dims.x + dims.y + dims.z;
    this.nOut = dims.z;
    const line = p.structure === 'delay-line' ? delayLineLayout(p) : undefined;
    this.readIdx = line ? Int32Array.from(line.taps) : Int32Array.from({ length: n }, (_, i) => i);
    this.inRows = line ? line.bank : n;
    const nRead = this.readIdx.length;
    this.nFeat = nRead + this.nIn + 1 + (p.readout === 'bilinear' ? this.nIn * nRead : 0);
    this.mlp = p.readout === 'mlp' ? new MlpReadout(this.nFeat, p.hidden ?? 128, this.nOut) : undefined;
    if (weights) {
      ({ rowStart: this.rowStart, col: this.col, val: this.val, wIn: this.wIn, wFb: this.wFb, wOut: this.wOut } = weights);
    } else if (line) {
      // A chain of banks: bank k + 1 copies bank k through a signed permutation (orthogonal,
      // so nothing is lost but what tanh and the noise take).
      const { bank, banks } = line;
      this.rowStart = new Int32Array(n + 1);
      const col: number[] = [];
      const val: number[] = [];
      for (let i = 0; i < n; i++) {
        const k = Math.floor(i / bank);
        if (k >= 1 && k < banks && i % bank === 0) {
          const perm = Array.from({ length: bank }, (_, q) => q);
          for (let q = bank - 1; q > 0; q--) {
            const r = rng.int(q + 1);
            [perm[q], perm[r]] = [perm[r], perm[q]];
          }
          for (let q = 0; q < bank; q++) {
            col.push((k - 1) * bank + perm[q]);
            val.push(p.lambda * (rng.random() < 0.5 ? -1 : 1));
            this.rowStart[i + q + 1] = col.length;
          }
          i += bank - 1;
          continue;
        }
        this.rowStart[i + 1] = col.length;
      }
      this.col = Int32Array.from(col);
      this.val = Float64Array.from(val);
      this.wIn = Float64Array.from({ length: n * this.nIn }, (_, q) => (q < bank * this.nIn ? p.input_scale * rng.uniform(-1, 1) : 0));
      this.wFb = Float64Array.from({ length: n * this.nOut }, () => p.feedback_scale * rng.uniform(-1, 1));
      this.wOut = this.newReadout(rng);
    } else {
      // Sparse recurrent weights: each entry present with probability `connectivity`
      // (geometric skipping), N(0, 1 / (p n)) scaled by lambda.
      const rows: number[][] = Array.from({ length: n }, () => []);
      const vals: number[][] = Array.from({ length: n }, () => []);
      const sd = Math.sqrt(1 / (p.connectivity * n)) * p.lambda;
      const total = n * n;
      const logq = Math.log(1 - p.connectivity);
      let k = p.connectivity >= 1 ? 0 : Math.floor(Math.log(1 - rng.random()) / logq);
      while (k < total) {
        rows[Math.floor(k / n)].push(k % n);
        vals[Math.floor(k / n)].push(sd * rng.normal());
        k += p.connectivity >= 1 ? 1 : 1 + Math.floor(Math.log(1 - rng.random()) / logq);
      }
      this.rowStart = new Int32Array(n + 1);
      for (let i = 0; i < n; i++) this.rowStart[i + 1] = this.rowStart[i] + rows[i].length;
      this.col = Int32Array.from(rows.flat());
      this.val = Float64Array.from(vals.flat());
      this.wIn = Float64Array.from({ length: n * this.nIn }, () => p.input_scale * rng.uniform(-1, 1));
      this.wFb = Float64Array.from({ length: n * this.nOut }, () => p.feedback_scale * rng.uniform(-1, 1));
      this.wOut = this.newReadout(rng);
    }
    this.u = new Float64Array(n);
    this.r = new Float64Array(n);
    this.feat = new Float64Array(this.nFeat);
    this.out = new Float64Array(this.nOut);
    this.input = new Float64Array(this.nIn);
    this.drive = new Float64Array(n);
  }

  private newReadout(rng: Rng): Float64Array {
    if (!this.mlp) return new Float64Array(this.nOut * this.nFeat);
    const w = new Float64Array(this.mlp.size);
    this.mlp.init(w, () => rng.normal());
    return w;
  }

  get nnz(): number {
    return this.col.length;
  }

  /** Sets the held input from a sample, in kernel units (see the file comment). */
  setInput(x: ArrayLike<number>, y: ArrayLike<number>, z: ArrayLike<number>): void {
    const { p, dims, input } = this;
    const sx = 1 / (p.sigma_x * Math.sqrt(dims.x));
    const sy = 1 / (p.sigma_y * Math.sqrt(dims.y));
    const sz = 1 / (p.sigma_z * Math.sqrt(dims.z));
    for (let i = 0; i < dims.x; i++) input[i] = x[i] * sx;
    for (let i = 0; i < dims.y; i++) input[dims.x + i] = y[i] * sy;
    for (let i = 0; i < dims.z; i++) input[dims.x + dims.y + i] = (z[i] - p.z_mean) * sz;
  }

  /**
   * One Euler step of dt; afterwards `out` holds the readout of this step's rates. With
   * `readout` false the readout is skipped (`out` keeps its last value) when nothing in the
   * step needs it: no feedback and no exploration noise. Callers skip it on the steps whose
   * output nobody reads.
   */
  step(readout = true): void {
    const { n, nIn, nOut, p, u, r, out, input, wIn, wFb, rowStart, col, val, drive, inRows } = this;
    const rng = this.rng;
    const nh = p.noise_h;
    for (let i = 0; i < n; i++) r[i] = Math.tanh(u[i]) + (nh > 0 ? nh * (2 * rng.random() - 1) : 0);
    const feedback = p.feedback_scale > 0;
    if (readout || feedback || this.explore) this.readout();
    const a = p.dt_ms / p.tau_ms;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let k = rowStart[i]; k < rowStart[i + 1]; k++) s += val[k] * r[col[k]];
      if (i < inRows) {
        const bi = i * nIn;
        for (let j = 0; j < nIn; j++) s += wIn[bi + j] * input[j];
      }
      if (feedback) {
        const bi = i * nOut;
        for (let j = 0; j < nOut; j++) s += wFb[bi + j] * out[j];
      }
      drive[i] = s;
    }
    for (let i = 0; i < n; i++) u[i] += a * (drive[i] - u[i]);
  }

  /** Fills the features from the current rates and input, and `out` from them. */
  private readout(): void {
    const { nIn, nOut, nFeat, p, r, feat, out, input, wOut, readIdx } = this;
    const rng = this.rng;
    const nRead = readIdx.length;
    for (let i = 0; i < nRead; i++) feat[i] = r[readIdx[i]];
    for (let j = 0; j < nIn; j++) feat[nRead + j] = input[j];
    feat[nRead + nIn] = 1;
    if (p.readout === 'bilinear') {
      let f = nRead + nIn + 1;
      for (let a = 0; a < nIn; a++) {
        const ia = input[a];
        for (let i = 0; i < nRead; i++) feat[f++] = ia * feat[i];
      }
    }
    if (this.mlp) this.mlp.forward(wOut, feat, out);
    else {
      for (let k = 0; k < nOut; k++) {
        let s = 0;
        const base = k * nFeat;
        for (let i = 0; i < nFeat; i++) s += wOut[base + i] * feat[i];
        out[k] = s + (this.explore && p.noise_o > 0 ? p.noise_o * (2 * rng.random() - 1) : 0);
      }
    }
  }

  /** Factor from the learned dimensionless xi~ to xi in the units of the exact signal. */
  get outputScale(): number {
    const { p, dims } = this;
    return 2 / ((p.window - 1) ** 2 * p.sigma_z * Math.sqrt(dims.z));
  }

  /** What a run changes, as data (ExplicitState). */
  saveState(): unknown {
    return saveFields(this, ReservoirNet.stateFields);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, ReservoirNet.stateFields, 'ReservoirNet');
  }

  private static readonly stateFields = ['u', 'r', 'feat', 'out', 'input', 'drive', 'explore', 'rng', 'wOut', 'mlp'];
}

// ---------------------------------------------------------------------------------------
// Files: everything needed to rebuild the circuit bit for bit.

const b64 = (a: Float64Array | Int32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const f64 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
const i32 = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

export interface ReservoirFile {
  format: 'engram-reservoir';
  version: 1;
  params: ReservoirParams;
  dims: Dims;
  seed: number;
  trainer: Record<string, unknown>;
  /** Training progress: samples done of the planned total (a file with done < total can be resumed). */
  progress: { done: number; total: number };
  /** Held-out figures measured at the end of training (when done = total). */
  evaluation?: Record<string, number>;
  weights: { rowStart: string; col: string; val: string; wIn: string; wFb: string; wOut: string };
  /** Exact state to resume training from. */
  state: { u: string; rng: (number | null)[]; stream: StreamState; trainer: number[] };
}

/** A training stream's state: its generator and the window it holds. */
export interface StreamState {
  rng: (number | null)[];
  X: number[][];
  Y: number[][];
  Z: number[][];
}

export function toFile(
  net: ReservoirNet,
  seed: number,
  trainer: Record<string, unknown>,
  progress: { done: number; total: number },
  stream: { state(): StreamState },
  trainerState: number[],
  evaluation?: Record<string, number>,
): ReservoirFile {
  return {
    format: 'engram-reservoir',
    version: 1,
    params: net.p,
    dims: net.dims,
    seed,
    trainer,
    progress,
    ...(evaluation ? { evaluation } : {}),
    weights: { rowStart: b64(net.rowStart), col: b64(net.col), val: b64(net.val), wIn: b64(net.wIn), wFb: b64(net.wFb), wOut: b64(net.wOut) },
    state: { u: b64(net.u), rng: net.rng.getState(), stream: stream.state(), trainer: trainerState },
  };
}

/** The network saved in a file (train.ts's fromFile adds its random stream). */
export function netFromFile(f: ReservoirFile): ReservoirNet {
  const w = f.weights;
  const net = new ReservoirNet(f.params, f.dims, Rng.fromState(f.state.rng.map((x) => x ?? NaN)), {
    rowStart: i32(w.rowStart),
    col: i32(w.col),
    val: f64(w.val),
    wIn: f64(w.wIn),
    wFb: f64(w.wFb),
    wOut: f64(w.wOut),
  });
  net.u.set(f64(f.state.u));
  return net;
}
