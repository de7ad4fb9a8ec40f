import type { ServiceIdentifier } from 'inversify';
import type {
  DatasetPlugin,
  InputSourcePlugin,
  MemoryCircuitPlugin,
  NeuronModelPlugin,
  PlasticityRulePlugin,
  RecorderPlugin,
  Translation,
} from './contracts.js';

/**
 * One DI token per contract. Plugins bind any number of descriptors to a token (multi-binding,
 * as Theia's contribution points); the PluginRegistry collects them all. Symbol.for makes the
 * tokens identical across copies of this module, so plugins loaded from another path still match.
 */
export const NeuronModelToken: ServiceIdentifier<NeuronModelPlugin> = Symbol.for('engram.NeuronModel');
export const InputSourceToken: ServiceIdentifier<InputSourcePlugin> = Symbol.for('engram.InputSource');
export const RecorderToken: ServiceIdentifier<RecorderPlugin> = Symbol.for('engram.Recorder');
export const PlasticityRuleToken: ServiceIdentifier<PlasticityRulePlugin> = Symbol.for('engram.PlasticityRule');
export const MemoryCircuitToken: ServiceIdentifier<MemoryCircuitPlugin> = Symbol.for('engram.MemoryCircuit');
export const DatasetToken: ServiceIdentifier<DatasetPlugin> = Symbol.for('engram.Dataset');

export const PluginKinds = {
  neuron: NeuronModelToken,
  input: InputSourceToken,
  recorder: RecorderToken,
  plasticity: PlasticityRuleToken,
  memory: MemoryCircuitToken,
  dataset: DatasetToken,
} as const;

export type PluginKind = keyof typeof PluginKinds;

/** How each kind of plugin is named in messages. */
export const PluginKindLabels: Record<PluginKind, string> = {
  neuron: 'neuron model',
  input: 'input',
  recorder: 'recorder',
  plasticity: 'plasticity rule',
  memory: 'memory circuit',
  dataset: 'dataset',
};

/**
 * Translations of plugins for other simulators (engram export), contributed by the plugins
 * themselves; not a plugin kind of its own (scenarios never name a translation).
 */
export const TranslationToken: ServiceIdentifier<Translation> = Symbol.for('engram.Translation');
