export * from './analytics/index.js';
export * from './export.js';
export * from './ids.js';
export * from './ingest/index.js';
export * from './open.js';
export * from './orgs.js';
export { PGlitePool } from './pglite-pool.js';
export * from './read.js';
export * from './schema.js';
