import * as v from 'valibot';
import { ValueSpecSchema } from '../distributions.js';
import { ConnectorSchema } from '../network/connectors.js';

/**
 * The structure of a scenario file. Plugin parameters are open mappings here; each plugin's
 * own ParamSpecs check them (core/params.ts). Units are in the field names: _ms, _mV, _nA, _hz.
 * docs/scenario-format.md documents every field.
 */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
export const NameSchema = v.pipe(
  v.string('expected a name (letters, digits, _ . -, starting with a letter or _)'),
  v.regex(NAME_RE, 'expected a name (letters, digits, _ . -, starting with a letter or _)'),
);

const positive = (what: string) =>
  v.pipe(v.number(`expected ${what} (a number > 0)`), v.check((x) => Number.isFinite(x) && x > 0, `expected ${what} (a finite number > 0)`));
const nonNegative = (what: string) =>
  v.pipe(v.number(`expected ${what} (a number >= 0)`), v.check((x) => Number.isFinite(x) && x >= 0, `expected ${what} (a finite number >= 0)`));
const positiveInt = (what: string) =>
  v.pipe(v.number(`expected ${what} (an integer >= 1)`), v.check((x) => Number.isInteger(x) && x >= 1 && x <= 2 ** 31 - 1, `expected ${what} (an integer from 1 to 2^31-1)`));
const params = v.optional(v.record(v.string(), v.unknown(), 'expected a mapping of parameters'), {});

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

export const TrainingSchema = v.strictObject({
  dataset: v.strictObject({ type: v.string('expected the name of a dataset plugin'), params }),
  input: NameSchema,
  readout: NameSchema,
  layers: v.optional(
    v.array(v.strictObject({ population: NameSchema, memory: v.strictObject({ type: v.string('expected the name of a memory circuit plugin'), params }) }), 'expected a list of {population, memory}'),
    [],
  ),
  freeze: v.optional(
    v.union([v.literal('all'), v.literal('none'), v.array(NameSchema)], 'expected all, none, or a list of training layers (populations) whose incoming weights stay fixed'),
    'none',
  ),
  stall_after_epochs: v.optional(positiveInt('the epoch from which the stall detector judges a training'), 3),
  presentation_ms: v.optional(positive('the presentation time per sample in ms'), 20),
  gap_ms: v.optional(nonNegative('the gap between samples in ms'), 0),
  epochs: v.optional(positiveInt('the number of epochs'), 25),
  train_samples: v.optional(positiveInt('how many training samples an epoch uses (default: all)')),
  shuffle: v.optional(v.boolean('expected true or false'), true),
  evaluate_every: v.optional(positiveInt('evaluate on the test set every this many epochs'), 1),
  hsic_samples: v.optional(
    v.pipe(v.number('expected how many test samples the HSIC diagnostics use (an integer >= 0)'), v.check((x) => Number.isInteger(x) && x >= 0 && x <= 2 ** 31 - 1, 'expected how many test samples the HSIC diagnostics use (an integer >= 0; 0: none)')),
    500,
  ),
  readout_gain: v.optional(positive('the factor from readout spike counts to softmax logits'), 1),
  readout_loss: v.optional(v.picklist(['softmax', 'rate'], 'expected softmax or rate'), 'softmax'),
  readout_target_hz: v.optional(
    v.pipe(
      v.tuple([nonNegative('the target rate of a wrong-class readout neuron in Hz'), nonNegative('the target rate of the right-class readout neuron in Hz')], 'expected [low, high] target rates in Hz'),
      v.check(([lo, hi]) => hi > lo, 'expected the high target rate above the low one'),
    ),
    [5, 50],
  ),
});

export const MemoryExperimentSchema = v.strictObject({
  memory: v.strictObject({ type: v.string('expected the name of a memory circuit plugin'), params }),
  dims: v.strictObject({ x: positiveInt('the dimension of x'), y: positiveInt('the number of classes (dimension of y)'), z: positiveInt('the dimension of z (the layer size)') }),
  grid: v.optional(
    v.record(v.string(), v.pipe(v.array(v.union([v.number(), v.string(), v.boolean()]), 'expected a list of parameter values'), v.minLength(1, 'expected at least one value')), 'expected a mapping of memory parameter to a list of values'),
    {},
  ),
  test_samples: v.optional(positiveInt('the number of held-out samples per grid point'), 300),
  wait_ms: v.optional(positive('how long after each sample the signal may take, in ms'), 100),
  stream: v.optional(
    v.strictObject({
      x_mean: v.optional(v.number(), 0.5),
      x_sd: v.optional(positive('the sd of x'), 0.5),
      z_mean: v.optional(v.number(), 0),
      z_sd: v.optional(positive('the sd of z'), 1),
    }),
    {},
  ),
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
  max_pending_events: v.optional(v.pipe(v.number('expected an integer >= 1'), v.check((x) => Number.isSafeInteger(x) && x >= 1, 'expected an integer >= 1')), 50_000_000),
});

export const ScenarioSchema = v.strictObject({
  name: v.optional(NameSchema),
  description: v.optional(v.string()),
  seed: v.optional(
    v.pipe(v.number('expected an integer seed >= 0'), v.check((x) => Number.isSafeInteger(x) && x >= 0, 'expected an integer seed from 0 to 2^53-1')),
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
export type TrainingSpec = v.InferOutput<typeof TrainingSchema>;
export type MemoryExperimentSpec = v.InferOutput<typeof MemoryExperimentSchema>;

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
