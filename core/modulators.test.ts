import { describe, expect, it } from 'vitest';
import { Channel, SpikePulseSource } from './modulators.js';
import { Scheduler } from './scheduler.js';

describe('modulator channels', () => {
  it('keep scalar and per-neuron pulses in time order and find them by time', () => {
    const ch = new Channel('xi', 3);
    ch.retain(() => -Infinity); // a reader of every pulse: nothing is dropped
    ch.pulse(1, [0.1, 0.2, 0.3]);
    ch.pulse(2, 5);
    ch.pulse(2, [1, 2, 3]);
    for (let i = 0; i < 100; i++) ch.pulse(3 + i, i); // grows past the initial capacity
    expect(ch.count).toBe(103);
    expect(Array.from(ch.amounts.slice(0, 9))).toEqual([0.1, 0.2, 0.3, 5, 5, 5, 1, 2, 3]);
    expect(ch.firstAfter(2)).toBe(3);
    expect(ch.firstAtOrAfter(2)).toBe(1);
    expect(ch.firstAtOrAfter(0)).toBe(0);
    expect(ch.firstAfter(1000)).toBe(103);
    expect(() => ch.pulse(1.5, 0)).toThrow(/after one at/);
  });

  it('drop the pulses no reader needs, keep absolute indices, and stay bounded over a long run', () => {
    const ch = new Channel('xi', 2);
    let needFrom = 0; // the reader may still read pulses at times >= needFrom
    ch.retain(() => needFrom);
    for (let i = 0; i < 100_000; i++) {
      ch.pulse(i, [i, -i]);
      needFrom = i - 10; // it reads the last ten pulses back
      if (i % 997 === 0 && i >= 10) {
        // Every pulse it may read is there, at its absolute index, with its values.
        for (let k = i - 10; k <= i; k++) {
          expect(ch.first).toBeLessThanOrEqual(k);
          expect(ch.times[k - ch.first]).toBe(k);
          expect(ch.amounts[(k - ch.first) * 2 + 1]).toBe(-k);
        }
        expect(ch.firstAtOrAfter(i - 10)).toBe(i - 10);
        expect(ch.firstAfter(i - 1)).toBe(i);
      }
    }
    expect(ch.count).toBe(100_000);
    expect(ch.first).toBeGreaterThan(99_000);
    // Bounded: the arrays never grew past the initial 64 pulses, as the reader needs only 11.
    expect(ch.times.length).toBe(64);
    expect(ch.amounts.length).toBe(128);
    // A time before the oldest kept pulse is answered with the oldest kept.
    expect(ch.firstAtOrAfter(0)).toBe(ch.first);
  });

  it('keep only the newest pulse when every reader reads in onPulse, and everything while any reader needs it', () => {
    const seen: number[] = [];
    const ch = new Channel('xi', 1);
    ch.subscribe({ onPulse: (_t, index) => seen.push(ch.amounts[index - ch.first]) });
    for (let i = 0; i < 1000; i++) ch.pulse(i, i * 0.5);
    expect(seen).toEqual(Array.from({ length: 1000 }, (_, i) => i * 0.5));
    expect(ch.times.length).toBe(64);
    expect(ch.times[ch.count - 1 - ch.first]).toBe(999);

    const all = new Channel('dopamine', 1);
    let keep = -Infinity;
    all.retain(() => keep);
    for (let i = 0; i < 1000; i++) all.pulse(i, 1);
    expect(all.first).toBe(0);
    keep = 900;
    for (let i = 1000; i < 1100; i++) all.pulse(i, 1);
    expect(all.first).toBeLessThanOrEqual(900);
    expect(all.first).toBeGreaterThan(0);
  });

  it('turn spikes into pulses after the delay, in time order even when spikes are reported late', () => {
    const s = new Scheduler();
    const ch = new Channel('dopamine', 1);
    const src = new SpikePulseSource(ch, s, 0.5, 1);
    // Spikes reported out of order (as neurons found up to a step late would be).
    s.at(2, 20, { handleEvent: () => (src.onSpike(0, 1.95), src.onSpike(1, 1.9)) });
    s.runUntil(10);
    expect(Array.from(ch.times.slice(0, ch.count))).toEqual([2.9, 2.95]);
    expect(Array.from(ch.amounts.slice(0, 2))).toEqual([0.5, 0.5]);
  });
});
