import { describe, expect, it } from 'vitest';
import { Rng } from '../../core/rng.js';
import { makeLinear } from './linear.js';

describe('linear dataset', () => {
  it('linear: uniform points labelled by a hidden random direction, separable by a perceptron', () => {
    const data = makeLinear(Rng.derive(3, 'd'), 1000, 900, 2);
    const all = [...data.train.x, ...data.test.x];
    for (const v of all) for (const x of v) expect(Math.abs(x)).toBeLessThanOrEqual(1);
    const labels = [...data.train.labels, ...data.test.labels];
    all.forEach((v, i) => expect(labels[i]).toBe(v[0] * data.w[0] + v[1] * data.w[1] > 0 ? 1 : 0));
    // A perceptron through the origin finds a separating line: the task is linearly separable.
    const w = [0, 0];
    for (let epoch = 0; epoch < 200; epoch++) {
      let errors = 0;
      all.forEach((v, i) => {
        const y = labels[i] ? 1 : -1;
        if (y * (w[0] * v[0] + w[1] * v[1]) <= 0) {
          w[0] += y * v[0];
          w[1] += y * v[1];
          errors++;
        }
      });
      if (errors === 0) break;
    }
    const correct = all.filter((v, i) => (w[0] * v[0] + w[1] * v[1] > 0 ? 1 : 0) === labels[i]).length;
    expect(correct).toBe(1000);
  });
});
