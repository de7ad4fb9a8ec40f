import { describe, expect, it } from 'vitest';
import { build, listen, readCsv, rk4, tempDir } from '../../test/helpers.js';
import { Rng } from '../../core/rng.js';
import { LifGridPopulation, rowsIncrease } from './grid.js';
import { stepPropagators } from './math.js';
import { LifPopulation, lifRateSlope, lifVoltage, synapticKernel, type LifPhysics } from './lif.js';

const P: LifPhysics = { tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -55, v_reset_mV: -70, t_ref_ms: 2, tau_syn_ex_ms: 2, tau_syn_in_ms: 5, I_e_nA: 0 };

describe('lif closed form', () => {
  it('synaptic kernel equals the textbook difference of exponentials', () => {
    for (const [tm, ts] of [
      [10, 2],
      [20, 5],
      [5, 20],
      [10, 9.999],
    ]) {
      for (const h of [0.01, 0.1, 1, 7.3, 40]) {
        const textbook = (ts / (ts - tm)) * (Math.exp(-h / ts) - Math.exp(-h / tm));
        expect(synapticKernel(h, tm, ts)).toBeCloseTo(textbook, 9);
      }
    }
  });

  it('stays exact when tau_syn equals tau_m (matches RK4 of the ODE)', () => {
    for (const h of [0.1, 3, 25]) {
      // tau_m dv/dt = -v + I, dI/dt = -I/tau_s, I(0) = 1, v(0) = 0, tau_s = tau_m = 10
      const [vRef] = rk4((_t, [v, i]) => [(-v + i) / 10, -i / 10], [0, 1], 0, h, 20000);
      expect(synapticKernel(h, 10, 10)).toBeCloseTo(vRef, 10);
      expect(synapticKernel(h, 10, 10 + 1e-9)).toBeCloseTo(vRef, 8);
    }
  });

  it('voltage formula matches RK4 of the full model with all currents', () => {
    const f = (_t: number, [v, ie, ii]: number[]) => [
      (-(v - P.E_L_mV) + P.R_m_MOhm * (ie + ii + 0.1)) / P.tau_m_ms,
      -ie / P.tau_syn_ex_ms,
      -ii / P.tau_syn_in_ms,
    ];
    const [vRef] = rk4(f, [-65, 0.3, -0.2], 0, 12.5, 50000);
    expect(lifVoltage(P, 12.5, -65, 0.3, -0.2, 0.1)).toBeCloseTo(vRef, 9);
  });
});

const oneNeuron = (dt: number, tRef = 2) => `
duration_ms: ${dt * Math.round(60 / dt)}
resolution_ms: ${dt}
populations:
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -55, v_reset_mV: -70, t_ref_ms: ${tRef}, I_e_nA: 0.5}}
`;

