/**
 * The lif model's mathematics, shared by its two integrators (precise.ts: exact crossing times
 * between grid points; grid.ts: state on the grid only): parameters, state variables, the
 * closed-form solution between events, the one-step propagators and the f-I slope.
 *
 *   tau_m dv/dt  = -(v - E_L) + R_m (I_syn_ex + I_syn_in + I_e + I_ext)
 *   dI_syn_ex/dt = -I_syn_ex / tau_syn_ex,  dI_syn_in/dt = -I_syn_in / tau_syn_in
 *
 * Units: ms, mV, nA, MOhm. See lif.ts for the model as a whole.
 */
import { param, type ParamsOf } from '../../core/params.js';

/** Defaults are NEST's iaf_psc_exp (C_m 250 pF, tau_m 10 ms => R_m 40 MOhm). */
export const lifParams = [
  param.number('tau_m_ms', 10, 'membrane time constant', { gt: 0 }),
  param.number('R_m_MOhm', 40, 'membrane resistance (tau_m / C_m)', { gt: 0 }),
  param.number('E_L_mV', -70, 'resting potential'),
  param.number('v_th_mV', -55, 'spike threshold'),
  param.number('v_reset_mV', -70, 'reset potential (must be below v_th_mV)'),
  param.number('t_ref_ms', 2, 'absolute refractory period (v held at v_reset_mV)', { min: 0 }),
  param.number('tau_syn_ex_ms', 2, 'decay time constant of the excitatory synaptic current', { gt: 0 }),
  param.number('tau_syn_in_ms', 2, 'decay time constant of the inhibitory synaptic current', { gt: 0 }),
  param.number('I_e_nA', 0, 'constant external current'),
  param.choice(
    'spike_timing',
    'precise',
    'precise: exact threshold crossings between grid points (NEST iaf_psc_exp_ps); grid: threshold checked and spikes emitted on the grid, inputs applied at the end of their step (NEST iaf_psc_exp, Brian2)',
    ['precise', 'grid'],
  ),
] as const;

/** The lif parameters, resolved. The math below reads only the physical ones (not spike_timing). */
export type LifParams = ParamsOf<typeof lifParams>;
/** What the membrane equations need: every parameter but the choice of integrator. */
export type LifPhysics = Omit<LifParams, 'spike_timing'>;

export const LIF_STATE = [
  { name: 'v_mV', description: 'membrane potential (default: E_L_mV)' },
  { name: 'I_syn_ex_nA', description: 'excitatory synaptic current (default 0)' },
  { name: 'I_syn_in_nA', description: 'inhibitory synaptic current (default 0)' },
  { name: 'I_ext_nA', description: 'external current: I_e_nA plus current inputs (default I_e_nA)' },
] as const;

export const V = 0;
export const IEX = 1;
export const IIN = 2;
export const IEXT = 3;

/**
 * Response at time h of v (with R_m = 1) to a unit synaptic current at time 0 that decays with
 * tau_s:  tau_s / (tau_s - tau_m) * (exp(-h/tau_s) - exp(-h/tau_m)).  Written as
 * exp(-h/tau_m) * expm1(c h) / (c tau_m), c = 1/tau_m - 1/tau_s, which stays accurate when
 * tau_s is close to or equal to tau_m (limit: h/tau_m exp(-h/tau_m)).
 */
export function synapticKernel(h: number, tauM: number, tauS: number): number {
  const c = 1 / tauM - 1 / tauS;
  const x = c * h;
  if (x > 30) return (Math.exp(-h / tauS) - Math.exp(-h / tauM)) / (c * tauM);
  const g = Math.abs(x) < 1e-10 ? h * (1 + 0.5 * x) : Math.expm1(x) / c;
  return (Math.exp(-h / tauM) * g) / tauM;
}

/** Closed-form membrane potential h ms after a state (v0, iex0, iin0) with external current iext. */
export function lifVoltage(p: LifPhysics, h: number, v0: number, iex0: number, iin0: number, iext: number): number {
  const em = Math.exp(-h / p.tau_m_ms);
  return (
    p.E_L_mV +
    (v0 - p.E_L_mV) * em +
    p.R_m_MOhm *
      (iext * -Math.expm1(-h / p.tau_m_ms) + iex0 * synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms) + iin0 * synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms))
  );
}

