/**
 * The training protocol: presents a dataset's samples one at a time to a network and lets its
 * plastic projections learn, as in Daruwalla & Lipasti (2024).
 *
 * Each training sample: the input encodes x for presentation_ms; the spikes of every layer and
 * of the readout are counted over that time (z = counts / presentation, in Hz); each layer's
 * memory circuit is shown [x; y; z] of this one sample and emits xi on `xi/<layer>` when it
 * decides; the readout error p - y (p = softmax(readout_gain * readout counts)) goes out on
 * `error/<readout>` at the end of the presentation; then the gap. The prediction is the
 * readout neuron with the most spikes (ties broken at random, silence counts as wrong). Test samples are
 * presented the same way with no memory and no error: nothing learns on them.
 *
 * Rules react to the pulses (ib-hebbian, delta-readout); the protocol never touches weights.
 */
import type { Dataset, DatasetShape, MemoryCircuit, SampleInput, SpikeListener } from '../core/contracts.js';
import { EngramError, RunStopped } from '../core/errors.js';
import { hsic } from './hsic/hsic.js';
import { layerDiagnostics, type LayerDiagnostics } from './diagnostics/representation.js';
import type { Channel } from '../core/modulators.js';
import type { Rng } from '../core/rng.js';
import { Priority, type Scheduler, type Tickable } from '../core/scheduler.js';
import { writeFileAtomic } from '../core/output.js';
import type { Simulation, SimulationExtension } from '../core/simulation.js';
import type { TrainingSpec } from './schema.js';

/** What the protocol reads of a layer for the sample just presented. */
/** The modulator channel on which a training layer's memory emits its signal xi (one value per neuron). */
export const signalChannel = (layer: string): string => `xi/${layer}`;

/** The modulator channel on which the protocol sends the readout error p - y (one value per readout neuron). */
export const errorChannel = (readout: string): string => `error/${readout}`;

/** Every channel a training section makes, with the population whose size is its width. */
export function trainingChannels(tr: TrainingSpec): Map<string, { population: string }> {
  const channels = new Map<string, { population: string }>();
  for (const l of tr.layers) channels.set(signalChannel(l.population), { population: l.population });
  channels.set(errorChannel(tr.readout), { population: tr.readout });
  return channels;
}

/**
 * The kernel widths the IB diagnostics of a layer use: its memory's sigma_x, sigma_y and
 * sigma_z when the memory has them (as the IB memories do), else 1.
 */
export function kernelWidths(memoryParams: Readonly<Record<string, unknown>>): { x: number; y: number; z: number } {
  const sigma = (k: string) => (typeof memoryParams[k] === 'number' ? (memoryParams[k] as number) : 1);
  return { x: sigma('sigma_x'), y: sigma('sigma_y'), z: sigma('sigma_z') };
}

export interface LayerActivity {
  /** Spiking layers are judged silent when no neuron spiked; graded layers never are. */
  readonly spiking: boolean;
  /** Called as a sample starts. */
  reset(): void;
  /** The layer's output z for the sample: rates in Hz (spike counts / presentation) or the graded output at its end. */
  read(presentation_ms: number): Float64Array;
}

export class SpikeCounter implements SpikeListener, LayerActivity {
  readonly spiking = true;
  readonly counts: Float64Array;
  constructor(size: number) {
    this.counts = new Float64Array(size);
  }
  onSpike(neuron: number): void {
    this.counts[neuron]++;
  }
  reset(): void {
    this.counts.fill(0);
  }
  read(presentation_ms: number): Float64Array {
    const toHz = 1000 / presentation_ms;
    return Float64Array.from(this.counts, (c) => c * toHz);
  }
}

/**
 * A graded (rate) layer: z is its output at the end of the presentation (`graded_read: end`),
 * or the mean of its output over the grid times of the presentation (`graded_read: mean`,
 * sampled after the populations stepped: a leaky readout of spikes then reads every spike of
 * the sample, as a spike count does, not only the last tau).
 */
