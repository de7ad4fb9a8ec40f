/** The scenario layer: the file format, loading, a scenario's plugins, then plan and construct. */
export * from './schema.js';
export * from './load.js';
export * from './plugins.js';
export * from './prepare.js';
export * from './plan.js';
export * from './construct.js';
