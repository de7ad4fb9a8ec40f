/**
 * engram new plugin, as a new user would use it: scaffold each kind into a folder outside the
 * repository, install engram and vitest beside it (here: links to this checkout and its
 * vitest, what `npm install` would give), run the generated test, and run the scenario with the
 * CLI. A generated test must be able to fail: one with a changed scenario does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scaffoldKinds } from '../index.js';
import { tempDir } from './helpers.js';

const cli = path.resolve('dist/cli/engram.js');
const vitest = path.resolve('node_modules/vitest/vitest.mjs');

function scaffold(dir: string, kind: string, name: string, ...more: string[]) {
  const r = spawnSync(process.execPath, [cli, 'new', 'plugin', name, '--kind', kind, '--dir', dir, ...more], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  mkdirSync(`${dir}/node_modules`);
  symlinkSync(path.resolve('.'), `${dir}/node_modules/engram`);
  symlinkSync(path.resolve('node_modules/vitest'), `${dir}/node_modules/vitest`);
  symlinkSync(path.resolve('node_modules/typescript'), `${dir}/node_modules/typescript`);
  return r.stdout;
}

function runTests(dir: string) {
  const r = spawnSync(process.execPath, [vitest, 'run'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' } });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal colour codes
  return { status: r.status, text: (r.stdout + r.stderr).replace(/\x1b\[[0-9;]*m/g, '') };
}

describe('engram new plugin', () => {
  for (const kind of scaffoldKinds)
    it(`makes a ${kind} plugin package whose own test passes and whose scenario runs`, () => {
      const tmp = tempDir();
      const dir = `${tmp.dir}/my-${kind}`;
      const said = scaffold(dir, kind, `my-${kind}`);
      expect(said).toBe(
        `wrote ${dir}/: my-${kind}.js, scenario.yaml, my-${kind}.test.js, package.json, README.md\nnext: cd ${dir} && npm install && npm test   (npx engram run scenario.yaml to run it)\n`,
      );
      expect(readFileSync(`${dir}/my-${kind}.js`, 'utf8')).toContain(`name: 'my-${kind}'`);
      expect(JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'))).toMatchObject({ type: 'module', scripts: { test: 'vitest run' } });
      const tests = runTests(dir);
      expect(tests.text).toMatch(/Tests +1 passed/);
      expect(tests.status).toBe(0);
      const run = spawnSync(process.execPath, [cli, 'run', 'scenario.yaml', '--out', 'out', '--quiet'], { cwd: dir, encoding: 'utf8' });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      tmp.done();
    }, 60_000);

  it('--ts makes TypeScript plugins that type-check strictly against engram and load directly', () => {
    const tmp = tempDir();
    for (const kind of scaffoldKinds) {
      const dir = `${tmp.dir}/${kind}`;
      scaffold(dir, kind, `ts-${kind}`, '--ts');
      expect(readFileSync(`${dir}/scenario.yaml`, 'utf8')).toContain(`./ts-${kind}.ts`);
      // The generated tests of two kinds (each kind's JavaScript twin is run above).
      if (kind === 'plasticity' || kind === 'memory') expect(runTests(dir).text).toMatch(/Tests +1 passed/);
    }
    // Each package's own tsconfig.json, checked in one tsc run over all five (a project of projects).
    const config = JSON.parse(readFileSync(`${tmp.dir}/neuron/tsconfig.json`, 'utf8'));
    writeFileSync(`${tmp.dir}/tsconfig.json`, JSON.stringify({ ...config, include: scaffoldKinds.map((k) => `${k}/*.ts`) }));
    const tsc = spawnSync(process.execPath, [path.resolve('node_modules/typescript/bin/tsc'), '-p', tmp.dir], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    tmp.done();
  }, 120_000);

  it('a generated test fails when the plugin does not do what it checks', () => {
    const tmp = tempDir();
    const dir = `${tmp.dir}/p`;
    scaffold(dir, 'plasticity', 'p');
    // A larger increment: the hand-computed weights no longer hold.
    writeFileSync(`${dir}/scenario.yaml`, readFileSync(`${dir}/scenario.yaml`, 'utf8').replace('eta: 0.1', 'eta: 0.2'));
    const tests = runTests(dir);
    expect(tests.status).not.toBe(0);
    expect(tests.text).toMatch(/Tests +1 failed/);
    tmp.done();
  }, 60_000);

  it('refuses a bad name, an unknown kind and a folder with files in it (exit 2)', () => {
    const tmp = tempDir();
    const bad = spawnSync(process.execPath, [cli, 'new', 'plugin', 'My Rule', '--kind', 'plasticity', '--dir', `${tmp.dir}/x`], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('expected lower-case letters, digits and dashes');
    expect(spawnSync(process.execPath, [cli, 'new', 'plugin', 'x', '--kind', 'synapse'], { encoding: 'utf8' }).status).toBe(2);
    writeFileSync(`${tmp.dir}/file`, 'x');
    const full = spawnSync(process.execPath, [cli, 'new', 'plugin', 'x', '--kind', 'neuron', '--dir', tmp.dir], { encoding: 'utf8' });
    expect(full.status).toBe(2);
    expect(full.stderr).toContain('expected a new or empty folder, found one with files in it');
    tmp.done();
  });
});
