import { describe, expect, it } from 'vitest';
import { Priority, Scheduler, type SimEvent } from './scheduler.js';

describe('Scheduler', () => {
  it('orders events by time, then priority, then scheduling order', () => {
    const s = new Scheduler();
    const log: string[] = [];
    const h = (name: string) => ({ handleEvent: (ev: SimEvent) => log.push(`${name}@${ev.t}`) });
    s.at(2, Priority.RECORD, h('rec'));
    s.at(2, Priority.DELIVERY, h('d1'));
    s.at(1.5, Priority.LIFECYCLE, h('life'));
    s.at(2, Priority.DELIVERY, h('d2'));
    s.at(2, Priority.NEURON, h('step'));
    s.at(2, Priority.INPUT, h('input'));
    s.runUntil(10);
    expect(log).toEqual(['life@1.5', 'input@2', 'd1@2', 'd2@2', 'step@2', 'rec@2']);
  });

  it('keeps continuous times unrounded and passes payloads', () => {
    const s = new Scheduler();
    const seen: number[][] = [];
    s.at(0.1 + 0.2, 0, { handleEvent: (ev) => seen.push([ev.t, ev.a, ev.b, ev.x]) }, 7, 9, 1.25);
    s.runUntil(1);
    expect(seen).toEqual([[0.30000000000000004, 7, 9, 1.25]]);
  });

  it('refuses events in the past', () => {
    const s = new Scheduler();
    s.at(5, 0, { handleEvent: () => s.at(4.999, 0, { handleEvent() {} }) });
    expect(() => s.runUntil(10)).toThrow(/before the current time/);
  });

  it('runs clocks at origin + k * period without accumulating rounding', () => {
    const s = new Scheduler();
    const ticks: number[] = [];
    s.every(0.1, Priority.NEURON, { tick: (t) => ticks.push(t) }, 0);
    s.runUntil(1000);
    expect(ticks.length).toBe(10000);
    expect(ticks[9999]).toBe(10000 * 0.1);
    expect(ticks[2]).toBe(3 * 0.1);
  });

  it('stops at tStop inclusive and resumes where it stopped', () => {
    const s = new Scheduler();
    const ticks: number[] = [];
    s.every(1, Priority.NEURON, { tick: (t) => ticks.push(t) }, 0);
    s.runUntil(3);
    expect(ticks).toEqual([1, 2, 3]);
    expect(s.now).toBe(3);
    s.runUntil(5.5);
    expect(ticks).toEqual([1, 2, 3, 4, 5]);
    expect(s.now).toBe(5.5);
  });
});
