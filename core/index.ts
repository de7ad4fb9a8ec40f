/** The simulator kernel: everything here is independent of any particular model or rule. */
export * from './contracts.js';
export * from './tokens.js';
export * from './errors.js';
export * from './rng.js';
export * from './scheduler.js';
export * from './distributions.js';
export * from './params.js';
export * from './registry.js';
export * from './network/csr.js';
export * from './network/connectors.js';
export * from './scenario/schema.js';
export * from './scenario/load.js';
export * from './simulation.js';
export * from './build.js';
export * from './output.js';
export * from './typed.js';
