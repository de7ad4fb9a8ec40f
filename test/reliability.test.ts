import { spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildLoaded, EngramError, parseScenario, RunStopped, runScenario, runSweep } from '../index.js';
import { jsonSyntaxError } from '../core/json.js';
import { tempDir } from './helpers.js';

/** Writes a scenario to a temporary folder and runs it as `engram run` does. */
async function runText(text: string) {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'scenario.yaml');
  writeFileSync(file, text);
  const out = path.join(tmp.dir, 'out');
  try {
    await runScenario(file, { out });
    return { error: undefined, out, done: tmp.done };
  } catch (error) {
    return { error, out, done: tmp.done };
  }
}

describe('outputs', () => {
  it('summary.json says "running" while a run is on (a killed run never looks complete), then "complete"', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'scenario.yaml');
    writeFileSync(
      file,
      'name: marker\nduration_ms: 3000\ninputs:\n  d: {type: poisson, size: 50, params: {rate_hz: 100}}\npopulations:\n  n: {model: lif, size: 50}\nprojections:\n  - {from: d, to: n, connector: {type: all_to_all}, weight: 0.1}\n',
    );
    const out = path.join(tmp.dir, 'out');
    const seen: string[] = [];
    await runScenario(file, {
      out,
      onProgress: () => {
        if (seen.length === 0) seen.push(JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')).status);
      },
    });
    expect(seen).toEqual(['running']);
    expect(JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')).status).toBe('complete');
    tmp.done();
  });
});

describe('interrupts', () => {
  it('engram run stops on SIGINT with exit code 130 and keeps the recordings so far', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'long.yaml');
    writeFileSync(
      file,
      'name: long\nduration_ms: 10000000\ninputs:\n  d: {type: poisson, size: 100, params: {rate_hz: 100}}\npopulations:\n  n: {model: lif, size: 100}\nprojections:\n  - {from: d, to: n, connector: {type: all_to_all}, weight: 0.1}\nrecorders:\n  - {type: spikes}\n',
    );
    const out = path.join(tmp.dir, 'out');
    const child = spawn(process.execPath, [path.resolve('dist/cli/engram.js'), 'run', file, '--out', out, '--quiet']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Interrupt once the run is on (summary.json says running).
    for (let k = 0; k < 200 && !existsSync(`${out}/summary.json`); k++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code).toBe(130);
    expect(stderr).toMatch(/^engram: interrupted \(SIGINT\) at t = [\d.]+ ms/);
    const summary = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8'));
    expect(summary.status).toBe('stopped');
    expect(summary.t_stop_ms).toBeGreaterThan(0);
    expect(summary.t_stop_ms).toBeLessThan(10000000);
    expect(readFileSync(`${out}/spikes/d.csv`, 'utf8').split('\n').length).toBeGreaterThan(10);
    tmp.done();
  }, 30_000);
});

