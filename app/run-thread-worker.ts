/**
 * The worker thread of runScenarioInThread (./run-thread.ts): runs one scenario and reports
 * progress, epochs, the result or the error to the main thread.
 *
 * Plugin code may throw outside any call of engram: from a timer it set, or in a promise
 * nobody awaits. Such an exception has no simulation frame to name the plugin, so it is
 * caught here, named by the first file in its stack that is not engram's or Node's, and it
 * stops the run as a signal would: the recordings so far are written, and the run ends with
 * exit code 3.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { EngramError } from '../core/errors.js';
import { runScenario } from './run.js';
import type { ThreadRunMessage, ThreadRunRequest } from './run-thread.js';

const { request, stopCode } = workerData as { request: ThreadRunRequest; stopCode: Int32Array };
const post = (m: ThreadRunMessage) => parentPort!.postMessage(m);
const controller = new AbortController();
parentPort!.on('message', (m: { type: 'stop'; reason: string }) => {
  if (m.type === 'stop' && !controller.signal.aborted) controller.abort(m.reason);
});

const engramRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where an exception was thrown: the first frame outside engram and Node. */
export function origin(err: unknown): string {
  const frames = (err instanceof Error ? (err.stack ?? '') : '').split('\n').slice(1);
  for (const frame of frames) {
    const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(frame);
    if (!m) continue;
    const file = m[1].startsWith('file://') ? fileURLToPath(m[1]) : m[1];
    if (file.startsWith(engramRoot + path.sep)) continue;
    return `${file}:${m[2]}`;
  }
  return 'an unknown place (no stack)';
}

function failedOutside(how: string) {
  return (err: unknown) => {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (!controller.signal.aborted) controller.abort(`plugin code ${how}, outside any call of engram, in ${origin(err)}: ${message}`);
  };
}
process.on('uncaughtException', failedOutside('threw'));
process.on('unhandledRejection', failedOutside('left a promise rejected'));

const stopReason = () => {
  const code = Atomics.load(stopCode, 0);
  return code === 2 ? 'SIGTERM' : 'SIGINT';
};

try {
  const result = await runScenario(request.file, {
    ...request,
    signal: controller.signal,
    interruptible: stopReason,
    onProgress: (fraction, wall_s, t_ms) => post({ type: 'progress', fraction, wall_s, t_ms }),
    onEpoch: (record) => post({ type: 'epoch', record }),
    onExperimentRow: (row, index, total) => post({ type: 'row', row, index, total }),
    onNotice: (message) => post({ type: 'notice', message }),
  });
  post({ type: 'done', result });
} catch (err) {
  post({
    type: 'failed',
    error:
      err instanceof EngramError
        ? { message: err.message, exitCode: err.exitCode }
        : { message: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined },
  });
}
