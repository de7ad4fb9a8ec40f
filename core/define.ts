/**
 * definePlugin: declares a plugin with its parameters typed from its specs.
 *
 *   export const Perfect = definePlugin.neuronModel({
 *     name: 'perfect-if',
 *     params: [param.number('tau_m_ms', 10, 'membrane time constant', { gt: 0 })],
 *     ...
 *     create: (ctx) => new PerfectPopulation(ctx.params.tau_m_ms), // a number, no cast
 *   });
 *
 * Each helper returns the plugin unchanged; only the types differ. `ctx.params` and `check`'s
 * params are ParamsOf<the specs>, so a misspelt or mistyped parameter is a compile error in
 * the plugin instead of an undefined at run time. Plugins written as plain objects against
 * the untyped contracts (params: Record<string, unknown>) keep working.
 */
import type {
  DatasetPlugin,
  ExportTarget,
  InputSourcePlugin,
  MemoryCircuitPlugin,
  NeuronModelPlugin,
  Params,
  PlasticityRulePlugin,
  PopulationTranslationContext,
  RecorderPlugin,
  SynapseTranslationContext,
  TranslatedPopulation,
  TranslatedSynapse,
  Translation,
} from './contracts.js';
import type { ParamSpec, ParamsOf } from './params.js';

/** A plugin's parameter specs, as definePlugin infers them. */
export type Specs = readonly ParamSpec<unknown, string>[];
/** A plugin of contract C whose params field is the tuple S and whose params type is ParamsOf<S>. */
/** A plugin contract whose params are typed from its specs. */
export type Typed<C, S extends Specs> = Omit<C, 'params'> & { readonly params: S };

export const definePlugin = {
  neuronModel<const S extends Specs>(plugin: Typed<NeuronModelPlugin<ParamsOf<S>>, S>): NeuronModelPlugin<ParamsOf<S>> {
    return plugin;
  },
  input<const S extends Specs>(plugin: Typed<InputSourcePlugin<ParamsOf<S>>, S>): InputSourcePlugin<ParamsOf<S>> {
    return plugin;
  },
  recorder<const S extends Specs>(plugin: Typed<RecorderPlugin<ParamsOf<S>>, S>): RecorderPlugin<ParamsOf<S>> {
    return plugin;
  },
  plasticityRule<const S extends Specs>(plugin: Typed<PlasticityRulePlugin<ParamsOf<S>>, S>): PlasticityRulePlugin<ParamsOf<S>> {
    return plugin;
  },
  memoryCircuit<const S extends Specs>(plugin: Typed<MemoryCircuitPlugin<ParamsOf<S>>, S>): MemoryCircuitPlugin<ParamsOf<S>> {
    return plugin;
  },
  dataset<const S extends Specs>(plugin: Typed<DatasetPlugin<ParamsOf<S>>, S>): DatasetPlugin<ParamsOf<S>> {
    return plugin;
  },
};

/**
 * A plugin's translation for another simulator (engram export), typed by the plugin it
 * translates: `translate.neuron(LifModel, 'brian2', { population(ctx) { ... ctx.params.tau_m_ms ... } })`.
 * Bind the result under TranslationToken in the plugin's module.
 */
export const translate = {
  neuron<P extends Params>(
    plugin: NeuronModelPlugin<P>,
    target: ExportTarget,
    t: { population(ctx: PopulationTranslationContext<P>): TranslatedPopulation },
  ): Translation {
    return { target, kind: 'neuron', name: plugin.name, population: t.population.bind(t) };
  },
  input<P extends Params>(
    plugin: InputSourcePlugin<P>,
    target: ExportTarget,
    t: { population(ctx: PopulationTranslationContext<P>): readonly string[] },
  ): Translation {
    return { target, kind: 'input', name: plugin.name, population: t.population.bind(t) };
  },
  plasticityRule<P extends Params>(
    plugin: PlasticityRulePlugin<P>,
    target: ExportTarget,
    t: { synapse(ctx: SynapseTranslationContext<P>): TranslatedSynapse },
  ): Translation {
    return { target, kind: 'plasticity', name: plugin.name, synapse: t.synapse.bind(t) };
  },
};
