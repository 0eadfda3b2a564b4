export { type AppOptions, buildApp } from './app.js';
export type { TextAnalyser } from './pipeline/analyse.js';
export { ingestBatch } from './pipeline/ingest.js';
export { validateBatch } from './pipeline/validate.js';
export { Problem } from './problem.js';
