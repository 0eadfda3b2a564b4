import { z } from 'zod';
import { CHANNELS, DEPARTMENTS, JOURNEY_STAGES, USER_ROLES } from '../domain.js';
import { key, nonEmptyText, text } from './fields.js';
import { LIMITS } from './limits.js';

export const departmentInput = z.strictObject({
  key,
  name: nonEmptyText(LIMITS.shortText),
  /** Which of Canopy's standard functions this department is (used to route taxonomy topics). */
  function: z.enum(DEPARTMENTS).optional(),
});
export type DepartmentInput = z.output<typeof departmentInput>;

export const touchpointInput = z.strictObject({
  key,
  name: nonEmptyText(LIMITS.shortText),
  department: key,
  channel: z.enum(CHANNELS),
  journey_stage: z.enum(JOURNEY_STAGES),
  /** Planned (designed by us: a newsletter, an onboarding call) or unplanned (a complaint, a review). */
  planned: z.boolean().default(true),
  /** Direct (with us) or indirect (word of mouth, media, a partner). */
  direct: z.boolean().default(true),
  description: text(LIMITS.mediumText).optional(),
});
export type TouchpointInput = z.output<typeof touchpointInput>;

export const userRole = z.enum(USER_ROLES);
