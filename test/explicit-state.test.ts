import { describe, expect, it } from 'vitest';
import { openScenario, trainerOf, type Snapshot } from '../index.js';
import { build } from './helpers.js';

/**
 * Explicit checkpoint state (core/checkpoint.ts ExplicitState): plugin objects that implement
 * it are saved by their saveState with a named, versioned format, not by reflection; a
 * checkpoint of another format, or one without a field the code now has, is refused by name.
 */
const small = ['populations.exc.size=400', 'populations.inh.size=100'];
const settings = (timing: 'grid' | 'precise') => [
  ...small,
  `populations.exc.params.spike_timing=${timing}`,
  `populations.inh.params.spike_timing=${timing}`,
  'projections.0.plasticity={rule: stdp, params: {w_max: 3.24}}',
];

async function spikesAfterRestore(timing: 'grid' | 'precise') {
  const set = settings(timing);
  const record = (sim: Awaited<ReturnType<typeof openScenario>>) => {
    const seen: string[] = [];
    sim.populations.get('exc')!.addSpikeListener({ onSpike: (i, t) => void seen.push(`${i}@${t}`) });
    return seen;
  };
  const whole = await openScenario('scenarios/cuba.yaml', { set, seed: 3 });
  const wholeSpikes = record(whole);
  whole.run(300);
  const first = await openScenario('scenarios/cuba.yaml', { set, seed: 3 });
  first.run(120);
  const state = JSON.parse(JSON.stringify(first.saveState())) as Snapshot;
  const resumed = await openScenario('scenarios/cuba.yaml', { set, seed: 3 });
  resumed.restoreState(state);
  const resumedSpikes = record(resumed);
  resumed.run(300);
  return {
    state,
    wholeSpikes,
    resumedSpikes,
    resumedWeights: Array.from(resumed.projections[0].weight),
    wholeWeights: Array.from(whole.projections[0].weight),
  };
}

