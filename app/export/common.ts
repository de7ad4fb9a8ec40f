/**
 * What both exporters (brian2.ts, pynn.ts) share: the refusals that apply to any target, the
 * lookup of each plugin's translation (contributed by the plugin under TranslationToken), and
 * Python literals.
 */
import type { ExportTarget, Translation, TranslationContext } from '../../core/contracts.js';
import { EngramError } from '../../core/errors.js';
import { resolveParams } from '../../core/params.js';
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../scenario/load.js';
import type { PluginKind } from '../../core/tokens.js';

/** A Python literal of a string, number, boolean or list of them. */
export const py = (x: unknown): string =>
  typeof x === 'string' ? JSON.stringify(x) : Array.isArray(x) ? `[${x.map(py).join(', ')}]` : typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x);

const labels: Record<ExportTarget, string> = { brian2: 'Brian2', pynn: 'PyNN' };

export interface Exporter {
  /** Stops the export with a message naming the file and the field; nothing is written. */
  refuse(msg: string): never;
  /** The translation a plugin contributes for this target, or a refusal naming the plugin and the field. */
  translation<K extends Translation['kind']>(kind: K, name: string, field: string): Extract<Translation, { kind: K }>;
  /** The context a translation is called with: the plugin's resolved params and the helpers. */
  context<X extends { field: string }>(kind: PluginKind, name: string, raw: unknown, paramsPath: (string | number)[], extra: X): TranslationContext & X;
}

/**
 * Refuses what no target can take (training, memory experiments, modulators), then the
 * helpers. `value` writes a value spec in the target's terms.
 */
export function exporter(
  loaded: LoadedScenario,
  registry: PluginRegistry,
  to: ExportTarget,
  value: (v: unknown, unit: string, field: string, refuse: (msg: string) => never) => string,
): Exporter {
  const label = labels[to];
  const refuse = (msg: string): never => {
    throw new EngramError(`engram export --to ${to} ${loaded.file}: ${msg}; nothing was written`);
  };
  const s = loaded.scenario;
  if (s.training) refuse(`training: the training protocol (datasets, memory circuits, the IB rule) has no ${label} equivalent`);
  if (s.memory_experiment) refuse('memory_experiment: not a network');
  if (Object.keys(s.modulators).length) refuse(`modulators (${Object.keys(s.modulators).join(', ')}): no ${label} equivalent is exported`);
  return {
    refuse,
    translation(kind, name, field) {
      const t = registry.translation(to, kind, name);
      if (!t)
        return refuse(`${field}: ${registry.describe(kind, name)} has no ${label} export (its plugin contributes no ${label} translation; docs/export.md)`);
      return t;
    },
    context(kind, name, raw, paramsPath, extra) {
      const params = resolveParams(`${kind} ${name}`, registry.table(kind).get(name)!.params, raw, paramsPath, (p) => loaded.source.locate(p)).values;
      return {
        params,
        refuse: (field: string, why: string) => refuse(`${field}: ${why}`),
        value: (v: unknown, unit: string, field: string) => value(v, unit, field, refuse),
        py,
        ...extra,
      };
    },
  };
}
