import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EngramError, exportScenario, openScenario } from '../index.js';
import { tempDir } from './helpers.js';

const python = (code: string) => spawnSync('/usr/bin/python3', ['-c', code], { encoding: 'utf8' }).status === 0;
const hasBrian = python('import brian2');
if (!hasBrian) console.warn('export.test.ts: python3-brian is not installed (apt-get install -y python3-brian): the cross-simulator test is skipped');
// PyNN's NEURON backend needs PyNN's mechanisms compiled (.ci/run does it; docs/export.md).
const hasPynnNeuron = python('import pyNN.neuron');
if (!hasPynnNeuron)
  console.warn(
    "export.test.ts: PyNN's NEURON backend is not available (python3-pynn, neuron-dev and nrnivmodl: see docs/export.md): the PyNN cross-simulator test is skipped",
  );

type PeerStats = Record<string, { spikes: number; rate_hz: number; cv_isi: number }>;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Exports CUBA for each seed, runs the scripts (in parallel) and reads their one JSON line. */
async function runExported(target: 'brian2' | 'pynn', seeds: number[], env: Record<string, string>): Promise<PeerStats[]> {
  const tmp = tempDir();
  try {
    return await Promise.all(
      seeds.map(async (seed) => {
        const file = path.join(tmp.dir, `cuba${seed}.py`);
        writeFileSync(file, await exportScenario('scenarios/cuba.yaml', target, { seed }));
        const { stdout } = await promisify(execFile)('/usr/bin/python3', [file], { env: { ...process.env, ...env }, timeout: 150_000 });
        return JSON.parse(stdout.trim().split('\n').pop()!) as PeerStats;
      }),
    );
  } finally {
    tmp.done();
  }
}

/** engram's CUBA for each seed: mean rate over all 4000 neurons, and the mean CV of the ISI. */
async function engramCuba(seeds: number[]): Promise<{ rate: number; cv: number }> {
  const runs = await Promise.all(
    seeds.map(async (seed) => {
      const sim = await openScenario('scenarios/cuba.yaml', { seed, set: ['recorders=[]'] });
      const last = new Float64Array(4000).fill(NaN);
      const isis: number[][] = Array.from({ length: 4000 }, () => []);
      for (const [pop, offset] of [
        ['exc', 0],
        ['inh', 3200],
      ] as const) {
        sim.populations.get(pop)!.addSpikeListener({
          onSpike(i, t) {
            if (last[i + offset] === last[i + offset]) isis[i + offset].push(t - last[i + offset]);
            last[i + offset] = t;
          },
        });
      }
      sim.run();
      const s = sim.summary();
      const cvs = isis.filter((x) => x.length >= 2).map((x) => Math.sqrt(mean(x.map((d) => d * d)) - mean(x) ** 2) / mean(x));
      return { rate: (s.populations.exc.spikes + s.populations.inh.spikes) / 4000, cv: mean(cvs) };
    }),
  );
  return { rate: mean(runs.map((o) => o.rate)), cv: mean(runs.map((o) => o.cv)) };
}

/** The peer's mean rate over all neurons and spike-weighted CV of the ISI, over the seeds. */
function peerCuba(runs: PeerStats[]): { rate: number; cv: number } {
  return {
    rate: mean(runs.map((b) => (b.exc.spikes + b.inh.spikes) / 4000)),
    cv: mean(runs.map((b) => (b.exc.cv_isi * b.exc.spikes + b.inh.cv_isi * b.inh.spikes) / (b.exc.spikes + b.inh.spikes))),
  };
}

