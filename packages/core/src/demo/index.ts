/**
 * Demo data: a believable organisation (Brightleaf Coffee & Tea) with departments, touchpoints,
 * agents, customers and their interactions, survey responses and events, generated purely and
 * deterministically from a seed. See generate.ts for the model and catalog.ts for the truth
 * (DEMO_TRUE_DRIVERS, DEMO_AGENT_SKILLS, DEMO_STORYLINE) that analyses should recover.
 */
export {
  DEMO_AGENT_SKILLS,
  DEMO_AGENTS,
  DEMO_DEPARTMENTS,
  DEMO_NON_DRIVERS,
  DEMO_ORG,
  DEMO_STORYLINE,
  DEMO_SURVEYS,
  DEMO_TOUCHPOINTS,
  DEMO_TRUE_DRIVERS,
  type DemoAgent,
  type DemoDepartment,
  type DemoSurvey,
  type DemoTouchpoint,
} from './catalog.js';
export {
  DEMO_DEFAULT_NOW,
  type DemoCustomer,
  type DemoEvent,
  type DemoInteraction,
  type DemoOrg,
  type DemoOrgOptions,
  type DemoRecord,
  type DemoResponse,
  demoCustomerId,
  demoWindow,
  generateDemoOrg,
  generateDemoRecords,
} from './generate.js';
export {
  type DemoCaseHandling,
  type DemoCaseInput,
  type DemoCaseStatus,
  type DemoCaseStep,
  demoCaseHandling,
} from './handling.js';
