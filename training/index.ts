/** The training layer: the protocol, memory experiments, HSIC, datasets and their schema. */
export * from './schema.js';
export * from './hsic/hsic.js';
export * from './protocol.js';
export * from './datasets.js';
export * from './memory-experiment.js';
export type { LayerDiagnostics } from './diagnostics/representation.js';