describe('lif spike timing', () => {
  // v(t) = E_L + R I (1 - exp(-t/tau)) reaches v_th at t* = -tau ln(1 - (v_th - E_L) / (R I)).
  const tStar = -10 * Math.log(1 - 15 / 20);

  for (const dt of [0.1, 1, 0.37]) {
    it(`first spike under constant current is at the analytic time (dt = ${dt} ms)`, async () => {
      const sim = await build(oneNeuron(dt));
      const spikes = listen(sim, 'n');
      sim.run();
      expect(Math.abs(spikes.t[0] - tStar)).toBeLessThan(1e-6);
      // After each spike: t_ref clamped at reset, then the same climb again.
      for (let k = 1; k < spikes.t.length; k++) expect(Math.abs(spikes.t[k] - spikes.t[k - 1] - (2 + tStar))).toBeLessThan(1e-6);
      expect(spikes.t.length).toBe(Math.floor((sim.t_stop_ms + 2) / (2 + tStar)));
    });
  }

  it('refractory period holds v at reset while synaptic currents decay', async () => {
    const sim = await build(oneNeuron(0.1, 5));
    const spikes = listen(sim, 'n');
    const pop = sim.populations.get('n')!.population!;
    sim.run(tStar + 1);
    expect(spikes.t.length).toBe(1);
    expect(pop.read(0, 0, tStar + 1)).toBe(-70);
    sim.run(tStar + 5 + 1);
    // 1 ms after the refractory period ends, v has climbed from reset under I_e only.
    expect(pop.read(0, 0, sim.t_ms)).toBeCloseTo(-70 + 20 * (1 - Math.exp(-0.1)), 9);
  });

  it('membrane trace under synaptic input matches the superposed closed form', async () => {
    const out = tempDir();
    const inputs = [3.3, 10.01, 10.02, 27.77];
    const delay = 1.25;
    const sim = await build(`
duration_ms: 60
populations:
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -40, tau_syn_ex_ms: 2, tau_syn_in_ms: 5}}
inputs:
  src: {type: spike-source, size: 2, params: {spike_times_ms: [[${inputs[0]}, ${inputs[2]}], [${inputs[1]}, ${inputs[3]}]]}}
projections:
  - {from: src, to: n, connector: {type: list, pairs: [[0, 0], [1, 0]]}, weight: [0.25, -0.3], delay_ms: ${delay}}
recorders:
  - {type: state, params: {population: n, variables: [v_mV, I_syn_ex_nA, I_syn_in_nA]}}
`);
    sim.run();
    await sim.writeOutputs(out.dir);
    const { rows } = readCsv(`${out.dir}/state/n.csv`);
    out.done();
    expect(rows.length).toBe(601);
    const w = (k: number) => (k === 0 || k === 2 ? 0.25 : -0.3);
    const tau = (k: number) => (w(k) > 0 ? 2 : 5);
    let maxErr = 0;
    for (const [t, , v, ie, ii] of rows) {
      let vRef = -70;
      let ieRef = 0;
      let iiRef = 0;
      inputs.forEach((ts, k) => {
        const s = t - (ts + delay);
        if (s < 0) return;
        const ts_ = tau(k);
        vRef += 40 * w(k) * (ts_ / (ts_ - 10)) * (Math.exp(-s / ts_) - Math.exp(-s / 10));
        if (w(k) > 0) ieRef += w(k) * Math.exp(-s / ts_);
        else iiRef += w(k) * Math.exp(-s / ts_);
      });
      maxErr = Math.max(maxErr, Math.abs(v - vRef), Math.abs(ie - ieRef), Math.abs(ii - iiRef));
    }
    expect(maxErr).toBeLessThan(1e-10);
  });

  it('spikes caused by synaptic input are located inside the step', async () => {
    // One strong input makes the neuron cross threshold between grid points; the crossing
    // time solves v(t) = v_th on the closed form.
    const sim = await build(`
duration_ms: 20
resolution_ms: 1
populations:
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -55, tau_syn_ex_ms: 2}}
inputs:
  src: {type: spike-source, size: 1, params: {spike_times_ms: [[2.3]]}}
projections:
  - {from: src, to: n, connector: {type: one_to_one}, weight: 4, delay_ms: 1}
`);
    const spikes = listen(sim, 'n');
    sim.run();
    expect(spikes.t.length).toBe(1);
    const s = spikes.t[0] - 3.3;
    expect(s).toBeGreaterThan(0);
    expect(-70 + 160 * (2 / (2 - 10)) * (Math.exp(-s / 2) - Math.exp(-s / 10))).toBeCloseTo(-55, 9);
    expect(spikes.t[0] % 1).not.toBe(0);
  });
});

