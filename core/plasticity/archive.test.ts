import { describe, expect, it } from 'vitest';
import { Rng } from '../rng.js';
import { PostSpikeArchive } from './archive.js';

/** Trace of neuron spikes at `times` just before t, by its definition (all-to-all or nearest). */
function directTrace(times: number[], t: number, tau: number, nearest: boolean): number {
  let x = 0;
  let last = -Infinity;
  for (const s of times) {
    if (s >= t) break;
    x = (nearest ? 0 : x * Math.exp(-(s - last) / tau)) + 1;
    last = s;
  }
  return last === -Infinity ? 0 : x * Math.exp(-(t - last) / tau);
}

describe('PostSpikeArchive', () => {
  it('traces equal their definition over thousands of time constants (reference moves), for both pairings', () => {
    const rng = Rng.derive(3, 'archive-test');
    const traces = [
      { tau: 20, nearest: false },
      { tau: 5, nearest: true },
    ];
    const archive = new PostSpikeArchive(3, Int32Array.from([1, 1, 1]), traces, 0);
    const spikes: number[][] = [[], [], []];
    let t = 0;
    let worst = 0;
    for (let step = 0; step < 4000; step++) {
      t += rng.uniform(0, 40); // 160 000 ms in all: 8000 tau of the slow trace
      const j = rng.int(3);
      // Query first (a pre arrival), then maybe record a post spike at the same time.
      for (const [r, { tau, nearest }] of traces.entries()) {
        const want = directTrace(spikes[j], t, tau, nearest);
        const got = archive.traceBefore(r, j, t);
        if (want > 1e-200) worst = Math.max(worst, Math.abs(got - want) / want);
        else expect(got).toBeLessThan(1e-150);
      }
      if (rng.random() < 0.5) {
        archive.record(j, t);
        spikes[j].push(t);
        archive.markRead(j, 0, archive.count(j)); // the one synapse has read everything
      }
    }
    expect(worst).toBeLessThan(1e-12);
    expect(archive.size).toBeLessThanOrEqual(3); // entries dropped once read
  });

  it('holds unread entries in order as the rings grow, and drops them once every synapse read them', () => {
    const archive = new PostSpikeArchive(2, Int32Array.from([2, 2]), [{ tau: 10, nearest: false }], 1);
    for (let k = 0; k < 20; k++) archive.record(k % 2, k); // 10 spikes each
    expect(archive.count(0)).toBe(10);
    expect(Array.from({ length: 10 }, (_, e) => archive.timeAt(1, e))).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]); // + 1 ms dendritic delay
    expect(archive.firstAfter(0, 5)).toBe(3); // entries at 1, 3, 5 are not after 5
    archive.markRead(0, 0, 4); // synapse 1 of neuron 0 read 4 entries: not yet dropped
    expect(archive.count(0)).toBe(10);
    archive.markRead(0, 0, 2); // synapse 2 read 2 of them: those 2 go
    expect(archive.count(0)).toBe(8);
    expect(archive.timeAt(0, 0)).toBe(5);
    const before = archive.traceBefore(0, 0, 4.5); // from the dropped spikes at 1 and 3 (baseline kept)
    expect(before).toBeCloseTo((Math.exp(-2 / 10) + 1) * Math.exp(-1.5 / 10), 12);
    archive.flush(12);
    expect(archive.count(0)).toBe(4); // 13, 15, 17, 19 remain
    expect(archive.timeAt(0, 0)).toBe(13);
  });

  it('keeps the entries of every neuron in order when the rings grow while they wrap around (heads moved by drops)', () => {
    // Three neurons, one incoming synapse each: reading an entry drops it, so heads move and
    // the rings wrap; neuron 0 then holds more than 16, then more than 32 entries (two growths).
    const n = 3;
    const archive = new PostSpikeArchive(n, Int32Array.from([1, 1, 1]), [{ tau: 20, nearest: false }], 0);
    const held: number[][] = [[], [], []];
    const all: number[][] = [[], [], []];
    let t = 0;
    for (let round = 0; round < 60; round++) {
      for (let j = 0; j < n; j++) {
        // neuron 0 fires every round, 1 and 2 every other round
        if (j > 0 && round % 2 === 1) continue;
        t += 1;
        archive.record(j, t);
        held[j].push(t);
        all[j].push(t);
      }
      // Every 7 rounds neurons 1 and 2 have their oldest 3 entries read (and dropped); neuron 0
      // only in the first 20 rounds, so its ring wraps and then has to grow.
      if (round % 7 === 6) {
        for (let j = 0; j < n; j++) {
          if (j === 0 && round > 20) continue;
          const k = Math.min(3, archive.count(j));
          archive.markRead(j, 0, k);
          held[j].splice(0, k);
        }
      }
      for (let j = 0; j < n; j++) {
        expect(archive.count(j)).toBe(held[j].length);
        expect(Array.from({ length: archive.count(j) }, (_, e) => archive.timeAt(j, e))).toEqual(held[j]);
      }
    }
    expect(archive.capacity).toBeGreaterThanOrEqual(64);
    // The trace still counts every spike recorded, read or not (all-to-all: a sum of kernels).
    for (let j = 0; j < n; j++) {
      const expected = all[j].reduce((sum, tk) => sum + Math.exp(-(t + 5 - tk) / 20), 0);
      expect(archive.traceBefore(0, j, t + 5)).toBeCloseTo(expected, 12);
    }
  });

  it('a query at the time of a dropped entry still sees the spikes strictly before it (issue 18, bug 1)', () => {
    for (const nearest of [false, true]) {
      const archive = new PostSpikeArchive(1, Int32Array.from([1]), [{ tau: 25, nearest }], 0);
      archive.record(0, 515.8);
      archive.markRead(0, 0, 1); // the one synapse read it: dropped
      archive.record(0, 543);
      archive.markRead(0, 0, 1); // dropped too: it is now the baseline
      expect(archive.count(0)).toBe(0);
      // At 543 only the spike at 515.8 counts (dt = 0 does not pair with the one at 543).
      expect(archive.traceBefore(0, 0, 543)).toBeCloseTo(Math.exp(-27.2 / 25), 14);
      expect(archive.traceBefore(0, 0, 544)).toBeCloseTo((nearest ? 1 : 1 + Math.exp(-27.2 / 25)) * Math.exp(-1 / 25), 14);
      // Two spikes at one time, both dropped: the query at that time sees neither.
      archive.record(0, 600);
      archive.record(0, 600);
      archive.markRead(0, 0, 2);
      const want = (nearest ? 1 : 1 + Math.exp(-27.2 / 25)) * Math.exp(-57 / 25);
      expect(archive.traceBefore(0, 0, 600)).toBeCloseTo(want, 14);
    }
  });
});
