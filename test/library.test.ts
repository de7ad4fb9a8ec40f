/**
 * The library API as docs/library.md shows it: the plain-JavaScript example runs as it is,
 * and the Simulation accessors and run() refuse what they cannot do, saying what there is.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openScenario } from '../index.js';

describe('library API', () => {
  it('docs/examples/library.mjs runs as plain JavaScript and its two pieces equal one run', async () => {
    const r = spawnSync(process.execPath, [path.resolve('docs/examples/library.mjs')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const printed = JSON.parse(r.stdout);
    const whole = await openScenario('scenarios/cuba.yaml', { seed: 7, set: ['duration_ms=200', 'populations.exc.size=800', 'populations.inh.size=200'] });
    whole.run();
    expect(printed.t_ms).toBe(200);
    expect(printed.exc_spikes).toBe(whole.summary().populations.exc.spikes);
    expect(printed.exc_spikes_first_half).toBeGreaterThan(0);
    expect(printed.ee_synapses).toBe(whole.projection('ee').weights().weight.length);
  });

  it('finds populations and projections by name, and says which there are', async () => {
    const sim = await openScenario('scenarios/cuba.yaml', { set: ['duration_ms=5', 'populations.exc.size=40', 'populations.inh.size=10'] });
    expect(sim.population('inh').size).toBe(10);
    expect(() => sim.population('ex')).toThrow('no population or spike input "ex"; there are: exc, inh');
    expect(sim.projection(1)).toBe(sim.projection('ei'));
    expect(() => sim.projection('xx')).toThrow('no projection "xx"; there are: 0: ee, 1: ei, 2: ie, 3: ii');
  });

  it('reads and writes weights in CSR order, refusing non-finite values and wrong lengths', async () => {
    const sim = await openScenario('scenarios/cuba.yaml', { set: ['duration_ms=5', 'populations.exc.size=40', 'populations.inh.size=10'] });
    const ie = sim.projection('ie');
    const { pre, post, weight } = ie.weights();
    expect(pre.length).toBe(weight.length);
    for (let k = 1; k < pre.length; k++) expect(pre[k]).toBeGreaterThanOrEqual(pre[k - 1]);
    expect(post).toEqual(Int32Array.from(ie.target));
    ie.setWeights(weight.map((_, k) => -k));
    expect(ie.weights().weight[3]).toBe(-3);
    ie.setWeights(-1);
    expect(ie.weights().weight.every((w) => w === -1)).toBe(true);
    expect(() => ie.setWeights([1])).toThrow(`setWeights on ie: expected ${weight.length} weights (one per synapse), found 1`);
    expect(() => ie.setWeights(Number.NaN)).toThrow('expected a finite weight');
  });

  it('run() to an earlier time is an error, not a silent no-op', async () => {
    const sim = await openScenario('scenarios/cuba.yaml', { set: ['duration_ms=20', 'populations.exc.size=40', 'populations.inh.size=10'] });
    sim.run(10);
    sim.run(10);
    expect(() => sim.run(5)).toThrow('run(5): the simulation is at t = 10 ms already; time only goes forward');
    sim.run(20);
    expect(sim.t_ms).toBe(20);
  });
});
