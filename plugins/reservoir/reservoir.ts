/**
 * reservoir: the auxiliary working memory of Daruwalla & Lipasti (2024) in the loop. One
 * circuit per plastic layer; its readout was trained a priori on random samples (never on the
 * task) to output the layer's IB signal over the last `window` samples (reservoir-net.ts,
 * train.ts).
 *
 * In the loop: when a sample has been presented, the circuit is given [x; y; z] of that sample
 * only and runs `steps_per_sample` steps of dt_ms on the scheduler (priority MODULATOR), then
 * emits its output, scaled to the units of xi, on the layer's channel at t + steps * dt. Between
 * samples it rests (its state carries over unchanged), so its cost is paid per sample. A
 * training section should leave a gap_ms of at least steps * dt, so that the signal arrives
 * before the next sample starts.
 *
 * Where the circuit comes from: `file` (a circuit saved by `engram memory train`, checked
 * against this layer's dimensions, window, sigmas and gamma), or, with no file, trained at
 * build time from the parameters below on a stream from the scenario's seed.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import type { MemoryCircuit, MemorySample, ModulatorChannel } from '../../core/contracts.js';
import { ParamError } from '../../core/errors.js';
import { definePlugin } from '../../core/define.js';
import { param, type ParamsOf } from '../../core/params.js';
import { normalisedView } from '../../training/hsic/hsic.js';
import { Rng } from '../../core/rng.js';
import { Priority, type EventHandler, type Scheduler, type SimEvent } from '../../core/scheduler.js';
import { CONTRACT_KEYS, ReservoirNet, toFile, type Dims, type ReservoirFile, type ReservoirParams } from './reservoir-net.js';
import { evaluate, fromFile, makeTrainer, presentSample, RandomStream, RidgeAccumulator, type Evaluation, type TrainerOptions } from './train.js';
import { restoreFields, saveFields, type ExplicitState } from '../../core/checkpoint.js';
import { notARegularFile } from '../../core/files.js';

export class ReservoirMemory implements MemoryCircuit, EventHandler, ExplicitState {
  /** Checkpoint format of saveState (core/checkpoint.ts): bump it when the state changes. */
  readonly stateFormat = 'reservoir/1';
  private stepsLeft = 0;
  /** The signal emitted for the last sample (for tests and diagnostics). */
  last: Float64Array;
  /** Every input the circuit was given, when recording (tests check it sees only [x; y; z]). */
  inputs: Float64Array[] | undefined;

  /** Turns the circuit's signal for the z it was given back into one for the layer's raw z. */
  private back: (xi: Float64Array) => Float64Array = (xi) => xi;
  /** The layer's z of the sample in process: `back` is rebuilt from it after a checkpoint. */
  private lastZ: Float64Array | undefined;

  constructor(
    readonly net: ReservoirNet,
    private readonly channel: ModulatorChannel,
    private readonly scheduler: Scheduler,
    private readonly normalizeZ = false,
  ) {
    net.explore = false;
    this.last = new Float64Array(net.nOut);
  }

  present(sample: MemorySample, t: number): void {
    // normalize_z as in ideal-window: the circuit sees the layer-normalised z and its signal is
    // pulled back through the normalisation, so it has no component along the directions the
    // normalisation removes (the common mode, which would otherwise push every unit together).
    this.lastZ = Float64Array.from(sample.z);
    const view = normalisedView(this.lastZ, this.normalizeZ);
    this.back = view.back;
    this.net.setInput(sample.x, sample.y, view.z);
    this.inputs?.push(Float64Array.from(this.net.input));
    // A sample that arrives while the last one is still being processed takes over: the
    // steps restart from now, and the earlier sample's signal is never emitted.
    const restart = this.stepsLeft === 0;
    this.stepsLeft = this.net.p.steps_per_sample;
    if (restart) this.scheduler.at(t + this.net.p.dt_ms, Priority.MODULATOR, this);
  }

  handleEvent(ev: SimEvent): void {
    this.net.step(this.stepsLeft === 1);
    if (--this.stepsLeft > 0) {
      this.scheduler.at(ev.t + this.net.p.dt_ms, Priority.MODULATOR, this);
      return;
    }
    const scale = this.net.outputScale;
    this.last = this.back(Float64Array.from(this.net.out, (o) => o * scale));
    this.channel.pulse(ev.t, this.last);
  }

  /**
   * The circuit's state, the sample in process and its last signal. `back` is a closure over
   * the sample's normalisation, so it is rebuilt from that sample's z, not saved.
   */
  saveState(): unknown {
    return saveFields(this, ['stepsLeft', 'last', 'inputs', 'lastZ', 'net']);
  }

  restoreState(state: unknown): void {
    restoreFields(this, state, ['stepsLeft', 'last', 'inputs', 'lastZ', 'net'], 'ReservoirMemory');
    this.back = this.lastZ ? normalisedView(this.lastZ, this.normalizeZ).back : (xi) => xi;
  }
}