/**
 * The exact propagators of one step of length h: membrane decay, its complement, the two
 * current decays and the voltage response to a unit current of each type.
 */
export function stepPropagators(h: number, p: LifPhysics): { em: number; oneMinusEm: number; ex: number; inh: number; kEx: number; kIn: number } {
  return {
    em: Math.exp(-h / p.tau_m_ms),
    oneMinusEm: -Math.expm1(-h / p.tau_m_ms),
    ex: Math.exp(-h / p.tau_syn_ex_ms),
    inh: Math.exp(-h / p.tau_syn_in_ms),
    kEx: synapticKernel(h, p.tau_m_ms, p.tau_syn_ex_ms),
    kIn: synapticKernel(h, p.tau_m_ms, p.tau_syn_in_ms),
  };
}

/**
 * The slope of the lif rate-vs-drive curve at the drive that gives a steady rate r, relative
 * to the slope of its linear regime (the postsynaptic gain of three-factor rules, `rateSlope`).
 *
 * For a constant drive mu = R_m I (mV above E_L) above rheobase theta = v_th - E_L, the
 * interspike interval is T(mu) = t_ref + tau_m ln((mu - rho) / (mu - theta)), rho = v_reset - E_L,
 * and r = 1 / T. With a = (1/r - t_ref) / tau_m (so that e^a = (mu - rho) / (mu - theta)),
 *   dr/dmu = r^2 tau_m (e^a - 1)^2 / ((theta - rho) e^a) = r^2 tau_m (2 sinh(a/2))^2 / (theta - rho).
 * For large drives without refractoriness r ~ mu / (tau_m (theta - rho)), a slope of
 * 1 / (tau_m (theta - rho)); relative to it:
 *   g(r) = (2 r tau_m sinh(a / 2))^2
 * independent of theta, rho and R_m: g -> 0 as r approaches 1 / t_ref (refractory saturation),
 * g(r) = 1 where the curve is as steep as its linear regime, and g grows without bound towards
 * rheobase (the noise-free curve is vertical there; input noise makes it finite, which is why
 * rules cap it). A silent neuron (r = 0) is below rheobase: g = 0, as ReLU'(u) for u < 0.
 */
export function lifRateSlope(p: Pick<LifPhysics, 'tau_m_ms' | 't_ref_ms'>, rate_hz: number): number {
  if (!(rate_hz > 0)) return 0;
  const isi = 1000 / rate_hz;
  if (isi <= p.t_ref_ms) return 0;
  const a = (isi - p.t_ref_ms) / p.tau_m_ms;
  const g = 2 * (rate_hz / 1000) * p.tau_m_ms * Math.sinh(a / 2);
  return g * g;
}

/** The first neuron with a NaN or infinite v or synaptic current in an interleaved state, or -1 (the numerical guard). */
export function firstNonFiniteOf(state: Float64Array): number {
  for (let j = 0; 3 * j < state.length; j++) if (!Number.isFinite(state[3 * j] + state[3 * j + 1] + state[3 * j + 2])) return j;
  return -1;
}

/** The state arrays of a lif population: the scenario's init values, else the defaults. */
export function initialState(
  size: number,
  p: LifPhysics,
  init: ReadonlyMap<string, Float64Array>,
): { v: Float64Array; iex: Float64Array; iin: Float64Array; iext: Float64Array } {
  const initOr = (name: string, value: number) => init.get(name)?.slice() ?? new Float64Array(size).fill(value);
  return { v: initOr('v_mV', p.E_L_mV), iex: initOr('I_syn_ex_nA', 0), iin: initOr('I_syn_in_nA', 0), iext: initOr('I_ext_nA', p.I_e_nA) };
}

/**
 * The initial state as the populations hold it: v, I_syn_ex and I_syn_in of neuron j at [3j],
 * [3j + 1] and [3j + 2] of one array (the step reads and writes the three together), and I_ext.
 */
export function interleavedState(size: number, p: LifPhysics, init: ReadonlyMap<string, Float64Array>): { state: Float64Array; iext: Float64Array } {
  const { v, iex, iin, iext } = initialState(size, p, init);
  const state = new Float64Array(3 * size);
  for (let j = 0; j < size; j++) {
    state[3 * j] = v[j];
    state[3 * j + 1] = iex[j];
    state[3 * j + 2] = iin[j];
  }
  return { state, iext };
}