describe('lif with spike_timing: grid (NEST iaf_psc_exp, Brian2)', () => {
  const tStar = -10 * Math.log(1 - 15 / 20);

  for (const dt of [0.1, 0.37]) {
    it(`under constant current, spikes at the first grid time past the analytic crossing, then every ceil(t_ref / dt) + climb steps (dt = ${dt} ms)`, async () => {
      const sim = await build(oneNeuron(dt).replace('I_e_nA: 0.5}', 'I_e_nA: 0.5, spike_timing: grid}'));
      const spikes = listen(sim, 'n');
      sim.run();
      const climb = Math.ceil(tStar / dt - 1e-9); // steps from reset to the first grid v >= v_th
      const refractory = Math.ceil(2 / dt - 1e-9);
      expect(spikes.t[0]).toBeCloseTo(climb * dt, 9);
      expect(spikes.t.length).toBe(3); // 60 ms at about 16 ms per spike
      for (let k = 1; k < spikes.t.length; k++) expect(spikes.t[k] - spikes.t[k - 1]).toBeCloseTo((refractory + climb) * dt, 9);
    });
  }

  it('an input arriving inside a step acts from the end of that step, with the exact propagators after it', async () => {
    // Arrivals at 5.0 (on the grid) and 8.04 (inside (8.0, 8.1]): the currents jump at 5.0 and
    // 8.1, and v at every grid time is the closed form of those jumps.
    const sim = await build(`
duration_ms: 30
resolution_ms: 0.1
populations:
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -40, tau_syn_ex_ms: 2, tau_syn_in_ms: 5, spike_timing: grid}}
inputs:
  src: {type: spike-source, size: 2, params: {spike_times_ms: [[4], [7.04]]}}
projections:
  - {from: src, to: n, connector: {type: list, pairs: [[0, 0], [1, 0]]}, weight: [0.25, -0.3], delay_ms: 1}
`);
    const pop = sim.populations.get('n')!.population!;
    let maxErr = 0;
    for (let k = 1; k <= 300; k++) {
      const t = k * 0.1;
      sim.run(t);
      let vRef = -70;
      for (const [t0, w, tauS] of [
        [5, 0.25, 2],
        [8.1, -0.3, 5],
      ]) {
        const s = t - t0;
        if (s > 1e-9) vRef += 40 * w * (tauS / (tauS - 10)) * (Math.exp(-s / tauS) - Math.exp(-s / 10));
      }
      maxErr = Math.max(maxErr, Math.abs(pop.read(0, 0, t) - vRef));
      if (Math.abs(t - 8.1) < 1e-9) expect(pop.read(2, 0, t)).toBeCloseTo(-0.3, 12); // the inhibitory jump, at 8.1
      if (Math.abs(t - 8.0) < 1e-9) expect(pop.read(2, 0, t)).toBe(0); // not yet at 8.0
    }
    expect(maxErr).toBeLessThan(1e-10);
  });

  for (const [teacherMs, expected] of [
    [9.8, 'depression'], // post spike at 10.9, the pre spike reaches the synapse at 11.0
    [9.9, 'none'], // post spike at 11.0: simultaneous, no pairing (as in NEST)
    [10.0, 'potentiation'], // post spike at 11.1
  ] as const) {
    const when = { depression: '0.1 ms before', none: 'at the time of', potentiation: '0.1 ms after' }[expected];
    it(`stdp onto a grid neuron: a post spike ${when} the second pre spike (${expected} by it; it pairs with the first too)`, async () => {
      // The teacher's huge weight makes the post neuron fire at the end of the step after its
      // arrival (teacher time + 1 ms delay + one step); the pre spikes arrive at 6.0 and 11.0.
      // The post spike pairs with the pre spike at 6.0 in every case (all-to-all pairing).
      const sim = await build(`
duration_ms: 20
resolution_ms: 0.1
populations:
  post: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 40, E_L_mV: -70, v_th_mV: -55, tau_syn_ex_ms: 2, t_ref_ms: 50, spike_timing: grid}}
inputs:
  pre: {type: spike-source, size: 1, params: {spike_times_ms: [[5, 10]]}}
  teacher: {type: spike-source, size: 1, params: {spike_times_ms: [[${teacherMs}]]}}
projections:
  - {from: pre, to: post, connector: {type: one_to_one}, weight: 1, delay_ms: 1,
     plasticity: {rule: stdp, params: {A_plus: 0.01, A_minus: 0.0105, tau_plus_ms: 16.8, tau_minus_ms: 33.7, w_min: 0, w_max: 10}}}
  - {from: teacher, to: post, connector: {type: one_to_one}, weight: 100, delay_ms: 1}
`);
      const spikes = listen(sim, 'post');
      sim.run();
      expect(spikes.t).toHaveLength(1);
      expect(spikes.t[0]).toBeCloseTo(teacherMs + 1.1, 9);
      const w = sim.projections[0].weight[0];
      const post = teacherMs + 1.1;
      const fromFirst = 0.01 * Math.exp(-(post - 6) / 16.8); // pre at 6.0, then the post spike
      if (expected === 'depression') expect(w).toBeCloseTo(1 + fromFirst - 0.0105 * Math.exp(-0.1 / 33.7), 12);
      if (expected === 'none') expect(w).toBeCloseTo(1 + fromFirst, 12);
      // Pre at 11.0 then post at 11.1: the pre trace holds both pre spikes.
      if (expected === 'potentiation') expect(w).toBeCloseTo(1 + 0.01 * (1 + Math.exp(-5 / 16.8)) * Math.exp(-0.1 / 16.8), 12);
    });
  }
});

