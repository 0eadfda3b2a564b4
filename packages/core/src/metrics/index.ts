/**
 * Canopy's metric and statistics library (DESIGN.md "Metric definitions"): one place in code
 * for every score, rate, test and driver analysis, reused by the API, dashboards and alerts.
 * Pure functions, no I/O.
 */
export * from './business.js';
export * from './drivers.js';
export * from './loyalty.js';
export * from './partial.js';
export * from './scores.js';
export * from './service.js';
export * from './significance.js';
export * from './small-n.js';
export * from './stats.js';
export * from './time.js';