const reservoirParams = [
  param.custom('file', '', 'a circuit saved by engram memory train (relative to the scenario); empty: train one at build time', 'a file path', v.string()),
  param.integer('size', 500, 'number of tanh units', { min: 1 }),
  param.number('tau_ms', 10, 'time constant of the units', { gt: 0 }),
  param.number('dt_ms', 1, "the circuit's own step", { gt: 0 }),
  param.number('lambda', 1.2, 'recurrent gain', { min: 0 }),
  param.number('connectivity', 0.1, 'fraction of recurrent connections present', { gt: 0, max: 1 }),
  param.number('input_scale', 1, 'input weights ~ U(-input_scale, input_scale)', { min: 0 }),
  param.number('feedback_scale', 0, 'output-to-reservoir feedback weights ~ U(-s, s)', { min: 0 }),
  param.number('noise_h', 0, 'state noise amplitude a_h (always on)', { min: 0 }),
  param.number('noise_o', 0, 'output exploration noise amplitude a_o (training only)', { min: 0 }),
  param.integer('steps_per_sample', 20, 'steps of dt_ms the circuit runs on each sample before it answers', { min: 1 }),
  param.integer('window', 8, 'N: the window the readout is trained to summarise', { min: 2 }),
  param.number('sigma_x', 0.5, 'kernel width for x (scaled by sqrt(dim))', { gt: 0 }),
  param.number('sigma_y', 0.25, 'kernel width for y', { gt: 0 }),
  param.number('sigma_z', 1, 'kernel width for z', { gt: 0 }),
  param.number('gamma', 2, 'weight of HSIC(Y, Z)', { min: 0 }),
  param.number('x_mean', 0.5, 'training stream: mean of each x component', {}),
  param.number('x_sd', 0.5, 'training stream: sd of each x component', { gt: 0 }),
  param.number('z_mean', 0, 'training stream: mean of each z component (also subtracted from z at the input)', {}),
  param.number('z_sd', 1, 'training stream: sd of each z component', { gt: 0 }),
  param.choice(
    'structure',
    'random',
    "random: sparse random recurrent weights (the paper's); delay-line: a chain of banks that holds the last window - 1 samples (docs/reservoir.md)",
    ['random', 'delay-line'] as const,
  ),
  param.choice('readout', 'linear', 'readout: linear over [r; in; 1], bilinear (also every in_a * r_b), or mlp (two hidden tanh layers over [r; in; 1])', [
    'linear',
    'bilinear',
    'mlp',
  ] as const),
  param.integer('hidden', 128, 'mlp readout: hidden units per layer', { min: 1 }),
  param.choice(
    'trainer',
    'lms',
    'readout trainer: lms (least mean squares; gradient steps for mlp), rmh (reward-modulated Hebbian), ridge (the best linear readout, closed form, for reference) or adam (mlp only)',
    ['lms', 'rmh', 'ridge', 'adam'] as const,
  ),
  param.integer('batch', 32, 'mlp readout: updates per gradient step', { min: 1 }),
  param.integer('norm_samples', 500, 'mlp readout: first samples that only fix the feature normalisation and output scale', { min: 1 }),
  param.number('ridge', 1e-4, 'ridge: regularisation per sample', { min: 0 }),
  param.number('eta', 2e-5, 'readout learning rate eta0', { min: 0 }),
  param.number('t_decay_ms', 1e12, 'eta(t) = eta0 / (1 + t / t_decay)', { gt: 0 }),
  param.number('tau_avg_ms', 5, 'rmh: time constant of the running averages of P and out', { gt: 0 }),
  param.integer('train_steps', 10, 'train on the last this many steps of each sample', { min: 1 }),
  param.integer('train_samples', 5000, 'random samples to train the readout on', { min: 0 }),
  param.integer('eval_samples', 300, 'held-out random samples to measure it on', { min: 1 }),
  param.boolean(
    'normalize_z',
    false,
    'in the loop: give the circuit the layer-normalised z and pull its signal back through the normalisation (as ideal-window)',
  ),
] as const;

