import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLoaded } from '../index.js';
import { loadScenario } from '../scenario/load.js';

// A plugin published as a package: it depends on inversify only and names the contract by
// its global token symbol. The folder sits inside the repository so that 'inversify' resolves.
const root = path.join(import.meta.dirname, '..', '.test-tmp', `pkg-${process.pid}`);
const pkg = path.join(root, 'node_modules', 'engram-spike-count');

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('scenario plugins', () => {
  it('load by package name, resolved from the scenario folder', async () => {
    mkdirSync(pkg, { recursive: true });
    writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'engram-spike-count', type: 'module', main: 'index.js' }));
    writeFileSync(
      path.join(pkg, 'index.js'),
      `import { ContainerModule } from 'inversify';
import { writeFile, mkdir } from 'node:fs/promises';
const SpikeCount = {
  name: 'spike-count',
  description: 'writes the number of spikes of each population',
  params: [],
  create(ctx) {
    const counts = new Map();
    for (const [name, view] of ctx.populations) {
      counts.set(name, 0);
      view.addSpikeListener({ onSpike: () => counts.set(name, counts.get(name) + 1) });
    }
    return {
      async write(out) {
        await mkdir(out, { recursive: true });
        await writeFile(out + '/counts.json', JSON.stringify(Object.fromEntries(counts)));
        return ['counts.json'];
      },
    };
  },
};
export default new ContainerModule(({ bind }) => { bind(Symbol.for('engram.Recorder')).toConstantValue(SpikeCount); });
`,
    );
    const scenario = path.join(root, 'scenario.yaml');
    writeFileSync(
      scenario,
      `duration_ms: 30
plugins: [engram-spike-count]
populations:
  n: {model: lif, size: 3, params: {I_e_nA: 0.5}}
recorders:
  - {type: spike-count}
`,
    );
    const sim = await buildLoaded(await loadScenario(scenario));
    sim.run();
    await sim.writeOutputs(path.join(root, 'out'));
    const counts = JSON.parse(readFileSync(path.join(root, 'out', 'counts.json'), 'utf8'));
    expect(counts).toEqual({ n: sim.summary().populations.n.spikes });
    expect(counts.n).toBe(6); // 3 neurons, analytic period 15.86 ms: spikes at 13.86 and 29.73 ms
  });

  it('refuse a module whose default export is not a ContainerModule', async () => {
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'not-a-module.js'), 'export default 42;\n');
    const scenario = path.join(root, 'bad.yaml');
    writeFileSync(scenario, 'duration_ms: 10\nplugins: [./not-a-module.js]\npopulations:\n  n: {model: lif, size: 1}\n');
    await expect(buildLoaded(await loadScenario(scenario))).rejects.toThrow(
      /bad\.yaml:2:11: plugins\.0: expected a module that default-exports an inversify ContainerModule, found "\.\/not-a-module\.js" with default export 42/,
    );
  });
});
