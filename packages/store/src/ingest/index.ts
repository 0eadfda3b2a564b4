export * from './analyses.js';
export * from './customers.js';
export * from './events.js';
export * from './interactions.js';
export * from './lookups.js';
export * from './resolve.js';
export * from './responses.js';
export * from './types.js';
