/** `engram memory train`: a layer's memory circuit trained a priori and saved to a file. */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { prepareTraining } from '../scenario/prepare.js';
import { EngramError, ScenarioError } from '../core/errors.js';
import { resolveParams } from '../core/params.js';
import { Rng } from '../core/rng.js';
import { loadScenario } from '../scenario/load.js';
import { scenarioRegistry, type OpenOptions } from './open.js';
import { ensureOutputFolder } from './output-folder.js';

export interface TrainMemoryOptions extends OpenOptions {
  /** The layer (a population of training.layers) whose memory to train; default: the first whose memory can be trained. */
  layer?: string;
  /** The file to write. */
  out: string;
  /** Continue an unfinished training saved in `out`. */
  resume?: boolean;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Trains the memory circuit of one layer of a training scenario a priori, on random data, and
 * saves it: what `engram memory train` does. The circuit is the one the scenario would train at
 * build time (same parameters, same seed), so a scenario can load the file instead.
 */
export async function trainMemory(file: string, options: TrainMemoryOptions): Promise<Record<string, unknown>> {
  const loaded = await loadScenario(file, options);
  // The file to write is checked before the (long) training, never after it.
  const target = statSync(options.out, { throwIfNoEntry: false });
  if (target?.isDirectory()) throw new EngramError(`--out ${options.out}: expected the file to write, found a folder`);
  ensureOutputFolder(path.dirname(path.resolve(options.out)), `--out ${options.out}: its folder`);
  const registry = await scenarioRegistry(loaded, options.modules);
  const prepared = await prepareTraining(loaded, registry, { load: false });
  const tr = loaded.scenario.training;
  if (!tr || !prepared) throw new EngramError(`${file}: no training section: memory train needs a scenario whose training.layers name memory circuits`);
  const trainable = tr.layers.map((l, i) => ({ l, i, plugin: registry.memory.get(l.memory.type) })).filter((c) => c.plugin?.pretrain);
  const chosen = options.layer === undefined ? trainable[0] : trainable.find((c) => c.l.population === options.layer);
  if (!chosen) {
    const names = trainable.map((c) => c.l.population);
    throw new EngramError(
      options.layer === undefined
        ? `${file}: no layer has a memory circuit that is trained before use (e.g. type reservoir)`
        : `${file}: --layer ${options.layer}: expected a layer whose memory is trained before use: ${names.join(', ') || '(none)'}`,
    );
  }
  const locate = (p: readonly (string | number)[], onKey = false) => loaded.source.locate(p, onKey);
  const base = ['training', 'layers', chosen.i, 'memory', 'params'];
  const { values, diagnostics } = resolveParams(
    `memory circuit ${chosen.plugin!.name}`,
    chosen.plugin!.params,
    chosen.l.memory.params,
    base,
    locate,
    chosen.plugin!.check,
  );
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  const population = loaded.scenario.populations[chosen.l.population];
  const dims = { x: prepared.shape.nFeatures, y: prepared.shape.nClasses, z: population.size };
  try {
    // The seed the scenario's build would use for this layer's circuit.
    const seed = Rng.derive(loaded.scenario.seed, `memory/${chosen.l.population}`).int(2 ** 31);
    return {
      layer: chosen.l.population,
      dims,
      ...(await chosen.plugin!.pretrain!({ params: values, dims, seed, out: options.out, resume: options.resume ?? false, onProgress: options.onProgress })),
    };
  } catch (err) {
    if (err instanceof EngramError) throw err;
    throw new EngramError(`${file}: training the memory of ${chosen.l.population}: ${(err as Error).message}`);
  }
}
