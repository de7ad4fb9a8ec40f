/**
 * Module hooks for the plugin files a scenario loads (docs/plugins.md, "Plugins from any
 * folder"). Registered once, the first time a scenario names plugins:
 *
 * - `import ... from 'engram'` resolves to the running engram, from any folder: a plugin
 *   needs nothing installed beside it, and there is one engram per process (its tokens and
 *   classes are the ones the registry knows).
 * - `.ts`, `.mts` and `.cts` files are transpiled by esbuild (types stripped, no type check);
 *   a TypeScript file's `./x.js` import finds `./x.ts`, TypeScript's own convention.
 * - A `.js` file outside node_modules that Node would read as CommonJS (no package.json with
 *   `"type": "module"` above it: npm init's default) but that uses `import`/`export` is read
 *   as an ES module, as Node 22 does by default.
 *
 * Node runs the hooks in a thread of their own, from the source below (a data: URL, so that
 * the same code serves the compiled package and the TypeScript sources under test).
 */
import { createRequire, register } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { engramPackageRoot } from '../core/files.js';

const hooks = `
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
let engram, esbuildUrl, esbuild;
export async function initialize(data) {
  engram = data.engram;
  esbuildUrl = data.esbuild;
}
export async function resolve(specifier, context, next) {
  if (specifier === 'engram') return { url: engram, shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (err) {
    const parent = context.parentURL ?? '';
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && /\\.[cm]?ts$/.test(parent) && /^\\.\\.?\\//.test(specifier) && /\\.[cm]?js$/.test(specifier))
      return next(specifier.replace(/js$/, 'ts'), context);
    throw err;
  }
}
const esmSyntax = /^\\s*(import\\s*[\\w{*'"]|export\\s+(default|const|let|var|function|class|async|\\{|\\*))/m;
export async function load(url, context, next) {
  if (url.startsWith('file:') && /\\.[cm]?ts$/.test(url)) {
    esbuild ??= await import(esbuildUrl);
    const file = fileURLToPath(url);
    const out = await esbuild.transform(await readFile(file, 'utf8'), { loader: 'ts', format: 'esm', sourcefile: file, sourcemap: 'inline', target: 'node20' });
    return { format: 'module', source: out.code, shortCircuit: true };
  }
  const result = await next(url, context);
  if (result.format === 'commonjs' && url.startsWith('file:') && url.endsWith('.js') && !url.includes('/node_modules/')) {
    const source = await readFile(fileURLToPath(url), 'utf8');
    if (esmSyntax.test(source)) return { format: 'module', source, shortCircuit: true };
  }
  return result;
}
`;

let registered = false;

/** Registers the hooks (once per process). */
export function registerPluginHooks(): void {
  if (registered) return;
  registered = true;
  const root = engramPackageRoot();
  const engram = pathToFileURL(path.join(root, 'dist', 'index.js')).href;
  // Wherever npm put it (beside engram, or hoisted into the project that installed engram).
  const esbuild = pathToFileURL(createRequire(import.meta.url).resolve('esbuild')).href;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { engram, esbuild } });
}