describe('lif rate-vs-drive slope (the graded gain of three-factor rules)', () => {
  // The f-I curve of a lif neuron under a constant drive mu = R I above rheobase theta:
  // r(mu) = 1 / (t_ref + tau ln((mu - rho) / (mu - theta))), rho = v_reset - E_L.
  const fI = (mu: number, p: { tau: number; tref: number; theta: number; rho: number }) => 1000 / (p.tref + p.tau * Math.log((mu - p.rho) / (mu - p.theta)));
  for (const p of [
    { tau: 10, tref: 2, theta: 1, rho: 0 },
    { tau: 20, tref: 5, theta: 15, rho: -5 },
  ]) {
    it(`equals tau (theta - rho) dr/dmu at the drive that gives the rate (tau ${p.tau}, t_ref ${p.tref}, theta ${p.theta}, rho ${p.rho})`, () => {
      for (const mu of [1.05, 1.3, 2, 4, 10].map((m) => m * p.theta)) {
        const r = fI(mu, p);
        const h = 1e-6 * mu;
        const slope = (fI(mu + h, p) - fI(mu - h, p)) / (2 * h) / 1000; // per ms per mV
        const expected = slope * p.tau * (p.theta - p.rho);
        expect(lifRateSlope({ tau_m_ms: p.tau, t_ref_ms: p.tref }, r)).toBeCloseTo(expected, 5);
      }
    });
  }
  it('is 0 for a silent neuron and at the refractory limit, and tends to 0 near it', () => {
    const p = { tau_m_ms: 10, t_ref_ms: 2 };
    expect(lifRateSlope(p, 0)).toBe(0);
    expect(lifRateSlope(p, 500)).toBe(0);
    expect(lifRateSlope(p, 490)).toBeLessThan(1e-3);
    expect(lifRateSlope(p, 100)).toBeCloseTo((2 * 1 * Math.sinh(0.4)) ** 2, 12);
  });
  it('the simulated neuron fires at the rate of the f-I curve the slope differentiates', async () => {
    // Constant current, tau 10, t_ref 2, theta 1, reset 0: mu = I (R = 1).
    for (const I of [1.2, 2, 5]) {
      const sim = await build(`
duration_ms: 2000
populations:
  n: {model: lif, size: 1, params: {tau_m_ms: 10, R_m_MOhm: 1, E_L_mV: 0, v_th_mV: 1, v_reset_mV: 0, t_ref_ms: 2, I_e_nA: ${I}}}
`);
      sim.run();
      const rate = sim.summary().populations.n.spikes / 2;
      expect(Math.abs(rate - fI(I, { tau: 10, tref: 2, theta: 1, rho: 0 }))).toBeLessThan(1);
    }
  });
});

