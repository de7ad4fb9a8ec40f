import { describe, expect, it } from 'vitest';
import { Channel } from '../../core/modulators.js';
import { Rng } from '../../core/rng.js';
import { Scheduler } from '../../core/scheduler.js';
import { createEngramRegistry } from '../../index.js';
import { ibSignal, ibSignalRowCentred } from '../../training/hsic/hsic.js';
import { IdealWindowMemory } from './ideal-window.js';

const P = { sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1, gamma: 5 };

function stream(seed: number, n: number) {
  const rng = Rng.derive(seed, 'stream');
  return Array.from({ length: n }, () => {
    const y = new Float64Array(2);
    y[rng.int(2)] = 1;
    return { x: Float64Array.from({ length: 2 }, () => rng.normal()), y, z: Float64Array.from({ length: 4 }, () => rng.normal()) };
  });
}

function setup(params: Record<string, unknown>) {
  const scheduler = new Scheduler();
  const channel = new Channel('xi', 4);
  const memory = IdealWindowMemory.create({
    params: { ...P, delay_ms: 0, window: 6, approximation: 'exact' as const, normalize_z: false, scale_z: false, scale_samples: 100, ...params },
    scheduler,
    rng: Rng.derive(1, 'm'),
    dims: { x: 2, y: 2, z: 4 },
    channel,
    baseDir: '.',
  });
  return { scheduler, channel, memory };
}

describe('ideal-window memory', () => {
  it('emits the exact xi over the last N samples, sample by sample', () => {
    const { scheduler, channel, memory } = setup({});
    const samples = stream(1, 20);
    samples.forEach((s, i) => {
      memory.present(s, 20 * (i + 1));
      scheduler.runUntil(20 * (i + 1));
    });
    expect(channel.count).toBe(20);
    for (let i = 0; i < 20; i++) {
      const win = samples.slice(Math.max(0, i - 5), i + 1);
      const expected = ibSignal(
        win.map((s) => s.x),
        win.map((s) => s.y),
        win.map((s) => s.z),
        P,
      );
      expect(Array.from(channel.amounts.slice(i * 4, i * 4 + 4))).toEqual(Array.from(expected));
      expect(channel.times[i]).toBe(20 * (i + 1));
    }
  });

  it('forgets what is older than its capacity, and keeps its own copies', () => {
    const a = setup({});
    const b = setup({});
    const samples = stream(2, 10);
    const altered = samples.map((s, i) => (i === 3 ? { ...s, z: Float64Array.from(s.z, (v) => v + 5) } : s));
    samples.forEach((s, i) => a.memory.present(s, i + 1));
    altered.forEach((s, i) => b.memory.present(s, i + 1));
    a.scheduler.runUntil(100);
    b.scheduler.runUntil(100);
    // Sample 3 is in the windows of samples 3..8 and out of the window of sample 9 (N = 6).
    const at = (ch: Channel, i: number) => Array.from(ch.amounts.slice(i * 4, i * 4 + 4));
    expect(at(b.channel, 8)).not.toEqual(at(a.channel, 8));
    expect(at(b.channel, 9)).toEqual(at(a.channel, 9));
    // The caller reusing its arrays after present() does not reach into the memory.
    const c = setup({});
    const reused = { x: new Float64Array(2), y: new Float64Array(2), z: new Float64Array(4) };
    samples.forEach((s, i) => {
      reused.x.set(s.x);
      reused.y.set(s.y);
      reused.z.set(s.z);
      c.memory.present(reused, i + 1);
    });
    c.scheduler.runUntil(100);
    expect(Array.from(c.channel.amounts)).toEqual(Array.from(a.channel.amounts));
  });

  it('delivers xi delay_ms after the sample, in time order, and offers the row-centred form', () => {
    const { scheduler, channel, memory } = setup({ delay_ms: 7.5, approximation: 'row-centred' });
    const samples = stream(3, 4);
    samples.forEach((s, i) => memory.present(s, 10 * i));
    scheduler.runUntil(100);
    expect(Array.from(channel.times.slice(0, 4))).toEqual([7.5, 17.5, 27.5, 37.5]);
    const expected = ibSignalRowCentred(
      samples.map((s) => s.x),
      samples.map((s) => s.y),
      samples.map((s) => s.z),
      P,
    );
    expect(Array.from(channel.amounts.slice(12, 16))).toEqual(Array.from(expected));
  });

  it('is registered as a memory plugin with the two-sample baseline', async () => {
    const registry = await createEngramRegistry();
    expect(registry.memory.names()).toEqual(['backprop', 'ideal-window', 'reservoir', 'two-sample']);
  });
});
