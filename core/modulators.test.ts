import { describe, expect, it } from 'vitest';
import { Channel, SpikePulseSource } from './modulators.js';
import { Scheduler } from './scheduler.js';

describe('modulator channels', () => {
  it('keep scalar and per-neuron pulses in time order and find them by time', () => {
    const ch = new Channel('xi', 3);
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
