/**
 * The scenario sections the training layer reads: `training` (the protocol, docs/training.md)
 * and `memory_experiment` (docs/memory-experiments.md). scenario/schema.ts places them in the
 * scenario file's structure.
 */
import * as v from 'valibot';
import { NameSchema, nonNegative, params, positive, positiveInt } from '../core/fields.js';

export const TrainingSchema = v.strictObject({
  dataset: v.strictObject({ type: v.string('expected the name of a dataset plugin'), params }),
  input: NameSchema,
  readout: NameSchema,
  layers: v.optional(
    v.array(
      v.strictObject({ population: NameSchema, memory: v.strictObject({ type: v.string('expected the name of a memory circuit plugin'), params }) }),
      'expected a list of {population, memory}',
    ),
    [],
  ),
  freeze: v.optional(
    v.union(
      [v.literal('all'), v.literal('none'), v.array(NameSchema)],
      'expected all, none, or a list of training layers (populations) whose incoming weights stay fixed',
    ),
    'none',
  ),
  stall_after_epochs: v.optional(positiveInt('the epoch from which the stall detector judges a training'), 3),
  presentation_ms: v.optional(positive('the presentation time per sample in ms'), 20),
  gap_ms: v.optional(nonNegative('the gap between samples in ms'), 0),
  settle_ms: v.optional(nonNegative('how long after a sample starts its responses begin to count, in ms'), 0),
  epochs: v.optional(positiveInt('the number of epochs'), 25),
  hidden_epochs: v.optional(positiveInt('how many epochs the training layers learn (later epochs train only the readout; default: all)')),
  train_samples: v.optional(positiveInt('how many training samples an epoch uses (default: all)')),
  shuffle: v.optional(v.boolean('expected true or false'), true),
  evaluate_every: v.optional(positiveInt('evaluate on the test set every this many epochs'), 1),
  hsic_samples: v.optional(
    v.pipe(
      v.number('expected how many test samples the HSIC diagnostics use (an integer >= 0)'),
      v.check((x) => Number.isInteger(x) && x >= 0 && x <= 2 ** 31 - 1, 'expected how many test samples the HSIC diagnostics use (an integer >= 0; 0: none)'),
    ),
    500,
  ),
  readout_gain: v.optional(positive('the factor from readout spike counts to softmax logits'), 1),
  graded_read: v.optional(v.picklist(['end', 'mean'], 'expected end or mean'), 'end'),
  readout_loss: v.optional(v.picklist(['softmax', 'rate'], 'expected softmax or rate'), 'softmax'),
  readout_target_hz: v.optional(
    v.pipe(
      v.tuple(
        [nonNegative('the target rate of a wrong-class readout neuron in Hz'), nonNegative('the target rate of the right-class readout neuron in Hz')],
        'expected [low, high] target rates in Hz',
      ),
      v.check(([lo, hi]) => hi > lo, 'expected the high target rate above the low one'),
    ),
    [5, 50],
  ),
});

export const MemoryExperimentSchema = v.strictObject({
  memory: v.strictObject({ type: v.string('expected the name of a memory circuit plugin'), params }),
  dims: v.strictObject({
    x: positiveInt('the dimension of x'),
    y: positiveInt('the number of classes (dimension of y)'),
    z: positiveInt('the dimension of z (the layer size)'),
  }),
  grid: v.optional(
    v.record(
      v.string(),
      v.pipe(v.array(v.union([v.number(), v.string(), v.boolean()]), 'expected a list of parameter values'), v.minLength(1, 'expected at least one value')),
      'expected a mapping of memory parameter to a list of values',
    ),
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

export type TrainingSpec = v.InferOutput<typeof TrainingSchema>;
export type MemoryExperimentSpec = v.InferOutput<typeof MemoryExperimentSchema>;
