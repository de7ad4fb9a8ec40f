import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { build, tempDir } from './helpers.js';

/**
 * engram's plasticity rules against an independent simulator: Brian2's event-driven synapses
 * (test/peers/plasticity_brian2.py) on the same random spike trains, with deliberate exact
 * coincidences at the synapses (all spikes on a 0.5 ms lattice, delays on it too), four delay
 * layouts and dendritic delays 0 and > 0. Post spikes are imposed through parrot neurons and the
 * plastic projection targets a silent receptor, so the trains are the same in both simulators
 * and only the rule is compared. Final weights must agree to 1e-9 of the weight range.
 */
const hasBrian = spawnSync('/usr/bin/python3', ['-c', 'import brian2'], { encoding: 'utf8' }).status === 0;
if (!hasBrian)
  console.warn('plasticity-brian2.test.ts: python3-brian is not installed (apt-get install -y python3-brian): the cross-simulator test is skipped');

const DT = 0.5;
const DURATION = 1000;
const N_PRE = 10;
const N_POST = 5;

/** Spike times on the lattice k * DT, k >= 4, at about rate_hz (at most one spike per slot). */
function lattice(rng: Rng, n: number, rateHz: number): number[][] {
  const p = (rateHz * DT) / 1000;
  return Array.from({ length: n }, () => {
    const times: number[] = [];
    for (let k = 4; k * DT < DURATION - 10; k++) if (rng.random() < p) times.push(k * DT);
    return times;
  });
}

const rng = Rng.derive(18, 'plasticity-brian2');
const preTimes = lattice(rng, N_PRE, 60);
const postTimes = lattice(rng, N_POST, 60);

const stdp = (mu: number, pairing: string) => ({
  rule: 'stdp',
  params: { A_plus: 0.04, A_minus: 0.045, tau_plus_ms: 16.8, tau_minus_ms: 33.7, mu_plus: mu, mu_minus: mu, w_min: 0, w_max: 1, pairing },
});
const triplet = {
  rule: 'triplet-stdp',
  params: {
    tau_plus_ms: 16.8,
    tau_minus_ms: 33.7,
    tau_x_ms: 101,
    tau_y_ms: 125,
    A2_plus: 0.005,
    A3_plus: 0.006,
    A2_minus: 0.007,
    A3_minus: 0.0023,
    w_min: 0,
    w_max: 1,
  },
};
const RULES: Record<string, { rule: string; params: Record<string, number | string> }> = {
  'stdp additive all-to-all': stdp(0, 'all-to-all'),
  'stdp multiplicative all-to-all': stdp(1, 'all-to-all'),
  'stdp Gutig (mu 0.4) all-to-all': stdp(0.4, 'all-to-all'),
  'stdp additive nearest': stdp(0, 'nearest'),
  'stdp multiplicative nearest': stdp(1, 'nearest'),
  'triplet-stdp': triplet,
};
const LAYOUTS: Record<string, { delay: string; dendritic: number }> = {
  'one delay, dendritic 0.5': { delay: '1.5', dendritic: 0.5 },
  'per-synapse delays, dendritic 1': { delay: '{dist: uniform, low: 0.5, high: 3, step: 0.5}', dendritic: 1 },
  'per-synapse delays, dendritic 0': { delay: '{dist: uniform, low: 0.5, high: 3, step: 0.5}', dendritic: 0 },
  'one delay, dendritic 0': { delay: '1', dendritic: 0 },
};

interface Case {
  name: string;
  rule: string;
  params: Record<string, number | string>;
  i: number[];
  j: number[];
  w0: number[];
  delay_ms: number[];
  dendritic_ms: number;
  engram: number[];
  coincidences: number;
}