describe('lif precise: inputs batched within a step', () => {
  // The same stream of off-grid events (excitatory and inhibitory, several per neuron and
  // step, some strong enough to fire) into two populations, one summing each step's events
  // at its end where the crossing bound allows, one integrating them one by one.
  const Q: LifPhysics = { tau_m_ms: 20, R_m_MOhm: 1, E_L_mV: -49, v_th_mV: -50, v_reset_mV: -60, t_ref_ms: 5, tau_syn_ex_ms: 5, tau_syn_in_ms: 10, I_e_nA: 0 };
  const n = 50;
  const dt = 0.1;
  function drive(batchInputs: boolean, withUpdates: boolean) {
    const rng = new Rng(7, 11, 13, 17);
    const spikes: [number, number][] = [];
    const init = new Map([['v_mV', Float64Array.from({ length: n }, (_, j) => -60 + (10 * j) / n)]]);
    const pop = new LifPopulation(n, Q, init, dt, { spike: (j, t) => spikes.push([j, t]) }, { batchInputs });
    const targets = new Int32Array(5);
    const weights = new Float64Array(5);
    for (let k = 1; k <= 3000; k++) {
      // Events at times inside (t - dt, t], in time order, then the grid step at t.
      const times = Array.from({ length: 12 }, () => (k - 1 + rng.random()) * dt).sort((a, b) => a - b);
      for (const te of times) {
        for (let s = 0; s < 5; s++) {
          targets[s] = Math.floor(rng.random() * n);
          weights[s] = rng.random() < 0.8 ? rng.random() : -2 * rng.random();
        }
        if (withUpdates) pop.update(targets[0], te);
        pop.receive(te, targets, weights, 0, 5, -1);
      }
      pop.step(k * dt);
    }
    const at = (variable: number) => Array.from({ length: n }, (_, j) => pop.read(variable, j, 3000 * dt));
    return { spikes, v: at(0), iex: at(1), iin: at(2) };
  }

  for (const withUpdates of [false, true]) {
    it(`gives the spikes and states of event-by-event integration${withUpdates ? ', with plasticity-style update() calls between events' : ''}`, () => {
      const batched = drive(true, withUpdates);
      const exact = drive(false, withUpdates);
      expect(exact.spikes.length).toBeGreaterThan(100);
      expect(batched.spikes.length).toBe(exact.spikes.length);
      const byNeuron = (s: [number, number][]) => s.slice().sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const a = byNeuron(batched.spikes);
      const b = byNeuron(exact.spikes);
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        expect(a[i][0]).toBe(b[i][0]);
        worst = Math.max(worst, Math.abs(a[i][1] - b[i][1]));
      }
      expect(worst).toBeLessThan(1e-9);
      for (let j = 0; j < n; j++) {
        expect(batched.v[j]).toBeCloseTo(exact.v[j], 9);
        expect(batched.iex[j]).toBeCloseTo(exact.iex[j], 9);
        expect(batched.iin[j]).toBeCloseTo(exact.iin[j], 9);
      }
    });
  }

  it('a step of another length than dt (a grid entered off its origin) ends the open batches exactly', () => {
    const sink = { spike: () => {} };
    const make = (batchInputs: boolean) => new LifPopulation(3, Q, new Map([['v_mV', Float64Array.from([-55, -52, -58])]]), dt, sink, { batchInputs });
    const [batched, exact] = [make(true), make(false)];
    for (const pop of [batched, exact]) {
      pop.receive(0.04, Int32Array.from([0, 1, 2]), Float64Array.from([0.5, -0.7, 0.9]), 0, 3, -1);
      pop.step(0.17); // not tStep + dt
      pop.receive(0.2, Int32Array.from([0, 2]), Float64Array.from([0.3, 0.4]), 0, 2, -1);
      pop.step(0.27);
    }
    for (let j = 0; j < 3; j++) for (const variable of [0, 1, 2]) expect(batched.read(variable, j, 0.27)).toBeCloseTo(exact.read(variable, j, 0.27), 12);
  });

  it('reads a batched neuron mid-step as the event-by-event state, without changing the run', () => {
    const sink = { spike: () => {} };
    const make = (batchInputs: boolean) => new LifPopulation(1, Q, new Map([['v_mV', new Float64Array([-55])]]), dt, sink, { batchInputs });
    const [batched, exact] = [make(true), make(false)];
    for (const pop of [batched, exact]) pop.receive(0.03, new Int32Array([0]), new Float64Array([0.8]), 0, 1, -1);
    for (const variable of [0, 1, 2]) {
      expect(batched.read(variable, 0, 0.07)).toBeCloseTo(exact.read(variable, 0, 0.07), 12);
      // and past the step's end (a projection, as for any neuron)
      expect(batched.read(variable, 0, 0.4)).toBeCloseTo(exact.read(variable, 0, 0.4), 12);
    }
    for (const pop of [batched, exact]) {
      pop.receive(0.08, new Int32Array([0]), new Float64Array([-0.4]), 0, 1, -1);
      pop.step(0.1);
    }
    for (const variable of [0, 1, 2]) expect(batched.read(variable, 0, 0.1)).toBeCloseTo(exact.read(variable, 0, 0.1), 12);
  });
});

