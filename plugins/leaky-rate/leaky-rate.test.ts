import { describe, expect, it } from 'vitest';
import { isSampleInput } from '../../core/contracts.js';
import { build } from '../../test/helpers.js';

const u = (sim: Awaited<ReturnType<typeof build>>, pop: string, i: number) => sim.populations.get(pop)!.population!.read(0, i, sim.t_ms);

describe('leaky-rate neuron and graded transmission', () => {
  it('integrates a graded input exactly: u = w r (1 - exp(-(t - t_on) / tau)), read one step late, due one delay later', async () => {
    // The graded input's 0.5 is set at t = 0, read at the first grid step (0.5 ms) and due
    // one delay (1 ms) later: the current w r = 1.5 acts from t_on = 1.5 ms.
    const sim = await build(`
resolution_ms: 0.5
duration_ms: 20
inputs:
  src: {type: rate-code, size: 1, params: {train: graded, max_rate_hz: 1, values: [0.5]}}
populations:
  h: {model: leaky-rate, size: 1, params: {tau_ms: 4, activation: linear}}
projections:
  - {from: src, to: h, connector: {type: one_to_one}, weight: 3, delay_ms: 1}
`);
    for (const t of [1, 1.5, 2, 3.7, 10, 20]) {
      sim.run(t);
      expect(u(sim, 'h', 0)).toBeCloseTo(t <= 1.5 ? 0 : 1.5 * (1 - Math.exp(-(t - 1.5) / 4)), 12);
    }
    expect(sim.summary().populations.h.spikes).toBe(0);
  });

  it('passes a value presented between runs through each layer in delay + one step (3, 5, 7 ms for three layers)', async () => {
    // What sets the shortest presentation a rate network can learn from (docs/semantics.md):
    // a value set at t0 after that time's reads is read at t0 + 1, arrives one delay later,
    // and the next grid step is the first to show the layer's new output.
    const sim = await build(`
resolution_ms: 1
duration_ms: 100
inputs:
  src: {type: rate-code, size: 1, params: {train: graded, max_rate_hz: 1, values: [0]}}
populations:
  a: {model: leaky-rate, size: 1, params: {tau_ms: 0.01, activation: linear}}
  b: {model: leaky-rate, size: 1, params: {tau_ms: 0.01, activation: linear}}
  c: {model: leaky-rate, size: 1, params: {tau_ms: 0.01, activation: linear}}
projections:
  - {from: src, to: a, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
  - {from: a, to: b, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
  - {from: b, to: c, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
`);
    sim.run(10);
    const src = sim.input('src')!;
    if (!isSampleInput(src)) throw new Error('rate-code should take samples');
    src.present([1], 10);
    const out = (pop: string) => sim.populations.get(pop)!.population!.output![0];
    const firstChange: Record<string, number> = {};
    for (let t = 10; t <= 20; t++) {
      sim.run(t);
      for (const pop of ['a', 'b', 'c']) if (firstChange[pop] === undefined && out(pop) > 0.5) firstChange[pop] = t - 10;
    }
    expect(firstChange).toEqual({ a: 3, b: 5, c: 7 });
  });

  it('a spike makes u jump by the weight, then decay with tau', async () => {
    const sim = await build(`
resolution_ms: 0.1
duration_ms: 30
inputs:
  s: {type: spike-source, size: 1, params: {spike_times_ms: [[10]]}}
populations:
  h: {model: leaky-rate, size: 1, params: {tau_ms: 5, bias: 0}}
projections:
  - {from: s, to: h, connector: {type: all_to_all}, weight: 2, delay_ms: 1.05}
`);
    sim.run(11.05);
    expect(u(sim, 'h', 0)).toBeCloseTo(2, 12);
    sim.run(20);
    expect(u(sim, 'h', 0)).toBeCloseTo(2 * Math.exp(-(20 - 11.05) / 5), 12);
  });

  it('relu output and gain, bias, and layer normalisation (zero mean, unit variance)', async () => {
    const make = (normalize: string) =>
      build(`
resolution_ms: 1
duration_ms: 100
populations:
  h: {model: leaky-rate, size: 4, params: {tau_ms: 2, bias: -1, normalize: ${normalize}}}
inputs:
  drive: {type: rate-code, size: 4, params: {train: graded, max_rate_hz: 4, low: 0, high: 4, values: [0, 1, 2, 4]}}
projections:
  - {from: drive, to: h, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
`);
    const raw = await make('none');
    raw.run();
    const pop = raw.populations.get('h')!.population!;
    // Steady state u = input + bias = [-1, 0, 1, 3]; relu output and f'(u).
    expect(Array.from(pop.output!, (x) => +x.toFixed(9))).toEqual([0, 0, 1, 3]);
    expect(Array.from(pop.gain!)).toEqual([0, 0, 1, 1]);
    const norm = await make('layer');
    norm.run();
    const out = Array.from(norm.populations.get('h')!.population!.output!);
    const mean = out.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(out.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(mean).toBeCloseTo(0, 12);
    expect(sd).toBeCloseTo(1, 12);
    // (relu - mean) / sd with relu = [0, 0, 1, 3]: mean 1, sd sqrt(1.5).
    [-1, -1, 0, 2].forEach((d, i) => expect(out[i]).toBeCloseTo(d / Math.sqrt(1.5), 8));
  });

  it('a rate population drives a LIF neuron with a current: v follows the closed form', async () => {
    // 0.4 graded output * weight 2 = 0.8 nA into a LIF with R_m = 1 MOhm, tau_m = 10 ms:
    // v(t) = 0.8 (1 - exp(-(t - t_on) / 10)) mV, below the 1 mV threshold.
    const sim = await build(`
resolution_ms: 0.5
duration_ms: 50
inputs:
  src: {type: rate-code, size: 1, params: {train: graded, max_rate_hz: 1, values: [0.4]}}
populations:
  r: {model: leaky-rate, size: 1, params: {tau_ms: 0.001, activation: linear}}
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0}}
projections:
  - {from: src, to: r, connector: {type: one_to_one}, weight: 1, delay_ms: 0.5}
  - {from: r, to: n, connector: {type: one_to_one}, weight: 2, delay_ms: 0.5}
`);
    sim.run();
    // src's 0.4 is read at 0.5 and acts on r from t = 1; r's u reaches 0.4 by the next grid
    // step (1.5) to within e^(-500); that output is read then and acts on n from t = 2.
    const v = sim.populations.get('n')!.population!.read(0, 0, 50);
    expect(v).toBeCloseTo(0.8 * (1 - Math.exp(-(50 - 2) / 10)), 9);
  });

  it('refuses per-synapse delays and dendritic delays on graded projections, naming the field', async () => {
    const text = (extra: string) => `
resolution_ms: 1
duration_ms: 10
inputs:
  src: {type: rate-code, size: 2, params: {train: graded, values: [0.5, 0.5]}}
populations:
  h: {model: leaky-rate, size: 2}
projections:
  - {from: src, to: h, connector: {type: all_to_all}, weight: 1, ${extra}}
`;
    await expect(build(text('delay_ms: {dist: uniform, low: 1, high: 3}'))).rejects.toThrow(
      /projections\.0\.delay_ms: expected one delay for the whole projection: src is graded/,
    );
    await expect(build(text('delay_ms: 1, dendritic_delay_ms: 1'))).rejects.toThrow(/projections\.0\.dendritic_delay_ms: expected 0: src is graded/);
  });

  it("ib-hebbian on graded layers: x_j is the pre output and g_i = f'(u_i) at the pulse", async () => {
    const sim = await build(`
resolution_ms: 1
duration_ms: 60
inputs:
  src: {type: rate-code, size: 2, params: {train: graded, max_rate_hz: 1, values: [0.25, 0.75]}}
  drive: {type: rate-code, size: 2, params: {train: graded, max_rate_hz: 1, values: [1, 0]}}
  signal: {type: spike-source, size: 1, params: {spike_times_ms: [[49]]}}
modulators:
  s: {from: signal, amount: 0.5, delay_ms: 1}
populations:
  h: {model: leaky-rate, size: 2, params: {tau_ms: 1, bias: -0.5}}
projections:
  - {from: drive, to: h, connector: {type: one_to_one}, weight: 1, delay_ms: 1}
  - {from: src, to: h, connector: {type: all_to_all}, weight: 0, delay_ms: 1, plasticity: {rule: ib-hebbian, params: {channel: s, eta: 0.1}}}
`);
    sim.run();
    // h0: u = 1 - 0.5 > 0 (gain 1); h1: u = -0.5 (gain 0). dW = -0.1 * 0.5 * g_i * x_j.
    const w = Array.from(sim.projections[1].weight);
    const targets = Array.from(sim.projections[1].target);
    const expected = targets.map((i, k) => (i === 0 ? -0.05 * (k < 2 ? 0.25 : 0.75) : 0));
    w.forEach((wk, k) => expect(wk).toBeCloseTo(expected[k], 12));
  });
});
