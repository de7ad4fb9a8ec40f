/** `engram export`: a scenario as a script for Brian2 or PyNN. */
import { scenarioRegistry, validateScenario, type OpenOptions } from '../open.js';
import { exportBrian2 } from './brian2.js';
import { exportPynn } from './pynn.js';

export { exportBrian2, exportPynn };

/**
 * A scenario as a script for another simulator (`engram export`): Brian2 or PyNN.
 * Validates the scenario first; features with no equivalent are refused by name.
 */
export async function exportScenario(file: string, to: 'brian2' | 'pynn', options: OpenOptions = {}): Promise<string> {
  const loaded = await validateScenario(file, options);
  const registry = await scenarioRegistry(loaded, options.modules);
  return to === 'pynn' ? exportPynn(loaded, registry) : exportBrian2(loaded, registry);
}
