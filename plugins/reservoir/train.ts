/**
 * Training a reservoir's readout a priori, on streams of random samples that have nothing to
 * do with any task (paper-notes section 5), and measuring it on a held-out stream.
 *
 * Trainers (the readout is updated at each of the last `train_steps` steps of every sample,
 * against the exact xi~ of the window that ends with the sample):
 * - `lms`: least mean squares, W_o <- W_o - eta(t) (out - target) r^T.
 * - `rmh`: reward-modulated Hebbian (Hoerzer, Legenstein & Maass 2014), exploring with the
 *   output noise: P = -|out - target|^2, M = 1[P > LPF(P)],
 *   W_o <- W_o + eta(t) M (out - LPF(out)) r^T.
 * eta(t) = eta0 / (1 + t / t_decay), t the training time in ms.
 * - `ridge`: the best linear readout, for reference: the features at the last step of every
 *   sample are collected and W_o solves (F^T F + ridge * I) W_o^T = F^T T in closed form
 *   at the end (solveRidge).
 * The `mlp` readout (mlp.ts) is trained by back-propagation inside the readout (MlpTrainer):
 * its first `norm_samples` samples only fix the feature normalisation and the output scale,
 * then `lms` takes plain gradient steps (eta(t) as above) and `adam` Adam steps with a
 * learning rate that falls from eta to 0 on a half cosine over the training, both on
 * mini-batches of `batch` updates.
 */
import { cosine, ibSignal } from '../../training/hsic/hsic.js';
import { randomMemorySample } from '../../training/memory-experiment.js';
import { Rng } from '../../core/rng.js';
import { netFromFile, type Dims, type ReservoirFile, type ReservoirNet, type ReservoirParams, type StreamState } from './reservoir-net.js';

/** A stream of random samples and the exact xi~ of the window ending at each. */
export class RandomStream {
  private readonly X: Float64Array[] = [];
  private readonly Y: Float64Array[] = [];
  private readonly Z: Float64Array[] = [];

  constructor(
    private readonly dims: Dims,
    private readonly p: ReservoirParams,
    readonly rng: Rng,
  ) {}

  state(): StreamState {
    return { rng: this.rng.getState(), X: this.X.map((a) => Array.from(a)), Y: this.Y.map((a) => Array.from(a)), Z: this.Z.map((a) => Array.from(a)) };
  }

  static fromState(dims: Dims, p: ReservoirParams, s: StreamState): RandomStream {
    const stream = new RandomStream(dims, p, Rng.fromState(s.rng.map((x) => x ?? NaN)));
    stream.X.push(...s.X.map((a) => Float64Array.from(a)));
    stream.Y.push(...s.Y.map((a) => Float64Array.from(a)));
    stream.Z.push(...s.Z.map((a) => Float64Array.from(a)));
    return stream;
  }

  next(): { x: Float64Array; y: Float64Array; z: Float64Array; target: Float64Array } {
    const { x, y, z } = randomMemorySample(this.rng, this.dims, this.p);
    return { x, y, z, target: this.push(x, y, z) };
  }

  /** Adds a sample to the window; returns the dimensionless target xi~ for it. */
  push(x: Float64Array, y: Float64Array, z: Float64Array): Float64Array {
    this.X.push(x);
    this.Y.push(y);
    this.Z.push(z);
    if (this.X.length > this.p.window) {
      this.X.shift();
      this.Y.shift();
      this.Z.shift();
    }
    return scaledSignal(this.X, this.Y, this.Z, this.p, this.dims);
  }
}

/** A saved reservoir: its network and the random stream its training had reached. */
export function fromFile(f: ReservoirFile): { net: ReservoirNet; stream: RandomStream } {
  return { net: netFromFile(f), stream: RandomStream.fromState(f.dims, f.params, f.state.stream) };
}

/** xi~ = xi (N - 1)^2 sigma_z sqrt(dz) / 2 for the window (N = the planned window, as the circuit emits). */
export function scaledSignal(X: Float64Array[], Y: Float64Array[], Z: Float64Array[], p: ReservoirParams, dims: Dims): Float64Array {
  if (X.length < 2) return new Float64Array(dims.z);
  const xi = ibSignal(X, Y, Z, p);
  // The circuit's fixed factor (the planned window N): early windows (fewer samples) keep
  // their exact xi, which is larger by (N - 1)^2 / (n - 1)^2.
  const f = ((p.window - 1) ** 2 * p.sigma_z * Math.sqrt(dims.z)) / 2;
  for (let i = 0; i < xi.length; i++) xi[i] *= f;
  return xi;
}

export interface TrainerOptions {
  kind: 'lms' | 'rmh' | 'ridge' | 'adam';
  eta: number;
  t_decay_ms: number;
  tau_avg_ms: number;
  train_steps: number;
  /** mlp readout only. */
  batch?: number;
  norm_samples?: number;
  train_samples?: number;
}

/** Updates a readout at one step against the target of the sample; `state` is everything needed to resume. */
export interface Trainer {
  readonly state: number[];
  update(net: ReservoirNet, target: Float64Array): void;
}