export class GradedActivity implements LayerActivity, Tickable {
  readonly spiking = false;
  private readonly sum: Float64Array;
  private samples = 0;
  constructor(
    private readonly output: Float64Array,
    mean?: { scheduler: Scheduler; resolution_ms: number },
  ) {
    this.sum = new Float64Array(mean ? output.length : 0);
    if (mean) mean.scheduler.every(mean.resolution_ms, Priority.RECORD, this, mean.scheduler.now);
  }
  tick(): void {
    const sum = this.sum;
    const out = this.output;
    for (let i = 0; i < sum.length; i++) sum[i] += out[i];
    this.samples++;
  }
  reset(): void {
    this.sum.fill(0);
    this.samples = 0;
  }
  read(): Float64Array {
    if (this.sum.length === 0 || this.samples === 0) return Float64Array.from(this.output);
    const n = this.samples;
    return Float64Array.from(this.sum, (v) => v / n);
  }
}

export interface TrainingLayer {
  readonly name: string;
  readonly activity: LayerActivity;
  readonly memory: MemoryCircuit;
  /** Kernel widths for the HSIC diagnostics (from the memory's parameters when it has them). */
  readonly sigma: { x: number; y: number; z: number };
  /** The memory circuit as messages name it (its plugin and scenario line). */
  readonly memoryName?: string;
}

export interface EpochRecord {
  epoch: number;
  /** Epochs planned for the run. */
  of: number;
  train_accuracy: number;
  test_accuracy: number | null;
  layers: Record<string, { hsic_xz: number | null; hsic_yz: number | null } & Partial<LayerDiagnostics>>;
  /** Fraction of test samples on which a spiking readout fired no spike (null: not evaluated). */
  readout_silent: number | null;
  /** What the stall detector found at this epoch (empty when the training looks healthy). */
  stalled: Stall[];
  t_ms: number;
  wall_s: number;
}

/** A training that is not learning, and where: a layer's name, or `readout` or `training`. */
export interface Stall {
  where: string;
  reason: 'silent' | 'constant' | 'collapsed' | 'lost information' | 'readout silent' | 'train accuracy at chance';
  detail: string;
}

export interface TrainingResult {
  dataset: string;
  /** Number of classes of the dataset (chance accuracy is 1 / classes). */
  classes: number;
  epochs: number;
  train_accuracy: number;
  test_accuracy: number | null;
  history: EpochRecord[];
  /** The stalls found at the last evaluated epoch (empty: none), each naming its layer. */
  stalled: Stall[];
}

export class Trainer implements SimulationExtension {
  readonly key = 'training';
  readonly history: EpochRecord[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly spec: TrainingSpec,
    private readonly dataset: Dataset,
    private readonly datasetName: string,
    private readonly input: SampleInput,
    private readonly readout: LayerActivity,
    private readonly layers: TrainingLayer[],
    private readonly errorChannel: Channel,
    private readonly rng: Rng,
    private readonly tieRng: Rng,
  ) {}

  /** Simulated time of one full run (every epoch trains and, when scheduled, evaluates). */
  static duration(spec: TrainingSpec, shape: DatasetShape): number {
    const perSample = spec.presentation_ms + spec.gap_ms;
    const nTrain = Math.min(spec.train_samples ?? Infinity, shape.nTrain);
    const evals = Math.floor(spec.epochs / spec.evaluate_every) + (spec.epochs % spec.evaluate_every ? 1 : 0);
    return perSample * (spec.epochs * nTrain + evals * shape.nTest);
  }

  private oneHot(label: number): Float64Array {
    const y = new Float64Array(this.dataset.nClasses);
    y[label] = 1;
    return y;
  }

  /** Whether the spiking readout fired nothing on the last sample presented. */
  private lastReadoutSilent = false;

