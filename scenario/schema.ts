import * as v from 'valibot';
import { ValueSpecSchema } from '../core/distributions.js';
import { ConnectorSchema } from '../core/network/connectors.js';

/**
 * The structure of a scenario file. Plugin parameters are open mappings here; each plugin's
 * own ParamSpecs check them (core/params.ts). Units are in the field names: _ms, _mV, _nA, _hz.
 * docs/scenario-format.md documents every field.
 */
import { NameSchema, nonNegative, params, positive, positiveInt } from '../core/fields.js';
import { MemoryExperimentSchema, TrainingSchema } from '../training/schema.js';

export { NameSchema };
export type { MemoryExperimentSpec, TrainingSpec } from '../training/schema.js';

/** A per-neuron or per-synapse value: a number, a distribution, or an explicit list. */
export const ArrayValueSchema = v.union(
  [ValueSpecSchema, v.array(v.pipe(v.number(), v.finite()))],
  'expected a number, a distribution ({dist: uniform, low, high} or {dist: normal, mean, sd, low?, high?}) or a list of numbers',
);

export const PopulationSchema = v.strictObject({
  model: v.string('expected the name of a neuron model plugin'),
  size: positiveInt('the number of neurons'),
  params,
  init: v.optional(v.record(v.string(), ArrayValueSchema, 'expected a mapping of state variable to initial value'), {}),
});

export const InputSchema = v.strictObject({
  type: v.string('expected the name of an input plugin'),
  size: v.optional(positiveInt('the number of generator neurons')),
  target: v.optional(NameSchema),
  params,
});

export const ProjectionSchema = v.strictObject({
  name: v.optional(NameSchema),
  from: NameSchema,
  to: NameSchema,
  connector: ConnectorSchema,
  weight: ArrayValueSchema,
  delay_ms: v.optional(ArrayValueSchema),
  dendritic_delay_ms: v.optional(nonNegative('the dendritic delay in ms'), 0),
  receptor: v.optional(v.string('expected the name of a receptor port of the target model')),
  plasticity: v.optional(v.strictObject({ rule: v.string('expected the name of a plasticity rule plugin'), params })),
});

export const ModulatorSchema = v.strictObject({
  from: NameSchema,
  amount: v.optional(v.pipe(v.number('expected the pulse amount (a number)'), v.finite('expected a finite pulse amount')), 1),
  delay_ms: v.optional(positive('the delay from a spike to its pulse, in ms')),
});

export const RecorderSchema = v.strictObject({
  type: v.string('expected the name of a recorder plugin'),
  params,
});

/** Numerical guards (docs/reliability.md); each field has a default, `enabled: false` turns them off. */
export const GuardsSchema = v.strictObject({
  enabled: v.optional(v.boolean('expected true or false'), true),
  check_every_ms: v.optional(positive('how often the guards check, in ms of simulated time'), 100),
  max_rate_hz: v.optional(positive('the highest firing rate of any neuron over a check interval, in Hz'), 1000),
  max_pending_events: v.optional(
    v.pipe(
      v.number('expected an integer >= 1'),
      v.check((x) => Number.isSafeInteger(x) && x >= 1, 'expected an integer >= 1'),
    ),
    50_000_000,
  ),
});

export const ScenarioSchema = v.strictObject({
  name: v.optional(NameSchema),
  description: v.optional(v.string()),
  seed: v.optional(
    v.pipe(
      v.number('expected an integer seed >= 0'),
      v.check((x) => Number.isSafeInteger(x) && x >= 0, 'expected an integer seed from 0 to 2^53-1'),
    ),
    1,
  ),
  duration_ms: v.optional(positive('the simulated time in ms')),
  resolution_ms: v.optional(positive('the grid step in ms'), 0.1),
  plugins: v.optional(v.array(v.string('expected a module path or package name'), 'expected a list of module paths or package names'), []),
  populations: v.optional(v.record(NameSchema, PopulationSchema, 'expected a mapping of population name to population'), {}),
  inputs: v.optional(v.record(NameSchema, InputSchema, 'expected a mapping of input name to input'), {}),
  projections: v.optional(v.array(ProjectionSchema, 'expected a list of projections'), []),
  modulators: v.optional(v.record(NameSchema, ModulatorSchema, 'expected a mapping of channel name to {from, amount, delay_ms}'), {}),
  recorders: v.optional(v.array(RecorderSchema, 'expected a list of recorders'), []),
  training: v.optional(TrainingSchema),
  memory_experiment: v.optional(MemoryExperimentSchema),
  guards: v.optional(GuardsSchema, {}),
});

export type ArrayValue = v.InferOutput<typeof ArrayValueSchema>;
export type Scenario = v.InferOutput<typeof ScenarioSchema>;
export type PopulationSpec = v.InferOutput<typeof PopulationSchema>;
export type InputSpec = v.InferOutput<typeof InputSchema>;
export type ProjectionSpec = v.InferOutput<typeof ProjectionSchema>;
export type RecorderSpec = v.InferOutput<typeof RecorderSchema>;
export type ModulatorSpec = v.InferOutput<typeof ModulatorSchema>;

/** Field names allowed in each kind of mapping, for "unknown field" messages. */
export const ALLOWED_FIELDS: Record<string, readonly string[]> = {
  scenario: Object.keys(ScenarioSchema.entries),
  population: Object.keys(PopulationSchema.entries),
  input: Object.keys(InputSchema.entries),
  projection: Object.keys(ProjectionSchema.entries),
  recorder: Object.keys(RecorderSchema.entries),
  modulator: Object.keys(ModulatorSchema.entries),
  training: Object.keys(TrainingSchema.entries),
};