export function makeTrainer(o: TrainerOptions, net: ReservoirNet, state?: number[]): Trainer {
  return net.mlp ? new MlpTrainer(o, net, state) : new ReadoutTrainer(o, net.nOut, state);
}

export class ReadoutTrainer implements Trainer {
  /** [t_ms, Pbar, outbar...]: everything needed to resume. */
  state: number[];

  constructor(
    private readonly o: TrainerOptions,
    nOut: number,
    state?: number[],
  ) {
    this.state = state ? state.slice() : [0, 0, ...new Array(nOut).fill(0)];
  }

  update(net: ReservoirNet, target: Float64Array): void {
    const o = this.o;
    const st = this.state;
    const t = st[0];
    const eta = o.eta / (1 + t / o.t_decay_ms);
    const { nFeat: n, nOut, out, feat: r, wOut } = net;
    if (o.kind === 'lms') {
      for (let k = 0; k < nOut; k++) {
        const e = eta * (out[k] - target[k]);
        if (e === 0) continue;
        const base = k * n;
        for (let i = 0; i < n; i++) wOut[base + i] -= e * r[i];
      }
    } else {
      let P = 0;
      for (let k = 0; k < nOut; k++) P -= (out[k] - target[k]) ** 2;
      const a = net.p.dt_ms / o.tau_avg_ms;
      const better = t > 0 && P > st[1];
      st[1] = t > 0 ? (1 - a) * st[1] + a * P : P;
      for (let k = 0; k < nOut; k++) {
        const outbar = st[2 + k];
        if (better) {
          const e = eta * (out[k] - outbar);
          const base = k * n;
          for (let i = 0; i < n; i++) wOut[base + i] += e * r[i];
        }
        st[2 + k] = t > 0 ? (1 - a) * outbar + a * out[k] : out[k];
      }
    }
    st[0] = t + net.p.dt_ms;
  }
}

/**
 * Back-propagation for the mlp readout. State layout (Float64Array, saved as numbers):
 * [t_ms, adam step, updates in the current batch, normalisation updates seen, target sum of
 * squares, feature sums (F), feature sums of squares (F), gradient (P), Adam m (P), Adam v (P)]
 * with P the readout's parameter count.
 */
export class MlpTrainer implements Trainer {
  private readonly st: Float64Array;
  private readonly F: number;
  private readonly P: number;
  private readonly at: { fsum: number; fsq: number; g: number; m: number; v: number };

  constructor(
    private readonly o: TrainerOptions,
    net: ReservoirNet,
    state?: number[],
  ) {
    const mlp = net.mlp!;
    this.F = mlp.nFeat;
    this.P = mlp.size;
    const F = this.F;
    const P = this.P;
    this.at = { fsum: 5, fsq: 5 + F, g: 5 + 2 * F, m: 5 + 2 * F + P, v: 5 + 2 * F + 2 * P };
    this.st = state ? Float64Array.from(state) : new Float64Array(5 + 2 * F + 3 * P);
  }

  get state(): number[] {
    return Array.from(this.st);
  }

  update(net: ReservoirNet, target: Float64Array): void {
    const { st, F, P, at, o } = this;
    const mlp = net.mlp!;
    const w = net.wOut;
    const normUpdates = (o.norm_samples ?? 0) * o.train_steps;
    st[0] += net.p.dt_ms;
    if (st[3] < normUpdates) {
      // Normalisation phase: statistics of the features and targets, no learning.
      for (let i = 0; i < F; i++) {
        st[at.fsum + i] += net.feat[i];
        st[at.fsq + i] += net.feat[i] ** 2;
      }
      for (let k = 0; k < target.length; k++) st[4] += target[k] ** 2;
      if (++st[3] === normUpdates) {
        const n = normUpdates;
        for (let i = 0; i < F; i++) {
          const mean = st[at.fsum + i] / n;
          const sd = Math.sqrt(Math.max(0, st[at.fsq + i] / n - mean * mean));
          w[mlp.o.mean + i] = mean;
          w[mlp.o.sd + i] = sd > 1e-9 ? sd : 1;
        }
        const rms = Math.sqrt(st[4] / (n * target.length));
        w[mlp.o.scale] = rms > 0 ? rms : 1;
      }
      return;
    }
    mlp.backward(w, net.out, target, st.subarray(at.g, at.g + P));
    const batch = o.batch ?? 1;
    if (++st[2] < batch) return;
    st[2] = 0;
    const step = ++st[1];
    const first = mlp.firstLearned;
    const g = at.g;
    if (o.kind === 'adam') {
      const total = Math.max(1, Math.floor((((o.train_samples ?? 0) - (o.norm_samples ?? 0)) * o.train_steps) / batch));
      const lr = o.eta * 0.5 * (1 + Math.cos(Math.PI * Math.min(1, (step - 1) / total)));
      const b1 = 0.9;
      const b2 = 0.999;
      const c1 = 1 / (1 - b1 ** step);
      const c2 = 1 / (1 - b2 ** step);
      for (let i = first; i < P; i++) {
        const gi = st[g + i] / batch; // the batch's mean gradient
        const m = (st[at.m + i] = b1 * st[at.m + i] + (1 - b1) * gi);
        const v = (st[at.v + i] = b2 * st[at.v + i] + (1 - b2) * gi * gi);
        w[i] -= (lr * m * c1) / (Math.sqrt(v * c2) + 1e-8);
        st[g + i] = 0;
      }
    } else {
      const eta = o.eta / (1 + st[0] / o.t_decay_ms) / batch;
      for (let i = first; i < P; i++) {
        w[i] -= eta * st[g + i];
        st[g + i] = 0;
      }
    }
  }
}

