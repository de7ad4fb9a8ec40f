/**
 * What both exporters (export-brian2.ts, export-pynn.ts) share: the refusals that apply to any
 * target, parameter resolution with defaults, and Python literals.
 */
import { EngramError } from '../../core/errors.js';
import { resolveParams } from '../../core/params.js';
import type { PluginRegistry } from '../../core/registry.js';
import type { LoadedScenario } from '../../core/scenario/load.js';

/** A Python literal of a string, number, boolean or list of them. */
export const py = (x: unknown): string =>
  typeof x === 'string' ? JSON.stringify(x) : Array.isArray(x) ? `[${x.map(py).join(', ')}]` : typeof x === 'boolean' ? (x ? 'True' : 'False') : String(x);

export interface ExportContext {
  /** Stops the export with a message naming the file and the field; nothing is written. */
  refuse(msg: string): never;
  /** A plugin's parameters with their defaults filled in. */
  params(kind: 'neuron' | 'plasticity', name: string, raw: unknown, path: (string | number)[]): Record<string, number | string>;
}

/** Refuses what no target can take (training, memory experiments, modulators), then the helpers. */
export function exportContext(loaded: LoadedScenario, registry: PluginRegistry, to: 'brian2' | 'pynn'): ExportContext {
  const label = to === 'brian2' ? 'Brian2' : 'PyNN';
  const refuse = (msg: string): never => {
    throw new EngramError(`engram export --to ${to} ${loaded.file}: ${msg}; nothing was written`);
  };
  const s = loaded.scenario;
  if (s.training) refuse(`training: the training protocol (datasets, memory circuits, the IB rule) has no ${label} equivalent`);
  if (s.memory_experiment) refuse('memory_experiment: not a network');
  if (Object.keys(s.modulators).length) refuse(`modulators (${Object.keys(s.modulators).join(', ')}): no ${label} equivalent is exported`);
  return {
    refuse,
    params: (kind, name, raw, path) =>
      resolveParams(`${kind} ${name}`, registry[kind].get(name)!.params, raw as Record<string, unknown>, path, (p) => loaded.source.locate(p)).values as Record<string, number | string>,
  };
}
