/**
 * lif: leaky integrate-and-fire neuron with exponentially decaying synaptic currents
 * (NEST's iaf_psc_exp; Brian2's CUBA model), integrated exactly and with precise spike times.
 *
 *   tau_m dv/dt  = -(v - E_L) + R_m (I_syn_ex + I_syn_in + I_e + I_ext)
 *   dI_syn_ex/dt = -I_syn_ex / tau_syn_ex          (a spike of weight w: I_syn_ex += w)
 *   dI_syn_in/dt = -I_syn_in / tau_syn_in
 *   v >= v_th: spike, v = v_reset, v is held there for t_ref (currents keep decaying)
 *
 * Units: ms, mV, nA, MOhm (MOhm * nA = mV). With R_m = 1 MOhm a current of 1 nA has the
 * effect of 1 mV, which is how Brian2's CUBA example writes its synaptic variables.
 * NEST users: R_m = tau_m / C_m (e.g. 10 ms / 250 pF = 40 MOhm), weights in pA / 1000.
 *
 * Between events the state has a closed form (math.ts). Every neuron is brought to the time of
 * each synaptic event it receives and to every grid step (resolution_ms); when v ends above
 * threshold, the crossing time is found inside the interval by safeguarded Newton iteration
 * on the closed form, to ~1e-12 ms. As in NEST's precise models, a threshold excursion that
 * starts and ends between two such points (rare: it needs v to rise and fall back within one
 * step with no input arriving) is not seen. Where a bound shows that a neuron cannot reach
 * threshold within a step, the events it receives in that step are summed in closed form at
 * the step's end instead (precise.ts; the same result up to rounding, docs/semantics.md).
 *
 * Two integrators share the mathematics in math.ts: precise.ts (spike_timing: precise) and
 * grid.ts (spike_timing: grid, NEST's iaf_psc_exp and Brian2's clock-driven CUBA neuron).
 *
 * Parameters (defaults: NEST's iaf_psc_exp): tau_m_ms 10, R_m_MOhm 40, E_L_mV -70,
 * v_th_mV -55, v_reset_mV -70, t_ref_ms 2, tau_syn_ex_ms 2, tau_syn_in_ms 2, I_e_nA 0,
 * spike_timing precise | grid. State: v_mV, I_syn_ex_nA, I_syn_in_nA, I_ext_nA.
 *
 * References: Rotter & Diesmann (1999) Biol Cybern 81:381 (exact integration); Hanuschka
 * et al. (2010) Front Neuroinform 4:113 (precise spike times); NEST iaf_psc_exp(_ps).
 */
import { definePlugin } from '../../core/define.js';
import { LifGridPopulation } from './grid.js';
import { LIF_STATE, lifParams } from './math.js';
import { LifPopulation } from './precise.js';

export { LifGridPopulation } from './grid.js';
export { LIF_STATE, lifParams, lifRateSlope, lifVoltage, synapticKernel, type LifParams, type LifPhysics } from './math.js';
export { LifPopulation } from './precise.js';

export const LifModel = definePlugin.neuronModel({
  name: 'lif',
  description: 'leaky integrate-and-fire, exponential current synapses (exc/inh), exact integration, precise spike times',
  params: lifParams,
  receptors: ['exc', 'inh'],
  state: LIF_STATE,
  check(p) {
    return p.v_reset_mV < p.v_th_mV ? [] : [{ param: 'v_reset_mV', expected: `a reset below v_th_mV (${p.v_th_mV})`, found: String(p.v_reset_mV) }];
  },
  create(ctx) {
    const Population = ctx.params.spike_timing === 'grid' ? LifGridPopulation : LifPopulation;
    return new Population(ctx.size, ctx.params, ctx.init, ctx.resolution_ms, ctx.sink);
  },
});
