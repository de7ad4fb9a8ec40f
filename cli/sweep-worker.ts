/** A sweep's worker thread (sweep.ts): runs the scenarios it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runScenario } from '../index.js';

parentPort!.on('message', async (m: { scenario: string; set: string[]; seed: number; out: string }) => {
  try {
    await runScenario(m.scenario, { set: m.set, seed: m.seed, out: m.out });
    parentPort!.postMessage({ ok: true });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: err instanceof Error ? err.message : String(err) });
  }
});
