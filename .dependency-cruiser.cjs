/**
 * The layers of engram and what each may import (docs/architecture.md):
 *
 *   cli/ -> index.ts (re-exports only) -> app/ -> scenario/ -> training/ -> core/
 *                                          app/ -> plugins/ (the built-in modules)
 *   plugins/ -> training/, core/  (and other plugins)
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
      comment: 'The kernel knows no training protocol, scenario file, plugin, application code, CLI or the public face.',
      severity: 'error',
      from: { path: `^core/.*${notTest}` },
      to: { path: '^(training|scenario|app|cli|plugins|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'training-on-core',
      comment: 'The training layer (protocol, memory experiments, HSIC, datasets) builds on the kernel only.',
      severity: 'error',
      from: { path: `^training/.*${notTest}` },
      to: { path: '^(scenario|app|cli|plugins|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'scenario-on-training-and-core',
      comment: 'Scenarios (format, load, plan, construct) build on training and the kernel; they name no plugin.',
      severity: 'error',
      from: { path: `^scenario/.*${notTest}` },
      to: { path: '^(app|cli|plugins|bench|test)/|^index\\.ts$' },
    },
    {
      name: 'plugins-import-core',
      comment:
        'A plugin builds on the kernel and the training contracts (and on other plugins), never on scenarios, the application layer, the CLI or index.ts.',
      severity: 'error',
      from: { path: `^plugins/.*${notTest}` },
      to: { path: '^(scenario|app|cli|bench|test)/|^index\\.ts$' },
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
      to: { path: '^(app|scenario|training|core|plugins|bench|test)/' },
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
