import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openScenario, validateScenario } from '../index.js';
import { tempDir } from './helpers.js';

describe('shipped scenarios', () => {
  it('stdp-window.yaml writes the analytic window', async () => {
    const out = tempDir();
    const sim = await openScenario('scenarios/stdp-window.yaml');
    sim.run();
    await sim.writeOutputs(out.dir);
    const rows = readFileSync(`${out.dir}/window/plastic.csv`, 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').map(Number));
    expect(rows.length).toBe(101);
    for (const [dt, dw] of rows) {
      const expected = dt > 0 ? 0.01 * Math.exp(-dt / 16.8) : dt < 0 ? -0.0105 * Math.exp(dt / 33.7) : 0;
      expect(Math.abs(dw - expected)).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
    }
    const report = JSON.parse(readFileSync(`${out.dir}/summary.json`, 'utf8')).recorders[0];
    expect(report).toMatchObject({ type: 'stdp-window', pairs: 101, dt_at_dw_max_ms: 1, dt_at_dw_min_ms: -1 });
    out.done();
  });

  it('distal-reward.yaml is valid and runs (a short piece of it)', async () => {
    await validateScenario('scenarios/distal-reward.yaml');
    const sim = await openScenario('scenarios/distal-reward.yaml', { set: ['duration_ms=5000'] });
    sim.run();
    const s = sim.summary();
    expect(s.populations.exc.rate_hz).toBeGreaterThan(0.5);
    expect(s.populations.exc.rate_hz).toBeLessThan(10);
    expect(s.inputs.reward).toMatchObject({ rank_of_rewarded: expect.any(Number), rewarded_weight: expect.any(Number) });
  });

  it('summarises large weight arrays (no argument spreading)', async () => {
    const sim = await openScenario('scenarios/cuba.yaml', { set: ['duration_ms=1', 'recorders=[{type: weights}]'] });
    sim.run();
    const out = tempDir();
    await sim.writeOutputs(out.dir);
    const report = sim.summary().recorders[0] as unknown as Record<string, { synapses: number; min_final: number; max_final: number }>;
    expect(report.ee.synapses).toBeGreaterThan(150000);
    expect(report.ie.min_final).toBe(-9);
    expect(report.ee.max_final).toBe(1.62);
    out.done();
  });

  it('every shipped scenario validates (reservoirs trained on a few samples only)', async () => {
    const files = readdirSync('scenarios').filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const text = readFileSync(`scenarios/${f}`, 'utf8');
      const layers = (text.match(/type: reservoir/g) ?? []).length;
      const set = text.includes('training:') ? Array.from({ length: layers }, (_, i) => `training.layers.${i}.memory.params.train_samples=20`) : [];
      await expect(validateScenario(`scenarios/${f}`, { set }), f).resolves.toBeDefined();
    }
  });
});
