export * from './domain.js';
export * from './schemas/config.js';
export * from './schemas/fields.js';
export * from './schemas/limits.js';
export * from './schemas/records.js';
export * from './text/types.js';
