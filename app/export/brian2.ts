/**
 * `engram export --to brian2`: the same network as a Brian2 script (docs/export.md).
 *
 * What maps: `lif` populations (Brian2's exact integrator; spikes on the grid, as engram's
 * `spike_timing: grid`), `poisson` (constant rates) and `spike-source` inputs, every connector,
 * weights and axonal delays (constants, distributions, lists), receptors, and `static` or
 * `stdp` plasticity. Anything else is refused by name, never silently dropped. Random draws
 * (connectivity, weights, initial values) use Brian2's generator with the scenario's seed: the
 * same model, another draw of the network. The script runs the network for duration_ms and
 * prints one JSON line: spikes, mean rate and mean CV of the ISI per population.
 */
import { EngramError } from '../../core/errors.js';
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../core/scenario/load.js';
import { exportContext, py } from './common.js';

type Spec = Record<string, unknown>;

class Unsupported extends EngramError {}

/** A value spec (number, distribution, list) as Brian2 assignment text in `unit`. */
function valueExpr(v: unknown, unit: string, what: string): { expr: string; array?: boolean } {
  if (typeof v === 'number') return { expr: `${v}*${unit}` };
  if (Array.isArray(v)) return { expr: `np.array(${py(v)})*${unit}`, array: true };
  const d = v as { dist: string; low?: number; high?: number; mean?: number; sd?: number };
  if (d.dist === 'uniform') return { expr: `'${d.low}*${unit} + rand()*${d.high! - d.low!}*${unit}'` };
  if (d.dist === 'normal') {
    if (d.low !== undefined || d.high !== undefined) throw new Unsupported(`${what}: a bounded normal distribution has no Brian2 string equivalent (engram redraws out-of-bounds values)`);
    return { expr: `'${d.mean}*${unit} + randn()*${d.sd}*${unit}'` };
  }
  throw new Unsupported(`${what}: unknown distribution ${JSON.stringify(v)}`);
}

