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
    for (let k = 0; k < 20; k++) archive.record(k % 2, k); // 10 spikes each: rings grow from 4
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
