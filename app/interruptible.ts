/**
 * Work that SIGINT can interrupt even when plugin code never returns.
 *
 * A signal handler is JavaScript: it runs only when the thread returns to its event loop, so a
 * neuron model stuck in a loop would make a run unstoppable but for SIGKILL. Node's vm module
 * can run a script with `breakOnSigint`: a SIGINT then terminates the JavaScript running inside
 * it, wherever it is, and the caller gets an exception instead. `callInterruptibly` runs a
 * function that way. engram runs a simulation's pieces through it in a worker thread (see
 * ./run-thread.ts): the main thread stays free to hear SIGTERM too, and to interrupt the worker
 * with a SIGINT of its own when a stop it asked for is not honoured.
 *
 * An interrupted piece stops wherever it was (no finally block of the interrupted code runs):
 * what was recorded so far can be written, but the state is not a point a run can continue from.
 */
import vm from 'node:vm';

const slot = Symbol.for('engram.interruptible.work');
const script = new vm.Script(`globalThis[Symbol.for('engram.interruptible.work')]()`, { filename: 'engram-interruptible' });

/** Thrown by callInterruptibly when a SIGINT interrupted the work. */
export class WorkInterrupted extends Error {
  constructor() {
    super('interrupted by SIGINT');
    this.name = 'WorkInterrupted';
  }
}

/** Runs `work` so that a SIGINT interrupts it (WorkInterrupted); its result or exception otherwise. */
export function callInterruptibly<T>(work: () => T): T {
  const g = globalThis as unknown as Record<symbol, (() => void) | undefined>;
  const outer = g[slot];
  let result: T | undefined;
  g[slot] = () => {
    result = work();
  };
  try {
    script.runInThisContext({ breakOnSigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') throw new WorkInterrupted();
    throw err;
  } finally {
    g[slot] = outer;
  }
  return result as T;
}

/** The way a run calls its pieces of work: directly, or interruptibly. */
export type Invoke = <T>(work: () => T) => T;
export const callDirectly: Invoke = (work) => work();