type Params = ParamsOf<typeof reservoirParams>;

const netKeys: (keyof ReservoirParams)[] = [
  'size',
  'tau_ms',
  'dt_ms',
  'lambda',
  'connectivity',
  'input_scale',
  'feedback_scale',
  'noise_h',
  'noise_o',
  'steps_per_sample',
  'window',
  'sigma_x',
  'sigma_y',
  'sigma_z',
  'gamma',
  'x_mean',
  'x_sd',
  'z_mean',
  'z_sd',
  'readout',
  'structure',
  'hidden',
];

const trainerOptions = (p: Params): TrainerOptions & { ridge?: number } => ({
  ...(p.trainer === 'ridge' ? { ridge: p.ridge } : {}),
  kind: p.trainer,
  eta: p.eta,
  t_decay_ms: p.t_decay_ms,
  tau_avg_ms: p.tau_avg_ms,
  train_steps: p.train_steps,
  ...(p.readout === 'mlp' ? { batch: p.batch, norm_samples: p.norm_samples, train_samples: p.train_samples } : {}),
});

/**
 * Trains a circuit's readout on a random stream, from `from` samples on (resuming) to
 * p.train_samples, calling `checkpoint` every `every` samples; then measures it on a held-out
 * stream (a stream of its own, so training and test never share samples).
 */
export function trainCircuit(
  p: Params,
  dims: Dims,
  seed: number,
  start: { net: ReservoirNet; stream: RandomStream; trainer: number[]; done: number } | undefined,
  checkpoint?: (file: ReservoirFile) => void,
  every = 500,
  onProgress?: (done: number, total: number) => void,
): { net: ReservoirNet; file: ReservoirFile; evaluation: Evaluation } {
  const net = start?.net ?? new ReservoirNet(pick(p), dims, Rng.derive(seed, 'reservoir/net'));
  const stream = start?.stream ?? new RandomStream(dims, net.p, Rng.derive(seed, 'reservoir/train-stream'));
  const trainer = makeTrainer(trainerOptions(p), net, start?.trainer);
  const trainerInfo = { ...trainerOptions(p), train_samples: p.train_samples, eval_samples: p.eval_samples };
  net.explore = p.trainer === 'rmh';
  let done = start?.done ?? 0;
  // ridge: one pass that collects the last step's features of every sample, then a solve.
  const ridge = p.trainer === 'ridge' ? new RidgeAccumulator(net.nFeat, net.nOut) : undefined;
  if (ridge && done > 0 && done < p.train_samples) throw new RangeError('a ridge readout is solved in one pass and cannot be resumed');
  while (done < p.train_samples) {
    const { x, y, z, target } = stream.next();
    if (ridge) {
      presentSample(net, x, y, z);
      ridge.add(net.feat, target);
    } else presentSample(net, x, y, z, target, trainer, p.train_steps);
    done++;
    if (done % every === 0 || done === p.train_samples) {
      onProgress?.(done, p.train_samples);
      if (checkpoint && !ridge && done < p.train_samples) checkpoint(toFile(net, seed, trainerInfo, { done, total: p.train_samples }, stream, trainer.state));
    }
  }
  if (ridge && ridge.count > 0) net.wOut.set(ridge.solve(p.ridge));
  net.explore = false;
  const before = toFile(net, seed, trainerInfo, { done, total: p.train_samples }, stream, trainer.state);
  const evaluation = evaluate(fromFile(before).net, new RandomStream(dims, net.p, Rng.derive(seed, 'reservoir/test-stream')), p.eval_samples);
  before.evaluation = { cosine: evaluation.cosine, nmse: evaluation.nmse, samples: evaluation.samples };
  return { net, file: before, evaluation };
}