describe('one writer per output folder', () => {
  const lockOf = (out: string) => path.join(out, '.engram-lock.json');
  const quick =
    'name: q\nduration_ms: 20\ninputs:\n  d: {type: poisson, size: 5, params: {rate_hz: 100}}\npopulations:\n  n: {model: lif, size: 5}\nprojections:\n  - {from: d, to: n, connector: {type: all_to_all}, weight: 0.1}\nrecorders:\n  - {type: spikes}\n';

  it('a folder that another live run holds is refused at once (exit 2) naming the holder; the lock is released after a run', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'q.yaml');
    writeFileSync(file, quick);
    const out = path.join(tmp.dir, 'out');
    await runScenario(file, { out });
    expect(existsSync(lockOf(out))).toBe(false);
    // This test process holds it: alive, on this host.
    writeFileSync(lockOf(out), JSON.stringify({ pid: process.pid, host: hostname(), started: '2026-01-01T00:00:00Z', command: 'engram run other.yaml' }));
    const err = await runScenario(file, { out }).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.exitCode).toBe(2);
    expect(err.message).toContain(
      `--out ${out}: this folder is in use by another engram run: pid ${process.pid} on ${hostname()} since 2026-01-01T00:00:00Z (engram run other.yaml)`,
    );
    // The holder's lock is left alone.
    expect(JSON.parse(readFileSync(lockOf(out), 'utf8')).pid).toBe(process.pid);
    // A lock from another machine cannot be checked: refused, saying how to clear it.
    writeFileSync(lockOf(out), JSON.stringify({ pid: 1, host: 'elsewhere.example', started: 'x', command: 'y' }));
    await expect(runScenario(file, { out })).rejects.toThrow(/in use by another engram run: pid 1 on elsewhere\.example .*if that run is gone, delete/);
    tmp.done();
  });

  it('a lock left by a run that ended (a dead pid on this host, or a torn file) is taken over with a note', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'q.yaml');
    writeFileSync(file, quick);
    const out = path.join(tmp.dir, 'out');
    mkdirSync(out);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    writeFileSync(lockOf(out), JSON.stringify({ pid: deadPid, host: hostname(), started: 'then', command: 'engram run q.yaml' }));
    const notes: string[] = [];
    await runScenario(file, { out, onNotice: (m) => notes.push(m) });
    expect(notes).toEqual([expect.stringContaining(`took over the lock of a run that ended without releasing it: pid ${deadPid}`)]);
    expect(JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')).status).toBe('complete');
    writeFileSync(lockOf(out), '');
    await runScenario(file, { out, onNotice: (m) => notes.push(m) });
    expect(notes[1]).toMatch(/took over the lock .*an unreadable lock/);
    expect(existsSync(lockOf(out))).toBe(false);
    tmp.done();
  });

  it('engram run: a second run on the --out of a running one exits 2 at once, and the first run finishes untouched', async () => {
    const tmp = tempDir();
    const file = path.join(tmp.dir, 'long.yaml');
    writeFileSync(
      file,
      'name: long\nduration_ms: 10000000\ninputs:\n  d: {type: poisson, size: 10, params: {rate_hz: 10}}\npopulations:\n  n: {model: lif, size: 10}\nprojections:\n  - {from: d, to: n, connector: {type: all_to_all}, weight: 0.1}\nrecorders:\n  - {type: spikes}\n',
    );
    const out = path.join(tmp.dir, 'out');
    const cli = path.resolve('dist/cli/engram.js');
    const a = spawn(process.execPath, [cli, 'run', file, '--out', out, '--quiet']);
    for (let k = 0; k < 200 && !existsSync(`${out}/summary.json`); k++) await new Promise((r) => setTimeout(r, 50));
    const b = spawnSync(process.execPath, [cli, 'run', file, '--out', out, '--quiet'], { encoding: 'utf8' });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`^engram: --out ${out}: this folder is in use by another engram run: pid ${a.pid} on `));
    expect(JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')).status).toBe('running');
    a.kill('SIGTERM');
    expect(await new Promise((r) => a.on('close', r))).toBe(143);
    expect(JSON.parse(readFileSync(`${out}/summary.json`, 'utf8')).status).toBe('stopped');
    expect(existsSync(lockOf(out))).toBe(false);
    tmp.done();
  }, 30_000);
});

