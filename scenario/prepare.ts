import { datasetShape, type Dataset, type DatasetShape } from '../core/contracts.js';
import { EngramError, ParamError, ScenarioError, type FieldPath } from '../core/errors.js';
import { resolveParams } from '../core/params.js';
import type { PluginRegistry } from '../core/registry.js';
import { Rng } from '../core/rng.js';
import type { LoadedScenario } from './load.js';
import { firstLine } from './problems.js';

export interface PreparedTraining {
  readonly name: string;
  /** What the dataset is: enough to plan. */
  readonly shape: DatasetShape;
  /** The samples, when loaded (needed to construct). */
  readonly dataset?: Dataset;
}

/**
 * Resolves and loads a training scenario's dataset (which may read files, hence async) before
 * the network is built, so that its size can fix the run's length and be checked against the
 * input and readout populations.
 */
export async function prepareTraining(
  loaded: LoadedScenario,
  registry: PluginRegistry,
  options: { load?: boolean } = {},
): Promise<PreparedTraining | undefined> {
  const tr = loaded.scenario.training;
  if (!tr) return undefined;
  const locate = (p: FieldPath, onKey = false) => loaded.source.locate(p, onKey);
  const plugin = registry.dataset.get(tr.dataset.type);
  if (!plugin) {
    throw new ScenarioError([
      {
        location: locate(['training', 'dataset', 'type']),
        path: 'training.dataset.type',
        expected: `a dataset: ${registry.dataset.names().join(', ') || '(none registered)'}`,
        found: `unknown dataset "${tr.dataset.type}"`,
      },
    ]);
  }
  const { values, diagnostics } = resolveParams(`dataset ${plugin.name}`, plugin.params, tr.dataset.params, ['training', 'dataset', 'params'], locate);
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  try {
    const ctx = { params: values, rng: Rng.derive(loaded.scenario.seed, 'dataset'), baseDir: loaded.dir };
    // Planning alone needs only the shape; a plugin that cannot give it without loading is loaded.
    if (options.load === false && plugin.shape) return { name: plugin.name, shape: plugin.shape(ctx) };
    const dataset = await plugin.create(ctx);
    return { name: plugin.name, shape: datasetShape(dataset), dataset };
  } catch (err) {
    if (err instanceof EngramError) throw err;
    if (err instanceof ParamError) {
      const p = ['training', 'dataset', 'params', err.param];
      const given = Object.hasOwn((tr.dataset.params ?? {}) as object, err.param);
      throw new ScenarioError([{ location: locate(given ? p : ['training', 'dataset']), path: p.join('.'), expected: err.expected, found: firstLine(err) }]);
    }
    throw new ScenarioError([{ location: locate(['training', 'dataset']), path: 'training.dataset', expected: 'a dataset that loads', found: firstLine(err) }]);
  }
}