  /** Presents one sample; returns the predicted class (-1 when the readout is silent or tied). */
  private present(x: Float64Array, label: number, learn: boolean, zOut?: Float64Array[][]): number {
    const sim = this.sim;
    for (const l of this.layers) l.activity.reset();
    this.readout.reset();
    const t0 = sim.t_ms;
    this.input.present(x, t0);
    const tEnd = t0 + this.spec.presentation_ms;
    if (this.spec.settle_ms > 0) {
      // Each layer takes a few ms to follow a new input: what it does before t0 + settle_ms
      // still answers the sample before, so z and the readout count from there.
      sim.run(t0 + this.spec.settle_ms);
      for (const l of this.layers) l.activity.reset();
      this.readout.reset();
    }
    sim.run(tEnd);
    const T = countWindow(this.spec);
    const out = this.readout.read(T);
    // The readout neuron with the highest rate (output); a tie is broken at random (seeded),
    // so that a tie scores at chance; a silent spiking readout predicts nothing (wrong).
    let best = -Infinity;
    for (let i = 0; i < out.length; i++) if (out[i] > best) best = out[i];
    let predicted = -1;
    this.lastReadoutSilent = this.readout.spiking && !(best > 0);
    if (!this.readout.spiking || best > 0) {
      const ties: number[] = [];
      for (let i = 0; i < out.length; i++) if (out[i] === best) ties.push(i);
      predicted = ties.length === 1 ? ties[0] : ties[this.tieRng.int(ties.length)];
    }
    const z = zOut || learn ? this.layers.map((l) => l.activity.read(T)) : [];
    if (zOut) z.forEach((zl, n) => zOut[n].push(zl));
    if (learn) {
      const y = this.oneHot(label);
      this.layers.forEach((l, n) => {
        // After hidden_epochs the layers' memories get no samples, so their rules no pulse.
        if (!this.layersLearn) return;
        try {
          l.memory.present({ x, y, z: z[n] }, tEnd);
        } catch (err) {
          // The memory's own failure (a signal of the wrong width, an event in the past, a bug),
          // or that of a rule it told of its signal: name the plugin, as the engine does.
          if (err instanceof EngramError) throw err;
          const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
          const who = sim.describeFailedListener() ?? `${l.memoryName ?? `the memory circuit of ${l.name}`}, present()`;
          throw new RunStopped(`${who} threw at t = ${tEnd} ms: ${why}; stopped`, tEnd);
        }
      });
      try {
        this.errorChannel.pulse(tEnd, this.readoutError(out, y));
      } catch (err) {
        // A rule listening to the readout's error (onPulse) failed: name it.
        if (err instanceof EngramError) throw err;
        const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
        throw new RunStopped(`${sim.describeFailedListener() ?? 'the readout error channel'} threw at t = ${tEnd} ms: ${why}; stopped`, tEnd);
      }
      sim.run(tEnd); // deliver pulses due now (memories with no delay)
    }
    if (this.spec.gap_ms > 0) sim.run(tEnd + this.spec.gap_ms);
    return predicted;
  }

  private readoutError(out: Float64Array, y: Float64Array): Float64Array {
    return readoutError(this.spec, this.readout.spiking, out, y);
  }

  private *evaluation(): Generator<boolean, { accuracy: number; layers: EpochRecord['layers']; readoutSilent: number | null }> {
    const test = this.dataset.test;
    const z: Float64Array[][] = this.layers.map(() => []);
    let correct = 0;
    let silent = 0;
    for (let s = 0; s < test.x.length; s++) {
      const predicted = this.present(test.x[s], test.labels[s], false, z);
      if (predicted === test.labels[s]) correct++;
      if (this.readout.spiking && this.lastReadoutSilent) silent++;
      yield false;
    }
    // HSIC costs O(n^2 d): on the first hsic_samples test samples only (10000 MNIST digits
    // would take minutes per epoch).
    const n = Math.min(this.spec.hsic_samples, test.x.length);
    const X = test.x.slice(0, n);
    const Y = Array.from(test.labels.subarray(0, n), (l) => this.oneHot(l));
    const layers: EpochRecord['layers'] = {};
    // The representation measures (linear probe, separability, rank) cost O(n d^2) or O(d^3):
    // on the first 2000 test samples at most.
    const nd = Math.min(2000, test.x.length);
    const labels = test.labels.subarray(0, nd);
    this.layers.forEach((l, k) => {
      const Z = z[k].slice(0, n);
      const hs = n > 0 ? { hsic_xz: hsic(X, Z, l.sigma.x, l.sigma.z), hsic_yz: hsic(Y, Z, l.sigma.y, l.sigma.z) } : { hsic_xz: null, hsic_yz: null };
      layers[l.name] = nd > 0 ? { ...hs, ...layerDiagnostics(z[k].slice(0, nd), labels, this.dataset.nClasses) } : hs;
    });
    return {
      accuracy: test.x.length ? correct / test.x.length : 0,
      layers,
      readoutSilent: this.readout.spiking && test.x.length ? silent / test.x.length : null,
    };
  }

