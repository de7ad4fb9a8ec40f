/**
 * `engram export --to pynn`: the same network as a PyNN script (docs/export.md), which runs on
 * NEST, NEURON or Brian2 (ENGRAM_PYNN_BACKEND=nest|neuron|brian2; default nest).
 *
 * What maps: `lif` as PyNN's IF_curr_exp (cm = tau_m / R_m, i_offset = I_e; its refractory
 * period and exponential currents are the same model), `poisson` (constant rates) and
 * `spike-source` inputs, the connectors (all_to_all, one_to_one, fixed_probability,
 * fixed_indegree, list), constant and uniform or normal weights and delays, receptors, and
 * `static` or `stdp` (SpikePairRule with the additive, multiplicative or Gutig weight
 * dependence; PyNN's amplitudes are relative to w_max). Anything else is refused by name.
 * The script prints one JSON line: spikes, mean rate and mean CV of the ISI per population.
 */
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../core/scenario/load.js';
import { exportContext, py } from './common.js';

type Spec = Record<string, unknown>;

export function exportPynn(loaded: LoadedScenario, registry: PluginRegistry): string {
  const s = loaded.scenario;
  const { refuse, params } = exportContext(loaded, registry, 'pynn');
  const value = (v: unknown, what: string): string => {
    if (typeof v === 'number') return String(v);
    if (Array.isArray(v)) refuse(`${what}: lists of values are not exported to PyNN`);
    const d = v as { dist: string; low?: number; high?: number; mean?: number; sd?: number };
    if (d.dist === 'uniform') return `RandomDistribution('uniform', (${d.low}, ${d.high}), rng=rng)`;
    if (d.dist === 'normal') {
      if (d.low !== undefined || d.high !== undefined) return `RandomDistribution('normal_clipped', mu=${d.mean}, sigma=${d.sd}, low=${d.low ?? '-np.inf'}, high=${d.high ?? 'np.inf'}, rng=rng)`;
      return `RandomDistribution('normal', mu=${d.mean}, sigma=${d.sd}, rng=rng)`;
    }
    return refuse(`${what}: unknown distribution`);
  };
  const minDelay = Math.min(s.resolution_ms, ...s.projections.map((p) => (typeof p.delay_ms === 'number' ? p.delay_ms + (p.dendritic_delay_ms ?? 0) : s.resolution_ms)));
  const out: string[] = [
    `# PyNN version of ${loaded.file}, written by engram export --to pynn (docs/export.md).`,
    '# Units as PyNN: ms, mV, nA, nF. Run: ENGRAM_PYNN_BACKEND=nest|neuron|brian2 python3 <this file>',
    'import importlib, json, os',
    'import numpy as np',
    "sim = importlib.import_module('pyNN.' + os.environ.get('ENGRAM_PYNN_BACKEND', 'nest'))",
    "if os.environ.get('ENGRAM_PYNN_BACKEND') == 'brian2' and os.environ.get('ENGRAM_BRIAN2_TARGET'):",
    "    import brian2",
    "    brian2.prefs.codegen.target = os.environ['ENGRAM_BRIAN2_TARGET']  # numpy: nothing to compile",
    'from pyNN.random import NumpyRNG, RandomDistribution',
    '',
    `sim.setup(timestep=${s.resolution_ms}, min_delay=${minDelay})`,
    `rng = NumpyRNG(seed=${s.seed})`,
    '',
  ];
  const pops: string[] = [];
  for (const [name, p] of Object.entries(s.populations)) {
    if (p.model !== 'lif') refuse(`populations.${name}: neuron model "${p.model}" has no PyNN export (lif only)`);
    const q = params('neuron', 'lif', p.params, ['populations', name, 'params']);
    const cm = Number(q.tau_m_ms) / Number(q.R_m_MOhm);
    out.push(
      `${name} = sim.Population(${p.size}, sim.IF_curr_exp(tau_m=${q.tau_m_ms}, cm=${cm}, v_rest=${q.E_L_mV}, v_reset=${q.v_reset_mV}, v_thresh=${q.v_th_mV}, tau_refrac=${q.t_ref_ms}, tau_syn_E=${q.tau_syn_ex_ms}, tau_syn_I=${q.tau_syn_in_ms}, i_offset=${q.I_e_nA}), label=${py(name)})`,
    );
    const init = (p.init ?? {}) as Spec;
    for (const [variable, v] of Object.entries(init)) {
      const target = { v_mV: 'v', I_syn_ex_nA: 'isyn_exc', I_syn_in_nA: 'isyn_inh' }[variable];
      if (!target) refuse(`populations.${name}.init.${variable}: no PyNN initial value`);
      out.push(`${name}.initialize(${target}=${value(v, `populations.${name}.init.${variable}`)})`);
    }
    if (init.v_mV === undefined) out.push(`${name}.initialize(v=${q.E_L_mV})`);
    out.push(`${name}.record('spikes')`);
    pops.push(name);
  }
  for (const [name, input] of Object.entries(s.inputs)) {
    const q = (input.params ?? {}) as Spec;
    if (input.type === 'poisson') {
      if (Array.isArray(q.schedule) && q.schedule.length) refuse(`inputs.${name}.params.schedule: rate schedules are not exported`);
      out.push(`${name} = sim.Population(${input.size}, sim.SpikeSourcePoisson(rate=${Array.isArray(q.rate_hz) ? py(q.rate_hz) : q.rate_hz}), label=${py(name)})`);
    } else if (input.type === 'spike-source') {
      out.push(`${name} = sim.Population(${input.size}, sim.SpikeSourceArray(spike_times=[sim.Sequence(t) for t in ${py(q.spike_times_ms)}]), label=${py(name)})`);
    } else refuse(`inputs.${name}: input type "${input.type}" has no PyNN export (poisson, spike-source)`);
  }
  out.push('');
  for (const [i, p] of s.projections.entries()) {
    if (!s.populations[p.to]) refuse(`projections.${i}.to: ${p.to} is not a lif population`);
    const c = p.connector as Spec & { type: string };
    const self = c.allow_autapses !== false;
    const connector =
      c.type === 'all_to_all' ? `sim.AllToAllConnector(allow_self_connections=${py(self)})`
      : c.type === 'one_to_one' ? 'sim.OneToOneConnector()'
      : c.type === 'fixed_probability' ? `sim.FixedProbabilityConnector(${c.p}, allow_self_connections=${py(self)}, rng=rng)`
      : c.type === 'fixed_indegree' ? `sim.FixedNumberPreConnector(${c.indegree}, allow_self_connections=${py(self)}, rng=rng)`
      : c.type === 'list' ? `sim.FromListConnector(${py(c.pairs)})`
      : refuse(`projections.${i}.connector.type: "${c.type}" has no PyNN export`);
    const weight = value(p.weight, `projections.${i}.weight`);
    const delayMs = p.delay_ms ?? s.resolution_ms;
    if (p.dendritic_delay_ms && p.plasticity?.rule === 'stdp') refuse(`projections.${i}.dendritic_delay_ms: with stdp, a separate dendritic delay is not exported`);
    const delay = typeof delayMs === 'number' ? String(delayMs + (p.dendritic_delay_ms ?? 0)) : value(delayMs, `projections.${i}.delay_ms`);
    const receptor = p.receptor === 'inh' || (p.receptor === undefined && typeof p.weight === 'number' && p.weight < 0) ? 'inhibitory' : 'excitatory';
    if (p.receptor === undefined && typeof p.weight !== 'number') refuse(`projections.${i}.receptor: give exc or inh (PyNN needs one receptor per projection)`);
    let synapse = `sim.StaticSynapse(weight=${weight}, delay=${delay})`;
    const rule = p.plasticity?.rule;
    if (rule && rule !== 'static') {
      if (rule !== 'stdp') refuse(`projections.${i}.plasticity.rule: "${rule}" has no PyNN export (static, stdp)`);
      const q = params('plasticity', 'stdp', p.plasticity!.params, ['projections', i, 'plasticity', 'params']);
      if (q.pairing === 'nearest') refuse(`projections.${i}.plasticity.params.pairing: nearest pairing has no standard PyNN rule`);
      const wmax = Number(q.w_max);
      const mp = Number(q.mu_plus);
      const mm = Number(q.mu_minus);
      // PyNN's weight dependences scale A_plus, A_minus by w_max (additive) or by the distance
      // to a bound (multiplicative, Gutig): the same rule with the amplitudes divided by w_max.
      const dependence =
        mp === 0 && mm === 0 ? `sim.AdditiveWeightDependence(w_min=${q.w_min}, w_max=${wmax})`
        : mp === 1 && mm === 1 ? `sim.MultiplicativeWeightDependence(w_min=${q.w_min}, w_max=${wmax})`
        : `sim.GutigWeightDependence(w_min=${q.w_min}, w_max=${wmax}, mu_plus=${mp}, mu_minus=${mm})`;
      const scale = mp === 0 && mm === 0 ? wmax : wmax - Number(q.w_min);
      synapse = `sim.STDPMechanism(timing_dependence=sim.SpikePairRule(tau_plus=${q.tau_plus_ms}, tau_minus=${q.tau_minus_ms}, A_plus=${Number(q.A_plus) / scale}, A_minus=${Number(q.A_minus) / scale}), weight_dependence=${dependence}, weight=${weight}, delay=${delay})`;
    }
    out.push(`P${i} = sim.Projection(${p.from}, ${p.to}, ${connector}, ${synapse}, receptor_type=${py(receptor)}, label=${py(p.name ?? `P${i}`)})`);
  }
  out.push(
    '',
    `sim.run(${s.duration_ms})`,
    'summary = {}',
    `for pop in [${pops.join(', ')}]:`,
    '    trains = pop.get_data().segments[0].spiketrains',
    '    n = sum(len(t) for t in trains)',
    '    cvs = [np.std(np.diff(np.asarray(t))) / np.mean(np.diff(np.asarray(t))) for t in trains if len(t) >= 3]',
    `    summary[pop.label] = {'spikes': int(n), 'rate_hz': n / pop.size / (${s.duration_ms} / 1000), 'cv_isi': float(np.mean(cvs)) if cvs else None}`,
    'sim.end()',
    'print(json.dumps(summary))',
    '',
  );
  return out.join('\n');
}
