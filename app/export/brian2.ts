/**
 * `engram export --to brian2`: the same network as a Brian2 script (docs/export.md).
 *
 * The exporter writes what is the network's: connectors, weights and delays (constants,
 * distributions, lists), monitors and the run. Each population, input and plasticity rule is
 * written by the translation its plugin contributes (TranslationToken; built in: lif,
 * poisson, spike-source, static, stdp). A plugin without a Brian2 translation is refused by
 * name, never silently dropped. Random draws
 * (connectivity, weights, initial values) use Brian2's generator with the scenario's seed: the
 * same model, another draw of the network. The script runs the network for duration_ms and
 * prints one JSON line: spikes, mean rate and mean CV of the ISI per population.
 */
import type { TranslatedPopulation } from '../../core/contracts.js';
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../scenario/load.js';
import { exporter, py } from './common.js';

type Spec = Record<string, unknown>;

/** A value spec (number, distribution, list) as Brian2 assignment text in `unit`. */
function valueExpr(v: unknown, unit: string, what: string, refuse: (msg: string) => never): string {
  if (typeof v === 'number') return `${v}*${unit}`;
  if (Array.isArray(v)) return `np.array(${py(v)})*${unit}`;
  const d = v as { dist: string; low?: number; high?: number; mean?: number; sd?: number };
  if (d.dist === 'uniform') return `'${d.low}*${unit} + rand()*${d.high! - d.low!}*${unit}'`;
  if (d.dist === 'normal') {
    if (d.low !== undefined || d.high !== undefined)
      refuse(`${what}: a bounded normal distribution has no Brian2 string equivalent (engram redraws out-of-bounds values)`);
    return `'${d.mean}*${unit} + randn()*${d.sd}*${unit}'`;
  }
  return refuse(`${what}: unknown distribution ${JSON.stringify(v)}`);
}

export function exportBrian2(loaded: LoadedScenario, registry: PluginRegistry): string {
  const s = loaded.scenario;
  const where = loaded.file;
  const ex = exporter(loaded, registry, 'brian2', valueExpr);
  const { refuse } = ex;
  const out: string[] = [
    `# Brian2 version of ${where}, written by engram export --to brian2 (docs/export.md).`,
    '# Units as in engram: ms, mV, nA, MOhm. Run: python3 <this file>',
    'import json',
    'import os',
    'import numpy as np',
    'from brian2 import *',
    '',
    '# ENGRAM_BRIAN2_TARGET=numpy avoids compiling (slower to run, nothing to build).',
    "prefs.codegen.target = os.environ.get('ENGRAM_BRIAN2_TARGET', 'auto')",
    '',
    `defaultclock.dt = ${s.resolution_ms}*ms`,
    `seed(${s.seed})`,
    '',
  ];
  const groups: string[] = [];
  const sizes = new Map<string, number>();
  const translated = new Map<string, TranslatedPopulation>();
  for (const [name, p] of Object.entries(s.populations)) {
    const field = `populations.${name}`;
    const t = ex.translation('neuron', p.model, `${field}.model`);
    const pop = t.population(ex.context('neuron', p.model, p.params, [...field.split('.'), 'params'], { field, name, size: p.size, init: p.init ?? {} }));
    out.push(...pop.lines);
    translated.set(name, pop);
    groups.push(name);
    sizes.set(name, p.size);
    out.push('');
  }
  for (const [name, input] of Object.entries(s.inputs)) {
    const field = `inputs.${name}`;
    const t = ex.translation('input', input.type, `${field}.type`);
    out.push(...t.population(ex.context('input', input.type, input.params, [...field.split('.'), 'params'], { field, name, size: input.size!, init: {} })));
    groups.push(name);
    sizes.set(name, input.size!);
  }
  out.push('');
  for (const [i, p] of s.projections.entries()) {
    const name = `S${i}`;
    const field = `projections.${i}`;
    const post = translated.get(p.to);
    if (!post) refuse(`${field}.to: ${p.to} is not a neuron population`);
    const weight = post!.weight ?? { unit: 'nA', dimension: 'amp' };
    const target = post!.synapseTarget(p.receptor, typeof p.weight === 'number' ? p.weight : undefined, field);
    const rule = p.plasticity?.rule ?? 'static';
    const delay = (p.delay_ms ?? s.resolution_ms) as unknown;
    const dd = p.dendritic_delay_ms ?? 0;
    const weightCode = valueExpr(p.weight, weight.unit, `${field}.weight`, refuse);
    if (dd && typeof delay !== 'number') refuse(`${field}: per-synapse delays with a dendritic delay are not exported`);
    const delayCode = valueExpr(typeof delay === 'number' ? delay + dd : delay, 'ms', `${field}.delay_ms`, refuse);
    const syn = ex.translation('plasticity', rule, `${field}.plasticity.rule`).synapse(
      ex.context('plasticity', rule, p.plasticity?.params, [...field.split('.'), 'plasticity', 'params'], {
        field,
        target,
        weight,
        weightCode,
        delayCode,
        dendritic_delay_ms: dd,
      }),
    );
    out.push(
      `${name} = Synapses(${p.from}, ${p.to}, model='''${syn.model}''', on_pre='''${syn.onPre}'''${syn.onPost ? `, on_post='''${syn.onPost}'''` : ''}, name=${py(`${p.name ?? name}`)})`,
    );
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
      out.push(
        `_pairs = [(i, j) for j in range(${sizes.get(p.to)}) for i in np.random.choice([q for q in range(${sizes.get(p.from)}) if ${c.allow_autapses === false && self ? 'q != j' : 'True'}], ${k}, replace=False)]`,
      );
      out.push(`${name}.connect(i=[q[0] for q in _pairs], j=[q[1] for q in _pairs])`);
    } else refuse(`${field}.connector.type: "${c.type}" has no Brian2 export`);
    out.push(`${name}.w = ${weightCode}`);
    out.push(`${name}.delay = ${delayCode}`, '');
  }
  out.push(
    `monitors = {${groups
      .filter((g) => s.populations[g])
      .map((g) => `${py(g)}: SpikeMonitor(${g})`)
      .join(', ')}}`,
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