  /**
   * Every sample of a split presented once without learning, as evaluation presents it: each
   * hidden layer's rates (one array per sample, in dataset order), the labels and the
   * readout's accuracy. For linear probes of what the layers learned (bench/linear-probe.ts).
   * It advances simulated time like an evaluation does.
   */
  layerRates(split: 'train' | 'test'): { layers: Record<string, Float64Array[]>; labels: Int32Array; accuracy: number } {
    const set = this.dataset[split];
    const z: Float64Array[][] = this.layers.map(() => []);
    let correct = 0;
    for (let s = 0; s < set.x.length; s++) if (this.present(set.x[s], set.labels[s], false, z) === set.labels[s]) correct++;
    return {
      layers: Object.fromEntries(this.layers.map((l, k) => [l.name, z[k]])),
      labels: set.labels.slice(),
      accuracy: set.x.length ? correct / set.x.length : 0,
    };
  }

  run(onEpoch?: (record: EpochRecord) => void): TrainingResult {
    for (const _ of this.steps(onEpoch));
    return this.result();
  }

  /**
   * run(), giving the event loop a turn about every 50 ms of wall time, so that signals and
   * timers are served during a long training (engram run stops cleanly on Ctrl-C).
   * `onStep` is called after every sample, told whether the state may be saved there (see
   * steps()); it may throw to stop the training there. `invoke` runs each piece of about 50 ms
   * (engram run passes one that a signal can interrupt inside plugin code, app/interruptible.ts).
   */
  async runAsync(
    onEpoch?: (record: EpochRecord) => void,
    onStep?: (savable: boolean) => void,
    invoke: <T>(work: () => T) => T = (work) => work(),
  ): Promise<TrainingResult> {
    const steps = this.steps(onEpoch);
    const piece = (): boolean => {
      const started = performance.now();
      for (;;) {
        const next = steps.next();
        if (next.done) return true;
        onStep?.(next.value);
        if (performance.now() - started > 50) return false;
      }
    };
    while (!invoke(piece)) await new Promise((resolve) => setImmediate(resolve));
    return this.result();
  }

  /**
   * Where the training is (checkpoint state, saved with the rest of the network): the last
   * finished epoch, the training samples done in the current one and how many were right,
   * and the sample order.
   */
  epochsDone = 0;
  private samplesDone = 0;
  private correctSoFar = 0;
  private order: Int32Array | undefined;
  /** Whether the training layers learn in the current epoch (training.hidden_epochs). */
  private layersLearn = true;

