/**
 * `engram run` in a worker thread, so that a run stays stoppable whatever its plugins do.
 *
 * Signals reach JavaScript through the main thread's event loop. With the simulation in a
 * worker, the main thread is always free to hear SIGINT and SIGTERM. It asks the worker to
 * stop (the worker stops at its next batch of events, a training at its next sample after
 * saving a checkpoint). Plugin code that never returns would keep the worker from hearing
 * that, so after `graceMs` the main thread sends the process a SIGINT, which interrupts the
 * worker's simulation wherever it is (app/interruptible.ts); the worker then writes what was
 * recorded and names the plugin that was running. A worker that still has not answered
 * `giveUpMs` after the request is terminated, and the run is reported as stopped without its
 * recordings.
 *
 * Exceptions thrown by plugin code outside any call of engram (from a timer, or a promise
 * nobody awaited) stop the run the same way, naming the file they came from: see
 * ./run-thread-worker.ts.
 *
 * A sentinel thread keeps SIGINT safe between the worker's pieces. Node's vm watchdog takes
 * SIGINT from the whole process while any `breakOnSigint` call runs, and when the last one
 * ends it leaves SIGINT's default action in place (the process dies), not the main thread's
 * handler: a Ctrl-C between two pieces, or while the recordings are written, killed the run.
 * The sentinel holds a `breakOnSigint` call open for the whole run (waiting on an Atomics
 * flag), so the watchdog never ends: a SIGINT goes to the worker's piece when one runs (the
 * latest registered), else to the sentinel, which tells this thread, which asks the worker to
 * stop (a training then saves a checkpoint at its next sample).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EngramError } from '../core/errors.js';
import type { MemoryExperimentRow } from '../training/memory-experiment.js';
import type { EpochRecord } from '../training/protocol.js';
import type { RunResult } from './run.js';

/** What runScenarioInThread sends its worker (everything but callbacks and the signal). */
export interface ThreadRunRequest {
  file: string;
  out?: string;
  seed?: number;
  set?: readonly string[];
  maxMemoryBytes?: number;
  resume?: string;
  checkpointEveryEpochs?: number;
  checkpointEveryMinutes?: number;
  threads?: number;
}

export type ThreadRunMessage =
  | { type: 'progress'; fraction: number; wall_s: number; t_ms: number }
  | { type: 'epoch'; record: EpochRecord }
  | { type: 'row'; row: MemoryExperimentRow; index: number; total: number }
  | { type: 'notice'; message: string }
  | { type: 'done'; result: RunResult }
  | { type: 'failed'; error: { message: string; exitCode?: number; stack?: string } };

/** Codes the main thread leaves in shared memory for the worker: which signal asked for the stop. */
export const StopCodes: Record<string, number> = { SIGINT: 1, SIGTERM: 2 };

/** An EngramError of the worker, carried over to the main thread with its exit code. */
export class ThreadRunError extends EngramError {
  override readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface ThreadRunOptions extends Omit<ThreadRunRequest, 'file'> {
  onProgress?: (fraction: number, wall_s: number) => void;
  onEpoch?: (record: EpochRecord) => void;
  onExperimentRow?: (row: MemoryExperimentRow, index: number, total: number) => void;
  onNotice?: (message: string) => void;
  /** Aborting it (reason 'SIGINT' or 'SIGTERM') stops the run as described above. */
  signal?: AbortSignal;
  /** How long a requested stop may take before the worker is interrupted (default 1000 ms). */
  graceMs?: number;
  /** ... and before it is terminated (default 5000 ms). */
  giveUpMs?: number;
}

/** The sentinel's code (an eval worker, CommonJS): one breakOnSigint call open until the flag is set. */
const SENTINEL = `
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
globalThis.engramSentinelFlag = new Int32Array(workerData);
const wait = new vm.Script('while (Atomics.load(engramSentinelFlag, 0) === 0) Atomics.wait(engramSentinelFlag, 0, 0, 50);');
parentPort.postMessage('ready');
for (;;) {
  try {
    wait.runInThisContext({ breakOnSigint: true });
    break;
  } catch (err) {
    if (err && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') parentPort.postMessage('SIGINT');
    else throw err;
  }
}`;

/** Starts the sentinel; resolves once its watchdog is about to be armed, with the function that ends it. */
function startSentinel(onSigint: () => void): Promise<() => void> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const sentinel = new Worker(SENTINEL, { eval: true, workerData: flag.buffer });
  sentinel.unref();
  const stop = () => {
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    void sentinel.terminate();
  };
  return new Promise((resolve, reject) => {
    sentinel.once('error', reject);
    sentinel.on('message', (m: string) => {
      if (m === 'ready') resolve(stop);
      else if (m === 'SIGINT') onSigint();
    });
  });
}

