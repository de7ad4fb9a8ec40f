import { describe, expect, it } from 'vitest';
import type { SampleInput } from '../../core/contracts.js';
import { build, listen } from '../../test/helpers.js';

async function setup(params: string) {
  const sim = await build(`
duration_ms: 1000
populations:
  sink: {model: parrot, size: 1}
inputs:
  code: {type: rate-code, size: 3, params: {${params}}}
`);
  return { sim, log: listen(sim, 'code'), input: sim.input('code') as SampleInput };
}

describe('rate-code input', () => {
  it('encodes features as regular trains at max_rate * (x - low) / (high - low), clamped', async () => {
    const { sim, log, input } = await setup('max_rate_hz: 100, low: -1, high: 1');
    input.present([1, 0, -3], 0);
    sim.run(500);
    const count = (i: number) => log.i.filter((n) => n === i).length;
    expect(Math.abs(count(0) - 50)).toBeLessThanOrEqual(1); // 100 Hz for 0.5 s
    expect(Math.abs(count(1) - 25)).toBeLessThanOrEqual(1); // 50 Hz
    expect(count(2)).toBe(0); // clamped to 0 Hz
    const t0 = log.t.filter((_, k) => log.i[k] === 0);
    for (let k = 1; k < t0.length; k++) expect(t0[k] - t0[k - 1]).toBeCloseTo(10, 9); // regular
    // A new sample replaces the trains at once.
    input.present([-1, -1, 1], 500);
    sim.run(1000);
    expect(log.t.filter((t, k) => t > 500 && log.i[k] !== 2).length).toBe(0);
    expect(Math.abs(log.t.filter((t, k) => t > 500 && log.i[k] === 2).length - 50)).toBeLessThanOrEqual(1);
  });

  it('encodes `values` from the start when no protocol drives it, and checks their count', async () => {
    const { sim, log } = await setup('max_rate_hz: 200, values: [1, 0.5, 0]');
    sim.run();
    expect([0, 1, 2].map((i) => log.i.filter((n) => n === i).length).map((c) => Math.round(c / 10) * 10)).toEqual([200, 100, 0]);
    await expect(setup('values: [1]')).rejects.toThrow(/inputs\.code\.params\.values: expected 3 values \(one per neuron\) or none, found 1/);
  });
});
