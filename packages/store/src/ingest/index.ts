export * from './types.js';
export * from './resolve.js';
export * from './lookups.js';
export * from './interactions.js';
export * from './responses.js';
export * from './events.js';
export * from './customers.js';
