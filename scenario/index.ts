/** The scenario layer: the file format, loading, and plan then construct. */
export * from './schema.js';
export * from './load.js';
export * from './build.js';