/** A one-synapse row onto neuron j. */
const targetsOf = (j: number) => Int32Array.of(j);

describe('lif grid: inputs through the inbox', () => {
  // One stream of deliveries from the rows of a CSR (on the grid at the next step, off the
  // grid inside the step, and after the step at its own time) into three populations: one
  // that sums every input on arrival (one thread), one whose on-grid rows wait in the inbox
  // for its kernel (as with threads), and one stepped as two ranges the way worker threads
  // step it (begin, kernel over each range, end). The three must agree to the bit.
  const Q: LifPhysics = {
    tau_m_ms: 20,
    R_m_MOhm: 1,
    E_L_mV: -49,
    v_th_mV: -50,
    v_reset_mV: -60,
    t_ref_ms: 0.3,
    tau_syn_ex_ms: 5,
    tau_syn_in_ms: 10,
    I_e_nA: 0,
  };
  const n = 40;
  const dt = 0.1;
  const rows = 30;
  const perRow = 12;
  const rng0 = new Rng(3, 5, 7, 9);
  // Filled in place: TypedArray.map would return a copy on an ordinary ArrayBuffer, and the
  // population keeps rows in its inbox only from arrays on SharedArrayBuffers.
  const targetsRandom = new Int32Array(new SharedArrayBuffer(4 * rows * perRow));
  const weights = new Float64Array(new SharedArrayBuffer(8 * rows * perRow));
  for (let k = 0; k < targetsRandom.length; k++) {
    targetsRandom[k] = Math.floor(rng0.random() * n);
    weights[k] = rng0.random() < 0.7 ? 0.9 * rng0.random() : -1.7 * rng0.random();
  }
  // The same rows with their targets in increasing order (as the connectors build them), and
  // where they start: the kernel then bisects each row to its range's slice.
  const rowStart = Int32Array.from({ length: rows + 1 }, (_, r) => r * perRow);
  const sortedTargets = new Int32Array(new SharedArrayBuffer(4 * rows * perRow));
  for (let r = 0; r < rows; r++) sortedTargets.set(targetsRandom.slice(r * perRow, (r + 1) * perRow).sort(), r * perRow);

  function drive(mode: 'on arrival' | 'inbox' | 'ranges', sorted = false) {
    const targets = sorted ? sortedTargets : targetsRandom;
    const spikes: string[] = [];
    const init = new Map([['v_mV', Float64Array.from({ length: n }, (_, j) => -60 + (10 * j) / n)]]);
    const pop = new LifGridPopulation(n, Q, init, dt, { spike: (j, t) => void spikes.push(`${j}@${t.toFixed(1)}`) });
    pop.connectInputs([{ targets, weights, rowStart }]);
    // The inbox is used once a range step was asked for (threads); 'inbox' steps it whole.
    const ranged = mode !== 'on arrival' ? pop.rangeStep() : undefined;
    const found = new Int32Array(n);
    let inboxed = 0;
    const rng = new Rng(1, 2, 3, 4);
    for (let k = 1; k <= 2000; k++) {
      const t = k * dt;
      const deliveries = Math.floor(rng.random() * 6);
      for (let d = 0; d < deliveries; d++) {
        const r = Math.floor(rng.random() * rows);
        const port = rng.random() < 0.2 ? 0 : -1;
        // Mostly on the grid, as spikes with grid delays arrive; some inside the step.
        const at = rng.random() < 0.75 ? t : t - rng.random() * 0.9 * dt;
        pop.receive(at, targets, weights, r * perRow, (r + 1) * perRow, port);
      }
      if (k % 97 === 0) pop.addCurrent(Math.floor(rng.random() * n), t - 0.5 * dt, rng.random() - 0.4);
      // Rows waiting in the inbox (flags[1]): the path under test is really taken.
      inboxed = Math.max(inboxed, (pop as unknown as { flags: Int32Array }).flags[1]);
      if (ranged && mode === 'ranges') {
        const lo = Int32Array.from([0, 17]);
        const counts = new Int32Array(2);
        ranged.begin(t);
        counts[1] = ranged.kernel(17, n, found);
        counts[0] = ranged.kernel(0, 17, found);
        ranged.end(t, found, lo, counts);
      } else pop.step(t);
      // An input after the step, at its time (a zero-delay arrival).
      if (k % 13 === 0) pop.receive(t, targets, weights, 0, perRow, -1);
    }
    const state = [0, 1, 2].flatMap((v) => Array.from({ length: n }, (_, j) => pop.read(v, j)));
    return { spikes, state, inboxed };
  }

  it('gives the same spikes and state, bit for bit, summed on arrival, from the inbox, and stepped as two ranges', () => {
    const reference = drive('on arrival');
    expect(reference.spikes.length).toBeGreaterThan(100);
    expect(reference.inboxed).toBe(0);
    for (const mode of ['inbox', 'ranges'] as const) {
      const other = drive(mode);
      expect(other.inboxed).toBeGreaterThan(0);
      expect(other.spikes).toEqual(reference.spikes);
      expect(other.state.every((x, i) => Object.is(x, reference.state[i]))).toBe(true);
    }
  });

  it('bisects rows whose targets increase to each range and still agrees bit for bit', () => {
    expect(rowsIncrease(sortedTargets, rowStart)).toBe(true);
    expect(rowsIncrease(targetsRandom, rowStart)).toBe(false);
    const reference = drive('on arrival', true);
    expect(reference.spikes.length).toBeGreaterThan(100);
    // Different rows, so different spikes from the unsorted case: the test sees the rows it is given.
    expect(reference.spikes).not.toEqual(drive('on arrival').spikes);
    for (const mode of ['inbox', 'ranges'] as const) {
      const other = drive(mode, true);
      expect(other.inboxed).toBeGreaterThan(0);
      expect(other.spikes).toEqual(reference.spikes);
      expect(other.state.every((x, i) => Object.is(x, reference.state[i]))).toBe(true);
    }
  });

  it('holds refractory neurons as a per-neuron scalar loop does: stepped whole or in ranges that change from step to step, with neurons fired ahead by update()', () => {
    // t_ref of 1.05 ms: 11 steps held; E_L well above threshold, so many neurons are refractory at once.
    const P: LifPhysics = { ...Q, tau_m_ms: 10, E_L_mV: -40, t_ref_ms: 1.05 };
    const m = 23;
    const { em, oneMinusEm, ex, inh, kEx, kIn } = stepPropagators(dt, P);
    const hold = Math.ceil((P.t_ref_ms - 1e-6 * dt) / dt);
    const v0 = () => Float64Array.from({ length: m }, (_, j) => -60 + (10 * ((j * 7) % m)) / m);
    // The reference: NEST's iaf_psc_exp update, one neuron at a time.
    const v = v0();
    const iEx = new Float64Array(m);
    const iIn = new Float64Array(m);
    const ref = new Int32Array(m);
    const expected: string[] = [];
    const got: string[] = [];
    const pop = new LifGridPopulation(m, P, new Map([['v_mV', v0()]]), dt, { spike: (j, t) => void got.push(`${j}@${t.toFixed(1)}`) });
    const ranged = pop.rangeStep();
    const found = new Int32Array(m);
    const rng = new Rng(9, 8, 7, 6);
    // The same arithmetic as the model's (bit for bit): drive (E_L + R_m I_e)(1 - e^{-dt/tau_m}), R_m k folded.
    const drive = (P.E_L_mV + P.R_m_MOhm * P.I_e_nA) * oneMinusEm;
    const vNext = (j: number) => v[j] * em + drive + iEx[j] * (P.R_m_MOhm * kEx) + iIn[j] * (P.R_m_MOhm * kIn);
    for (let k = 1; k <= 3000; k++) {
      const t = k * dt;
      // Inputs on the grid at t (excitatory and inhibitory), then, now and then, update() on a
      // neuron as a plastic synapse's pre spike at t would: it fires now if its step will cross.
      const j0 = Math.floor(rng.random() * m);
      const w = rng.random() < 0.6 ? 2 * rng.random() : -3 * rng.random();
      pop.receive(t - dt, targetsOf(j0), Float64Array.of(w), 0, 1, -1);
      if (w >= 0) iEx[j0] += w;
      else iIn[j0] += w;
      if (k % 3 === 0) {
        const j1 = Math.floor(rng.random() * m);
        pop.update(j1, t);
        if (ref[j1] === 0 && vNext(j1) >= P.v_th_mV) {
          v[j1] = P.v_reset_mV;
          ref[j1] = hold + 1;
          expected.push(`${j1}@${t.toFixed(1)}`);
        }
      }
      for (let j = 0; j < m; j++) {
        const vn = vNext(j);
        iEx[j] *= ex;
        iIn[j] *= inh;
        if (ref[j] > 0) {
          ref[j]--;
          v[j] = P.v_reset_mV;
        } else if (vn >= P.v_th_mV) {
          v[j] = P.v_reset_mV;
          ref[j] = hold;
          expected.push(`${j}@${t.toFixed(1)}`);
        } else v[j] = vn;
      }
      // Whole, or cut at a point that moves from step to step (as thread counts would).
      if (k % 4 === 0) pop.step(t);
      else {
        const cut = 1 + (k % (m - 1));
        const counts = new Int32Array(2);
        ranged.begin(t);
        counts[1] = ranged.kernel(cut, m, found);
        counts[0] = ranged.kernel(0, cut, found);
        ranged.end(t, found, Int32Array.from([0, cut]), counts);
      }
    }
    expect(expected.length).toBeGreaterThan(500);
    expect(got).toEqual(expected);
    for (let j = 0; j < m; j++) expect(pop.read(0, j)).toBe(v[j]);
  });

  it('a change of I_ext on neuron 0 alone leaves the other neurons on their own drive', () => {
    const sink = { spike: () => {} };
    const init = () => new Map([['v_mV', Float64Array.from([-55, -55])]]);
    const pair = new LifGridPopulation(2, Q, init(), dt, sink);
    const alone = new LifGridPopulation(1, Q, new Map([['v_mV', Float64Array.from([-55])]]), dt, sink);
    pair.addCurrent(0, 0, 5);
    for (let k = 1; k <= 50; k++) {
      pair.step(k * dt);
      alone.step(k * dt);
    }
    expect(pair.read(0, 1)).toBe(alone.read(0, 0));
    expect(pair.read(0, 0)).not.toBe(alone.read(0, 0));
  });
});
