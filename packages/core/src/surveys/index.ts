export * from './definition.js';
export * from './logic.js';
export * from './throttle.js';
export * from './token.js';
