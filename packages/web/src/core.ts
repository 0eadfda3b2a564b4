// The one definition of the health score (DESIGN.md), shared with the server: core's metrics are
// pure functions, imported from its build so the dashboard bundles only this module.

export type { HealthPartInput, HealthScore } from '../../core/dist/src/metrics/business.js';
export { healthScore, toScore100 } from '../../core/dist/src/metrics/business.js';
