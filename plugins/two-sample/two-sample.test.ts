import { describe, expect, it } from 'vitest';
import { Channel } from '../../core/modulators.js';
import { Rng } from '../../core/rng.js';
import { Scheduler } from '../../core/scheduler.js';
import { pHsicTwoSampleSignal } from '../../training/hsic/hsic.js';
import { TwoSampleMemory } from './two-sample.js';

describe('two-sample memory', () => {
  it('emits the pHSIC signal of the previous and the current sample (zero for the first)', () => {
    const P = { sigma_x: 0.5, sigma_y: 0.25, sigma_z: 1.5, gamma: 4, delay_ms: 1, normalize_z: false, scale_z: false, scale_samples: 100 };
    const scheduler = new Scheduler();
    const channel = new Channel('xi', 3);
    const memory = TwoSampleMemory.create({ params: P, scheduler, rng: Rng.derive(1, 'm'), dims: { x: 2, y: 2, z: 3 }, channel, baseDir: '.' });
    const rng = Rng.derive(4, 's');
    const samples = Array.from({ length: 5 }, (_, i) => ({
      x: new Float64Array(2),
      y: Float64Array.of(i % 2, 1 - (i % 2)),
      z: Float64Array.from({ length: 3 }, () => rng.normal()),
    }));
    samples.forEach((s, i) => memory.present(s, 20 * i));
    scheduler.runUntil(1000);
    expect(Array.from(channel.amounts.slice(0, 3))).toEqual([0, 0, 0]);
    for (let i = 1; i < 5; i++) {
      const expected = pHsicTwoSampleSignal(samples[i - 1].y, samples[i].y, samples[i - 1].z, samples[i].z, P);
      expect(Array.from(channel.amounts.slice(i * 3, i * 3 + 3))).toEqual(Array.from(expected));
      expect(channel.times[i]).toBe(20 * i + 1);
    }
  });
});
