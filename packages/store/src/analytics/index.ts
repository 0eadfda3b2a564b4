export * from './answer-state.js';
export * from './customer.js';
export * from './engagement.js';
export * from './journey.js';
export * from './loyalty.js';
export * from './query.js';
export * from './rollups.js';
export * from './texts.js';