export function exportBrian2(loaded: LoadedScenario, registry: PluginRegistry): string {
  const s = loaded.scenario;
  const where = loaded.file;
  const { refuse, params } = exportContext(loaded, registry, 'brian2');
  const out: string[] = [
    `# Brian2 version of ${where}, written by engram export --to brian2 (docs/export.md).`,
    '# Units as in engram: ms, mV, nA, MOhm. Run: python3 <this file>',
    'import json',
    'import os',
    'import numpy as np',
    'from brian2 import *',
    '',
    "# ENGRAM_BRIAN2_TARGET=numpy avoids compiling (slower to run, nothing to build).",
    "prefs.codegen.target = os.environ.get('ENGRAM_BRIAN2_TARGET', 'auto')",
    '',
    `defaultclock.dt = ${s.resolution_ms}*ms`,
    `seed(${s.seed})`,
    '',
  ];
  const groups: string[] = [];
  const sizes = new Map<string, number>();
  for (const [name, p] of Object.entries(s.populations)) {
    if (p.model !== 'lif') refuse(`populations.${name}: neuron model "${p.model}" has no Brian2 export (lif only)`);
    const q = params('neuron', 'lif', p.params, ['populations', name, 'params']);
    out.push(
      `# ${name}: lif${q.spike_timing === 'precise' ? ' (engram: precise spike times; Brian2 detects threshold crossings on the grid)' : ''}`,
      `${name} = NeuronGroup(${p.size}, '''`,
      `dv/dt = (-(v - ${q.E_L_mV}*mV) + ${q.R_m_MOhm}*Mohm*(I_ex + I_in + ${q.I_e_nA}*nA + I_ext)) / (${q.tau_m_ms}*ms) : volt (unless refractory)`,
      `dI_ex/dt = -I_ex / (${q.tau_syn_ex_ms}*ms) : amp`,
      `dI_in/dt = -I_in / (${q.tau_syn_in_ms}*ms) : amp`,
      `I_ext : amp`,
      `''', threshold='v >= ${q.v_th_mV}*mV', reset='v = ${q.v_reset_mV}*mV', refractory=${q.t_ref_ms}*ms, method='exact', name=${py(name)})`,
      `${name}.v = ${q.E_L_mV}*mV`,
    );
    const units: Record<string, string> = { v_mV: 'mV', I_syn_ex_nA: 'nA', I_syn_in_nA: 'nA', I_ext_nA: 'nA' };
    const vars: Record<string, string> = { v_mV: 'v', I_syn_ex_nA: 'I_ex', I_syn_in_nA: 'I_in', I_ext_nA: 'I_ext' };
    for (const [variable, value] of Object.entries(p.init ?? {})) {
      out.push(`${name}.${vars[variable]} = ${valueExpr(value, units[variable], `populations.${name}.init.${variable}`).expr}`);
    }
    groups.push(name);
    sizes.set(name, p.size);
    out.push('');
  }
  for (const [name, input] of Object.entries(s.inputs)) {
    const q = (input.params ?? {}) as Spec;
    if (input.type === 'poisson') {
      if (Array.isArray(q.schedule) && q.schedule.length) refuse(`inputs.${name}.params.schedule: rate schedules are not exported`);
      out.push(`${name} = PoissonGroup(${input.size}, rates=${Array.isArray(q.rate_hz) ? `np.array(${py(q.rate_hz)})` : q.rate_hz}*Hz, name=${py(name)})`);
    } else if (input.type === 'spike-source') {
      const trains = q.spike_times_ms as number[][];
      const idx = trains.flatMap((t, i) => t.map(() => i));
      out.push(`${name} = SpikeGeneratorGroup(${input.size}, ${py(idx)}, ${py(trains.flat())}*ms, name=${py(name)})`);
    } else refuse(`inputs.${name}: input type "${input.type}" has no Brian2 export (poisson, spike-source)`);
    groups.push(name);
    sizes.set(name, input.size!);
  }
  out.push('');
  for (const [i, p] of s.projections.entries()) {
    const name = `S${i}`;
    const post = s.populations[p.to];
    const receptor = p.receptor;
    if (p.dendritic_delay_ms && p.plasticity?.rule === 'stdp') refuse(`projections.${i}.dendritic_delay_ms: with stdp, Brian2 has no separate dendritic delay for the pairing`);
    const target = receptor === 'exc' ? 'I_ex_post += w' : receptor === 'inh' ? 'I_in_post += w' : typeof p.weight === 'number' ? (p.weight >= 0 ? 'I_ex_post += w' : 'I_in_post += w') : 'I_ex_post += clip(w, 0*nA, 1e9*nA); I_in_post += clip(w, -1e9*nA, 0*nA)';
    if (!post) refuse(`projections.${i}.to: ${p.to} is not a lif population`);
    let model = 'w : amp';
    let onPre = target;
    let onPost: string | undefined;
    const rule = p.plasticity?.rule;
    if (rule && rule !== 'static') {
      if (rule !== 'stdp') refuse(`projections.${i}.plasticity.rule: "${rule}" has no Brian2 export (static, stdp)`);
      const q = params('plasticity', 'stdp', p.plasticity!.params, ['projections', i, 'plasticity', 'params']);
      const nearest = q.pairing === 'nearest';
      const span = `(${q.w_max} - ${q.w_min})*nA`;
      const dep = Number(q.mu_minus) === 0 ? '1' : `((w - ${q.w_min}*nA)/${span})**${q.mu_minus}`;
      const pot = Number(q.mu_plus) === 0 ? '1' : `((${q.w_max}*nA - w)/${span})**${q.mu_plus}`;
      model = `w : amp\ndapre/dt = -apre / (${q.tau_plus_ms}*ms) : 1 (event-driven)\ndapost/dt = -apost / (${q.tau_minus_ms}*ms) : 1 (event-driven)`;
      // engram's order at a pre spike: depression against the post trace, then the pre trace steps.
      onPre = `${target}\nw = clip(w - ${q.A_minus}*nA*${dep}*apost, ${q.w_min}*nA, ${q.w_max}*nA)\napre = ${nearest ? '1' : 'apre + 1'}`;
      onPost = `w = clip(w + ${q.A_plus}*nA*${pot}*apre, ${q.w_min}*nA, ${q.w_max}*nA)\napost = ${nearest ? '1' : 'apost + 1'}`;
    }
    out.push(`${name} = Synapses(${p.from}, ${p.to}, model='''${model}''', on_pre='''${onPre}'''${onPost ? `, on_post='''${onPost}'''` : ''}, name=${py(`${p.name ?? name}`)})`);
    const c = p.connector as Spec & { type: string };
    const self = p.from === p.to;
    const autapses = c.allow_autapses === false && self ? ", condition='i != j'" : '';
    if (c.type === 'all_to_all') out.push(`${name}.connect(${autapses.slice(2)})`);
    else if (c.type === 'one_to_one') out.push(`${name}.connect(j='i')`);
    else if (c.type === 'fixed_probability') out.push(`${name}.connect(p=${c.p}${autapses})`);
    else if (c.type === 'list') {
      const pairs = c.pairs as [number, number][];
      out.push(`${name}.connect(i=${py(pairs.map((q) => q[0]))}, j=${py(pairs.map((q) => q[1]))})`);
    } else if (c.type === 'fixed_indegree') {
      const k = c.indegree as number;
      out.push(`_pairs = [(i, j) for j in range(${sizes.get(p.to)}) for i in np.random.choice([q for q in range(${sizes.get(p.from)}) if ${c.allow_autapses === false && self ? 'q != j' : 'True'}], ${k}, replace=False)]`);
      out.push(`${name}.connect(i=[q[0] for q in _pairs], j=[q[1] for q in _pairs])`);
    } else refuse(`projections.${i}.connector.type: "${c.type}" has no Brian2 export`);
    out.push(`${name}.w = ${valueExpr(p.weight, 'nA', `projections.${i}.weight`).expr}`);
    const delay = (p.delay_ms ?? s.resolution_ms) as unknown;
    const dd = p.dendritic_delay_ms ?? 0;
    const d = valueExpr(typeof delay === 'number' ? delay + dd : delay, 'ms', `projections.${i}.delay_ms`);
    if (dd && typeof delay !== 'number') refuse(`projections.${i}: per-synapse delays with a dendritic delay are not exported`);
    out.push(`${name}.delay = ${d.expr}`, '');
  }
  out.push(
    `monitors = {${groups.filter((g) => s.populations[g]).map((g) => `${py(g)}: SpikeMonitor(${g})`).join(', ')}}`,
    'net = Network(collect())',
    'net.add(list(monitors.values()))',
    `net.run(${s.duration_ms}*ms)`,
    'summary = {}',
    'for g, m in monitors.items():',
    '    trains = m.spike_trains()',
    '    cvs = [np.std(np.diff(t / ms)) / np.mean(np.diff(t / ms)) for t in trains.values() if len(t) >= 3]',
    `    summary[g] = {'spikes': int(m.num_spikes), 'rate_hz': m.num_spikes / len(m.source) / (${s.duration_ms} / 1000), 'cv_isi': float(np.mean(cvs)) if cvs else None}`,
    'print(json.dumps(summary))',
    '',
  );
  return out.join('\n');
}