describe('engram export --to brian2', () => {
  it('writes the CUBA network as a Brian2 script: groups, synapses with their receptors and delays', async () => {
    const script = await exportScenario('scenarios/cuba.yaml', 'brian2');
    expect(script).toContain("exc = NeuronGroup(3200, '''");
    expect(script).toContain('refractory=5*ms');
    expect(script).toMatch(/S0 = Synapses\(exc, exc, model='''w : amp''', on_pre='''I_ex_post \+= w'''/);
    expect(script).toMatch(/S2 = Synapses\(inh, exc, model='''w : amp''', on_pre='''I_in_post \+= w'''/);
    expect(script).toContain('S0.connect(p=0.02)');
    expect(script).toContain('S0.delay = 0.1*ms');
    expect(script).toContain("exc.v = '-60*mV + rand()*10*mV'");
  });

  it('writes stdp as Brian2 traces, and refuses what it cannot export by name', async () => {
    const stdp = await exportScenario('scenarios/stdp-window.yaml', 'brian2').catch((e) => e);
    // stdp-window uses parrot neurons: refused by name, like every model but lif.
    expect(stdp).toBeInstanceOf(EngramError);
    expect((stdp as Error).message).toMatch(/populations\.post\.model: neuron model "parrot" \(built in\) has no Brian2 export/);
    const plastic = await exportScenario('scenarios/cuba.yaml', 'brian2', {
      set: ['projections.0.plasticity={rule: stdp, params: {w_max: 3.24, mu_plus: 1}}'],
    });
    expect(plastic).toContain('dapre/dt = -apre / (16.8*ms) : 1 (event-driven)');
    expect(plastic).toMatch(/on_post='''w = clip\(w \+ 0.01\*nA\*\(\(3.24\*nA - w\)\/\(3.24 - 0\)\*nA\)\*\*1\*apre/);
    await expect(exportScenario('scenarios/xor.yaml', 'brian2')).rejects.toThrow(
      /training: the training protocol .* has no Brian2 equivalent; nothing was written/,
    );
    await expect(exportScenario('scenarios/distal-reward.yaml', 'brian2')).rejects.toThrow(/modulators \(dopamine\)|reward-stdp|pair-reward/);
  });

  it('exports a user plugin that contributes a Brian2 translation, and refuses one that does not, naming where it was loaded', async () => {
    // The docs example model without a translation: refused at its model field, with its plugins: entry.
    await expect(exportScenario('docs/examples/perfect-if.yaml', 'brian2')).rejects.toThrow(
      /populations\.pif\.model: neuron model "perfect-if" \(from \.\/perfect-if\.js, plugins\.0 at docs\/examples\/perfect-if\.yaml:5:11\) has no Brian2 export/,
    );
    // The same model plus a module that contributes its translation (test/fixtures/export).
    const script = await exportScenario('test/fixtures/export/perfect-if-brian2.yaml', 'brian2');
    expect(script).toContain('dv/dt = I_ext / (0.25*nF) : volt');
    expect(script).toContain("S0 = Synapses(kick, pif, model='''w : volt''', on_pre='''v_post += w''', name=\"S0\")");
    expect(script).toContain('S0.w = 5*mV');
    await expect(exportScenario('test/fixtures/export/perfect-if-brian2.yaml', 'pynn')).rejects.toThrow(
      /neuron model "perfect-if" \(from \.\.\/\.\.\/\.\.\/docs\/examples\/perfect-if\.js, plugins\.0 at .*:4:11\) has no PyNN export/,
    );
    if (!hasBrian) return;
    // Brian2 runs the user's translation: the same spike count as engram (10 in 80 ms).
    const tmp = tempDir();
    try {
      const file = path.join(tmp.dir, 'pif.py');
      writeFileSync(file, script);
      const { stdout } = await promisify(execFile)('/usr/bin/python3', [file], { env: { ...process.env, ENGRAM_BRIAN2_TARGET: 'numpy' }, timeout: 120_000 });
      const peer = JSON.parse(stdout.trim().split('\n').pop()!) as PeerStats;
      const sim = await openScenario('test/fixtures/export/perfect-if-brian2.yaml');
      sim.run();
      expect(sim.summary().populations.pif.spikes).toBe(10);
      expect(peer.pif.spikes).toBe(10);
    } finally {
      tmp.done();
    }
  }, 150_000);

  it.skipIf(!hasBrian)(
    "CUBA exported and run by Brian2 fires at engram's mean rate and ISI variability within 10% (seeds 1..3)",
    async () => {
      const seeds = [1, 2, 3];
      const peer = peerCuba(await runExported('brian2', seeds, { ENGRAM_BRIAN2_TARGET: 'numpy' }));
      const ours = await engramCuba(seeds);
      expect(Math.abs(ours.rate - peer.rate) / peer.rate).toBeLessThan(0.1);
      expect(Math.abs(ours.cv - peer.cv) / peer.cv).toBeLessThan(0.1);
    },
    180_000,
  );

  it.skipIf(!hasPynnNeuron)(
    "CUBA exported to PyNN and run on its NEURON backend fires at engram's mean rate and ISI variability within 10% (seeds 1..2)",
    async () => {
      const seeds = [1, 2];
      const peer = peerCuba(await runExported('pynn', seeds, { ENGRAM_PYNN_BACKEND: 'neuron' }));
      const ours = await engramCuba(seeds);
      expect(peer.rate).toBeGreaterThan(2);
      expect(Math.abs(ours.rate - peer.rate) / peer.rate).toBeLessThan(0.1);
      expect(Math.abs(ours.cv - peer.cv) / peer.cv).toBeLessThan(0.1);
    },
    180_000,
  );
});

describe('SONATA spike output', () => {
  it('writes spikes.h5 with /spikes/<population>/timestamps and node_ids, sorted by time, the same spikes as the CSV', async () => {
    const { runScenario } = await import('../index.js');
    const { default: h5wasm } = await import('h5wasm/node');
    const tmp = tempDir();
    await runScenario('scenarios/cuba.yaml', {
      out: tmp.dir,
      set: ['duration_ms=100', 'recorders=[{type: spikes, params: {format: sonata}}, {type: spikes}]'],
    });
    await h5wasm.ready;
    const f = new h5wasm.File(path.join(tmp.dir, 'spikes.h5'), 'r');
    expect(f.get('spikes') && (f.get('spikes') as { keys(): string[] }).keys().sort()).toEqual(['exc', 'inh']);
    for (const pop of ['exc', 'inh']) {
      const group = f.get(`spikes/${pop}`) as unknown as { attrs: Record<string, { value: unknown }> };
      expect(group.attrs.sorting.value).toBe('by_time');
      const ts = f.get(`spikes/${pop}/timestamps`) as unknown as { value: Float64Array; attrs: Record<string, { value: unknown }> };
      const ids = f.get(`spikes/${pop}/node_ids`) as unknown as { value: BigUint64Array };
      expect(ts.attrs.units.value).toBe('ms');
      const csv = (await import('node:fs'))
        .readFileSync(path.join(tmp.dir, 'spikes', `${pop}.csv`), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',').map(Number));
      expect(csv.length).toBeGreaterThan(50);
      expect(Array.from(ts.value)).toEqual(csv.map((r) => r[0]));
      expect(Array.from(ids.value, Number)).toEqual(csv.map((r) => r[1]));
    }
    f.close();
    tmp.done();
  });
});

describe('engram export --to pynn', () => {
  it('writes CUBA with IF_curr_exp (cm = tau_m / R_m), the connectors and receptors, and stdp with amplitudes relative to w_max', async () => {
    const script = await exportScenario('scenarios/cuba.yaml', 'pynn', { set: ['projections.0.plasticity={rule: stdp, params: {w_max: 3.24}}'] });
    expect(script).toContain(
      'exc = sim.Population(3200, sim.IF_curr_exp(tau_m=20, cm=20, v_rest=-49, v_reset=-60, v_thresh=-50, tau_refrac=5, tau_syn_E=5, tau_syn_I=10, i_offset=0), label="exc")',
    );
    expect(script).toContain("exc.initialize(v=RandomDistribution('uniform', (-60, -50), rng=rng))");
    expect(script).toMatch(
      /P2 = sim.Projection\(inh, exc, sim.FixedProbabilityConnector\(0.02, allow_self_connections=True, rng=rng\), sim.StaticSynapse\(weight=-9, delay=0.1\), receptor_type="inhibitory"/,
    );
    expect(script).toContain(`sim.SpikePairRule(tau_plus=16.8, tau_minus=33.7, A_plus=${0.01 / 3.24}, A_minus=${0.0105 / 3.24})`);
    expect(script).toContain('sim.AdditiveWeightDependence(w_min=0, w_max=3.24)');
  });

  it('refuses what PyNN cannot express, by name', async () => {
    await expect(exportScenario('scenarios/xor.yaml', 'pynn')).rejects.toThrow(/export --to pynn .*training: .* no PyNN equivalent; nothing was written/);
    await expect(
      exportScenario('scenarios/cuba.yaml', 'pynn', { set: ['projections.0.plasticity={rule: stdp, params: {w_max: 3, pairing: nearest}}'] }),
    ).rejects.toThrow(/pairing: nearest pairing has no standard PyNN rule/);
    await expect(
      exportScenario('scenarios/cuba.yaml', 'pynn', { set: ['projections.0.receptor=null', 'projections.0.weight={dist: uniform, low: -1, high: 1}'] }).catch(
        (e) => e,
      ),
    ).resolves.toBeInstanceOf(Error);
  });
});
