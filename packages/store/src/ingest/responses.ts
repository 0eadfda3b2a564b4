import type { AnswerInput, CustomerRef, ResponseInput } from '@canopy/core';
import { hasCustomerRef } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import {
  checkTouchpoints,
  loadTouchpoints,
  type RetryOptions,
  retryDigest,
  splitRetries,
  upsertAgents,
} from './lookups.js';
import { resolveSubset } from './resolve.js';
import { ConcurrentWriteConflict, type Db, type RecordProblem, RecordProblems, type WriteOutcome } from './types.js';

interface RatedInteraction {
  id: string;
  customer_id: string;
  agent_id: string | null;
  touchpoint_id: string | null;
}

/**
 * Writes a validated batch of survey responses and their answers (one typed row per answer).
 * A response that rates an interaction inherits its customer, touchpoint and — for agent
 * credit — the agent who handled it when the survey went out, unless the record names them.
 */
export async function writeResponses(
  trx: Db,
  orgId: string,
  records: ResponseInput[],
  retries: RetryOptions = {},
): Promise<WriteOutcome> {
  const n = records.length;
  const problems: RecordProblem[] = [];
  // A response's external id (the survey tool's id) identifies it as surely as a key.
  const { outcome, live } = await splitRetries(trx, 'responses', orgId, records, true, retries);
  const { ids, statuses, customerIds } = outcome;
  if (live.length === 0) return outcome;

  const touchpoints = await loadTouchpoints(trx, orgId);
  const rated = await loadRatedInteractions(
    trx,
    orgId,
    live.map((i) => records[i]),
  );
  const refs: (CustomerRef | null)[] = new Array(n).fill(null);
  checkTouchpoints(records, live, touchpoints, problems);
  for (const i of live) {
    const r = records[i];
    const ix = interactionOf(r, rated);
    if ((r.interaction_id || r.interaction_external_id) && !ix) {
      const field = r.interaction_id ? 'interaction_id' : 'interaction_external_id';
      problems.push({ index: i, field, reason: `no interaction '${r.interaction_id ?? r.interaction_external_id}'` });
    }
    // An anonymous response stays anonymous unless the interaction it rates names the customer.
    refs[i] = hasCustomerRef(r) ? r : ix ? { customer_id: ix.customer_id } : null;
  }
  const resolution = await resolveSubset(trx, orgId, refs, live, problems);
  live.forEach((i, j) => {
    customerIds[i] = resolution.customerIds[j];
    const ix = interactionOf(records[i], rated);
    if (ix && customerIds[i] !== ix.customer_id && !resolution.merged.has(ix.customer_id)) {
      problems.push({
        index: i,
        field: records[i].interaction_id ? 'interaction_id' : 'interaction_external_id',
        reason: 'the interaction belongs to another customer',
      });
    }
  });
  if (problems.length) throw new RecordProblems(problems);

  const agents = await upsertAgents(
    trx,
    orgId,
    live.flatMap((i) => (records[i].agent ? [{ key: records[i].agent! }] : [])),
  );

  const m = live.length;
  const rc = {
    id: new Array<string>(m),
    customer: new Array<string | null>(m),
    survey: new Array<string | null>(m),
    source: new Array<string>(m),
    touchpoint: new Array<string | null>(m),
    interaction: new Array<string | null>(m),
    agent: new Array<string | null>(m),
    language: new Array<string | null>(m),
    submitted: new Array<string>(m),
    external: new Array<string | null>(m),
    idem: new Array<string | null>(m),
    digest: new Array<string | null>(m),
  };
  const ac = {
    response: [] as string[],
    field: [] as string[],
    type: [] as string[],
    num: [] as (number | null)[],
    text: [] as (string | null)[],
    // Choice lists travel as JSON text: unnest cannot take an array of arrays of varying length.
    choices: [] as (string | null)[],
    scaleMin: [] as (number | null)[],
    scaleMax: [] as (number | null)[],
    easier: [] as (boolean | null)[],
    customer: [] as (string | null)[],
    touchpoint: [] as (string | null)[],
    agent: [] as (string | null)[],
    submitted: [] as string[],
  };
  live.forEach((i, j) => {
    const r = records[i];
    const ix = interactionOf(r, rated);
    const id = uuidv7();
    ids[i] = id;
    statuses[i] = 'created';
    const touchpoint = r.touchpoint ? touchpoints.get(r.touchpoint)!.id : (ix?.touchpoint_id ?? null);
    const agent = r.agent ? agents.get(r.agent)! : (ix?.agent_id ?? null);
    const submitted = r.submitted_at.toISOString();
    rc.id[j] = id;
    rc.customer[j] = customerIds[i];
    rc.survey[j] = r.survey ?? null;
    rc.source[j] = r.source;
    rc.touchpoint[j] = touchpoint;
    rc.interaction[j] = ix?.id ?? null;
    rc.agent[j] = agent;
    rc.language[j] = r.language ?? null;
    rc.submitted[j] = submitted;
    rc.external[j] = r.external_id ?? null;
    rc.idem[j] = r.idempotency_key ?? null;
    rc.digest[j] = r.idempotency_key ? retryDigest(r) : null;
    for (const a of r.answers) {
      ac.response.push(id);
      ac.field.push(a.field);
      ac.type.push(a.type);
      const { num, text, choices, scaleMin, scaleMax, easier } = answerColumns(a);
      ac.num.push(num);
      ac.text.push(text);
      ac.choices.push(choices);
      ac.scaleMin.push(scaleMin);
      ac.scaleMax.push(scaleMax);
      ac.easier.push(easier);
      ac.customer.push(customerIds[i]);
      ac.touchpoint.push(touchpoint);
      ac.agent.push(agent);
      ac.submitted.push(submitted);
    }
  });
  const result = await sql`
    INSERT INTO responses (org_id, id, customer_id, survey, source, touchpoint_id, interaction_id, agent_id, language,
      submitted_at, external_id, idempotency_key, idempotency_digest)
    SELECT ${orgId}::uuid, * FROM unnest(${rc.id}::uuid[], ${rc.customer}::uuid[], ${rc.survey}::text[],
      ${rc.source}::text[], ${rc.touchpoint}::uuid[], ${rc.interaction}::uuid[], ${rc.agent}::uuid[],
      ${rc.language}::text[], ${rc.submitted}::timestamptz[], ${rc.external}::text[], ${rc.idem}::text[],
      ${rc.digest}::text[])
    ON CONFLICT DO NOTHING`.execute(trx);
  if (Number(result.numAffectedRows ?? m) !== m) throw new ConcurrentWriteConflict('response written concurrently');
  await sql`
    INSERT INTO answers (org_id, response_id, field, type, value_num, value_text, value_choices, scale_min, scale_max,
      higher_is_easier, customer_id, touchpoint_id, agent_id, submitted_at)
    SELECT ${orgId}::uuid, a.response_id, a.field, a.type, a.num, a.txt,
      CASE WHEN a.choices IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(a.choices::jsonb)) END,
      a.smin, a.smax, a.easier, a.customer_id, a.touchpoint_id, a.agent_id, a.submitted_at
    FROM unnest(${ac.response}::uuid[], ${ac.field}::text[], ${ac.type}::text[], ${ac.num}::float8[], ${ac.text}::text[],
      ${ac.choices}::text[], ${ac.scaleMin}::float8[], ${ac.scaleMax}::float8[], ${ac.easier}::bool[],
      ${ac.customer}::uuid[], ${ac.touchpoint}::uuid[], ${ac.agent}::uuid[], ${ac.submitted}::timestamptz[])
      AS a(response_id, field, type, num, txt, choices, smin, smax, easier, customer_id, touchpoint_id, agent_id, submitted_at)`.execute(
    trx,
  );
  return { ids, statuses, customerIds };
}

