import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ContainerModule } from 'inversify';
import { describeValue, formatLocation, ScenarioError, type Diagnostic, type FieldPath } from '../core/errors.js';
import type { PluginSource } from '../core/registry.js';
import type { LoadedScenario } from './load.js';
import { firstLine } from './problems.js';
import { notARegularFile } from '../core/files.js';
import { registerPluginHooks } from './plugin-hooks.js';

/**
 * Imports the plugin modules a scenario names (`plugins:`), relative to the scenario file or
 * as package names. Each must default-export an inversify ContainerModule.
 */
export async function loadScenarioPlugins(loaded: LoadedScenario): Promise<PluginSource[]> {
  const modules: PluginSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const req = createRequire(path.join(loaded.dir, 'scenario.js'));
  for (const [i, spec] of loaded.scenario.plugins.entries()) {
    const where: FieldPath = ['plugins', i];
    const expected = 'a module that default-exports an inversify ContainerModule';
    let mod: { default?: unknown };
    try {
      const isPath = spec.startsWith('.') || path.isAbsolute(spec);
      const resolved = isPath ? path.resolve(loaded.dir, spec) : req.resolve(spec);
      const why = notARegularFile(resolved);
      if (why) throw new Error(why);
      registerPluginHooks();
      mod = await import(pathToFileURL(resolved).href);
    } catch (err) {
      diagnostics.push({
        location: loaded.source.locate(where),
        path: `plugins.${i}`,
        expected,
        found: `"${spec}", which cannot be loaded: ${firstLine(err)}${importHint(err)}`,
      });
      continue;
    }
    const m = mod.default as { load?: unknown; id?: unknown } | undefined;
    if (!m || typeof m !== 'object' || typeof m.load !== 'function') {
      diagnostics.push({
        location: loaded.source.locate(where),
        path: `plugins.${i}`,
        expected,
        found: `"${spec}" with default export ${describeValue(mod.default)}`,
      });
      continue;
    }
    const at = formatLocation(loaded.source.locate(where));
    modules.push({ module: m as ContainerModule, origin: { description: `from ${spec}, plugins.${i} at ${at}`, field: where } });
  }
  if (diagnostics.length) throw new ScenarioError(diagnostics);
  return modules;
}

/** How to fix a plugin whose own imports cannot be found (engram itself always can). */
function importHint(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const m = /Cannot find (?:package|module) '([^']+)' imported from (.+)$/.exec(firstLine(err));
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !m) return '';
  const [, wanted, from] = m;
  if (wanted.startsWith('.') || wanted.startsWith('/')) return ` (check the path: it is relative to ${path.dirname(from)})`;
  return ` (install it where the plugin is: cd ${path.dirname(from)} && npm install ${wanted
    .split('/')
    .slice(0, wanted.startsWith('@') ? 2 : 1)
    .join('/')}; 'engram' itself needs nothing installed, engram provides it)`;
}
