/**
 * A sweep's worker thread (sweep.ts, sweep-queue.ts): runs the scenarios it is sent, one at a
 * time. An 'abort' message stops the current run at its next batch of events or sample
 * boundary (a training saves a checkpoint first), so a queue worker can hand the run back.
 */
import { parentPort } from 'node:worker_threads';
import { RunInterrupted } from '../core/errors.js';
import { runScenario } from './run.js';

export type RunRequest =
  // lock: false for queued runs, which the queue gives to one worker at a time: a worker killed
  // on another machine leaves a lock this machine cannot tell is stale (docs/reliability.md).
  { type: 'run'; scenario: string; set: string[]; seed: number; out: string; resume?: boolean; lock?: boolean } | { type: 'abort' };
export type RunReply = { ok: true } | { ok: false; error: string; interrupted?: boolean };

let controller: AbortController | undefined;

parentPort!.on('message', async (m: RunRequest) => {
  if (m.type === 'abort') {
    controller?.abort('abort');
    return;
  }
  controller = new AbortController();
  let reply: RunReply;
  try {
    await runScenario(m.scenario, {
      set: m.set,
      seed: m.seed,
      out: m.out,
      resume: m.resume ? m.out : undefined,
      signal: controller.signal,
      lock: m.lock,
      threads: 1,
    });
    reply = { ok: true };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err), interrupted: err instanceof RunInterrupted };
  }
  controller = undefined;
  parentPort!.postMessage(reply);
});
