/**
 * The grid step on several threads (core/threads.ts, Simulation.useThreads, --threads): the
 * same spikes, weights and training history for 1, 2 and 3 threads, a resumed threaded run
 * equal to an uninterrupted one, and failures that name the thread.
 *
 * Worker threads load compiled JavaScript, so these tests use dist/ (built by the global
 * setup) rather than the TypeScript sources.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type Api = typeof import('../index.js');
type Threads = typeof import('../core/threads.js');
const api = (await import(pathToFileURL(path.resolve('dist/index.js')).href)) as Api;
const { StepThreads } = (await import(pathToFileURL(path.resolve('dist/core/threads.js')).href)) as Threads;

const dir = mkdtempSync(path.join(tmpdir(), 'engram-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function scenarioFile(name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

const neuron = `{tau_m_ms: 20, R_m_MOhm: 1, E_L_mV: -49, v_th_mV: -50, v_reset_mV: -60, t_ref_ms: 5, tau_syn_ex_ms: 5, tau_syn_in_ms: 10, spike_timing: grid}`;
/** CUBA at 1000 neurons (docs/performance.md), optionally with stdp on the excitatory synapses. */
const cuba = (plastic: boolean) => `
seed: 7
duration_ms: 200
resolution_ms: 0.1
populations:
  exc: {model: lif, size: 800, params: ${neuron}, init: {v_mV: {dist: uniform, low: -60, high: -50}}}
  inh: {model: lif, size: 200, params: ${neuron}, init: {v_mV: {dist: uniform, low: -60, high: -50}}}
projections:
  - {name: ee, from: exc, to: exc, connector: {type: fixed_probability, p: 0.05}, weight: 1.62, receptor: exc${plastic ? ', plasticity: {rule: stdp, params: {w_max: 4, A_plus: 0.05, A_minus: 0.05}}' : ''}}
  - {name: ei, from: exc, to: inh, connector: {type: fixed_probability, p: 0.05}, weight: 1.62, receptor: exc${plastic ? ', plasticity: {rule: stdp, params: {w_max: 4, A_plus: 0.05, A_minus: 0.05}}' : ''}}
  - {name: ie, from: inh, to: exc, connector: {type: fixed_probability, p: 0.05}, weight: -9, receptor: inh}
  - {name: ii, from: inh, to: inh, connector: {type: fixed_probability, p: 0.05}, weight: -9, receptor: inh}
`;

/** Every spike (population, neuron, time) and every weight of a run, hashed; and the spike count. */
async function fingerprint(file: string, threads: number, run: (sim: Awaited<ReturnType<Api['openScenario']>>) => void = (sim) => sim.run()) {
  const sim = await api.openScenario(file);
  const h = createHash('sha256');
  let spikes = 0;
  for (const [name, p] of sim.populations)
    p.addSpikeListener({
      onSpike(j: number, t: number) {
        spikes++;
        h.update(`${name} ${j} ${t}\n`);
      },
    });
  // Every population split, however small, so that the ranges have something to disagree on.
  const use = sim.useThreads(threads, { minNeuronsPerThread: 1 });
  try {
    run(sim);
  } finally {
    sim.close();
  }
  for (const p of sim.projections) h.update(Buffer.from(p.weights().weight.buffer));
  return { hash: h.digest('hex'), spikes, split: use.split };
}

