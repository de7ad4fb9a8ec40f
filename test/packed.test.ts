/**
 * engram as a new user gets it (issue 22's integration test): `npm pack` this checkout, make
 * a plugin project in a temporary folder outside the repository, `npm install` the tarball
 * and vitest there, scaffold a plasticity and a memory plugin with the installed
 * `engram new plugin`, run their generated tests (which run their scenarios and check the
 * hand-computed weight change and the bit-identity with the built-in ideal window), and run a
 * scenario that loads the plasticity plugin by path with the installed CLI.
 *
 * npm installs from its cache first (`npm ci` filled it), then from the registry.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const npm = (args: string[], cwd: string) => spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });

describe('the packed package', () => {
  it('installs into a fresh project, scaffolds plugins whose tests pass, and runs them', () => {
    const tmp = tempDir();
    // --ignore-scripts: dist is built already (prepare would rebuild it under running tests).
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', tmp.dir], path.resolve('.'));
    expect(pack.status).toBe(0);
    const tarball = path.join(tmp.dir, pack.stdout.trim().split('\n').pop()!);
    const project = path.join(tmp.dir, 'my-plugins');
    execFileSync('mkdir', [project]);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-plugins', version: '1.0.0', type: 'module' }));
    const vitestVersion = JSON.parse(readFileSync('package.json', 'utf8')).devDependencies.vitest;
    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball, `vitest@${vitestVersion}`], project);
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    const engram = path.join(project, 'node_modules', '.bin', 'engram');
    const vitest = path.join(project, 'node_modules', '.bin', 'vitest');
    for (const [kind, name] of [
      ['plasticity', 'my-rule'],
      ['memory', 'my-memory'],
    ]) {
      const made = spawnSync(engram, ['new', 'plugin', name, '--kind', kind], { cwd: project, encoding: 'utf8' });
      expect(made.status).toBe(0);
      const tests = spawnSync(vitest, ['run'], { cwd: path.join(project, name), encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: 'true' } });
      expect(tests.stdout + tests.stderr).toMatch(/Tests +1 passed/);
      expect(tests.status).toBe(0);
    }
    // The plasticity plugin by path from a scenario elsewhere in the project, with the installed CLI.
    writeFileSync(
      path.join(project, 'uses-my-rule.yaml'),
      readFileSync(path.join(project, 'my-rule', 'scenario.yaml'), 'utf8').replace('./my-rule.js', './my-rule/my-rule.js'),
    );
    const run = spawnSync(engram, ['run', 'uses-my-rule.yaml', '--out', 'out', '--quiet'], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const final = readFileSync(path.join(project, 'out', 'weights', 'learned.csv'), 'utf8')
      .trimEnd()
      .split('\n')[1]
      .split(',');
    // Post neuron 0 fires at 11 and 51 ms; pre arrivals at 13, 31, 53, 54 ms: 0.5 + 0.1 - 0.01 + 0.1 + 0.1.
    expect(Number(final[3])).toBeCloseTo(0.79, 12);
    tmp.done();
  }, 240_000);
});