describe('absurd sizes', () => {
  // Each is refused by the plan's estimate before anything is allocated: the process that
  // validates it stays small (the target: below 300 MB of resident memory).
  const cases: Record<string, string> = {
    'lif 1e9': 'populations:\n  a: {model: lif, size: 1000000000}\n',
    'poisson 2e9':
      'inputs:\n  d: {type: poisson, size: 2000000000, params: {rate_hz: 1}}\npopulations:\n  a: {model: lif, size: 1}\nprojections:\n  - {from: d, to: a, connector: {type: fixed_indegree, indegree: 1}, weight: 1}\n',
    'all_to_all 5e4 x 5e4': 'populations:\n  a: {model: lif, size: 50000}\nprojections:\n  - {from: a, to: a, connector: {type: all_to_all}, weight: 1}\n',
    'p = 0.999 on 2e4 x 2e4, plastic':
      'populations:\n  a: {model: lif, size: 20000}\nprojections:\n  - {from: a, to: a, connector: {type: fixed_probability, p: 0.999}, weight: 1, plasticity: {rule: stdp, params: {w_max: 2}}}\n',
  };
  for (const [what, body] of Object.entries(cases))
    it(`validate refuses ${what} at its field, exit 2, in under 300 MB`, () => {
      const tmp = tempDir();
      const file = path.join(tmp.dir, 'big.yaml');
      writeFileSync(file, `name: big\nduration_ms: 10\n${body}`);
      // Resident memory of a process that only validates, measured by itself at its end.
      const probe = `import('${pathToFileURL(path.resolve('dist/index.js')).href}').then(async (e) => { try { await e.validateScenario(${JSON.stringify(file)}, { maxMemoryBytes: 4 * 2 ** 30 }); console.log('valid'); } catch (err) { console.log((err.exitCode ?? 1) + ' ' + err.message.split('\\n')[0]); } console.log('rss ' + process.resourceUsage().maxRSS); })`;
      const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8' });
      const [first, rss] = r.stdout.trim().split('\n');
      expect(first).toMatch(/^2 .*big\.yaml:\d+:\d+: .*expected a network that fits in 4\.00 GB/);
      expect(Number(rss.replace('rss ', '')) / 1024).toBeLessThan(300);
      tmp.done();
    });
});

describe('plugins that misbehave (test/fixtures/misbehaving)', () => {
  const cli = path.resolve('dist/cli/engram.js');
  const fixture = (name: string) => path.resolve('test/fixtures/misbehaving', name);

  /** Starts `engram run` on a fixture; resolves with exit code, stderr and the time from `signal` to exit. */
  function runCli(file: string, out: string, signal?: NodeJS.Signals) {
    const child = spawn(process.execPath, [cli, 'run', file, '--out', out, '--quiet']);
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let signalled = 0;
    if (signal)
      void (async () => {
        // Signal once the plugin is stuck: the run stops advancing at t = 200 ms.
        for (let k = 0; k < 200 && !existsSync(`${out}/summary.json`); k++) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 700));
        signalled = performance.now();
        child.kill(signal);
      })();
    return new Promise<{ code: number | null; stderr: string; stop_s: number }>((resolve) =>
      child.on('close', (code) => resolve({ code, stderr, stop_s: (performance.now() - signalled) / 1000 })),
    );
  }

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`a neuron model stuck in a loop is stopped by ${signal} within 2 s, named, and its recordings are written (exit ${code})`, async () => {
      const tmp = tempDir();
      const out = path.join(tmp.dir, 'out');
      const r = await runCli(fixture('stuck.yaml'), out, signal);
      expect(r.code).toBe(code);
      expect(r.stop_s).toBeLessThan(2);
      expect(r.stderr).toMatch(new RegExp(`^engram: interrupted \\(${signal}\\) at t = 200 ms, inside neuron model "silent-then-stuck"`));
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      const summary = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8'));
      expect(summary.status).toBe('stopped');
      expect(summary.stopped.reason).toMatch(/silent-then-stuck/);
      expect(summary.t_stop_ms).toBe(200);
      // The input's spikes up to the stop are there.
      expect(readFileSync(`${out}/spikes/d.csv`, 'utf8').trim().split('\n').length).toBeGreaterThan(50);
      tmp.done();
    }, 30_000);
  }

  for (const [file, how] of [
    ['timer.yaml', 'threw'],
    ['rejects.yaml', 'left a promise rejected'],
  ] as const) {
    it(`plugin code that ${how} outside any call stops the run naming its file, keeps the recordings, exit 3, no stack`, async () => {
      const tmp = tempDir();
      const out = path.join(tmp.dir, 'out');
      const r = await runCli(fixture(file), out);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`plugin code ${how}, outside any call of engram, in ${fixture('plugins.js')}:`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      const summary = JSON.parse(readFileSync(`${out}/summary.json`, 'utf8'));
      expect(summary.status).toBe('stopped');
      expect(summary.stopped.reason).toContain('plugins.js');
      expect(existsSync(`${out}/spikes/d.csv`)).toBe(true);
      tmp.done();
    }, 30_000);
  }
});