/** Presents one sample for steps_per_sample steps; trains on the last ones when a trainer is given. Returns the estimate. */
export function presentSample(
  net: ReservoirNet,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  z: ArrayLike<number>,
  target?: Float64Array,
  trainer?: Trainer,
  trainSteps = 0,
): Float64Array {
  net.setInput(x, y, z);
  const steps = net.p.steps_per_sample;
  for (let s = 0; s < steps; s++) {
    const train = trainer !== undefined && target !== undefined && s >= steps - trainSteps;
    net.step(train || s === steps - 1);
    if (train) trainer.update(net, target);
  }
  return Float64Array.from(net.out);
}

export interface Evaluation {
  /** Mean over samples of the cosine between estimate and exact xi (samples with xi = 0 skipped). */
  cosine: number;
  /** sum |estimate - xi|^2 / sum |xi|^2 over the samples. */
  nmse: number;
  samples: number;
}

/** Runs a held-out stream through the circuit with the readout frozen and exploration off. */
export function evaluate(net: ReservoirNet, stream: RandomStream, samples: number, warmup = net.p.window): Evaluation {
  const explore = net.explore;
  net.explore = false;
  let cosSum = 0;
  let cosN = 0;
  let err = 0;
  let norm = 0;
  for (let s = 0; s < warmup + samples; s++) {
    const { x, y, z, target } = stream.next();
    const est = presentSample(net, x, y, z);
    if (s < warmup) continue;
    let t2 = 0;
    for (let k = 0; k < target.length; k++) {
      err += (est[k] - target[k]) ** 2;
      t2 += target[k] ** 2;
    }
    norm += t2;
    if (t2 > 0) {
      cosSum += cosine(est, target);
      cosN++;
    }
  }
  net.explore = explore;
  return { cosine: cosN ? cosSum / cosN : 0, nmse: norm > 0 ? err / norm : 0, samples };
}

/** Accumulates F^T F and F^T T of the readout features for the closed-form `ridge` trainer. */
export class RidgeAccumulator {
  readonly ftf: Float64Array;
  readonly ftt: Float64Array;
  count = 0;
  constructor(
    readonly nFeat: number,
    readonly nOut: number,
    state?: { ftf: Float64Array; ftt: Float64Array; count: number },
  ) {
    this.ftf = state?.ftf ?? new Float64Array(nFeat * nFeat);
    this.ftt = state?.ftt ?? new Float64Array(nFeat * nOut);
    this.count = state?.count ?? 0;
  }

  add(f: Float64Array, target: Float64Array): void {
    const { nFeat: n, nOut, ftf, ftt } = this;
    for (let i = 0; i < n; i++) {
      const fi = f[i];
      if (fi === 0) continue;
      const row = i * n;
      // Upper triangle only; solveRidge mirrors it.
      for (let j = i; j < n; j++) ftf[row + j] += fi * f[j];
      for (let k = 0; k < nOut; k++) ftt[i * nOut + k] += fi * target[k];
    }
    this.count++;
  }

  /** W_o (row-major, nOut x nFeat) = ((F^T F + ridge * count * I)^-1 F^T T)^T, by Cholesky. */
  solve(ridge: number): Float64Array {
    const { nFeat: n, nOut } = this;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = this.ftf[i * n + j];
    const lambda = ridge * Math.max(1, this.count);
    for (let i = 0; i < n; i++) a[i * n + i] += lambda;
    // In-place Cholesky, lower triangle: a = L L^T.
    for (let j = 0; j < n; j++) {
      let d = a[j * n + j];
      for (let k = 0; k < j; k++) d -= a[j * n + k] ** 2;
      const ljj = Math.sqrt(Math.max(d, 1e-300));
      a[j * n + j] = ljj;
      for (let i = j + 1; i < n; i++) {
        let s = a[i * n + j];
        for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
        a[i * n + j] = s / ljj;
      }
    }
    const w = new Float64Array(nOut * n);
    const y = new Float64Array(n);
    for (let k = 0; k < nOut; k++) {
      for (let i = 0; i < n; i++) {
        let s = this.ftt[i * nOut + k];
        for (let j = 0; j < i; j++) s -= a[i * n + j] * y[j];
        y[i] = s / a[i * n + i];
      }
      for (let i = n - 1; i >= 0; i--) {
        let s = y[i];
        for (let j = i + 1; j < n; j++) s -= a[j * n + i] * w[k * n + j];
        w[k * n + i] = s / a[i * n + i];
      }
    }
    return w;
  }
}
