/**
 * `engram new plugin`: a working plugin package to start from, like `npm create`. It is made
 * from the tested examples in docs/examples (one per kind), renamed, with a scenario that
 * uses the plugin, a vitest test that runs the scenario and checks a hand-computed result,
 * a package.json and a README. The folder works wherever it is: engram resolves itself for
 * the plugins it loads (docs/plugins.md, "Plugins from any folder"); the test needs engram and
 * vitest installed beside it (`npm install`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EngramError } from '../core/errors.js';
import { engramPackageRoot } from '../core/files.js';

/** The kinds `engram new plugin` makes, and the example each starts from. */
const TEMPLATES: Record<ScaffoldKind, { example: string; scenario: string | undefined }> = {
  neuron: { example: 'perfect-if', scenario: 'perfect-if.yaml' },
  plasticity: { example: 'clipped-hebb', scenario: 'clipped-hebb.yaml' },
  memory: { example: 'late-window', scenario: undefined },
  input: { example: 'regular-train', scenario: undefined },
  recorder: { example: 'spike-counter', scenario: undefined },
};

/** The kinds of plugin `engram new plugin` makes. */
export type ScaffoldKind = 'neuron' | 'plasticity' | 'memory' | 'input' | 'recorder';
export const scaffoldKinds = Object.keys(TEMPLATES) as ScaffoldKind[];

/** The scenario each kind's test runs, with NAME for the plugin's name. */
function scenarioFor(kind: ScaffoldKind, examples: string): string {
  const t = TEMPLATES[kind];
  if (t.scenario) return readFileSync(path.join(examples, t.scenario), 'utf8').replaceAll(t.example, 'NAME');
  if (kind === 'input')
    return `# The input NAME drives three parrot neurons; the spikes of both are recorded.
name: NAME-demo
duration_ms: 50
plugins: [./NAME.js]
inputs:
  clock: {type: NAME, size: 3, params: {period_ms: 10, phase_ms: 1, stagger_ms: 2.5}}
populations:
  relay: {model: parrot, size: 3}
projections:
  - {from: clock, to: relay, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
recorders:
  - {type: spikes}
`;
  if (kind === 'recorder')
    return `# The recorder NAME counts the spikes of generator neurons that fire at given times.
name: NAME-demo
duration_ms: 50
plugins: [./NAME.js]
inputs:
  src: {type: spike-source, size: 3, params: {spike_times_ms: [[1, 2, 3], [10], []]}}
populations:
  relay: {model: parrot, size: 3}
projections:
  - {from: src, to: relay, connector: {type: one_to_one}, weight: 1, delay_ms: 1, receptor: repeat}
recorders:
  - {type: NAME}
`;
  // memory: xor with graded layers (engram's scenarios/xor-rate.yaml), the memory of both hidden layers NAME.
  const xor = readFileSync(path.join(examples, '..', '..', 'scenarios', 'xor-rate.yaml'), 'utf8');
  const body = xor.slice(xor.indexOf('\nname:') + 1).replace(/memory: \{type: ideal-window, params: \{([^}]*)\}\}/g, (_m, p: string) => {
    const kept = p.replace(/, normalize_z: true/, '');
    return `memory: {type: NAME, params: {${kept}, lag: 0}}`;
  });
  return `# xor with graded layers (engram's scenarios/xor-rate.yaml), the memory of both hidden
# layers the memory circuit NAME.
plugins: [./NAME.js]
${body.replace(/^name: .*$/m, 'name: NAME-demo').replace(/epochs: \d+/, 'epochs: 3')}`;
}

/** The test each kind's package gets: it runs the scenario and checks what the example's docs compute. */
function testFor(kind: ScaffoldKind): string {
  const head = `// Runs scenario.yaml with engram and checks a hand-computed result (npm test).
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runScenario } from 'engram';
import { expect, it } from 'vitest';

const here = path.dirname(new URL(import.meta.url).pathname);
const run = async (...set) => {
  const out = mkdtempSync(path.join(tmpdir(), 'NAME-'));
  const result = await runScenario(path.join(here, 'scenario.yaml'), { out, set });
  return { out, result, csv: (file) => readFileSync(path.join(out, file), 'utf8').trimEnd().split('\\n').slice(1).map((l) => l.split(',').map(Number)) };
};
`;
  const body: Record<ScaffoldKind, string> = {
    neuron: `
it('fires at the analytic crossing times', async () => {
  const { csv } = await run();
  const rows = csv('spikes/pif.csv');
  // Slope 0.1 nA / 0.25 nF = 0.4 mV/ms; a climb of 10 mV from reset takes 25 ms.
  expect(rows.filter((r) => r[1] === 0).map((r) => r[0])).toEqual([25, 50, 75, 100].map((t) => expect.closeTo(t, 9)));
});
`,
    plasticity: `
it('changes the weights as computed by hand', async () => {
  const { csv } = await run();
  // Post neuron 0 fires at 11 and 51 ms; pre arrivals at 13, 31, 53, 54 ms: +0.1, -0.01, +0.1, +0.1.
  // Post neuron 1 never fires: four decrements.
  const final = csv('weights/learned.csv').map((r) => r[3]);
  expect(final[0]).toBeCloseTo(0.79, 12);
  expect(final[1]).toBeCloseTo(0.46, 12);
});
`,
    memory: `
it('at lag 0 trains exactly as the built-in ideal window, and a lag changes the training', async () => {
  const history = (r) => readFileSync(path.join(r.out, 'history.csv'), 'utf8').split('\\n').map((l) => l.split(',').slice(0, -1).join(','));
  const mine = history(await run());
  const params = '{window: 10, sigma_x: 0.3, sigma_y: 0.25, sigma_z: 2, gamma: 10}';
  const ideal = history(
    await run(\`training.layers.0.memory={type: ideal-window, params: \${params}}\`, \`training.layers.1.memory={type: ideal-window, params: \${params}}\`),
  );
  expect(mine).toEqual(ideal);
  expect(history(await run('training.layers.0.memory.params.lag=2', 'training.layers.1.memory.params.lag=2'))).not.toEqual(ideal);
});
`,
    input: `
it('fires neuron i at 1 + 2.5 i + 10 n ms', async () => {
  const { csv } = await run();
  const expected = [0, 1, 2, 3, 4].flatMap((n) => [0, 1, 2].map((i) => [1 + 2.5 * i + 10 * n, i]));
  expect(csv('spikes/clock.csv')).toEqual(expected);
});
`,
    recorder: `
it('counts the spikes of each neuron', async () => {
  const { csv, result } = await run();
  expect(csv('counts/src.csv')).toEqual([[0, 3], [1, 1], [2, 0]]);
  expect(result.summary.recorders[0].src).toEqual({ spikes: 4 });
});
`,
  };
  return head + body[kind];
}

