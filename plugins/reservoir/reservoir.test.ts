import { readFileSync, writeFileSync } from 'node:fs';
import { ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import type { MemorySample } from '../../core/contracts.js';
import { MemoryCircuitToken } from '../../core/tokens.js';
import { Rng } from '../../core/rng.js';
import { build, tempDir } from '../../test/helpers.js';
import { MlpReadout } from './mlp.js';
import { Channel } from '../../core/modulators.js';
import { Scheduler } from '../../core/scheduler.js';
import { ReservoirNet, type ReservoirFile } from './reservoir-net.js';
import { ReservoirMemory, ReservoirMemoryPlugin, trainCircuit } from './reservoir.js';
import { fromFile, presentSample, RandomStream } from './train.js';
import { trainerOf } from '../../training/protocol.js';

const defaults = Object.fromEntries(ReservoirMemoryPlugin.params.map((s) => [s.name, s.default]));
const small = (over: Record<string, unknown> = {}) =>
  ({ ...defaults, size: 80, window: 4, sigma_z: 1, gamma: 5, train_samples: 1000, eval_samples: 200, ...over }) as never;
const dims = { x: 2, y: 2, z: 3 };

/** Trains, saving each checkpoint to `file`, and is killed right after checkpoint number `n`. */
function killedAtCheckpoint(p: never, seed: number, file: string, n: number): void {
  let calls = 0;
  expect(() =>
    trainCircuit(p, dims, seed, undefined, (f) => {
      writeFileSync(file, JSON.stringify(f));
      if (++calls === n) throw new Error('killed');
    }),
  ).toThrow('killed');
}

describe('reservoir memory', () => {
  for (const trainer of ['lms', 'ridge', 'rmh'] as const) {
    it(`${trainer}: a small reservoir trained briefly beats the zero-output baseline on held-out xi`, () => {
      // rmh explores, so it needs more samples than the supervised trainers.
      const over = trainer === 'lms' ? { eta: 1e-4 } : trainer === 'rmh' ? { eta: 1e-4, noise_o: 1, train_samples: 3000 } : {};
      const { evaluation } = trainCircuit(small({ trainer, ...over }), dims, 7, undefined);
      // A zero output scores nmse 1 exactly; an untrained readout (W_o = 0) is that baseline.
      const untrained = trainCircuit(small({ train_samples: 0 }), dims, 7, undefined).evaluation;
      expect(untrained.nmse).toBeCloseTo(1, 12);
      expect(evaluation.nmse).toBeLessThan(0.98);
      expect(evaluation.cosine).toBeGreaterThan(0.05);
    });
  }

  it('a saved circuit reloads bit-identically and gives identical output', async () => {
    const out = tempDir();
    const file = `${out.dir}/r.json`;
    const info = await ReservoirMemoryPlugin.pretrain!({ params: small(), dims, seed: 3, out: file, resume: false });
    expect(info.samples).toBe(1000);
    const saved = JSON.parse(readFileSync(file, 'utf8')) as ReservoirFile;
    const a = fromFile(saved).net;
    const b = fromFile(JSON.parse(JSON.stringify(saved))).net;
    for (const k of ['val', 'col', 'rowStart', 'wIn', 'wFb', 'wOut', 'u'] as const) expect(Array.from(b[k])).toEqual(Array.from(a[k]));
    // The same circuit as trained in memory, and the same outputs on a stream.
    const direct = trainCircuit(small(), dims, 3, undefined);
    expect(Array.from(a.wOut)).toEqual(Array.from(direct.net.wOut));
    const s1 = new RandomStream(dims, a.p, Rng.derive(1, 's'));
    const s2 = new RandomStream(dims, b.p, Rng.derive(1, 's'));
    for (let i = 0; i < 30; i++) {
      const p = s1.next();
      const q = s2.next();
      expect(Array.from(presentSample(b, q.x, q.y, q.z))).toEqual(Array.from(presentSample(a, p.x, p.y, p.z)));
    }
    out.done();
  });

  it('an interrupted training resumes to exactly the circuit of an uninterrupted one', async () => {
    const out = tempDir();
    const file = `${out.dir}/r.json`;
    const full = trainCircuit(small({ train_samples: 1500 }), dims, 5, undefined);
    // Interrupt after the first checkpoint (500 samples).
    killedAtCheckpoint(small({ train_samples: 1500 }), 5, file, 1);
    expect((JSON.parse(readFileSync(file, 'utf8')) as ReservoirFile).progress).toEqual({ done: 500, total: 1500 });
    const info = await ReservoirMemoryPlugin.pretrain!({ params: small({ train_samples: 1500 }), dims, seed: 5, out: file, resume: true });
    expect(info.resumed_from).toBe(500);
    const resumed = JSON.parse(readFileSync(file, 'utf8')) as ReservoirFile;
    expect(resumed.weights.wOut).toBe(full.file.weights.wOut);
    expect(resumed.evaluation).toEqual(full.file.evaluation);
    out.done();
  });

  it("in the loop it receives only the current sample's [x; y; z], and a file for other dimensions or targets is refused", async () => {
    const seen: { sample: MemorySample; input: number[]; before: number[] }[] = [];
    const spy: typeof ReservoirMemoryPlugin = {
      ...ReservoirMemoryPlugin,
      name: 'spy-reservoir',
      create(ctx) {
        const m = ReservoirMemoryPlugin.create(ctx) as ReservoirMemory;
        const present = m.present.bind(m);
        m.present = (sample, t) => {
          const before = Array.from(m.net.input);
          present(sample, t);
          seen.push({
            sample: { x: Float64Array.from(sample.x), y: Float64Array.from(sample.y), z: Float64Array.from(sample.z) },
            input: Array.from(m.net.input),
            before,
          });
        };
        return m;
      },
    };
    const scenario = (memory: string) => `
seed: 2
resolution_ms: 1
training:
  dataset: {type: xor}
  input: in
  readout: out
  layers: [{population: h, memory: ${memory}}]
  presentation_ms: 20
  gap_ms: 5
  epochs: 1
  train_samples: 12
inputs:
  in: {type: rate-code, size: 2, params: {max_rate_hz: 200, low: -0.5, high: 1.5}}
populations:
  h: {model: lif, size: 3, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}
  out: {model: lif, size: 2, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}
projections:
  - {from: in, to: h, connector: {type: all_to_all}, weight: 4, plasticity: {rule: ib-hebbian, params: {eta: 0.01}}}
  - {from: h, to: out, connector: {type: all_to_all}, weight: 1}
`;
    const params = '{size: 40, steps_per_sample: 5, window: 4, sigma_z: 40, gamma: 5, z_mean: 50, z_sd: 30, train_samples: 200}';
    const module = new ContainerModule(({ bind }) => {
      bind(MemoryCircuitToken).toConstantValue(spy);
    });
    const sim = await build(scenario(`{type: spy-reservoir, params: ${params}}`), [module]);
    trainerOf(sim)!.run();
    expect(seen).toHaveLength(12); // the training samples only, none of the 100 test samples
    const sx = 1 / (0.5 * Math.sqrt(2));
    const sy = 1 / (0.25 * Math.sqrt(2));
    const sz = 1 / (40 * Math.sqrt(3));
    for (const [n, s] of seen.entries()) {
      const expected = [...Array.from(s.sample.x, (v) => v * sx), ...Array.from(s.sample.y, (v) => v * sy), ...Array.from(s.sample.z, (v) => (v - 50) * sz)];
      s.input.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
      // Between two samples nothing else changed the circuit's input.
      if (n > 0) expect(s.before).toEqual(seen[n - 1].input);
    }

    // Save a circuit for this layer, then load it by path; other targets are refused.
    const out = tempDir();
    await ReservoirMemoryPlugin.pretrain!({
      params: { ...defaults, size: 40, steps_per_sample: 5, window: 4, sigma_z: 40, gamma: 5, train_samples: 100 } as never,
      dims: { x: 2, y: 2, z: 3 },
      seed: 1,
      out: `${out.dir}/h.json`,
      resume: false,
    });
    const withFile = (extra: string) => scenario(`{type: reservoir, params: {file: ${out.dir}/h.json, window: 4, sigma_z: 40, gamma: 5${extra}}}`);
    await build(withFile(''));
    await expect(build(withFile(', gamma: 6').replace('gamma: 5, gamma: 6', 'gamma: 6'))).rejects.toThrow(/was trained for gamma = 5, the scenario asks for 6/);
    await expect(build(withFile('').replace('h: {model: lif, size: 3', 'h: {model: lif, size: 4'))).rejects.toThrow(
      /was trained for z of dimension 3, this layer has 4/,
    );
    await expect(build(withFile('').replace(`${out.dir}/h.json`, `${out.dir}/missing.json`))).rejects.toThrow(/missing\.json does not exist/);
    out.done();
  });
});

describe('reservoir memory with normalize_z', () => {
  it('sees the layer-normalised z and emits a signal with no common mode and no component along it', () => {
    const { file } = trainCircuit(small({ train_samples: 300 }), dims, 7, undefined);
    const emitted = (normalize: boolean) => {
      const scheduler = new Scheduler();
      const channel = new Channel('xi/h', 3);
      const m = new ReservoirMemory(fromFile(file).net, channel, scheduler, normalize);
      const z = Float64Array.from([3, 7, 11]); // mean 7, sd sqrt(32 / 3)
      m.present({ x: Float64Array.from([0.2, 0.9]), y: Float64Array.from([1, 0]), z }, 0);
      scheduler.runUntil(100);
      return { last: Array.from(m.last), input: Array.from(m.net.input) };
    };
    const raw = emitted(false);
    const norm = emitted(true);
    const zHat = [-1, 0, 1].map((v) => v * Math.sqrt(3 / 2));
    const sz = 1 / Math.sqrt(3); // sigma_z 1, scaled by sqrt(dim); z_mean 0
    norm.input.slice(4).forEach((v, i) => expect(v).toBeCloseTo(zHat[i] * sz, 12));
    const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum(raw.last))).toBeGreaterThan(1e-6);
    expect(sum(norm.last)).toBeCloseTo(0, 12);
    expect(sum(norm.last.map((v, i) => v * zHat[i]))).toBeCloseTo(0, 12);
  });
});

