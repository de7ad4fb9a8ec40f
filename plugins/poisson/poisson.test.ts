import { describe, expect, it } from 'vitest';
import { build, listen } from '../../test/helpers.js';

describe('poisson input', () => {
  it('fires at the given rate with Poisson statistics (CV of ISI ~ 1)', async () => {
    const sim = await build(`
duration_ms: 20000
resolution_ms: 1
inputs:
  p: {type: poisson, size: 10, params: {rate_hz: 50}}
populations:
  sink: {model: lif, size: 1}
`);
    const log = listen(sim, 'p');
    sim.run();
    const n = log.t.length;
    const expected = 10 * 50 * 20;
    expect(Math.abs(n - expected)).toBeLessThan(5 * Math.sqrt(expected));
    const isi: number[] = [];
    const last = new Map<number, number>();
    log.t.forEach((t, k) => {
      const i = log.i[k];
      if (last.has(i)) isi.push(t - last.get(i)!);
      last.set(i, t);
    });
    const mean = isi.reduce((a, b) => a + b) / isi.length;
    const sd = Math.sqrt(isi.reduce((a, b) => a + (b - mean) ** 2, 0) / isi.length);
    expect(Math.abs(sd / mean - 1)).toBeLessThan(0.05);
    expect(new Set(log.t.map((t) => t % 1)).size).toBeGreaterThan(n * 0.99); // continuous times
    for (let k = 1; k < n; k++) expect(log.t[k]).toBeGreaterThan(log.t[k - 1]);
  });

  it('gives each neuron its own rate and follows the rate schedule', async () => {
    const sim = await build(`
duration_ms: 10000
inputs:
  p: {type: poisson, size: 3, params: {rate_hz: [0, 20, 80], schedule: [{t_ms: 5000, rate_hz: 100}]}}
populations:
  sink: {model: lif, size: 1}
`);
    const log = listen(sim, 'p');
    sim.run();
    const count = (i: number, from: number, to: number) => log.t.filter((t, k) => log.i[k] === i && t >= from && t < to).length;
    expect(count(0, 0, 5000)).toBe(0);
    for (const [i, rate, from] of [
      [1, 20, 0],
      [2, 80, 0],
      [0, 100, 5000],
      [1, 100, 5000],
      [2, 100, 5000],
    ]) {
      const mean = (rate * 5000) / 1000;
      expect(Math.abs(count(i, from, from + 5000) - mean)).toBeLessThan(5 * Math.sqrt(mean));
    }
  });

  it('rejects a rate list of the wrong length', async () => {
    await expect(
      build(`
duration_ms: 10
inputs:
  p: {type: poisson, size: 3, params: {rate_hz: [1, 2]}}
populations:
  sink: {model: lif, size: 1}
`),
    ).rejects.toThrow(/inputs\.p\.params\.rate_hz: expected one rate or a list of 3 rates, found a list of 2/);
  });
});