/** Writes JSON to a temporary file and renames it over the target: never a truncated file. */
function writeJsonAtomicSync(file: string, data: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(data)}\n`);
  renameSync(tmp, file);
}

/** The parameters the circuit itself is made of (those saved in its file), in netKeys order. */
function pick(p: Params): ReservoirParams {
  const out = {} as Pick<Params, (typeof netKeys)[number]>;
  for (const k of netKeys) (out as Record<string, unknown>)[k] = p[k];
  return out;
}

/** Reads a saved circuit and checks it against what the layer needs; throws RangeError naming the mismatch. */
export function loadCircuit(file: string, dims: Dims, want: Partial<ReservoirParams>): ReservoirFile {
  if (!existsSync(file))
    throw new RangeError(`reservoir file ${file} does not exist (make one with: engram memory train <scenario> --layer <population> --out ${file})`);
  const why = notARegularFile(file);
  if (why) throw new RangeError(`reservoir file ${file}: ${why}`);
  let f: ReservoirFile;
  try {
    f = JSON.parse(readFileSync(file, 'utf8')) as ReservoirFile;
  } catch {
    // The parser's message quotes the file's content: not repeated (the path may name any file).
    throw new RangeError(`reservoir file ${file} is not valid JSON (truncated, or not a reservoir file)`);
  }
  if (f?.format !== 'engram-reservoir' || f.version !== 1) throw new RangeError(`${file} is not an engram reservoir file (format engram-reservoir, version 1)`);
  if (f.progress.done < f.progress.total)
    throw new RangeError(
      `reservoir file ${file} holds an unfinished training (${f.progress.done} of ${f.progress.total} samples): finish it with engram memory train --resume`,
    );
  for (const k of ['x', 'y', 'z'] as const) {
    if (f.dims[k] !== dims[k])
      throw new RangeError(
        `reservoir file ${file} was trained for ${k} of dimension ${f.dims[k]}, this layer has ${dims[k]} (x ${dims.x}, y ${dims.y}, z ${dims.z})`,
      );
  }
  for (const k of CONTRACT_KEYS) {
    if (want[k] !== undefined && f.params[k] !== want[k])
      throw new RangeError(`reservoir file ${file} was trained for ${k} = ${f.params[k]}, the scenario asks for ${want[k]}`);
  }
  return f;
}

export const ReservoirMemoryPlugin = definePlugin.memoryCircuit({
  name: 'reservoir',
  description: 'a tanh reservoir whose readout, trained a priori on random data, emits the IB signal of the last N samples (paper-notes section 5)',
  params: reservoirParams,
  check(p) {
    const problems: { param: string; expected: string; found: string }[] = [];
    if (p.readout === 'mlp' && (p.trainer === 'rmh' || p.trainer === 'ridge'))
      problems.push({ param: 'trainer', expected: 'lms or adam for an mlp readout (rmh and ridge train linear readouts)', found: p.trainer });
    if (p.readout !== 'mlp' && p.trainer === 'adam')
      problems.push({ param: 'trainer', expected: 'lms, rmh or ridge for a linear or bilinear readout (adam trains the mlp readout)', found: 'adam' });
    if (p.readout === 'mlp' && p.norm_samples >= p.train_samples && p.train_samples > 0)
      problems.push({
        param: 'norm_samples',
        expected: `fewer than train_samples (${p.train_samples}): the rest are the ones it learns from`,
        found: String(p.norm_samples),
      });
    return problems;
  },
  memoryBytes(p, dims) {
    // What ReservoirNet allocates: the recurrent weights (built through plain arrays for the
    // random structure: about 40 bytes per entry on the way), input and feedback weights,
    // the readout over [r; in; 1] (bilinear: also in x r; mlp: two hidden layers), state.
    const n = p.size;
    const nIn = dims.x + dims.y + dims.z;
    const nOut = dims.z;
    const recurrent = p.structure === 'random' ? 40 * p.connectivity * n * n : 16 * n;
    const nFeat = n + nIn + 1 + (p.readout === 'bilinear' ? nIn * n : 0);
    const readout = p.readout === 'mlp' ? 8 * (nFeat * p.hidden + p.hidden * p.hidden + p.hidden * nOut) * 3 : 8 * nFeat * nOut;
    return recurrent + 8 * n * (nIn + nOut) + readout + 8 * (4 * n + nFeat);
  },
  create(ctx): MemoryCircuit {
    const p = ctx.params;
    let net: ReservoirNet;
    if (p.file !== '') {
      let f: ReservoirFile;
      try {
        f = loadCircuit(path.resolve(ctx.baseDir, p.file), ctx.dims, p);
      } catch (err) {
        // Reported at the file parameter's line (scenario/construct.ts).
        throw new ParamError('file', 'a reservoir file trained for this layer (engram memory train)', (err as Error).message);
      }
      net = fromFile(f).net;
    } else {
      // Training at build time: the same code as engram memory train.
      net = trainCircuit(p, ctx.dims, ctx.rng.int(2 ** 31), undefined).net;
    }
    return new ReservoirMemory(net, ctx.channel, ctx.scheduler, p.normalize_z);
  },
  async pretrain(ctx) {
    const p = ctx.params;
    let start: Parameters<typeof trainCircuit>[3];
    if (ctx.resume && existsSync(ctx.out)) {
      let f: ReservoirFile;
      try {
        f = JSON.parse(readFileSync(ctx.out, 'utf8')) as ReservoirFile;
      } catch {
        // The parser's message quotes the file's content: not repeated (the file may be anything).
        throw new RangeError(
          `${ctx.out} cannot be resumed: it is not valid JSON (truncated, or not a reservoir file); delete it, or train again without --resume`,
        );
      }
      if (f.format !== 'engram-reservoir') throw new RangeError(`${ctx.out} is not an engram reservoir file`);
      for (const k of ['x', 'y', 'z'] as const)
        if (f.dims[k] !== ctx.dims[k]) throw new RangeError(`${ctx.out} was trained for ${k} of dimension ${f.dims[k]}, this layer has ${ctx.dims[k]}`);
      for (const k of netKeys)
        if (f.params[k] !== p[k]) throw new RangeError(`${ctx.out} was trained with ${k} = ${f.params[k]}, the scenario now says ${p[k]}: cannot resume`);
      if (f.seed !== ctx.seed) throw new RangeError(`${ctx.out} was trained with seed ${f.seed}, not ${ctx.seed}: cannot resume`);
      const { net, stream } = fromFile(f);
      start = { net, stream, trainer: f.state.trainer, done: f.progress.done };
    }
    const save = (file: ReservoirFile) => writeJsonAtomicSync(ctx.out, file);
    const { file, evaluation } = trainCircuit(p, ctx.dims, ctx.seed, start, save, 500, ctx.onProgress);
    save(file);
    return { file: ctx.out, samples: file.progress.total, resumed_from: start?.done ?? 0, held_out_cosine: evaluation.cosine, held_out_nmse: evaluation.nmse };
  },
});
