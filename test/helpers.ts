import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ContainerModule } from 'inversify';
import { buildLoaded } from '../index.js';
import type { SpikeListener } from '../core/contracts.js';
import { parseScenario } from '../scenario/load.js';
import type { Simulation } from '../core/simulation.js';

/** Builds a scenario given as YAML text (file name test.yaml, relative paths from test/). */
export async function build(yaml: string, modules: readonly ContainerModule[] = [], set: string[] = []): Promise<Simulation> {
  return buildLoaded(parseScenario(yaml, path.join(import.meta.dirname, 'test.yaml'), { set }), modules);
}

/** Records every spike of one population in emission order. */
export function listen(sim: Simulation, population: string): { t: number[]; i: number[] } {
  const log = { t: [] as number[], i: [] as number[] };
  const listener: SpikeListener = { onSpike: (i, t) => (log.t.push(t), log.i.push(i)) };
  sim.populations.get(population)!.addSpikeListener(listener);
  return log;
}

export function tempDir(): { dir: string; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'engram-test-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Parses a CSV file with a header into rows of numbers. */
export function readCsv(file: string): { header: string[]; rows: number[][] } {
  const [head, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  return { header: head.split(','), rows: lines.map((l) => l.split(',').map(Number)) };
}

/** Classic fourth-order Runge-Kutta for dy/dt = f(t, y), fixed step. */
export function rk4(f: (t: number, y: number[]) => number[], y0: number[], t0: number, t1: number, steps: number): number[] {
  let y = y0.slice();
  const h = (t1 - t0) / steps;
  for (let n = 0; n < steps; n++) {
    const t = t0 + n * h;
    const k1 = f(t, y);
    const k2 = f(
      t + h / 2,
      y.map((v, i) => v + (h / 2) * k1[i]),
    );
    const k3 = f(
      t + h / 2,
      y.map((v, i) => v + (h / 2) * k2[i]),
    );
    const k4 = f(
      t + h,
      y.map((v, i) => v + h * k3[i]),
    );
    y = y.map((v, i) => v + (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]));
  }
  return y;
}
