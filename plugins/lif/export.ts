/**
 * lif for other simulators (engram export, docs/export.md).
 *
 * Brian2: a NeuronGroup with the same equations in ms, mV, nA, MOhm, integrated exactly
 * (method='exact'); threshold and reset on the grid, as `spike_timing: grid`. Synapses add w
 * to I_ex or I_in by receptor, or by the sign of the weight.
 * PyNN: IF_curr_exp, the same model, with cm = tau_m / R_m (nF) and i_offset = I_e.
 */
import type { TranslatedPopulation } from '../../core/contracts.js';
import { translate } from '../../core/define.js';
import { LifModel } from './lif.js';

const brian2Names: Record<string, { variable: string; unit: string }> = {
  v_mV: { variable: 'v', unit: 'mV' },
  I_syn_ex_nA: { variable: 'I_ex', unit: 'nA' },
  I_syn_in_nA: { variable: 'I_in', unit: 'nA' },
  I_ext_nA: { variable: 'I_ext', unit: 'nA' },
};

export const LifBrian2 = translate.neuron(LifModel, 'brian2', {
  population({ name, size, params: q, init, field, value, py }): TranslatedPopulation {
    const lines = [
      `# ${name}: lif${q.spike_timing === 'precise' ? ' (engram: precise spike times; Brian2 detects threshold crossings on the grid)' : ''}`,
      `${name} = NeuronGroup(${size}, '''`,
      `dv/dt = (-(v - ${q.E_L_mV}*mV) + ${q.R_m_MOhm}*Mohm*(I_ex + I_in + ${q.I_e_nA}*nA + I_ext)) / (${q.tau_m_ms}*ms) : volt (unless refractory)`,
      `dI_ex/dt = -I_ex / (${q.tau_syn_ex_ms}*ms) : amp`,
      `dI_in/dt = -I_in / (${q.tau_syn_in_ms}*ms) : amp`,
      `I_ext : amp`,
      `''', threshold='v >= ${q.v_th_mV}*mV', reset='v = ${q.v_reset_mV}*mV', refractory=${q.t_ref_ms}*ms, method='exact', name=${py(name)})`,
      `${name}.v = ${q.E_L_mV}*mV`,
    ];
    for (const [variable, v] of Object.entries(init)) {
      const b = brian2Names[variable];
      lines.push(`${name}.${b.variable} = ${value(v, b.unit, `${field}.init.${variable}`)}`);
    }
    return {
      lines,
      weight: { unit: 'nA', dimension: 'amp' },
      synapseTarget: (receptor, weight) =>
        receptor === 'exc'
          ? 'I_ex_post += w'
          : receptor === 'inh'
            ? 'I_in_post += w'
            : weight !== undefined
              ? weight >= 0
                ? 'I_ex_post += w'
                : 'I_in_post += w'
              : 'I_ex_post += clip(w, 0*nA, 1e9*nA); I_in_post += clip(w, -1e9*nA, 0*nA)',
    };
  },
});

const pynnNames: Record<string, string | undefined> = { v_mV: 'v', I_syn_ex_nA: 'isyn_exc', I_syn_in_nA: 'isyn_inh' };

export const LifPynn = translate.neuron(LifModel, 'pynn', {
  population({ name, size, params: q, init, field, value, py, refuse }): TranslatedPopulation {
    const cm = q.tau_m_ms / q.R_m_MOhm;
    const lines = [
      `${name} = sim.Population(${size}, sim.IF_curr_exp(tau_m=${q.tau_m_ms}, cm=${cm}, v_rest=${q.E_L_mV}, v_reset=${q.v_reset_mV}, v_thresh=${q.v_th_mV}, tau_refrac=${q.t_ref_ms}, tau_syn_E=${q.tau_syn_ex_ms}, tau_syn_I=${q.tau_syn_in_ms}, i_offset=${q.I_e_nA}), label=${py(name)})`,
    ];
    for (const [variable, v] of Object.entries(init)) {
      const target = pynnNames[variable];
      if (!target) refuse(`${field}.init.${variable}`, 'no PyNN initial value');
      lines.push(`${name}.initialize(${target}=${value(v, '', `${field}.init.${variable}`)})`);
    }
    if (init.v_mV === undefined) lines.push(`${name}.initialize(v=${q.E_L_mV})`);
    return {
      lines,
      synapseTarget(receptor, weight, projection) {
        if (receptor === undefined && weight === undefined) refuse(`${projection}.receptor`, 'give exc or inh (PyNN needs one receptor per projection)');
        return receptor === 'inh' || (receptor === undefined && weight! < 0) ? 'inhibitory' : 'excitatory';
      },
    };
  },
});
