import { describe, expect, it } from 'vitest';
import { build } from '../../test/helpers.js';
import { lifRateSlope } from '../lif/lif.js';

/**
 * Two pre neurons with known spike trains onto one parrot (receptor silent, so it never
 * spikes); the third factor is a scalar channel fed by a spike input: one pulse of 0.5 at
 * t = 100 ms (the spike at 99 plus the 1 ms modulator delay).
 */
const scenario = (rule: string, params = 'eta: 0.01, gain: one', other = '') => `
duration_ms: 200
populations:
  post: {model: parrot, size: 1}
  ${other}
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[10, 60, 89], [95]]}}
  signal: {type: spike-source, size: 1, params: {spike_times_ms: [[99]]}}
modulators:
  s: {from: signal, amount: 0.5, delay_ms: 1}
projections:
  - {name: learn, from: pre, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 1, receptor: silent,
     plasticity: {rule: ${rule}, params: {channel: s, presynaptic: trace, tau_x_ms: 20, ${params}}}}
`;

/** x_j(100) = sum over arrivals t_a <= 100 of (1000 / 20) exp(-(100 - t_a) / 20). */
const trace = (arrivals: number[]) => arrivals.reduce((s, t) => s + 50 * Math.exp(-(100 - t) / 20), 0);

describe('ib-hebbian (and delta-readout, the same rule)', () => {
  for (const rule of ['ib-hebbian', 'delta-readout']) {
    it(`${rule}: dW_ij = -eta * s_i * g_i * x_j at the pulse, exactly`, async () => {
      const sim = await build(scenario(rule));
      sim.run();
      const w = sim.projections[0].weight;
      expect(w[0]).toBeCloseTo(1 - 0.01 * 0.5 * trace([11, 61, 90]), 12);
      expect(w[1]).toBeCloseTo(1 - 0.01 * 0.5 * trace([96]), 12);
    });
  }

  it('changes nothing with eta = 0, nor with gain active when the post neuron is silent', async () => {
    for (const params of ['eta: 0, gain: one', 'eta: 0.01, gain: active']) {
      const sim = await build(scenario('ib-hebbian', params));
      sim.run();
      expect(Array.from(sim.projections[0].weight)).toEqual([1, 1]);
    }
  });

  it('uses only its own pre and post activity and its signal: another layer changes nothing', async () => {
    const alone = await build(scenario('ib-hebbian'));
    alone.run();
    const busy = await build(
      scenario('ib-hebbian', undefined, `other: {model: lif, size: 20, params: {I_e_nA: 1}}`) +
        `  - {from: pre, to: other, connector: {type: all_to_all}, weight: 5}\n  - {from: other, to: other, connector: {type: all_to_all}, weight: 0.5}\n`,
    );
    busy.run();
    expect(busy.summary().populations.other.spikes).toBeGreaterThan(100);
    expect(Array.from(busy.projections[0].weight)).toEqual(Array.from(alone.projections[0].weight));
  });

  it('eta_decay_pulses: the k-th pulse steps with eta / (1 + k / K)', async () => {
    // Two pulses of 0.5, at 100 and 150 ms; K = 1: the second steps with eta / 2.
    const sim = await build(
      scenario('ib-hebbian', 'eta: 0.01, gain: one, eta_decay_pulses: 1').replace('spike_times_ms: [[99]]', 'spike_times_ms: [[99, 149]]'),
    );
    sim.run();
    const at = (t: number, arrivals: number[]) => arrivals.filter((a) => a <= t).reduce((s, a) => s + 50 * Math.exp(-(t - a) / 20), 0);
    const w = sim.projections[0].weight;
    expect(w[0]).toBeCloseTo(1 - 0.01 * 0.5 * at(100, [11, 61, 90]) - 0.005 * 0.5 * at(150, [11, 61, 90]), 12);
    expect(w[1]).toBeCloseTo(1 - 0.01 * 0.5 * at(100, [96]) - 0.005 * 0.5 * at(150, [96]), 12);
  });

  it('eta_decay_start_pulses: the decay counts the pulses after the first S; decay_homeostasis scales the homeostatic step too', async () => {
    // Three pulses of 0.5, at 100, 150 and 180 ms; S = 1, K = 1: steps eta, eta, eta / 2.
    // The post neuron repeats a driver's spikes, so homeostasis acts at every pulse as well.
    const three = (params: string) =>
      `${scenario(
        'ib-hebbian',
        `eta: 0.01, gain: one, eta_decay_pulses: 1, eta_decay_start_pulses: 1, rate_target_hz: 40, homeostasis_eta: 0.2, tau_rate_ms: 50${params}`,
      )
        .replace('spike_times_ms: [[99]]', 'spike_times_ms: [[99, 149, 179]]')
        .replace(
          'inputs:\n',
          'inputs:\n  driver: {type: spike-source, size: 1, params: {spike_times_ms: [[19, 39, 49, 69]]}}\n',
        )}  - {from: driver, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 1, receptor: repeat}\n`;
    const x = (t: number, arrivals: number[]) => arrivals.filter((a) => a <= t).reduce((s, a) => s + 50 * Math.exp(-(t - a) / 20), 0);
    const r = (t: number) => [20, 40, 50, 70].reduce((s, a) => s + (1000 / 50) * Math.exp(-(t - a) / 50), 0);
    const h = (t: number) => (0.2 / 1000) * ((r(t) - 40) / 40);
    const expected = (arrivals: number[], homeoScale: number) => {
      let w = 1;
      for (const [t, scale] of [
        [100, 1],
        [150, 1],
        [180, 0.5],
      ])
        w -= scale * 0.01 * 0.5 * x(t, arrivals) + (scale === 1 ? 1 : homeoScale) * h(t) * x(t, arrivals);
      return w;
    };
    for (const [params, homeoScale] of [
      ['', 1],
      [', decay_homeostasis: true', 0.5],
    ] as const) {
      const sim = await build(three(params));
      sim.run();
      const w = sim.projections[0].weight;
      expect(w[0]).toBeCloseTo(expected([11, 61, 90], homeoScale), 12);
      expect(w[1]).toBeCloseTo(expected([96], homeoScale), 12);
    }
  });

  it('adam takes a first step of eta against the gradient sign', async () => {
    const sim = await build(scenario('ib-hebbian', 'eta: 0.01, gain: one, optimizer: adam'));
    sim.run();
    const w = sim.projections[0].weight;
    expect(w[0]).toBeCloseTo(1 - 0.01, 6);
    expect(w[1]).toBeCloseTo(1 - 0.01, 6);
  });

  it('homeostatic scaling: dW_ij = -eta_h (r_i - target) / target * x_j / 1000, from the post rate trace', async () => {
    // The post neuron repeats a driver's spikes at 20, 40, 50 and 70 ms (parrot, receptor
    // repeat); eta 0, so only the homeostatic step acts, at the pulse at t = 100 ms.
    const text = `${scenario('ib-hebbian', 'eta: 0, gain: one, rate_target_hz: 40, homeostasis_eta: 0.2, tau_rate_ms: 50').replace(
      'inputs:\n',
      'inputs:\n  driver: {type: spike-source, size: 1, params: {spike_times_ms: [[19, 39, 49, 69]]}}\n',
    )}  - {from: driver, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 1, receptor: repeat}\n`;
    const run = await build(text);
    run.run();
    expect(run.summary().populations.post.spikes).toBe(4);
    const r = [20, 40, 50, 70].reduce((s, t) => s + (1000 / 50) * Math.exp(-(100 - t) / 50), 0);
    const h = (0.2 / 1000) * ((r - 40) / 40);
    const w = run.projections[0].weight;
    expect(w[0]).toBeCloseTo(1 - h * trace([11, 61, 90]), 12);
    expect(w[1]).toBeCloseTo(1 - h * trace([96]), 12);
    expect(w[0]).toBeGreaterThan(1); // r ~ 37 Hz is below the 40 Hz target: scaled up
  });

  it("presynaptic: window: x_j is the current sample's rate (a step from 0 to 200 Hz reads 200 Hz)", async () => {
    // Sample 1 (0..100 ms): the pre neuron is silent; sample 2 (100..200 ms): a regular 200 Hz
    // train. The pulse at 200 ms reads the window (100, 200]: 20 arrivals -> 200 Hz. The trace
    // with tau 100 ms would read about 126 Hz (63% of the sample).
    const pre = Array.from({ length: 20 }, (_, k) => 100 + 5 * k);
    const text = `
duration_ms: 250
populations:
  post: {model: parrot, size: 1}
inputs:
  pre: {type: spike-source, size: 2, params: {spike_times_ms: [[${[10, 20, 30, ...pre].join(', ')}], [${pre.join(', ')}]]}}
  signal: {type: spike-source, size: 1, params: {spike_times_ms: [[199]]}}
modulators:
  s: {from: signal, amount: 0.5, delay_ms: 1}
projections:
  - {name: learn, from: pre, to: post, connector: {type: all_to_all}, weight: 1, delay_ms: 0.5, receptor: silent,
     plasticity: {rule: ib-hebbian, params: {channel: s, eta: 0.01, gain: one, rate_window_ms: 100}}}
`;
    const sim = await build(text);
    sim.run();
    const w = sim.projections[0].weight;
    // Both rows read 200 Hz: the earlier spikes of row 0 (before 100 ms) do not count.
    expect(w[0]).toBeCloseTo(1 - 0.01 * 0.5 * 200, 12);
    expect(w[1]).toBeCloseTo(1 - 0.01 * 0.5 * 200, 12);
    const trace = await build(text.replace('rate_window_ms: 100', 'presynaptic: trace, tau_x_ms: 100'));
    trace.run();
    const xTrace = (1 - trace.projections[0].weight[1]) / (0.01 * 0.5);
    expect(xTrace).toBeGreaterThan(110);
    expect(xTrace).toBeLessThan(140);
  });

  it("gain: slope: the step uses the lif rate-vs-drive slope at the post neuron's rate over the window", async () => {
    // The post lif neuron fires regularly under a constant current; its rate over the window
    // (100, 200] sets g = min(gain_max, lifRateSlope(r)); x_j = 100 Hz (10 arrivals).
    const pre = Array.from({ length: 10 }, (_, k) => 105 + 10 * k);
    const text = (gainMax: number) => `
duration_ms: 250
populations:
  post: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2, I_e_nA: 1.4}}
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[${pre.join(', ')}]]}}
  signal: {type: spike-source, size: 1, params: {spike_times_ms: [[199]]}}
modulators:
  s: {from: signal, amount: 0.5, delay_ms: 1}
projections:
  - {name: learn, from: pre, to: post, connector: {type: all_to_all}, weight: 0, delay_ms: 0.5,
     plasticity: {rule: ib-hebbian, params: {channel: s, eta: 0.01, rate_window_ms: 100, gain_max: ${gainMax}}}}
`;
    const sim = await build(text(10));
    const spikes: number[] = [];
    sim.populations.get('post')!.addSpikeListener({ onSpike: (_i, t) => spikes.push(t) });
    sim.run();
    const r = (spikes.filter((t) => t > 100 && t <= 200).length * 1000) / 100;
    expect(r).toBeGreaterThan(50);
    const g = lifRateSlope({ tau_m_ms: 10, t_ref_ms: 2 }, r);
    expect(g).toBeGreaterThan(0.1);
    expect(g).toBeLessThan(10);
    expect(sim.projections[0].weight[0]).toBeCloseTo(-0.01 * 0.5 * g * 100, 12);
    // Capped at gain_max.
    const capped = await build(text(0.05));
    capped.run();
    expect(capped.projections[0].weight[0]).toBeCloseTo(-0.01 * 0.5 * 0.05 * 100, 12);
  });
});
