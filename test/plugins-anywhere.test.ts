/**
 * Plugins from any folder (scenario/plugin-hooks.ts): a plugin outside the checkout imports
 * from 'engram' with nothing installed beside it, in a folder without a package.json or with
 * npm init's CommonJS default, and TypeScript plugins load through esbuild. Each runs the
 * docs example (perfect-if) and must give the spikes of the copy shipped in docs/examples.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const cli = path.resolve('dist/cli/engram.js');
const example = path.resolve('docs/examples/perfect-if.js');
const scenario = (plugin: string) => readFileSync(path.resolve('docs/examples/perfect-if.yaml'), 'utf8').replace('./perfect-if.js', plugin);

function run(dir: string, file: string, out: string) {
  return spawnSync(process.execPath, [cli, 'run', file, '--out', out, '--quiet'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ENGRAM_DEBUG: '' } });
}

describe('plugins from any folder', () => {
  const reference = (() => {
    const tmp = tempDir();
    const r = run(path.resolve('docs/examples'), 'perfect-if.yaml', tmp.dir);
    if (r.status !== 0) throw new Error(r.stderr);
    const spikes = readFileSync(`${tmp.dir}/spikes/pif.csv`, 'utf8');
    tmp.done();
    return spikes;
  })();

  it('a hand-written ESM plugin in a bare folder (no package.json, no node_modules) imports engram and runs', () => {
    const tmp = tempDir();
    copyFileSync(example, `${tmp.dir}/pif.js`);
    writeFileSync(`${tmp.dir}/s.yaml`, scenario('./pif.js'));
    const r = run(tmp.dir, 's.yaml', `${tmp.dir}/out`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(`${tmp.dir}/out/spikes/pif.csv`, 'utf8')).toBe(reference);
    expect(reference.trim().split('\n').length).toBeGreaterThan(3);
    tmp.done();
  });

  it("in a folder whose package.json is npm init's CommonJS default, an ESM plugin still loads", () => {
    const tmp = tempDir();
    writeFileSync(`${tmp.dir}/package.json`, JSON.stringify({ name: 'my-plugins', version: '1.0.0', main: 'index.js' }));
    copyFileSync(example, `${tmp.dir}/pif.js`);
    writeFileSync(`${tmp.dir}/s.yaml`, scenario('./pif.js'));
    const r = run(tmp.dir, 's.yaml', `${tmp.dir}/out`);
    expect(r.status).toBe(0);
    expect(readFileSync(`${tmp.dir}/out/spikes/pif.csv`, 'utf8')).toBe(reference);
    tmp.done();
  });

  it('a TypeScript plugin loads through esbuild, its ./x.js imports finding x.ts', () => {
    const tmp = tempDir();
    // The example with type annotations, and its threshold arithmetic moved to a sibling module.
    const ts = readFileSync(example, 'utf8')
      .replace("from 'engram';", "from 'engram';\nimport { crossing } from './threshold.js';")
      .replace(
        'class PerfectIfPopulation {',
        'class PerfectIfPopulation {\n  size: number;\n  p: any;\n  sink: { spike(j: number, t: number): void };\n  v: Float64Array;\n  iext: Float64Array;\n  tLast: Float64Array;',
      )
      .replace('constructor(size, params, init, sink) {', 'constructor(size: number, params: any, init: Map<string, Float64Array>, sink: any) {')
      .replace('const tc = t0 + (th - this.v[j]) / slope;', 'const tc = crossing(t0, th - this.v[j], slope);');
    expect(ts).toContain('crossing(t0');
    writeFileSync(`${tmp.dir}/pif.ts`, ts);
    writeFileSync(
      `${tmp.dir}/threshold.ts`,
      'export function crossing(t0: number, distance: number, slope: number): number {\n  return t0 + distance / slope;\n}\n',
    );
    writeFileSync(`${tmp.dir}/s.yaml`, scenario('./pif.ts'));
    const r = run(tmp.dir, 's.yaml', `${tmp.dir}/out`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(readFileSync(`${tmp.dir}/out/spikes/pif.csv`, 'utf8')).toBe(reference);
    tmp.done();
  });

  it('a plugin whose own import cannot be found is refused at its plugins: entry, saying how to fix it', () => {
    const tmp = tempDir();
    writeFileSync(`${tmp.dir}/needs.js`, "import pad from 'left-pad-not-installed';\nexport default pad;\n");
    writeFileSync(`${tmp.dir}/s.yaml`, scenario('./needs.js'));
    const r = spawnSync(process.execPath, [cli, 'validate', 's.yaml'], { cwd: tmp.dir, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `s.yaml:5:11: plugins.0: expected a module that default-exports an inversify ContainerModule, found "./needs.js", which cannot be loaded: Cannot find package 'left-pad-not-installed' imported from ${tmp.dir}/needs.js (install it where the plugin is: cd ${tmp.dir} && npm install left-pad-not-installed; 'engram' itself needs nothing installed, engram provides it)`,
    );
    tmp.done();
  });
});