/** Writes a plugin package of `kind` named `name` into `dir`; returns the files written. */
export function scaffoldPlugin(options: { kind: ScaffoldKind; name: string; dir?: string; typescript?: boolean }): { dir: string; files: string[] } {
  const { kind, name } = options;
  const ext = options.typescript ? 'ts' : 'js';
  if (!(kind in TEMPLATES)) throw new EngramError(`--kind: expected one of ${scaffoldKinds.join(', ')}, found "${kind}"`);
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new EngramError(`NAME: expected lower-case letters, digits and dashes, starting with a letter (a plugin name), found "${name}"`);
  const dir = options.dir ?? name;
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new EngramError(`--dir ${dir}: expected a new or empty folder, found one with files in it`);
  const examples = path.join(engramPackageRoot(), 'docs', 'examples');
  const t = TEMPLATES[kind];
  // The TypeScript versions (docs/examples/ts) type-check strictly against engram's types.
  const plugin = readFileSync(path.join(examples, ...(options.typescript ? ['ts', `${t.example}.ts`] : [`${t.example}.js`])), 'utf8')
    .replace(`name: '${t.example}'`, `name: '${name}'`)
    .replace(/, loaded by path from [\w.-]+\.yaml/, `, loaded by path from scenario.yaml`)
    .replace(/\(docs example\)/g, `(made by engram new plugin from the ${t.example} example)`);
  // The generated package pins the versions this engram is built and tested with.
  const own = JSON.parse(readFileSync(path.join(engramPackageRoot(), 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
  const devDependencies: Record<string, string> = { engram: `^${own.version}`, vitest: own.devDependencies.vitest };
  if (options.typescript) devDependencies.typescript = own.devDependencies.typescript;
  const files: Record<string, string> = {
    [`${name}.${ext}`]: plugin,
    'scenario.yaml': scenarioFor(kind, examples).replaceAll('./NAME.js', `./NAME.${ext}`).replaceAll('NAME', name),
    [`${name}.test.js`]: testFor(kind).replaceAll('NAME', name),
    'package.json': `${JSON.stringify(
      {
        name: `engram-plugin-${name}`,
        version: '0.1.0',
        private: true,
        type: 'module',
        description: `an engram ${kind} plugin: ${name}`,
        scripts: { test: 'vitest run', start: 'engram run scenario.yaml', ...(options.typescript ? { typecheck: 'tsc' } : {}) },
        devDependencies,
      },
      null,
      2,
    )}\n`,
    'README.md': `# ${name}

An engram ${kind} plugin, made by \`engram new plugin --kind ${kind} ${name}\` from engram's
\`${t.example}\` example (engram's docs/plugins.md explains every part).

- \`${name}.${ext}\`: the plugin (a module whose default export is an inversify ContainerModule${options.typescript ? '; engram loads TypeScript directly, `npm run typecheck` checks its types' : ''}).
- \`scenario.yaml\`: a scenario that loads it by path (\`plugins: [./${name}.js]\`).
- \`${name}.test.js\`: runs the scenario and checks a hand-computed result.

\`\`\`
npm install        # engram and vitest
npm test
npx engram run scenario.yaml --out out
\`\`\`

The plugin loads from any folder: engram provides \`import ... from 'engram'\` to the plugins
it loads. Plugins are code: they run with your rights.
`,
  };
  if (options.typescript)
    files['tsconfig.json'] = `${JSON.stringify(
      {
        compilerOptions: { target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: true },
        include: ['*.ts'],
      },
      null,
      2,
    )}\n`;
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(dir, file), text);
  return { dir, files: Object.keys(files) };
}
