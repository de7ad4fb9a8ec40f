import { describe, expect, it } from 'vitest';
import { build, listen } from './helpers.js';

/**
 * Synaptic deliveries at grid times go through per-step ring buffers instead of the event heap
 * (core/scheduler.ts, NEST's ring_buffer.h). The rings only change the cost: events still run
 * in (time, priority, sequence) order, so a network with on-grid and off-grid delays fires
 * exactly the same spikes with the rings as with the heap alone.
 */
const scenario = `
duration_ms: 300
seed: 5
resolution_ms: 0.1
populations:
  exc: {model: lif, size: 400, params: {tau_m_ms: 20, R_m_MOhm: 40, I_e_nA: 0.3, spike_timing: grid}, init: {v_mV: {dist: uniform, low: -70, high: -55}}}
  inh: {model: lif, size: 100, params: {tau_m_ms: 20, R_m_MOhm: 40, I_e_nA: 0.3, spike_timing: grid}, init: {v_mV: {dist: uniform, low: -70, high: -55}}}
inputs:
  drive: {type: poisson, size: 200, params: {rate_hz: 30}}
projections:
  - {from: drive, to: exc, connector: {type: fixed_probability, p: 0.1}, weight: 0.4, delay_ms: 1.5}
  - {from: drive, to: inh, connector: {type: fixed_probability, p: 0.1}, weight: 0.4, delay_ms: 1.05}
  - {from: exc, to: exc, connector: {type: fixed_probability, p: 0.05}, weight: 0.2, delay_ms: {dist: uniform, low: 0.5, high: 4}}
  - {from: exc, to: inh, connector: {type: fixed_probability, p: 0.05}, weight: 0.3, delay_ms: 2.3, dendritic_delay_ms: 0.2}
  - {from: inh, to: exc, connector: {type: fixed_probability, p: 0.1}, weight: -0.8, delay_ms: 0.8}
`;

/** rings: the default rings; 'short': rings 12 steps long, shorter than most delays (the rest goes to the heap); false: the heap alone. */
async function spikes(rings: boolean | 'short') {
  const sim = await build(scenario);
  if (rings === false) sim.scheduler.useGrid(0);
  if (rings === 'short') sim.scheduler.useGrid(0.1, 12);
  const exc = listen(sim, 'exc');
  const inh = listen(sim, 'inh');
  sim.run();
  return { exc, inh, ringHandled: sim.scheduler.ringHandled, handled: sim.scheduler.handled };
}

describe('ring-buffer delivery', () => {
  it('gives the same spikes as the heap path on a network with on-grid and off-grid delays', async () => {
    const ring = await spikes(true);
    const heap = await spikes(false);
    expect(heap.ringHandled).toBe(0);
    // Most deliveries fell on the grid (the constant delays); the uniform ones went to the heap.
    expect(ring.ringHandled).toBeGreaterThan(1000);
    expect(ring.ringHandled).toBeLessThan(ring.handled);
    expect(ring.exc.t.length).toBeGreaterThan(200);
    expect(ring.exc).toEqual(heap.exc);
    expect(ring.inh).toEqual(heap.inh);
    // Rings shorter than the delays: events past their horizon go to the heap; slots are reused.
    const short = await spikes('short');
    expect(short.ringHandled).toBeGreaterThan(0);
    expect(short.ringHandled).toBeLessThan(ring.ringHandled);
    expect(short.exc).toEqual(heap.exc);
    expect(short.inh).toEqual(heap.inh);
  });
});
