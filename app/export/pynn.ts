/**
 * `engram export --to pynn`: the same network as a PyNN script (docs/export.md), which runs on
 * NEST, NEURON or Brian2 (ENGRAM_PYNN_BACKEND=nest|neuron|brian2; default nest).
 *
 * The exporter writes the connectors (all_to_all, one_to_one, fixed_probability,
 * fixed_indegree, list), constant and uniform or normal weights and delays, and the run. Each
 * population, input and plasticity rule is written by the translation its plugin contributes
 * (TranslationToken; built in: lif as IF_curr_exp, poisson, spike-source, static, stdp as
 * SpikePairRule). A plugin without a PyNN translation is refused by name.
 * The script prints one JSON line: spikes, mean rate and mean CV of the ISI per population.
 */
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../scenario/load.js';
import type { TranslatedPopulation } from '../../core/contracts.js';
import { exporter, py } from './common.js';

type Spec = Record<string, unknown>;

export function exportPynn(loaded: LoadedScenario, registry: PluginRegistry): string {
  const s = loaded.scenario;
  const ex = exporter(loaded, registry, 'pynn', (v, _unit, what) => value(v, what));
  const { refuse } = ex;
  function value(v: unknown, what: string): string {
    if (typeof v === 'number') return String(v);
    if (Array.isArray(v)) refuse(`${what}: lists of values are not exported to PyNN`);
    const d = v as { dist: string; low?: number; high?: number; mean?: number; sd?: number };
    if (d.dist === 'uniform') return `RandomDistribution('uniform', (${d.low}, ${d.high}), rng=rng)`;
    if (d.dist === 'normal') {
      if (d.low !== undefined || d.high !== undefined)
        return `RandomDistribution('normal_clipped', mu=${d.mean}, sigma=${d.sd}, low=${d.low ?? '-np.inf'}, high=${d.high ?? 'np.inf'}, rng=rng)`;
      return `RandomDistribution('normal', mu=${d.mean}, sigma=${d.sd}, rng=rng)`;
    }
    return refuse(`${what}: unknown distribution`);
  }
  const minDelay = Math.min(
    s.resolution_ms,
    ...s.projections.map((p) => (typeof p.delay_ms === 'number' ? p.delay_ms + (p.dendritic_delay_ms ?? 0) : s.resolution_ms)),
  );
  const out: string[] = [
    `# PyNN version of ${loaded.file}, written by engram export --to pynn (docs/export.md).`,
    '# Units as PyNN: ms, mV, nA, nF. Run: ENGRAM_PYNN_BACKEND=nest|neuron|brian2 python3 <this file>',
    'import importlib, json, os',
    'import numpy as np',
    "sim = importlib.import_module('pyNN.' + os.environ.get('ENGRAM_PYNN_BACKEND', 'nest'))",
    "if os.environ.get('ENGRAM_PYNN_BACKEND') == 'brian2' and os.environ.get('ENGRAM_BRIAN2_TARGET'):",
    '    import brian2',
    "    brian2.prefs.codegen.target = os.environ['ENGRAM_BRIAN2_TARGET']  # numpy: nothing to compile",
    'from pyNN.random import NumpyRNG, RandomDistribution',
    '',
    `sim.setup(timestep=${s.resolution_ms}, min_delay=${minDelay})`,
    `rng = NumpyRNG(seed=${s.seed})`,
    '',
  ];
  const pops: string[] = [];
  const translated = new Map<string, TranslatedPopulation>();
  for (const [name, p] of Object.entries(s.populations)) {
    const field = `populations.${name}`;
    const t = ex.translation('neuron', p.model, `${field}.model`);
    const pop = t.population(ex.context('neuron', p.model, p.params, [...field.split('.'), 'params'], { field, name, size: p.size, init: p.init ?? {} }));
    out.push(...pop.lines, `${name}.record('spikes')`);
    translated.set(name, pop);
    pops.push(name);
  }
  for (const [name, input] of Object.entries(s.inputs)) {
    const field = `inputs.${name}`;
    const t = ex.translation('input', input.type, `${field}.type`);
    out.push(...t.population(ex.context('input', input.type, input.params, [...field.split('.'), 'params'], { field, name, size: input.size!, init: {} })));
  }
  out.push('');
  for (const [i, p] of s.projections.entries()) {
    const field = `projections.${i}`;
    const post = translated.get(p.to);
    if (!post) refuse(`${field}.to: ${p.to} is not a neuron population`);
    const c = p.connector as Spec & { type: string };
    const self = c.allow_autapses !== false;
    const connector =
      c.type === 'all_to_all'
        ? `sim.AllToAllConnector(allow_self_connections=${py(self)})`
        : c.type === 'one_to_one'
          ? 'sim.OneToOneConnector()'
          : c.type === 'fixed_probability'
            ? `sim.FixedProbabilityConnector(${c.p}, allow_self_connections=${py(self)}, rng=rng)`
            : c.type === 'fixed_indegree'
              ? `sim.FixedNumberPreConnector(${c.indegree}, allow_self_connections=${py(self)}, rng=rng)`
              : c.type === 'list'
                ? `sim.FromListConnector(${py(c.pairs)})`
                : refuse(`${field}.connector.type: "${c.type}" has no PyNN export`);
    const weightCode = value(p.weight, `${field}.weight`);
    const delayMs = p.delay_ms ?? s.resolution_ms;
    const dd = p.dendritic_delay_ms ?? 0;
    const delayCode = typeof delayMs === 'number' ? String(delayMs + dd) : value(delayMs, `${field}.delay_ms`);
    const receptor = post!.synapseTarget(p.receptor, typeof p.weight === 'number' ? p.weight : undefined, field);
    const rule = p.plasticity?.rule ?? 'static';
    const { synapse } = ex.translation('plasticity', rule, `${field}.plasticity.rule`).synapse(
      ex.context('plasticity', rule, p.plasticity?.params, [...field.split('.'), 'plasticity', 'params'], {
        field,
        target: receptor,
        weight: post!.weight ?? { unit: 'nA', dimension: 'amp' },
        weightCode,
        delayCode,
        dendritic_delay_ms: dd,
      }),
    );
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