/** Runs one rule and layout in engram; returns the case for Brian2 with engram's final weights. */
async function engramCase(ruleName: string, layoutName: string): Promise<Case> {
  const { rule, params } = RULES[ruleName];
  const { delay, dendritic } = LAYOUTS[layoutName];
  const teacher = postTimes.map((ts) => ts.map((t) => t - DT)); // the parrots repeat them DT later
  const sim = await build(`
seed: 7
resolution_ms: ${DT}
duration_ms: ${DURATION}
populations: {post: {model: parrot, size: ${N_POST}}}
inputs:
  pre: {type: spike-source, size: ${N_PRE}, params: {spike_times_ms: ${JSON.stringify(preTimes)}}}
  teacher: {type: spike-source, size: ${N_POST}, params: {spike_times_ms: ${JSON.stringify(teacher)}}}
projections:
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: ${DT}, receptor: repeat}
  - {name: plastic, from: pre, to: post, connector: {type: all_to_all}, weight: {dist: uniform, low: 0.2, high: 0.8},
     delay_ms: ${delay}, dendritic_delay_ms: ${dendritic}, receptor: silent,
     plasticity: {rule: ${rule}, params: ${JSON.stringify(params)}}}
`);
  const proj = sim.projections.find((p) => p.name === 'plastic')!;
  const c: Case = {
    name: `${ruleName}, ${layoutName}`,
    rule,
    params,
    i: [],
    j: [],
    w0: Array.from(proj.weight),
    delay_ms: [],
    dendritic_ms: dendritic,
    engram: [],
    coincidences: 0,
  };
  for (let pre = 0; pre < N_PRE; pre++) {
    for (let k = proj.rowStart[pre]; k < proj.rowStart[pre + 1]; k++) {
      c.i.push(pre);
      c.j.push(proj.target[k]);
      c.delay_ms.push(proj.delayOf(k));
      const arrivals = new Set(preTimes[pre].map((t) => t + proj.delayOf(k)));
      c.coincidences += postTimes[proj.target[k]].filter((t) => arrivals.has(t + dendritic)).length;
    }
  }
  sim.run();
  c.engram = Array.from(proj.weight);
  return c;
}

async function brian2(cases: Case[]): Promise<number[][]> {
  const tmp = tempDir();
  try {
    const file = path.join(tmp.dir, 'cases.json');
    const flat = (ts: number[][]) => ({ i: ts.flatMap((x, n) => x.map(() => n)), t: ts.flat() });
    const pre = flat(preTimes);
    const post = flat(postTimes);
    writeFileSync(
      file,
      JSON.stringify({
        dt_ms: DT,
        duration_ms: DURATION + 10,
        n_pre: N_PRE,
        n_post: N_POST,
        pre_i: pre.i,
        pre_t: pre.t,
        post_i: post.i,
        post_t: post.t,
        cases,
      }),
    );
    const script = path.join(import.meta.dirname, 'peers', 'plasticity_brian2.py');
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [script, file], { timeout: 400_000, maxBuffer: 1 << 26 });
    return JSON.parse(stdout.trim().split('\n').pop()!) as number[][];
  } finally {
    tmp.done();
  }
}

describe.skipIf(!hasBrian)('plasticity rules against Brian2 (event-driven synapses)', () => {
  it('pair STDP (additive, multiplicative, Gutig; all-to-all, nearest) and triplet STDP match Brian2 to 1e-9 of the weight range in every delay layout, coincidences included; a 1% change of one parameter does not', async () => {
    const cases: Case[] = [];
    for (const r of Object.keys(RULES)) for (const l of Object.keys(LAYOUTS)) cases.push(await engramCase(r, l));
    // The control: Brian2 given A_minus 1% larger must disagree.
    const control = { ...cases[0], name: 'control', params: { ...cases[0].params, A_minus: (cases[0].params.A_minus as number) * 1.01 } };
    const peer = await brian2([...cases, control]);
    const report: string[] = [];
    for (const [n, c] of cases.entries()) {
      expect(c.coincidences, c.name).toBeGreaterThan(20);
      const err = Math.max(...c.engram.map((w, k) => Math.abs(w - peer[n][k])));
      const moved = c.engram.filter((w, k) => Math.abs(w - c.w0[k]) > 0.05).length;
      report.push(`${c.name}: max |w - w_brian2| ${err.toExponential(2)}, ${c.coincidences} coincidences, ${moved} of ${c.w0.length} weights moved by > 0.05`);
      expect(moved, c.name).toBeGreaterThan(c.w0.length / 2);
      expect(err, c.name).toBeLessThan(1e-9);
    }
    const controlErr = Math.max(...cases[0].engram.map((w, k) => Math.abs(w - peer[cases.length][k])));
    report.push(`control (Brian2 with A_minus x 1.01): max |w - w_brian2| ${controlErr.toExponential(2)}`);
    console.log(report.join('\n'));
    expect(controlErr).toBeGreaterThan(1e-4);
  }, 600_000);
});
