export * from './cases.js';
export * from './insights.js';
export * from './rules.js';
export * from './webhooks.js';