describe('delay-line structure and mlp readout', () => {
  const line = (over: Record<string, unknown> = {}) =>
    small({ structure: 'delay-line', tau_ms: 1, lambda: 1, input_scale: 0.1, steps_per_sample: 5, window: 4, size: 60, ...over });

  it('each tap holds exactly one earlier sample: the sample presented j samples ago and nothing else', () => {
    const p = line();
    // 5 steps x 3 earlier samples = 15 banks of 4 units; taps at banks 5, 10, 15.
    const a = new ReservoirNet(p, dims, Rng.derive(1, 'net'));
    const b = new ReservoirNet(p, dims, Rng.derive(1, 'net'));
    expect(a.readIdx.length).toBe(12);
    const rng = Rng.derive(2, 's');
    const sample = () => ({ x: [rng.normal(), rng.normal()], y: [1, 0], z: [rng.normal(), rng.normal(), rng.normal()] });
    const shared = sample();
    // Stream a: 3 samples, the shared one, 2 more; stream b: other samples around the same one.
    const streamA = [sample(), sample(), sample(), shared, sample(), sample()];
    const streamB = [sample(), sample(), sample(), shared, sample(), sample()];
    for (let i = 0; i < 6; i++) {
      presentSample(a, streamA[i].x, streamA[i].y, streamA[i].z);
      presentSample(b, streamB[i].x, streamB[i].y, streamB[i].z);
    }
    // After the last sample, the shared one is 2 samples back: tap 2 (features 4..7) agrees
    // exactly, taps 1 and 3 hold different samples and differ.
    const tap = (net: ReservoirNet, j: number) => Array.from(net.feat.subarray((j - 1) * 4, j * 4));
    expect(tap(b, 2)).toEqual(tap(a, 2));
    expect(tap(a, 2).some((v) => v !== 0)).toBe(true);
    expect(tap(b, 1)).not.toEqual(tap(a, 1));
    expect(tap(b, 3)).not.toEqual(tap(a, 3));
  });

  it('a delay line too short for the window holds fewer samples (its capacity)', () => {
    // 5 steps x 3 samples = 15 banks needed, 10 units give 10 banks of 1: only tap 1 (bank 5) and tap 2 (bank 10) exist.
    const net = new ReservoirNet(line({ size: 10 }), dims, Rng.derive(1, 'net'));
    expect(Array.from(net.readIdx)).toEqual([4, 9]);
  });

  it("the mlp readout's gradient matches finite differences", () => {
    const mlp = new MlpReadout(5, 4, 3);
    const rng = Rng.derive(3, 'mlp');
    const w = new Float64Array(mlp.size);
    mlp.init(w, () => rng.normal());
    for (let i = mlp.firstLearned; i < mlp.size; i++) w[i] = rng.normal() * 0.5;
    w[mlp.o.scale] = 2;
    const f = Float64Array.from({ length: 5 }, () => rng.normal());
    const target = Float64Array.from({ length: 3 }, () => rng.normal());
    const out = new Float64Array(3);
    const loss = () => {
      mlp.forward(w, f, out);
      return out.reduce((s, o, k) => s + (o - target[k]) ** 2, 0) / (2 * 4);
    };
    loss();
    const g = new Float64Array(mlp.size);
    mlp.backward(w, out, target, g);
    for (let i = mlp.firstLearned; i < mlp.size; i++) {
      const w0 = w[i];
      w[i] = w0 + 1e-6;
      const up = loss();
      w[i] = w0 - 1e-6;
      const down = loss();
      w[i] = w0;
      expect(g[i]).toBeCloseTo((up - down) / 2e-6, 6);
    }
  });

  for (const trainer of ['adam', 'lms'] as const) {
    it(`delay line + mlp readout (${trainer}) beats the zero-output baseline and the best linear readout of a random reservoir`, () => {
      const over = {
        window: 2,
        train_samples: 20000,
        eval_samples: 300,
        readout: 'mlp',
        hidden: 32,
        trainer,
        eta: trainer === 'adam' ? 3e-3 : 0.05,
        norm_samples: 200,
        train_steps: 1,
        batch: 8,
      };
      const mlp = trainCircuit(line(over), dims, 4, undefined).evaluation;
      const ridge = trainCircuit(small({ window: 2, size: 60, trainer: 'ridge', train_samples: 4000, eval_samples: 300 }), dims, 4, undefined).evaluation;
      expect(mlp.nmse).toBeLessThan(ridge.nmse);
      expect(mlp.cosine).toBeGreaterThan(ridge.cosine);
      expect(mlp.cosine).toBeGreaterThan(0.5);
    });
  }

  it('an mlp readout resumes exactly (weights, normalisation and Adam state)', async () => {
    const out = tempDir();
    const file = `${out.dir}/m.json`;
    const p = line({ readout: 'mlp', hidden: 8, trainer: 'adam', eta: 3e-3, norm_samples: 300, train_steps: 1, train_samples: 1200, batch: 7 });
    const full = trainCircuit(p, dims, 5, undefined);
    killedAtCheckpoint(p, 5, file, 2);
    const info = await ReservoirMemoryPlugin.pretrain!({ params: p, dims, seed: 5, out: file, resume: true });
    expect(info.resumed_from).toBe(1000);
    const resumed = JSON.parse(readFileSync(file, 'utf8')) as ReservoirFile;
    expect(resumed.weights.wOut).toBe(full.file.weights.wOut);
    expect(resumed.evaluation).toEqual(full.file.evaluation);
    out.done();
  });

  it('refuses trainers that cannot train the chosen readout, naming the field', async () => {
    const scenario = (params: string) => `
seed: 1
memory_experiment:
  memory: {type: reservoir, params: {${params}}}
  dims: {x: 2, y: 2, z: 3}
  grid: {window: [2]}
  test_samples: 10
`;
    const { validateScenario } = await import('../../index.js');
    const dir = tempDir();
    writeFileSync(`${dir.dir}/a.yaml`, scenario('readout: mlp, trainer: rmh'));
    await expect(validateScenario(`${dir.dir}/a.yaml`)).rejects.toThrow(/memory_experiment\.memory\.params\.trainer[\s\S]*lms or adam for an mlp readout/);
    writeFileSync(`${dir.dir}/b.yaml`, scenario('trainer: adam'));
    await expect(validateScenario(`${dir.dir}/b.yaml`)).rejects.toThrow(/adam trains the mlp readout/);
    dir.done();
  });
});