function interactionOf(r: ResponseInput, rated: Map<string, RatedInteraction>): RatedInteraction | undefined {
  if (r.interaction_id) return rated.get(`id:${r.interaction_id}`);
  if (r.interaction_external_id) return rated.get(`ext:${r.interaction_external_id}`);
  return undefined;
}

async function loadRatedInteractions(trx: Db, orgId: string, records: ResponseInput[]) {
  const byId = [...new Set(records.flatMap((r) => (r.interaction_id ? [r.interaction_id] : [])))];
  const byExt = [...new Set(records.flatMap((r) => (r.interaction_external_id ? [r.interaction_external_id] : [])))];
  const out = new Map<string, RatedInteraction>();
  if (byId.length === 0 && byExt.length === 0) return out;
  const rows = await sql<RatedInteraction & { external_id: string | null }>`
    SELECT id, external_id, customer_id, agent_id, touchpoint_id FROM interactions
    WHERE org_id = ${orgId} AND (id = ANY(${byId}::uuid[]) OR external_id = ANY(${byExt}::text[]))`.execute(trx);
  for (const r of rows.rows) {
    out.set(`id:${r.id}`, r);
    if (r.external_id) out.set(`ext:${r.external_id}`, r);
  }
  return out;
}

/** The typed columns of one answer row: the one place an answer's type maps onto storage. */
export function answerColumns(a: AnswerInput): {
  num: number | null;
  text: string | null;
  /** Choice lists travel as JSON text (unnest cannot take arrays of arrays). */
  choices: string | null;
  scaleMin: number | null;
  scaleMax: number | null;
  easier: boolean | null;
} {
  const none = { num: null, text: null, choices: null, scaleMin: null, scaleMax: null, easier: null };
  switch (a.type) {
    case 'nps':
      return { ...none, num: a.value, scaleMin: 0, scaleMax: 10 };
    case 'csat':
    case 'expectation':
      return { ...none, num: a.value, scaleMin: 1, scaleMax: 5 };
    case 'ces':
      return { ...none, num: a.value, scaleMin: 1, scaleMax: a.scale_max, easier: a.higher_is_easier };
    case 'rating':
      return { ...none, num: a.value, scaleMin: a.scale_min, scaleMax: a.scale_max };
    case 'choice':
      return { ...none, choices: JSON.stringify(Array.isArray(a.value) ? a.value : [a.value]) };
    case 'text':
      return { ...none, text: a.value };
  }
}
