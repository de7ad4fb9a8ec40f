/**
 * The layers of engram and what each may import (docs/architecture.md):
 *
 *   cli/ -> index.ts (re-exports only) -> app/ -> core/      plugins/ -> core/
 *                                          app/ -> plugins/ (the built-in modules)
 *
 * `npm test` runs `depcruise` with these rules (`npm run -s deps`): a violation or an import cycle fails it.
 * Tests (*.test.ts, test/) and benchmarks may import any layer; nothing may import them.
 */
const notTest = '(?<!\\.test)\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycle',
      comment: 'No module may reach itself through its imports, type-only imports included.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      comment: 'The kernel knows no plugin, application code, CLI or the public face.',
      severity: 'error',
      from: { path: `^core/.*${notTest}` },
      to: { path: '^(app|cli|plugins|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'plugins-import-core',
      comment: 'A plugin builds on the kernel (and on other plugins), never on the application layer, the CLI or index.ts.',
      severity: 'error',
      from: { path: `^plugins/.*${notTest}` },
      to: { path: '^(app|cli|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'app-not-upwards',
      comment: 'The application layer (run, checkpoints, sweeps, export, plots) does not import the face or the CLI.',
      severity: 'error',
      from: { path: `^app/.*${notTest}` },
      to: { path: '^(cli|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'cli-through-the-face',
      comment: 'The CLI is a thin layer over the public API: it imports index.ts only.',
      severity: 'error',
      from: { path: `^cli/.*${notTest}` },
      to: { path: '^(app|core|plugins|bench|test)/' },
    },
    {
      name: 'index-is-a-face',
      comment: 'index.ts re-exports the layers below it; it never imports the CLI, tests or benchmarks.',
      severity: 'error',
      from: { path: '^index\\.ts$' },
      to: { path: '^(cli|bench|test)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|out|node_modules)/' },
  },
};
