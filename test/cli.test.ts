import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

/** Runs the built CLI (dist/, compiled by the global setup) as a user would. */
function engram(...args: string[]) {
  const r = spawnSync(process.execPath, ['dist/cli/engram.js', ...args], { encoding: 'utf8', env: { ...process.env, ENGRAM_DEBUG: '' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const noStack = (text: string) => expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);

describe('engram CLI', () => {
  it('--help lists the commands', () => {
    const r = engram('--help');
    expect(r.code).toBe(0);
    for (const cmd of ['run <scenario>', 'validate <scenario>', 'plugins']) expect(r.out).toContain(cmd);
  });

  it('run writes summary.json and the recordings, honouring --seed and --set', () => {
    const out = tempDir();
    const r = engram('run', 'scenarios/cuba.yaml', '--out', out.dir, '--seed', '3', '--set', 'duration_ms=100', '--set', 'recorders=[{type: spikes}]');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^cuba: 100 ms simulated in [\d.]+ s/);
    const summary = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8'));
    expect(summary).toMatchObject({ scenario: 'cuba', seed: 3, t_stop_ms: 100, populations: { exc: { size: 3200 }, inh: { size: 800 } } });
    for (const key of ['wall_s', 'events_delivered', 'build_s', 'synapses']) expect(typeof summary[key]).toBe('number');
    const spikes = readFileSync(`${out.dir}/spikes/exc.csv`, 'utf8').trimEnd().split('\n');
    expect(spikes[0]).toBe('t_ms,neuron');
    expect(spikes.length - 1).toBe(summary.populations.exc.spikes);
    expect(summary.populations.exc.rate_hz).toBeCloseTo(summary.populations.exc.spikes / 3200 / 0.1, 9);
    out.done();
  });

  it('runs a scenario that loads its own plugin module by path', () => {
    const out = tempDir();
    const r = engram('run', 'docs/examples/perfect-if.yaml', '--out', out.dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = readFileSync(`${out.dir}/spikes/pif.csv`, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    // Slope 0.1 nA / 0.25 nF = 0.4 mV/ms; a full climb of 10 mV takes 25 ms.
    const byNeuron = (j: number) => rows.filter((r) => r[1] === j).map((r) => r[0]);
    expect(byNeuron(0)).toEqual([25, 50, 75, 100].map((t) => expect.closeTo(t, 9)));
    expect(byNeuron(1)).toEqual([12.5, 37.5, 62.5, 87.5].map((t) => expect.closeTo(t, 9)));
    // Neuron 2 starts 1 mV below threshold: spike at 2.5 ms, reset to -60. The 5 mV kick
    // arrives at 11.5 ms when v = -60 + 0.4 * 9 = -56.4, lifting it to -51.4 (no spike); it
    // then crosses at 11.5 + 1.4 / 0.4 = 15 ms, and every 25 ms after that.
    expect(byNeuron(2)).toEqual([2.5, 15, 40, 65, 90].map((t) => expect.closeTo(t, 9)));
    out.done();
  });

  it('runs a scenario with a custom plasticity rule loaded by path (docs/plasticity.md)', () => {
    const out = tempDir();
    const r = engram('run', 'docs/examples/clipped-hebb.yaml', '--out', out.dir);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const rows = readFileSync(`${out.dir}/weights/learned.csv`, 'utf8').trimEnd().split('\n');
    // Post neuron 0 fires at 11 and 51 ms; pre arrivals at 13, 31, 53, 54 ms: +0.1, -0.01,
    // +0.1, +0.1. Post neuron 1 never fires: four decrements.
    expect(rows[0]).toBe('pre,post,w_initial,w_final');
    const final = rows.slice(1).map((l) => Number(l.split(',')[3]));
    expect(final[0]).toBeCloseTo(0.79, 12);
    expect(final[1]).toBeCloseTo(0.46, 12);
    const summary = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8'));
    expect(summary.recorders[0].learned.mean_final).toBeCloseTo(0.625, 12);
    out.done();
  });

  it('the late-window example memory (docs/plugins.md) is the ideal window bit for bit at lag 0, and differs at lag 2', () => {
    const out = tempDir();
    const params = 'window: 10, sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, gamma: 10';
    const history = (memory: string, dir: string) => {
      const r = engram(
        'run',
        'scenarios/xor-rate.yaml',
        '--quiet',
        '--out',
        `${out.dir}/${dir}`,
        '--set',
        `plugins=[${path.resolve('docs/examples/late-window.js')}]`,
        '--set',
        'training.epochs=2',
        '--set',
        `training.layers.0.memory=${memory}`,
        '--set',
        `training.layers.1.memory=${memory}`,
      );
      expect(r.err).toBe('');
      // Everything but the wall time.
      return readFileSync(`${out.dir}/${dir}/history.csv`, 'utf8')
        .split('\n')
        .map((l) => l.split(',').slice(0, -1).join(','));
    };
    const ideal = history(`{type: ideal-window, params: {${params}}}`, 'ideal');
    expect(history(`{type: late-window, params: {${params}, lag: 0}}`, 'lag0')).toEqual(ideal);
    expect(history(`{type: late-window, params: {${params}, lag: 2}}`, 'lag2')).not.toEqual(ideal);
    out.done();
  });

  it('the regular-train input and spike-counter recorder examples (docs/plugins.md) give the hand-computed spikes and counts', () => {
    const out = tempDir();
    const r = engram('run', 'docs/examples/regular-train.yaml', '--out', out.dir, '--quiet');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Neuron i at 1 + 2.5 i + 10 n ms, up to 50 ms: five spikes each.
    const expected = [0, 1, 2, 3, 4].flatMap((n) => [0, 1, 2].map((i) => `${1 + 2.5 * i + 10 * n},${i}`));
    expect(readFileSync(`${out.dir}/spikes/clock.csv`, 'utf8')).toBe(`t_ms,neuron\n${expected.join('\n')}\n`);
    expect(readFileSync(`${out.dir}/counts/relay.csv`, 'utf8')).toBe('neuron,count\n0,5\n1,5\n2,5\n');
    const summary = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8'));
    expect(summary.recorders).toEqual([{ index: 1, type: 'spike-counter', relay: { spikes: 15 }, clock: { spikes: 15 } }]);
    const bad = engram('validate', 'docs/examples/regular-train.yaml', '--set', 'recorders.1.params.populations=[relay, nope]');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('recorders.1.params.populations: expected names from: relay, clock');
    out.done();
  });

  it('weight-trace records weights over time: the stored weight of the selected synapses every interval_ms', () => {
    const out = tempDir();
    const r = engram(
      'run',
      'docs/examples/clipped-hebb.yaml',
      '--out',
      out.dir,
      '--set',
      'recorders=[{type: weight-trace, params: {projections: [learned], interval_ms: 10, post: [0]}}]',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // Pre arrivals at 13, 31, 53 and 54 ms change synapse 0 -> 0 (see the test above): +0.1, -0.01, +0.1, +0.1.
    const rows = readFileSync(`${out.dir}/weight-trace/learned.csv`, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('t_ms,pre,post,w');
    const w = rows.slice(1).map((l) => l.split(',').map(Number));
    expect(w.map((x) => x[0])).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(w.every((x) => x[1] === 0 && x[2] === 0)).toBe(true);
    const expected = [0.5, 0.5, 0.6, 0.6, 0.59, 0.59, 0.79, 0.79, 0.79, 0.79, 0.79];
    w.forEach((x, i) => expect(x[3]).toBeCloseTo(expected[i], 12));
    // sample_by even: at most k synapses per projection, evenly spread in CSR order.
    const sampled = engram(
      'run',
      'docs/examples/clipped-hebb.yaml',
      '--out',
      `${out.dir}/s`,
      '--set',
      'recorders=[{type: weight-trace, params: {interval_ms: 50, sample: 1, sample_by: even}}]',
    );
    expect(sampled.code).toBe(0);
    expect(readFileSync(`${out.dir}/s/weight-trace/learned.csv`, 'utf8')).toBe('t_ms,pre,post,w\n0,0,0,0.5\n50,0,0,0.59\n100,0,0,0.7899999999999999\n');
    expect(readFileSync(`${out.dir}/s/weight-trace/teacher_post.csv`, 'utf8').trimEnd().split('\n')).toHaveLength(4);
    const bad = engram('validate', 'docs/examples/clipped-hebb.yaml', '--set', 'recorders=[{type: weight-trace, params: {interval_ms: 0.25}}]');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('recorders.0.params.interval_ms: expected a multiple of the resolution');
    out.done();
  });

  it('the clipped-hebb example pairs a pre spike with the post spike that has reached the synapse, with a dendritic delay', () => {
    const out = tempDir();
    // Post neuron 0 fires at 11 and 14 ms (soma); with a dendritic delay of 3 ms the synapses
    // see 14 and 17. The pre spike arrives at 16: the post spike of 14 (at the synapse) is
    // 2 ms before it, within the window (+eta); the one of 17 has not arrived yet.
    writeFileSync(
      `${out.dir}/s.yaml`,
      `name: dendritic\nduration_ms: 30\nplugins: [${path.resolve('docs/examples/clipped-hebb.js')}]\npopulations:\n  post: {model: parrot, size: 2}\ninputs:\n  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[10, 13]]}}\n  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[15], [15]]}}\nprojections:\n  - {from: teacher, to: post, connector: {type: list, pairs: [[0, 0]]}, weight: 1, delay_ms: 1, receptor: repeat}\n  - {name: learned, from: pre, to: post, connector: {type: one_to_one}, weight: 0.5, delay_ms: 1, dendritic_delay_ms: 3, receptor: silent, plasticity: {rule: clipped-hebb, params: {eta: 0.1, decay: 0.01, window_ms: 5, w_max: 1}}}\nrecorders:\n  - {type: weights}\n  - {type: rule-state, params: {projection: learned, interval_ms: 1}}\n`,
    );
    const r = engram('run', `${out.dir}/s.yaml`, '--out', `${out.dir}/o`);
    expect(r.code).toBe(0);
    const final = readFileSync(`${out.dir}/o/weights/learned.csv`, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[3]));
    expect(final[0]).toBeCloseTo(0.6, 12);
    expect(final[1]).toBeCloseTo(0.49, 12);
    // The rule's declared variable, read by the rule-state recorder: the latest post spike at the synapse.
    const last = readFileSync(`${out.dir}/o/rule-state/learned.post.csv`, 'utf8').trimEnd().split('\n');
    expect(last[0]).toBe('t_ms,post,last_post_ms');
    const post0 = new Map(
      last
        .slice(1)
        .map((l) => l.split(','))
        .filter((c) => c[1] === '0')
        .map((c) => [Number(c[0]), Number(c[2])]),
    );
    expect([13, 14, 16, 17, 30].map((t) => post0.get(t))).toEqual([-Infinity, 14, 14, 17, 17]);
    out.done();
  });

  it("engram plugins --scenario lists the scenario's own plugins with where they come from", () => {
    const r = engram('plugins', '--scenario', 'docs/examples/perfect-if.yaml', '--kind', 'neuron');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      '  perfect-if: perfect integrate-and-fire, instantaneous synapses (docs example) [from ./perfect-if.js, plugins.0 at docs/examples/perfect-if.yaml:5:11]\n    C_nF ',
    );
    expect(r.out).toMatch(/\n {2}lif: [^\n[]*\n/); // built-in plugins carry no origin
    const json = JSON.parse(engram('plugins', '--scenario', 'docs/examples/perfect-if.yaml', '--json').out);
    expect(json.neuron.find((p: { name: string }) => p.name === 'perfect-if').origin).toMatch(/^from \.\/perfect-if\.js/);
    expect(engram('plugins', '--kind', 'neuron').out).not.toContain('perfect-if');
  });

  it('suggests what was meant: commands, options, fields, parameters and plugin names', () => {
    expect(engram('swep', 'x')).toMatchObject({
      code: 2,
      err: 'engram: unknown command "swep": did you mean sweep?\n(engram --help lists the commands and options)\n',
    });
    expect(engram('run', 'scenarios/xor.yaml', '--sed', '3', '--quite').err).toMatch(
      /^engram: unknown options --sed \(did you mean --seed\?\), --quite \(did you mean --quiet\?\)\n/,
    );
    const out = tempDir();
    writeFileSync(`${out.dir}/a.yaml`, 'name: x\nduraton_ms: 10\npopulations:\n  a: {model: lif, size: 2}\n');
    expect(engram('validate', `${out.dir}/a.yaml`).err).toContain('found unknown field "duraton_ms" (did you mean duration_ms?)');
    writeFileSync(`${out.dir}/b.yaml`, 'name: x\nduration_ms: 10\npopulations:\n  a: {model: lfi, size: 2}\n');
    expect(engram('validate', `${out.dir}/b.yaml`).err).toContain('found unknown model "lfi" (did you mean lif?)');
    writeFileSync(`${out.dir}/c.yaml`, 'name: x\nduration_ms: 10\npopulations:\n  a: {model: lif, size: 2, params: {tau_m: 3}}\n');
    expect(engram('validate', `${out.dir}/c.yaml`).err).toContain('found unknown parameter "tau_m" (did you mean tau_m_ms?)');
    out.done();
  });

  it('prints accuracy per epoch for a training scenario and writes history.csv', () => {
    const out = tempDir();
    const r = engram('run', 'scenarios/linear.yaml', '--out', out.dir, '--set', 'training.epochs=2', '--set', 'training.train_samples=40');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^epoch 1\/2: train +[\d.]+% {2}test +[\d.]+% {2}\([\d.]+ s\)\nepoch 2\/2: /);
    expect(r.out).toMatch(/linear: final train accuracy [\d.]+%, test accuracy [\d.]+% after 2 epochs/);
    const csv = readFileSync(`${out.dir}/history.csv`, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe(
      'epoch,train_accuracy,test_accuracy,h1_hsic_xz,h1_hsic_yz,h1_probe,h1_separability,h1_effective_rank,h1_mean_rate,h1_silent_fraction,readout_silent,stalled,t_ms,wall_s',
    );
    expect(csv).toHaveLength(3);
    out.done();
  });

  it('validate accepts a good scenario and rejects a bad one with file:line:col, exit 2, no stack', () => {
    expect(engram('validate', 'scenarios/cuba.yaml')).toMatchObject({ code: 0, out: 'scenarios/cuba.yaml: valid\n' });
    const out = tempDir();
    const bad = `${out.dir}/bad.yaml`;
    writeFileSync(bad, 'duration_ms: 10\npopulations:\n  a: {model: lif, size: 2, params: {tau_m_ms: 0}}\n');
    const r = engram('validate', bad);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`engram: ${bad}:3:47: populations.a.params.tau_m_ms: expected a number > 0, found 0\n`);
    noStack(r.err);
    out.done();
  });

  it('answers a missing file, an unknown command and a broken plugin module with exit 2 and no stack', () => {
    const missing = engram('run', 'no/such.yaml');
    expect(missing).toMatchObject({ code: 2, err: 'engram: no/such.yaml: cannot read the scenario file (no such file)\n' });
    const unknown = engram('frobnicate');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^engram: unknown command or argument "frobnicate"; the commands are run, validate, /);
    const out = tempDir();
    writeFileSync(`${out.dir}/s.yaml`, 'duration_ms: 10\nplugins: [./nope.js]\npopulations:\n  a: {model: lif, size: 1}\n');
    const plugin = engram('run', `${out.dir}/s.yaml`);
    expect(plugin.code).toBe(2);
    expect(plugin.err).toMatch(
      /s\.yaml:2:11: plugins\.0: expected a module that default-exports an inversify ContainerModule, found "\.\/nope\.js", which cannot be loaded/,
    );
    noStack(plugin.err + missing.err + unknown.err);
    out.done();
  });

  it('refuses sweep options that make no sense, naming them: negative or fractional --workers, --seeds 0, a path in two --grid options', () => {
    const workers = engram('sweep', 'scenarios/cuba.yaml', '--grid', 'duration_ms=10', '--workers', '-3');
    expect(workers).toMatchObject({ code: 2, err: 'engram: --workers: expected a whole number of worker threads >= 0 (0: in this thread), found -3\n' });
    expect(engram('sweep', 'scenarios/cuba.yaml', '--grid', 'duration_ms=10', '--workers', '1.5').code).toBe(2);
    expect(engram('sweep', 'scenarios/cuba.yaml', '--grid', 'duration_ms=10', '--seeds', '0')).toMatchObject({
      code: 2,
      err: 'engram: --seeds: expected a whole number of runs per grid point >= 1, found 0\n',
    });
    const twice = engram('sweep', 'scenarios/cuba.yaml', '--grid', 'duration_ms=10,20', '--grid', 'duration_ms=30');
    expect(twice).toMatchObject({
      code: 2,
      err: 'engram: --grid duration_ms=30: duration_ms is varied already by --grid duration_ms=10,20; give each path one --grid (join values with commas)\n',
    });
  });

  it('data files: their content is never echoed, a truncated memory file on --resume is named, memory train --out a folder is refused before training', () => {
    const out = tempDir();
    const secret = `${out.dir}/shadow`;
    writeFileSync(secret, 'root:*:20000:0:99999:7:::\nsecret-line\n');
    const r = engram('run', 'scenarios/xor-reservoir.yaml', '--set', `training.layers.0.memory.params.file=${secret}`, '--out', `${out.dir}/o`, '--quiet');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`reservoir file ${secret} is not valid JSON (truncated, or not a reservoir file)`);
    expect(r.err).not.toMatch(/root|secret-line/);
    const folder = engram('memory', 'train', 'scenarios/xor-reservoir.yaml', '--out', out.dir);
    expect(folder).toMatchObject({ code: 2, err: `engram: --out ${out.dir}: expected the file to write, found a folder\n` });
    writeFileSync(`${out.dir}/r.json`, '{"format": "engram-res');
    const resumed = engram('memory', 'train', 'scenarios/xor-reservoir.yaml', '--out', `${out.dir}/r.json`, '--resume');
    expect(resumed.code).toBe(2);
    expect(resumed.err).toContain(`${out.dir}/r.json cannot be resumed: it is not valid JSON (truncated, or not a reservoir file)`);
    out.done();
  });

  it('refuses an --out that cannot be a folder before running, naming the option (run and sweep)', () => {
    const out = tempDir();
    writeFileSync(`${out.dir}/file`, 'x');
    const onFile = engram('run', 'scenarios/cuba.yaml', '--set', 'duration_ms=10', '--out', `${out.dir}/file`);
    expect(onFile).toMatchObject({ code: 2, err: `engram: --out ${out.dir}/file: expected a folder, found a file\n` });
    const below = engram('run', 'scenarios/cuba.yaml', '--set', 'duration_ms=10', '--out', `${out.dir}/file/sub`);
    expect(below.code).toBe(2);
    expect(below.err).toBe(
      `engram: --out ${out.dir}/file/sub: expected a folder that can be created, but a file stands where one of its parent folders should be\n`,
    );
    const sweep = engram('sweep', 'scenarios/cuba.yaml', '--grid', 'duration_ms=10', '--out', `${out.dir}/file`);
    expect(sweep).toMatchObject({ code: 2, err: `engram: --out ${out.dir}/file: expected a folder, found a file\n` });
    out.done();
  });

  it('plugins lists every plugin with parameters and defaults', () => {
    const r = engram('plugins');
    expect(r.code).toBe(0);
    for (const name of ['lif:', 'poisson:', 'spike-source:', 'current:', 'spikes:', 'state:', 'rates:']) expect(r.out).toContain(name);
    expect(r.out).toMatch(/tau_m_ms\s+default 10; membrane time constant/);
    const json = JSON.parse(engram('plugins', '--json', '--kind', 'neuron').out);
    expect(json.neuron.find((p: { name: string }) => p.name === 'lif')).toMatchObject({
      name: 'lif',
      params: expect.arrayContaining([{ name: 'E_L_mV', default: -70, expects: 'a number', description: 'resting potential' }]),
    });
  });

  it("memory train saves a layer's reservoir, resumes, and a memory experiment writes its table", () => {
    const out = tempDir();
    const file = `${out.dir}/h2.json`;
    const small = ['--set', 'training.layers.1.memory.params.size=30', '--set', 'training.layers.1.memory.params.train_samples=600'];
    const r = engram('memory', 'train', 'scenarios/xor-reservoir.yaml', '--layer', 'h2', '--out', file, ...small);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^layer: h2\ndims: \{"x":2,"y":2,"z":4\}\nfile: .*h2\.json\nsamples: 600\nresumed_from: 0\nheld_out_cosine: -?[\d.]+\nheld_out_nmse: [\d.]+\n$/,
    );
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved).toMatchObject({
      format: 'engram-reservoir',
      dims: { x: 2, y: 2, z: 4 },
      progress: { done: 600, total: 600 },
      params: { size: 30, window: 10, gamma: 10 },
    });
    // Resuming a finished training changes nothing.
    const again = engram('memory', 'train', 'scenarios/xor-reservoir.yaml', '--layer', 'h2', '--out', file, '--resume', ...small);
    expect(again.out).toContain('resumed_from: 600');
    expect(JSON.parse(readFileSync(file, 'utf8')).weights).toEqual(saved.weights);
    // A changed parameter cannot resume; a layer without a trainable memory is named.
    const changed = engram(
      'memory',
      'train',
      'scenarios/xor-reservoir.yaml',
      '--layer',
      'h2',
      '--out',
      file,
      '--resume',
      ...small,
      '--set',
      'training.layers.1.memory.params.tau_ms=20',
    );
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/was trained with tau_ms = 10, the scenario now says 20: cannot resume/);
    const wrong = engram('memory', 'train', 'scenarios/xor.yaml', '--out', file);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/no layer has a memory circuit that is trained before use/);
    noStack(changed.err + wrong.err);

    const exp = engram(
      'run',
      'scenarios/reservoir-memory.yaml',
      '--out',
      out.dir,
      '--set',
      'memory_experiment.grid={window: [2, 4], size: [20]}',
      '--set',
      'memory_experiment.memory.params.train_samples=100',
      '--set',
      'memory_experiment.test_samples=50',
    );
    expect(exp.code).toBe(0);
    expect(exp.out).toMatch(/1\/2 {2}window 2, size 20: cosine -?[\d.]+, nmse [\d.]+/);
    const csv = readFileSync(`${out.dir}/capacity.csv`, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('window,size,cosine,nmse,samples,build_s,test_s');
    expect(csv).toHaveLength(3);
    expect(JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8')).memory_experiment.rows).toHaveLength(2);
    out.done();
  });
});
