import { describe, expect, it } from 'vitest';
import { build } from './helpers.js';

describe('lifecycle events', () => {
  it('announce run start, progress in time order, sample boundaries and run end', async () => {
    const sim = await build(`
duration_ms: 2000
populations:
  n: {model: lif, size: 50, params: {I_e_nA: 0.5}}
`);
    sim.progressInterval_s = 0;
    const log: string[] = [];
    const progress: number[] = [];
    sim.events.on('run:start', (e) => log.push(`start ${e.t_ms}/${e.t_stop_ms}`));
    sim.events.on('progress', (e) => progress.push(e.t_ms));
    sim.events.on('sample', (e) => log.push(`sample ${e.index} @${e.t_ms}`));
    sim.events.on('run:end', (e) => log.push(`end ${e.t_ms}`));
    sim.run(1000);
    sim.markSample(1);
    sim.run();
    expect(log).toEqual(['start 0/2000', 'end 1000', 'sample 1 @1000', 'end 2000']);
    expect(progress.length).toBeGreaterThan(2);
    for (let k = 1; k < progress.length; k++) expect(progress[k]).toBeGreaterThanOrEqual(progress[k - 1]);
    expect(progress[progress.length - 1]).toBe(2000);
  });
});
