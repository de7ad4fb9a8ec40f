/**
 * Golden outputs: shipped scenarios at fixed seeds must give the same bytes before and after
 * a refactoring (issue 20, "Must not change"). Every output file is hashed, except the
 * machine's timings (wall_s, build_s) and checkpoint.json (a resumable state, whose format may
 * change with a version bump; test/checkpoint.test.ts covers it).
 *
 * If a change is meant to alter results, say why in the commit and update the hashes with
 *   GOLDEN_PRINT=1 npx vitest run test/golden-outputs.test.ts
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../index.js';
import { tempDir } from './helpers.js';

const TIMING_KEYS = new Set(['wall_s', 'build_s']);

function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !TIMING_KEYS.has(k))
        .map(([k, v]) => [k, withoutTimings(v)]),
    );
  }
  return value;
}

/** The bytes that must not change: the file as written, with the timing fields removed. */
function canonical(file: string): string {
  const text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) return JSON.stringify(withoutTimings(JSON.parse(text)));
  if (file.endsWith('history.csv')) {
    const rows = text.split('\n').map((l) => l.split(','));
    const drop = rows[0].indexOf('wall_s');
    return rows.map((r) => r.filter((_, i) => i !== drop).join(',')).join('\n');
  }
  return text;
}

function hashes(dir: string, base = dir): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) Object.assign(out, hashes(file, base));
    else if (name !== 'checkpoint.json') out[path.relative(base, file)] = createHash('sha256').update(canonical(file)).digest('hex').slice(0, 16);
  }
  return out;
}

const RUNS: Record<string, { scenario: string; set: string[] }> = {
  cuba: { scenario: 'scenarios/cuba.yaml', set: [] },
  xor: { scenario: 'scenarios/xor.yaml', set: ['training.epochs=2'] },
  'stdp-window': { scenario: 'scenarios/stdp-window.yaml', set: [] },
  'distal-reward': { scenario: 'scenarios/distal-reward.yaml', set: ['duration_ms=5000'] },
};

const GOLDEN: Record<string, Record<string, string>> = {
  cuba: {
    'rates/exc.csv': '974d833f208ad340',
    'rates/inh.csv': '7d50bf2a9b26c0f5',
    'scenario.yaml': 'd26ea09ddafcc3b5',
    'spikes/exc.csv': '29f0a3df29b463c4',
    'spikes/inh.csv': 'b14270c6f79d35c5',
    'state/exc.csv': 'a5e265a9894c48b5',
    'summary.json': '59e8f0fcd82ac928',
  },
  xor: { 'history.csv': '2c8590a4294f6485', 'scenario.yaml': '8f49b82e9d99ed45', 'summary.json': '5dbd4994ac5202b0' },
  'stdp-window': {
    'scenario.yaml': '492480412cfeb7fc',
    'summary.json': 'db261b1928cff776',
    'weights/plastic.csv': 'dd94f2780f07e8f5',
    'window/plastic.csv': 'f730d44f921cb339',
  },
  'distal-reward': {
    'rates/exc.csv': '707083fdf71f030d',
    'rates/inh.csv': '93d8fa152179608d',
    'rates/reward.csv': 'b1bcc2ad23ed5bce',
    'rates/thalamus_e.csv': '9863ada4d80cc3e6',
    'rates/thalamus_i.csv': 'c3147b7424368bce',
    'scenario.yaml': 'da8cbcbdffee682d',
    'summary.json': '7ee0e2f67dc50e65',
    'weights/ee.csv': '114e66bdb2255161',
  },
};

describe('golden outputs of shipped scenarios at their own seeds', () => {
  for (const [name, { scenario, set }] of Object.entries(RUNS)) {
    it(`${name}: every output file hashes as recorded`, async () => {
      const out = tempDir();
      try {
        await runScenario(scenario, { set, out: out.dir });
        const got = hashes(out.dir);
        if (process.env.GOLDEN_PRINT) console.log(name, JSON.stringify(got, null, 2));
        expect(Object.keys(got).length).toBeGreaterThan(1);
        expect(got).toEqual(GOLDEN[name]);
      } finally {
        out.done();
      }
    });
  }
});
