export * from './schema.js';
export * from './open.js';
export * from './ids.js';
export { PGlitePool } from './pglite-pool.js';
export * from './ingest/index.js';
export * from './orgs.js';
