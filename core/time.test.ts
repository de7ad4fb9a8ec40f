import { describe, expect, it } from 'vitest';
import { TimeGrid } from './time.js';

describe('TimeGrid', () => {
  it('sums of grid values land on the one canonical grid time, whatever the rounding of the parts', () => {
    const grid = new TimeGrid(0.1);
    // Plain float sums of these can disagree in the last bit; on the grid they coincide.
    expect(grid.add(12.3, 1.2)).toBe(grid.add(13.4, 0.1));
    expect(grid.add(0.1, 0.2)).toBe(3 * 0.1);
    let mismatched = 0;
    for (let a = 0; a < 3000; a += 7) {
      for (let d = 1; d < 200; d += 3) {
        const sum = grid.add(a / 10, d / 10);
        expect(sum).toBe((a + d) * 0.1); // the grid clock's own formula for step a + d
        if (a / 10 + d / 10 !== sum) mismatched++;
      }
    }
    expect(mismatched).toBeGreaterThan(0); // the plain sums would have split coincidences
  });

  it('leaves off-grid times as they are, to the last bit', () => {
    const grid = new TimeGrid(0.1);
    for (const t of [0.05, 12.345678901234, 1e4 + 1e-7, 3.3333333333]) expect(grid.snap(t)).toBe(t);
    expect(grid.add(0.123456, 1.5)).toBe(0.123456 + 1.5);
    const odd = new TimeGrid(0.37);
    expect(odd.add(5 * 0.37, 2 * 0.37)).toBe(7 * 0.37);
    expect(odd.snap(1)).toBe(1);
  });

  it('stays exact at long times (hours of simulated time)', () => {
    const grid = new TimeGrid(0.1);
    const k = 100_000_000; // 1e7 ms
    expect(grid.add(k * 0.1, 1.5)).toBe((k + 15) * 0.1);
  });
});
