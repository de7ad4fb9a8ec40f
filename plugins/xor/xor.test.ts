import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { createEngramRegistry } from '../../index.js';
import { makeParity, makeXor } from './xor.js';

describe('xor dataset', () => {
  it('are registered with their parameters', async () => {
    const registry = await createEngramRegistry();
    expect(registry.dataset.names()).toEqual(['cifar10', 'idx', 'linear', 'mnist', 'parity', 'xor']);
    const xor = registry.dataset.get('xor')!;
    const data = await xor.create({ params: { n: 1000, n_train: 900, noise_sd: 0.1 }, rng: Rng.derive(1, 'dataset'), baseDir: '.' });
    expect([data.train.x.length, data.test.x.length, data.nFeatures, data.nClasses]).toEqual([900, 100, 2, 2]);
  });

  it('xor: noisy corners, label x1 XOR x2, balanced, reproducible per seed', () => {
    const a = makeXor(Rng.derive(7, 'd'), 1000, 900, 0.1);
    const b = makeXor(Rng.derive(7, 'd'), 1000, 900, 0.1);
    const c = makeXor(Rng.derive(8, 'd'), 1000, 900, 0.1);
    expect(b.train.x).toEqual(a.train.x);
    expect(c.train.x).not.toEqual(a.train.x);
    const all = [...a.train.x, ...a.test.x];
    const labels = [...a.train.labels, ...a.test.labels];
    // With noise 0.1 the nearest corner is the generating one for nearly every point.
    const nearest = all.map((v) => Math.round(Math.min(1, Math.max(0, v[0]))) ^ Math.round(Math.min(1, Math.max(0, v[1]))));
    const agree = nearest.filter((l, i) => l === labels[i]).length;
    expect(agree).toBeGreaterThan(995);
    const ones = labels.filter((l) => l === 1).length;
    expect(Math.abs(ones - 500)).toBeLessThan(5 * Math.sqrt(250));
    // The noise has the requested spread.
    const dev = all.map((v, i) => v[0] - (a.corners[i] & 1));
    const sd = Math.sqrt(dev.reduce((s, x) => s + x * x, 0) / dev.length);
    expect(sd).toBeGreaterThan(0.09);
    expect(sd).toBeLessThan(0.11);
  });

  it('parity: noisy corners of {0,1}^bits labelled by the xor of all bits, every corner drawn', () => {
    const d = makeParity(Rng.derive(3, 'd'), 3, 2000, 1800, 0.1);
    expect([d.nFeatures, d.nClasses, d.train.x.length, d.test.x.length]).toEqual([3, 2, 1800, 200]);
    const all = [...d.train.x, ...d.test.x];
    const labels = [...d.train.labels, ...d.test.labels];
    const corner = all.map((v) => v.reduce((c, x, b) => c | (Math.round(Math.min(1, Math.max(0, x))) << b), 0));
    const parity = corner.map((c) => (c & 1) ^ ((c >> 1) & 1) ^ ((c >> 2) & 1));
    expect(parity.filter((p, i) => p === labels[i]).length).toBeGreaterThan(1990);
    const perCorner = new Array(8).fill(0);
    for (const c of corner) perCorner[c]++;
    for (const n of perCorner) expect(Math.abs(n - 250)).toBeLessThan(5 * Math.sqrt(250));
    // No single input predicts the label: each bit agrees with it about half the time.
    for (let b = 0; b < 3; b++) {
      const agree = corner.filter((c, i) => ((c >> b) & 1) === labels[i]).length / corner.length;
      expect(Math.abs(agree - 0.5)).toBeLessThan(0.05);
    }
  });
});
