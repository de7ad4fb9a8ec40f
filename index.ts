/**
 * engram's public API, re-exports only: the kernel (core/), the training layer (training/),
 * scenarios (scenario/), the built-in plugins, and the application layer (app/) that the CLI is made of, so that everything the CLI does can be
 * scripted. docs/architecture.md has the layers and what each may import.
 *
 *   const sim = await openScenario('scenarios/cuba.yaml', { seed: 7 });
 *   sim.run();
 *   await sim.writeOutputs('out/cuba');
 */
// inversify's decorators (@injectable, ...) need it in plugins that use classes; engram's own bindings are constant values.
import 'reflect-metadata';

export * from './core/index.js';
export * from './training/index.js';
export * from './scenario/index.js';
/** Re-exported so a plugin module needs nothing but engram to declare itself. */
export { ContainerModule } from 'inversify';
export { builtinModules } from './plugins/index.js';
export { LifModel, LifPopulation, lifParams, lifVoltage, synapticKernel } from './plugins/lif/lif.js';
export type { LifParams, LifPhysics } from './plugins/lif/math.js';
export { buildLoaded, createEngramRegistry, openScenario, planLoaded, scenarioFileRegistry, validateScenario, type OpenOptions } from './app/open.js';
export { runScenario, type RunOptions, type RunResult } from './app/run.js';
export { runScenarioInThread, type ThreadRunOptions } from './app/run-thread.js';
export { CHECKPOINT_VERSION } from './app/checkpoint.js';
export { trainMemory, type TrainMemoryOptions } from './app/memory-train.js';
export { exportBrian2, exportPynn, exportScenario } from './app/export/index.js';
export { parseGrid, runMetrics, runSweep, type SweepOptions, type SweepRun } from './app/sweep.js';
export {
  enqueueSweep,
  localSweepStatus,
  parseQueueUrl,
  queueStatus,
  rewriteSweepCsv,
  startSweepWorker,
  waitForSweep,
  type EnqueueResult,
  type QueueAddress,
  type QueueStatus,
  type SweepWorker,
  type WorkerEvent,
  type WorkerOptions,
} from './app/sweep-queue.js';
export { collectFigures, plotOutput, type Figure } from './app/plot.js';
export type { Spec } from './app/figures/render.js';
export { writeReport } from './app/report.js';
export { scenarioJsonSchema, type JsonSchemaObject } from './app/schema.js';
export { scaffoldKinds, scaffoldPlugin, type ScaffoldKind } from './app/scaffold.js';
