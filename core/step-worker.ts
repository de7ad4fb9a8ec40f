/**
 * A worker thread of core/threads.ts: loads the kernels of the populations it steps, then
 * waits for jobs on the shared control array and, at each, runs its own range of every population. It imports
 * nothing from the engine but the slot numbers.
 */
import { workerData } from 'node:worker_threads';
import type { RangeKernel } from './contracts.js';
import { Slot, SPIN_READS, type StepWorkerData } from './threads.js';

const { control: c, busy, index, jobs, port } = workerData as StepWorkerData;
const kernels: RangeKernel[] = [];
try {
  for (const job of jobs) {
    const factory = (await import(job.module))[job.factory] as ((data: unknown) => RangeKernel) | undefined;
    if (typeof factory !== 'function') throw new Error(`${job.module} has no export ${job.factory} that is a function`);
    kernels.push(factory(job.data));
  }
} catch (err) {
  fail(err);
}
if (kernels.length === jobs.length) serve();
port.close();

/** Runs this thread's range of each job until the main thread says stop. */
function serve(): void {
  // The generation is read before this thread says it is ready: the first job may follow at once.
  let generation = Atomics.load(c, Slot.GENERATION);
  Atomics.add(c, Slot.READY, 1);
  Atomics.notify(c, Slot.READY);
  for (;;) {
    let spins = 0;
    while (Atomics.load(c, Slot.GENERATION) === generation) {
      if (++spins > SPIN_READS) Atomics.wait(c, Slot.GENERATION, generation);
    }
    generation = Atomics.load(c, Slot.GENERATION);
    if (Atomics.load(c, Slot.STOP) === 1) return;
    // Every population's range, in the order the main thread steps its own (core/threads.ts run()).
    const t0 = performance.now();
    try {
      for (let k = 0; k < jobs.length; k++) {
        const { lo, spikes, counts } = jobs[k];
        counts[index] = kernels[k](lo[index], lo[index + 1], spikes);
      }
    } catch (err) {
      fail(err);
      return;
    }
    // Read by the main thread's balance() only after every worker said done (below).
    busy[index] += performance.now() - t0;
    Atomics.add(c, Slot.DONE, 1);
    Atomics.notify(c, Slot.DONE);
  }
}

function fail(err: unknown): void {
  port.postMessage(err instanceof Error ? err.message : String(err));
  Atomics.store(c, Slot.FAILED, index);
  Atomics.notify(c, Slot.READY);
  Atomics.notify(c, Slot.DONE);
}