// Threads that wait for each other are slow on a machine whose cores are taken by the other
// test files (a descheduled worker turns a spin into a sleep): a longer limit than the default.
describe('the grid step on several threads', { timeout: 180_000 }, () => {
  it('gives the spikes of one thread with 2 and 3 threads (CUBA, static)', async () => {
    const file = scenarioFile('cuba', cuba(false));
    const one = await fingerprint(file, 1);
    expect(one.spikes).toBeGreaterThan(500);
    expect(one.split).toEqual([]);
    for (const n of [2, 3]) {
      const r = await fingerprint(file, n);
      expect(r.split).toEqual(['exc', 'inh']);
      expect(r.hash).toBe(one.hash);
    }
  });

  it('splits every population with a range step once together they fill the threads, and none otherwise', async () => {
    const file = scenarioFile('cuba-min', cuba(false));
    const sim = await api.openScenario(file);
    try {
      // 800 + 200 neurons: at 450 per thread neither population alone fills 2 threads, both together do.
      let use = sim.useThreads(2, { minNeuronsPerThread: 450 });
      expect(use.split).toEqual(['exc', 'inh']);
      expect(use.single).toEqual([]);
      use = sim.useThreads(2, { minNeuronsPerThread: 501 });
      expect(use.split).toEqual([]);
      expect(use.single.map((p: { name: string }) => p.name)).toEqual(['exc', 'inh']);
      expect(use.single[0].reason).toMatch(/1000 neurons in the 2 populations that can be split, fewer than 501 per thread/);
    } finally {
      sim.close();
    }
  });

  it('gives the spikes and weights of one thread with stdp on the excitatory synapses', async () => {
    const file = scenarioFile('cuba-stdp', cuba(true));
    const one = await fingerprint(file, 1);
    const still = await fingerprint(scenarioFile('cuba-static', cuba(false)), 1);
    // The rule changes the run (else this test could not tell).
    expect(one.hash).not.toBe(still.hash);
    for (const n of [2, 3]) expect((await fingerprint(file, n)).hash).toBe(one.hash);
  });

  it('a run resumed from a checkpoint on 2 and 3 threads equals the uninterrupted one-thread run', async () => {
    const file = scenarioFile('cuba-stdp-resume', cuba(true));
    const whole = await fingerprint(file, 1);
    const first = await api.openScenario(file);
    first.run(80, { settle: false });
    const saved = first.saveState();
    for (const n of [2, 3]) {
      const resumed = await fingerprint(file, n, (sim) => {
        sim.restoreState(saved);
        sim.run();
      });
      expect(resumed.split).toEqual(['exc', 'inh']);
      // The same weights (the hash covers them; the spikes before 80 ms were not heard).
      const tail = await fingerprint(file, 1, (sim) => {
        sim.restoreState(saved);
        sim.run();
      });
      expect(resumed.hash).toBe(tail.hash);
    }
    const oneThread = await api.openScenario(file);
    oneThread.run();
    const resumedSim = await api.openScenario(file);
    resumedSim.restoreState(saved);
    resumedSim.useThreads(2, { minNeuronsPerThread: 1 });
    resumedSim.run();
    resumedSim.close();
    for (let p = 0; p < oneThread.projections.length; p++)
      expect(resumedSim.projections[p].weights().weight).toEqual(oneThread.projections[p].weights().weight);
    expect(whole.spikes).toBeGreaterThan(500);
  });

  it('trains xor with grid neurons to the same history and weights on 1, 2 and 3 threads', async () => {
    const set = [
      'training.epochs=2',
      'training.dataset.params.n=40',
      'training.dataset.params.n_train=30',
      'populations.h1.params.spike_timing=grid',
      'populations.h2.params.spike_timing=grid',
    ];
    const train = async (threads: number) => {
      const sim = await api.openScenario('scenarios/xor.yaml', { set });
      const use = sim.useThreads(threads, { minNeuronsPerThread: 1 });
      try {
        const result = api.trainerOf(sim)!.run();
        // Everything but the wall times.
        return {
          history: JSON.stringify(result, (k, v) => (k === 'wall_s' ? undefined : v)),
          weights: sim.projections.map((p) => Array.from(p.weights().weight)),
          split: use.split,
        };
      } finally {
        sim.close();
      }
    };
    const one = await train(1);
    for (const n of [2, 3]) {
      const r = await train(n);
      expect(r.split).toEqual(['h1', 'h2']);
      expect(r.history).toBe(one.history);
      expect(r.weights).toEqual(one.weights);
    }
  });

  it('names a kernel that cannot be loaded, and stops its threads', () => {
    const step = {
      module: pathToFileURL(path.resolve('dist/core/errors.js')).href,
      factory: 'noSuchKernel',
      data: {},
      kernel: () => 0,
      begin() {},
      end() {},
    };
    expect(() => new StepThreads(2, [{ name: 'p', size: 10, step }])).toThrow(/step thread 1 failed: .*errors\.js has no export noSuchKernel/);
  });

  it('--threads refuses what is not a count of threads, with exit 2', () => {
    const r = spawnSync(process.execPath, ['dist/cli/engram.js', 'run', 'scenarios/cuba.yaml', '--threads', '0', '--out', path.join(dir, 'bad')], {
      encoding: 'utf8',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--threads: expected a whole number of threads from 1 to 256, found 0/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