  /**
   * The training, one sample (trained or evaluated) per iteration. Each iteration yields
   * whether the state may be saved there (between training samples, and after each epoch; not
   * inside an evaluation, which a resumed run could not re-enter).
   */
  private *steps(onEpoch?: (record: EpochRecord) => void): Generator<boolean> {
    const train = this.dataset.train;
    const n = Math.min(this.spec.train_samples ?? Infinity, train.x.length);
    const order = (this.order ??= Int32Array.from({ length: train.x.length }, (_, i) => i));
    const started = performance.now() - 1000 * this.wallBefore;
    for (let epoch = this.epochsDone + 1; epoch <= this.spec.epochs; epoch++) {
      this.layersLearn = epoch <= (this.spec.hidden_epochs ?? Infinity);
      if (this.spec.shuffle && this.samplesDone === 0) {
        for (let i = order.length - 1; i > 0; i--) {
          const j = this.rng.int(i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
      }
      for (; this.samplesDone < n; ) {
        const idx = order[this.samplesDone];
        this.sim.markSample(idx);
        if (this.present(train.x[idx], train.labels[idx], true) === train.labels[idx]) this.correctSoFar++;
        this.samplesDone++;
        this.wallBefore = (performance.now() - started) / 1000;
        if (this.samplesDone < n) yield true;
      }
      const evaluate = epoch % this.spec.evaluate_every === 0 || epoch === this.spec.epochs;
      const ev = evaluate ? yield* this.evaluation() : undefined;
      const record: EpochRecord = {
        epoch,
        of: this.spec.epochs,
        train_accuracy: this.correctSoFar / n,
        test_accuracy: ev ? ev.accuracy : null,
        layers: ev ? ev.layers : {},
        readout_silent: ev ? ev.readoutSilent : null,
        stalled: [],
        t_ms: this.sim.t_ms,
        wall_s: (performance.now() - started) / 1000,
      };
      if (ev && epoch >= this.spec.stall_after_epochs) record.stalled = detectStalls(record, this.dataset.nClasses, this.trainMajority());
      this.history.push(record);
      this.epochsDone = epoch;
      this.samplesDone = 0;
      this.correctSoFar = 0;
      this.wallBefore = record.wall_s;
      onEpoch?.(record);
      yield true;
    }
  }

  /** Wall time of the training before this process took it up (a resumed run goes on counting). */
  private wallBefore = 0;

  result(): TrainingResult {
    const last = this.history[this.history.length - 1];
    const evaluated = this.history.filter((r) => r.test_accuracy !== null).at(-1);
    return {
      dataset: this.datasetName,
      classes: this.dataset.nClasses,
      epochs: this.history.length,
      train_accuracy: last?.train_accuracy ?? 0,
      test_accuracy: last?.test_accuracy ?? null,
      history: this.history,
      stalled: evaluated?.stalled ?? [],
    };
  }

  /** summary.json's `training` (SimulationExtension). */
  report(): TrainingResult {
    return this.result();
  }

  /** history.csv beside the recorders' files (SimulationExtension). */
  async write(outDir: string): Promise<string[]> {
    await writeFileAtomic(`${outDir}/history.csv`, this.historyCsv());
    return ['history.csv'];
  }

  /** The dataset is rebuilt from the scenario exactly, so checkpoints reference it without saving it. */
  external(): object[] {
    return [this.dataset];
  }

  /** The frequency of the commonest class among the training samples (the accuracy of always guessing it). */
  private trainMajority(): number {
    const counts = new Float64Array(this.dataset.nClasses);
    for (const l of this.dataset.train.labels) counts[l]++;
    return this.dataset.train.labels.length ? Math.max(...counts) / this.dataset.train.labels.length : 0;
  }

  /**
   * The history as CSV: epoch, accuracies, per layer HSIC(X,Z), HSIC(Y,Z) and the
   * representation measures, the readout's silent fraction, and the stalls found (a
   * `;`-separated list of `where: reason`, empty when healthy).
   */
  historyCsv(): string {
    const names = this.layers.map((l) => l.name);
    const perLayer = ['hsic_xz', 'hsic_yz', 'probe', 'separability', 'effective_rank', 'mean_rate', 'silent_fraction'] as const;
    const head = [
      'epoch',
      'train_accuracy',
      'test_accuracy',
      ...names.flatMap((n) => perLayer.map((f) => `${n}_${f}`)),
      'readout_silent',
      'stalled',
      't_ms',
      'wall_s',
    ];
    const rows = this.history.map((r) =>
      [
        r.epoch,
        r.train_accuracy,
        r.test_accuracy ?? '',
        ...names.flatMap((n) => perLayer.map((f) => r.layers[n]?.[f] ?? '')),
        r.readout_silent ?? '',
        r.stalled.map((st) => `${st.where}: ${st.reason}`).join('; '),
        r.t_ms,
        r.wall_s,
      ].join(','),
    );
    return `${[head.join(','), ...rows].join('\n')}\n`;
  }
}

/** The part of a presentation over which responses are counted: after the first settle_ms. */
export function countWindow(spec: Pick<TrainingSpec, 'presentation_ms' | 'settle_ms'>): number {
  return spec.presentation_ms - spec.settle_ms;
}

/**
 * The error the readout's delta rule descends, per readout neuron. `softmax`: the softmax
 * cross-entropy gradient p - y, p = softmax(readout_gain * counts); it sums to zero, so it
 * only moves drive between readout neurons. `rate`: the squared-error gradient towards target
 * rates, (r_i - r*_i) / (high - low), r* = high for the label's neuron and low for the others;
 * it also adds or removes drive, so a readout cannot stay silent. `out` is the readout's rate
 * in Hz (spiking) or its graded output.
 */
export function readoutError(
  spec: Pick<TrainingSpec, 'readout_loss' | 'readout_target_hz' | 'readout_gain' | 'presentation_ms' | 'settle_ms'>,
  spiking: boolean,
  out: Float64Array,
  y: Float64Array,
): Float64Array {
  if (spec.readout_loss === 'rate') {
    const [lo, hi] = spec.readout_target_hz;
    return Float64Array.from(out, (r, i) => (r - (y[i] ? hi : lo)) / (hi - lo));
  }
  // Spiking readouts: logits = readout_gain * spike counts; graded: readout_gain * output.
  const toCount = countWindow(spec) / 1000;
  const logits = spiking ? Float64Array.from(out, (r) => spec.readout_gain * Math.round(r * toCount)) : Float64Array.from(out, (r) => spec.readout_gain * r);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]);
  const p = Float64Array.from(logits, (l) => Math.exp(l - max));
  const sum = p.reduce((a, b) => a + b, 0);
  for (let i = 0; i < p.length; i++) p[i] = p[i] / sum - y[i];
  return p;
}

