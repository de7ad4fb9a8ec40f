import { describe, expect, it } from 'vitest';
import { build, listen } from '../../test/helpers.js';

describe('current input', () => {
  it('steps the external current exactly at the given times', async () => {
    // From rest, 0.2 nA * 40 MOhm = 8 mV below threshold; at t = 10 the step to 0.5 nA gives
    // v(t) = E_L + 8 e^{-(t-10)/tau} ... + 20 (1 - e^{-(t-10)/tau}) (with v(10) = E_L + 8 (1 - e^{-1})).
    const sim = await build(`
duration_ms: 40
populations:
  n: {model: lif, size: 2, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -55}}
inputs:
  stim: {type: current, target: n, params: {neurons: [1], amplitude_nA: 0.2, steps: [{t_ms: 10, amplitude_nA: 0.5}, {t_ms: 30, amplitude_nA: 0}]}}
`);
    const spikes = listen(sim, 'n');
    sim.run();
    const v10 = -70 + 8 * (1 - Math.exp(-1));
    // Threshold crossing after the step: v10 + (−50 − v10)(1 − e^{−s/10}) = −55.
    const s = -10 * Math.log(1 - (-55 - v10) / (-50 - v10));
    expect(spikes.i).toEqual([1]);
    expect(spikes.t[0]).toBeCloseTo(10 + s, 9);
    const pop = sim.populations.get('n')!.population!;
    expect(pop.read(0, 0, 40)).toBe(-70); // neuron 0 was never driven
    expect(pop.read(3, 1, 40)).toBe(0); // current back to zero after t = 30
  });
});