/** runScenario (./run.ts) in a worker thread: the same result, and stoppable by signals whatever its plugins do. */
export async function runScenarioInThread(file: string, options: ThreadRunOptions = {}): Promise<RunResult> {
  // A SIGINT the sentinel takes is a stop request like one the caller's signal makes.
  const local = new AbortController();
  options.signal?.addEventListener('abort', () => local.abort(options.signal!.reason), { once: true });
  if (options.signal?.aborted) local.abort(options.signal.reason);
  const stopSentinel = await startSentinel(() => local.abort('SIGINT'));
  try {
    return await runInWorker(file, { ...options, signal: local.signal });
  } finally {
    stopSentinel();
  }
}

function runInWorker(file: string, options: ThreadRunOptions): Promise<RunResult> {
  const { onProgress, onEpoch, onExperimentRow, onNotice, signal, graceMs = 1000, giveUpMs = 5000, ...rest } = options;
  const stopCode = new Int32Array(new SharedArrayBuffer(4));
  const request: ThreadRunRequest = { file, ...rest };
  const worker = new Worker(fileURLToPath(new URL('./run-thread-worker.js', import.meta.url)), { workerData: { request, stopCode } });
  let lastT = 0;
  const timers: NodeJS.Timeout[] = [];
  // The SIGINTs this thread sends to interrupt the worker must not end this process.
  const absorb = () => {};
  return new Promise<RunResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      for (const t of timers) clearTimeout(t);
      signal?.removeEventListener('abort', onAbort);
      process.removeListener('SIGINT', absorb);
      // A plugin's timer may keep the worker alive after its run: the run is over.
      void worker.terminate();
      fn();
    };
    const onAbort = () => {
      const reason = String(signal!.reason ?? 'SIGINT');
      Atomics.store(stopCode, 0, StopCodes[reason] ?? StopCodes.SIGINT);
      worker.postMessage({ type: 'stop', reason });
      process.on('SIGINT', absorb);
      const interrupt = () => {
        process.kill(process.pid, 'SIGINT');
        timers.push(setTimeout(interrupt, 500));
      };
      timers.push(setTimeout(interrupt, graceMs));
      timers.push(
        setTimeout(
          () =>
            settle(() =>
              reject(
                new ThreadRunError(
                  `interrupted (${reason}) at about t = ${lastT} ms: the run did not stop within ${giveUpMs / 1000} s of the signal and was terminated; its recordings were not written (a training's last checkpoint and history.csv are kept)`,
                  reason === 'SIGTERM' ? 143 : 130,
                ),
              ),
            ),
          giveUpMs,
        ),
      );
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: ThreadRunMessage) => {
      if (m.type === 'progress') {
        lastT = m.t_ms;
        onProgress?.(m.fraction, m.wall_s);
      } else if (m.type === 'epoch') onEpoch?.(m.record);
      else if (m.type === 'row') onExperimentRow?.(m.row, m.index, m.total);
      else if (m.type === 'notice') onNotice?.(m.message);
      else if (m.type === 'done') settle(() => resolve(m.result));
      else if (m.type === 'failed') {
        const e = m.error;
        settle(() => {
          if (e.exitCode !== undefined) reject(new ThreadRunError(e.message, e.exitCode));
          else {
            const err = new Error(e.message);
            err.stack = e.stack;
            reject(err);
          }
        });
      }
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the run's worker thread ended (exit code ${code}) without a result`))));
  });
}