/**
 * The stall detector: what makes an evaluated epoch a training that is not learning. Each
 * finding names where it is. Judged from `stall_after_epochs` on (docs/ib-rule.md):
 * - a layer is `silent` when none of its neurons responded to any test sample;
 * - `constant` when its responses do not vary across samples (effective rank 0);
 * - `collapsed` when a linear probe of its responses (least squares on one-hot labels, so a
 *   code that puts one class between the halves of another scores near chance) does no
 *   better than guessing the commonest class plus 10 points. A low effective rank alone is
 *   no stall: two classes need only one direction;
 * - a layer has `lost information` when its probe is more than 15 points below the probe of
 *   the training layer before it (a bottleneck that dropped what its input carried);
 * - the readout is silent on half the test samples or more;
 * - train accuracy is within 5 points of guessing the commonest class.
 */
export function detectStalls(record: EpochRecord, nClasses: number, majority: number): Stall[] {
  const found: Stall[] = [];
  let before: { name: string; probe: number | null | undefined } | undefined;
  for (const [name, l] of Object.entries(record.layers)) {
    if (l.silent_fraction === 1) found.push({ where: name, reason: 'silent', detail: 'no neuron responded to any test sample' });
    else if (l.effective_rank === 0) found.push({ where: name, reason: 'constant', detail: 'the same response to every test sample' });
    else if (l.probe != null && l.probe <= Math.max(majority, 1 / nClasses) + 0.1) {
      found.push({ where: name, reason: 'collapsed', detail: `linear probe ${fmt(l.probe)}, effective rank ${fmt(l.effective_rank)}` });
    } else if (l.probe != null && before?.probe != null && l.probe < before.probe - 0.15) {
      found.push({
        where: name,
        reason: 'lost information',
        detail: `linear probe ${fmt(l.probe)} against ${fmt(before.probe)} for ${before.name}, effective rank ${fmt(l.effective_rank)}`,
      });
    }
    before = { name, probe: l.probe };
  }
  if (record.readout_silent != null && record.readout_silent >= 0.5)
    found.push({ where: 'readout', reason: 'readout silent', detail: `silent on ${(100 * record.readout_silent).toFixed(0)}% of test samples` });
  if (record.train_accuracy <= majority + 0.05)
    found.push({
      where: 'training',
      reason: 'train accuracy at chance',
      detail: `train accuracy ${(100 * record.train_accuracy).toFixed(1)}%, chance ${(100 * majority).toFixed(1)}%`,
    });
  return found;
}

const fmt = (x: number | null | undefined) => (x == null ? 'n/a' : x.toFixed(2));

/** The training protocol attached to a simulation built from a scenario with a training section. */
export function trainerOf(sim: Simulation): Trainer | undefined {
  return sim.extensions.find((e): e is Trainer => e instanceof Trainer);
}