describe('numerical guards', () => {
  it('stop a run whose state becomes NaN, naming population, neuron and time, and keep the recordings', async () => {
    // A linear rate population exciting itself with gain 6 per ms overflows to Infinity, then NaN.
    const r = await runText(`
name: blowup
duration_ms: 2000
resolution_ms: 1
inputs:
  kick: {type: spike-source, size: 1, params: {spike_times_ms: [[1]]}}
populations:
  h: {model: leaky-rate, size: 3, params: {tau_ms: 1, activation: linear}}
projections:
  - {from: kick, to: h, connector: {type: all_to_all}, weight: 1}
  - {from: h, to: h, connector: {type: all_to_all}, weight: 2, delay_ms: 1}
recorders:
  - {type: spikes}
`);
    expect(r.error).toBeInstanceOf(RunStopped);
    const e = r.error as RunStopped;
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(/^population h \(leaky-rate\), neuron 0: state is not finite at t = \d+ ms \(u = (NaN|-?Infinity)/);
    expect(e.t_ms).toBeLessThan(2000);
    const summary = JSON.parse(readFileSync(`${r.out}/summary.json`, 'utf8'));
    expect(summary.status).toBe('stopped');
    expect(summary.stopped.t_ms).toBe(e.t_ms);
    expect(summary.t_stop_ms).toBe(e.t_ms);
    expect(existsSync(`${r.out}/spikes/kick.csv`)).toBe(true);
    r.done();
  });

  it('stop runaway firing above guards.max_rate_hz, and not when the guards are off', async () => {
    const scenario = (guards: string) => `
name: runaway
duration_ms: 300
${guards}
populations:
  n: {model: lif, size: 3, params: {t_ref_ms: 0, I_e_nA: 100}}
`;
    const r = await runText(scenario(''));
    expect((r.error as Error).message).toMatch(
      /^population n \(lif\), neuron \d: fired \d+ spikes in the 100 ms before t = 100 ms \(\d+ Hz, above guards.max_rate_hz = 1000\)/,
    );
    r.done();
    const relaxed = await runText(scenario('guards: {max_rate_hz: 100000}'));
    expect(relaxed.error).toBeUndefined();
    relaxed.done();
    const off = await runText(scenario('guards: {enabled: false}'));
    expect(off.error).toBeUndefined();
    off.done();
  });

  it('stop a run whose event queue outgrows guards.max_pending_events, naming the projection', async () => {
    const r = await runText(`
name: queue
duration_ms: 1000
guards: {max_pending_events: 100, check_every_ms: 10}
inputs:
  drive: {type: poisson, size: 100, params: {rate_hz: 100}}
populations:
  n: {model: lif, size: 10}
projections:
  - {from: drive, to: n, connector: {type: all_to_all}, weight: 0.01, delay_ms: 50}
`);
    expect((r.error as Error).message).toMatch(
      /^the event queue holds \d+ events at t = 10 ms \(above guards.max_pending_events = 100\), \d+ of them for projections.0 \(drive -> n, spikes in flight\)/,
    );
    r.done();
  });
});

describe('JSON syntax errors (scenario/load.ts jsonSyntaxError)', () => {
  it('finds nothing wrong in any text JSON.stringify writes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (v, indent) => jsonSyntaxError(JSON.stringify(v, null, indent)) === undefined),
      { numRuns: 300, seed: 7 },
    );
  });

  it('finds an error, before or at the end of the text, wherever JSON.parse refuses a text', () => {
    const fragments = fc.array(fc.constantFrom('{', '}', '[', ']', '"a"', ':', ',', '1', '-', '0.5e', 'tru', 'null', ' ', '\n', "'x'", '"\\q"'), {
      maxLength: 12,
    });
    fc.assert(
      fc.property(fragments, (parts) => {
        const text = parts.join('');
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        const error = jsonSyntaxError(text);
        return valid ? error === undefined : error !== undefined && error.offset <= text.length;
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  it('points at the place: the line and column of the first error', () => {
    const at = (text: string) => {
      const e = jsonSyntaxError(text)!;
      const before = text.slice(0, e.offset).split('\n');
      return `${before.length}:${before[before.length - 1].length + 1} ${e.expected}, found ${e.found}`;
    };
    expect(at('{\n  "a": 1,\n  b: 2\n}')).toBe('3:3 JSON: a property name in double quotes, found "b"');
    expect(at('{"a": [1, 2,]}')).toBe('1:13 JSON: another value after \',\' (JSON allows no trailing comma), found "]"');
    expect(at('{"a": 1')).toBe("1:8 JSON: ',' or '}', found the end of the file");
    expect(at('{"a": "x\ny"}')).toMatch(/^1:9 JSON: a closing double quote/);
  });
});

describe('damaged files engram wrote', () => {
  it('a truncated checkpoint, sweep manifest or run record is refused by name with line:column (exit 2), never echoed', async () => {
    const tmp = tempDir();
    const out = path.join(tmp.dir, 'a');
    await runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=1'], out });
    writeFileSync(`${out}/checkpoint.json`, '{"format": "engram-checkpoint", "state": {"secret-looking-content');
    const err = await runScenario('scenarios/xor-rate.yaml', { set: ['training.epochs=2'], resume: out }).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.message).toBe(
      `--resume ${out}: ${out}/checkpoint.json:1:66: expected an engram checkpoint (JSON), found a file that breaks off or is damaged here (a closing double quote, found the end of the file)`,
    );
    const sweep = path.join(tmp.dir, 's');
    await runSweep('scenarios/xor-rate.yaml', { grid: [], seeds: 1, workers: 0, out: sweep, set: ['training.epochs=1'] });
    writeFileSync(`${sweep}/runs/run-0/run.json`, '{"id": "run-0", ');
    await expect(runSweep('scenarios/xor-rate.yaml', { grid: [], seeds: 1, workers: 0, out: sweep, set: ['training.epochs=1'], resume: true })).rejects.toThrow(
      `${sweep}/runs/run-0/run.json:1:17: expected a finished run's record (JSON), found a file that breaks off`,
    );
    writeFileSync(`${sweep}/sweep.json`, '');
    await expect(runSweep('scenarios/xor-rate.yaml', { grid: [], seeds: 1, workers: 0, out: sweep, set: ['training.epochs=1'], resume: true })).rejects.toThrow(
      `${sweep}/sweep.json:1:1: expected a sweep's manifest (JSON), found an empty file`,
    );
    tmp.done();
  }, 30_000);

  it('a bad --grid value is reported at the --grid option, not at a --set nobody wrote', async () => {
    const tmp = tempDir();
    const err = await runSweep('scenarios/xor-rate.yaml', { grid: ['training.epochs=1,x'], seeds: 1, workers: 0, out: tmp.dir }).catch((e) => e);
    expect(err).toBeInstanceOf(EngramError);
    expect(err.message).toMatch(/^--grid training\.epochs=1,x: training\.epochs: expected the number of epochs/);
    tmp.done();
  });
});

describe('scenario loader under fuzzing', () => {
  // Whatever text it is given, the loader either returns a scenario or throws an EngramError
  // (a message for the user); never anything else.
  const check = (text: string) => {
    try {
      parseScenario(text, 'fuzz.yaml');
    } catch (err) {
      if (!(err instanceof EngramError)) throw new Error(`uncaught ${(err as Error)?.name}: ${(err as Error)?.message} for ${JSON.stringify(text)}`);
    }
  };

  it('never lets an exception other than a scenario error through, on arbitrary text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), check), { numRuns: Number(process.env.FUZZ_RUNS ?? 500), seed: Number(process.env.FUZZ_SEED ?? 42) });
  });

  it('nor on YAML-shaped documents with random keys and values', () => {
    const scalar = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 12 }),
      fc.constantFrom('lif', 'all_to_all', 'exc', '.nan', '-.inf', '1e309'),
    );
    const key = fc.constantFrom(
      'name',
      'seed',
      'duration_ms',
      'resolution_ms',
      'populations',
      'projections',
      'inputs',
      'recorders',
      'training',
      'model',
      'size',
      'params',
      'from',
      'to',
      'weight',
      'delay_ms',
      'guards',
      'x',
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(key, tie('node'), { maxKeys: 4 })),
    })).node;
    const doc = fc.dictionary(key, value, { maxKeys: 6 });
    fc.assert(
      fc.property(doc, fc.boolean(), (d, asJson) => check(asJson ? JSON.stringify(d) : toYaml(d))),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500), seed: Number(process.env.FUZZ_SEED ?? 7) },
    );
  });

  it('and a valid scenario with one field replaced at random builds or is answered with a scenario error', async () => {
    const base = {
      name: 'fuzz',
      duration_ms: 5,
      populations: { a: { model: 'lif', size: 3, params: { tau_m_ms: 10 } }, b: { model: 'leaky-rate', size: 2 } },
      inputs: { drive: { type: 'poisson', size: 2, params: { rate_hz: 50 } } },
      projections: [
        { from: 'drive', to: 'a', connector: { type: 'all_to_all' }, weight: 1, delay_ms: 1 },
        {
          from: 'a',
          to: 'b',
          connector: { type: 'fixed_probability', p: 0.5 },
          weight: { dist: 'uniform', low: 0, high: 1 },
          plasticity: { rule: 'stdp', params: { w_max: 2 } },
        },
      ],
      recorders: [{ type: 'spikes' }],
    };
    const paths: (string | number)[][] = [];
    const walk = (v: unknown, p: (string | number)[]) => {
      paths.push(p);
      if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) walk(c, [...p, Array.isArray(v) ? Number(k) : k]);
    };
    walk(base, []);
    const replacement = fc.oneof(
      fc.integer({ min: -5, max: 50 }),
      fc.double({ noNaN: false }),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 8 }),
      fc.constantFrom('a', 'b', 'drive', 'exc', 'lif', [], {}, [1, 2], { dist: 'normal' }),
    );
    await fc.assert(
      fc.asyncProperty(fc.nat(paths.length - 1), replacement, async (i, value) => {
        const doc = structuredClone(base) as Record<string, unknown>;
        const p = paths[i];
        if (p.length === 0) return;
        let node = doc as Record<string | number, unknown>;
        for (const k of p.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
        node[p[p.length - 1]] = value;
        try {
          const loaded = parseScenario(JSON.stringify(doc), 'fuzz.json');
          (await buildLoaded(loaded)).run(5); // at most 5 ms: a long duration is valid, just slow
        } catch (err) {
          if (!(err instanceof EngramError))
            throw new Error(`uncaught ${(err as Error)?.name}: ${(err as Error)?.message} with ${p.join('.')} = ${JSON.stringify(value)}`);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300), seed: Number(process.env.FUZZ_SEED ?? 11) },
    );
  });
});

/** A small YAML writer for the fuzz documents (flow style). */
function toYaml(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  if (Array.isArray(value)) return `[${value.map(toYaml).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${k}: ${toYaml(v)}`)
    .join(', ')}}`;
}