describe('explicit checkpoint state', () => {
  for (const timing of ['grid', 'precise'] as const) {
    it(`lif (${timing}) is saved by its saveState, and a run restored mid-way goes on exactly as the uninterrupted one`, async () => {
      const { state, wholeSpikes, resumedSpikes, resumedWeights, wholeWeights } = await spikesAfterRestore(timing);
      const formats = Object.values(state.nodes)
        .filter((n) => n.kind === 'state')
        .map((n) => n.format);
      // The populations and the stdp dynamics (with its post-spike archive inside).
      expect(formats.filter((f) => f!.startsWith('lif'))).toEqual(Array(2).fill(`lif-${timing}/${timing === 'precise' ? 4 : 3}`));
      expect(formats).toContain('stdp/1');
      expect(Object.values(state.nodes).some((n) => n.kind === 'object:StdpDynamics' || n.kind === 'object:PostSpikeArchive')).toBe(false);
      // Nothing inside a lif population was walked by reflection.
      expect(Object.keys(state.nodes).filter((p) => /\.population\.\w+/.test(p) && !p.includes('.router'))).toEqual([]);
      const after = wholeSpikes.filter((s) => Number(s.split('@')[1]) > 120);
      expect(after.length).toBeGreaterThan(100);
      expect(resumedSpikes).toEqual(after);
      expect(resumedWeights).toEqual(wholeWeights);
    });
  }

  it('refuses a checkpoint whose state format differs, naming both formats', async () => {
    const { state } = await spikesAfterRestore('grid');
    const node = Object.values(state.nodes).find((n) => n.kind === 'state')!;
    node.format = 'lif-grid/0';
    const fresh = await openScenario('scenarios/cuba.yaml', { set: settings('grid'), seed: 3 });
    expect(() => fresh.restoreState(state)).toThrow(/the checkpoint holds state of format lif-grid\/0, this engram reads lif-grid\/3/);
  });

  it('refuses a checkpoint that lacks a field the code now has (a renamed field), instead of leaving it at its initial value', async () => {
    const { state } = await spikesAfterRestore('precise');
    // A projection is saved field by field: rename one of its fields in the checkpoint.
    const [, node] = Object.entries(state.nodes).find(([, n]) => n.kind === 'object:ProjectionRuntime')!;
    const items = node.items as [string, unknown][];
    items.find(([k]) => k === 'weight')![0] = 'weights';
    const fresh = await openScenario('scenarios/cuba.yaml', { set: settings('precise'), seed: 3 });
    expect(() => fresh.restoreState(state)).toThrow(/\(ProjectionRuntime\): the checkpoint has no field "weight"/);
  });

  // Every plugin object of these scenarios, saved mid-run and restored into a fresh build,
  // agrees field by field with the original (saveState({ explicit: false }) walks inside the
  // objects with explicit state): their saveState misses nothing a run changes.
  /** The whole state field by field (inside explicit objects too), wall-clock fields left out. */
  const full = (sim: Awaited<ReturnType<typeof openScenario>>) => {
    const snap = JSON.parse(JSON.stringify(sim.saveState({ explicit: false }))) as Snapshot;
    for (const node of Object.values(snap.nodes)) {
      if (node.kind.startsWith('object:')) node.items = (node.items as [string, never][]).filter(([k]) => !/^(wall_s|wallBefore|build_s)$/.test(k));
    }
    return snap;
  };

  /** Runs a network (`t` ms), or a training (`samples` training samples, stopping between two). */
  async function advance(sim: Awaited<ReturnType<typeof openScenario>>, until: { t?: number; samples?: number }) {
    if (until.t !== undefined) return sim.run(until.t);
    let k = 0;
    const stop = new Error('stop');
    await trainerOf(sim)!
      .runAsync(undefined, (savable) => {
        if (savable && ++k >= until.samples!) throw stop;
      })
      .catch((e) => {
        if (e !== stop) throw e;
      });
  }

  // Every plugin object of these scenarios, saved mid-run and restored into a fresh build,
  // agrees field by field with the original (saveState({ explicit: false }) walks inside the
  // objects with explicit state): their saveState misses nothing a run changes. The memories
  // emit after a delay, so that a signal waits in their queue at the save.
  const delayed = (layer: number, memory: string) => `training.layers.${layer}.memory=${memory}`;
  for (const [scenario, set, until] of [
    ['scenarios/cuba.yaml', [...settings('grid'), 'projections.1.plasticity={rule: triplet-stdp, params: {w_max: 3.24}}'], { t: 150 }],
    ['scenarios/cuba.yaml', settings('precise'), { t: 150 }],
    [
      'scenarios/xor.yaml',
      [
        'training.epochs=1',
        delayed(0, '{type: ideal-window, params: {window: 10, sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, scale_z: true, gamma: 10, delay_ms: 15}}'),
      ],
      { samples: 37 },
    ],
    [
      'scenarios/xor-rate.yaml',
      ['training.epochs=2', delayed(0, '{type: two-sample, params: {sigma_z: 2, gamma: 10, delay_ms: 15, normalize_z: true}}')],
      { samples: 23 },
    ],
    ['scenarios/parity-decorrelated.yaml', ['training.epochs=1'], { samples: 41 }],
    ['scenarios/distal-reward.yaml', ['duration_ms=3000'], { t: 1500 }],
    ['scenarios/stdp-window.yaml', [], { t: 500 }],
    [
      'scenarios/xor-reservoir.yaml',
      ['training.epochs=1', 'training.layers.0.memory.params.train_samples=50', 'training.layers.1.memory.params.train_samples=50'],
      { samples: 17 },
    ],
    ['scenarios/mnist-backprop.yaml', ['training.epochs=1', 'training.dataset.params.n_train=20', 'training.dataset.params.n_test=10'], { samples: 7 }],
  ] as const) {
    it(`${scenario} ${set.filter((x) => !x.startsWith('populations.')).join(' ')}: restored state agrees field by field with the saved one`, async () => {
      const a = await openScenario(scenario, { set: [...set] });
      await advance(a, until);
      const saved = JSON.parse(JSON.stringify(a.saveState())) as Snapshot;
      const b = await openScenario(scenario, { set: [...set] });
      b.restoreState(saved);
      expect(full(b)).toEqual(full(a));
    }, 60_000);
  }

  it('inputs (current steps, poisson with a schedule, spike-source) and triplet-stdp: restored state agrees field by field with the saved one', async () => {
    const yaml = `
duration_ms: 200
inputs:
  drive: {type: current, target: a, params: {amplitude_nA: 0.5, steps: [{t_ms: 50, amplitude_nA: 1.0}, {t_ms: 120, amplitude_nA: 0.2}]}}
  noise: {type: poisson, size: 20, params: {rate_hz: 50, schedule: [{t_ms: 80, rate_hz: 10}]}}
  kick: {type: spike-source, size: 2, params: {spike_times_ms: [[10, 60, 110], [30, 150]]}}
populations:
  a: {model: lif, size: 10, params: {spike_timing: grid, R_m_MOhm: 20}}
projections:
  - {from: noise, to: a, connector: {type: fixed_probability, p: 0.3}, weight: 2, delay_ms: 1, plasticity: {rule: triplet-stdp, params: {w_max: 4}}}
  - {from: kick, to: a, connector: {type: all_to_all}, weight: 3}
`;
    const a = await build(yaml);
    a.run(100);
    const saved = JSON.parse(JSON.stringify(a.saveState())) as Snapshot;
    expect(
      Object.values(saved.nodes)
        .filter((n) => n.kind === 'state')
        .map((n) => n.format),
    ).toEqual(expect.arrayContaining(['current/1', 'poisson/1', 'spike-source/1', 'triplet-stdp/1']));
    const b = await build(yaml);
    b.restoreState(saved);
    expect(full(b)).toEqual(full(a));
    // and the two go on alike
    const spikes = (sim: typeof a) => {
      const seen: string[] = [];
      sim.populations.get('a')!.addSpikeListener({ onSpike: (i, t) => void seen.push(`${i}@${t}`) });
      return seen;
    };
    const [sa, sb] = [spikes(a), spikes(b)];
    a.run(200);
    b.run(200);
    expect(sa.length).toBeGreaterThan(10);
    expect(sb).toEqual(sa);
    expect(Array.from(b.projections[0].weight)).toEqual(Array.from(a.projections[0].weight));
  });

  it('a reservoir memory with normalize_z, saved while it processes a sample, emits the same signal after a restore (its pull-back is rebuilt)', async () => {
    // No gap: the circuit's 20 steps run into the next sample, so the save finds one in process.
    const set = [
      'training.epochs=1',
      'training.gap_ms=0',
      ...[0, 1].flatMap((l) => [`training.layers.${l}.memory.params.train_samples=50`, `training.layers.${l}.memory.params.normalize_z=true`]),
    ];
    const stopAt = async (sim: Awaited<ReturnType<typeof openScenario>>, samples: number) => advance(sim, { samples });
    const whole = await openScenario('scenarios/xor-reservoir.yaml', { set });
    await stopAt(whole, 24);
    const first = await openScenario('scenarios/xor-reservoir.yaml', { set });
    await stopAt(first, 12);
    const saved = JSON.parse(JSON.stringify(first.saveState())) as Snapshot;
    const resumed = await openScenario('scenarios/xor-reservoir.yaml', { set });
    resumed.restoreState(saved);
    await stopAt(resumed, 12);
    const weights = (sim: typeof whole) => sim.projections.map((p) => Array.from(p.weight));
    expect(weights(resumed)).toEqual(weights(whole));
    expect(weights(whole)).not.toEqual(weights(await openScenario('scenarios/xor-reservoir.yaml', { set })));
  }, 60_000);
});
