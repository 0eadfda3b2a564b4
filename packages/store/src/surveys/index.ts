import { randomBytes } from 'node:crypto';
import type { AnswerInput } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from '../ids.js';
import { answerColumns } from '../ingest/responses.js';
import type { Db } from '../ingest/types.js';

/** Survey tables (migration 005): raw SQL over the shared Kysely connection. */

export interface SurveySettingsRow {
  org_id: string;
  token_secret: string;
  public_key: string;
  settings: Record<string, unknown>;
}

/** The org's survey settings, created with a fresh token secret and widget key on first use. */
export async function surveySettings(db: Db, orgId: string): Promise<SurveySettingsRow> {
  const found = await sql<SurveySettingsRow>`
    SELECT org_id, token_secret, public_key, settings FROM survey_settings WHERE org_id = ${orgId}`.execute(db);
  if (found.rows[0]) return found.rows[0];
  await sql`INSERT INTO survey_settings (org_id, token_secret, public_key)
    VALUES (${orgId}, ${randomBytes(32).toString('base64url')}, ${`pk_${randomBytes(16).toString('base64url')}`})
    ON CONFLICT (org_id) DO NOTHING`.execute(db);
  return surveySettings(db, orgId);
}

export async function writeSurveySettings(db: Db, orgId: string, settings: object): Promise<void> {
  await surveySettings(db, orgId);
  await sql`UPDATE survey_settings SET settings = ${JSON.stringify(settings)}::jsonb, updated_at = now()
    WHERE org_id = ${orgId}`.execute(db);
}

export async function rotatePublicKey(db: Db, orgId: string): Promise<string> {
  await surveySettings(db, orgId);
  const key = `pk_${randomBytes(16).toString('base64url')}`;
  await sql`UPDATE survey_settings SET public_key = ${key}, updated_at = now() WHERE org_id = ${orgId}`.execute(db);
  return key;
}

export async function settingsByPublicKey(db: Db, publicKey: string): Promise<SurveySettingsRow | undefined> {
  const r = await sql<SurveySettingsRow>`
    SELECT org_id, token_secret, public_key, settings FROM survey_settings WHERE public_key = ${publicKey}`.execute(db);
  return r.rows[0];
}

export interface SurveyRow {
  org_id: string;
  id: string;
  key: string;
  slug: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  version: number;
  definition: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const SURVEY_COLS = sql`org_id, id, key, slug, name, status, version, definition, created_at, updated_at`;

export async function insertSurvey(
  db: Db,
  orgId: string,
  s: { key: string; slug: string; name: string; status: string; definition: object; hasTriggers: boolean },
): Promise<SurveyRow | undefined> {
  const id = uuidv7();
  const def = JSON.stringify(s.definition);
  const r = await sql<SurveyRow>`
    INSERT INTO surveys (org_id, id, key, slug, name, status, version, definition, has_triggers)
    VALUES (${orgId}, ${id}, ${s.key}, ${s.slug}, ${s.name}, ${s.status}, 1, ${def}::jsonb, ${s.hasTriggers})
    ON CONFLICT DO NOTHING RETURNING ${SURVEY_COLS}`.execute(db);
  if (!r.rows[0]) return undefined;
  await sql`INSERT INTO survey_versions (org_id, survey_id, version, definition)
    VALUES (${orgId}, ${id}, 1, ${def}::jsonb)`.execute(db);
  return r.rows[0];
}

/** A new version of a survey's definition (earlier versions stay, for the invitations sent with them). */
export async function updateSurvey(
  db: Db,
  orgId: string,
  id: string,
  s: { slug: string; name: string; status: string; definition: object; hasTriggers: boolean },
): Promise<SurveyRow> {
  const def = JSON.stringify(s.definition);
  const r = await sql<SurveyRow>`
    UPDATE surveys SET slug = ${s.slug}, name = ${s.name}, status = ${s.status}, version = version + 1,
      definition = ${def}::jsonb, has_triggers = ${s.hasTriggers}, updated_at = now()
    WHERE org_id = ${orgId} AND id = ${id} RETURNING ${SURVEY_COLS}`.execute(db);
  const row = r.rows[0];
  await sql`INSERT INTO survey_versions (org_id, survey_id, version, definition)
    VALUES (${orgId}, ${id}, ${row.version}, ${def}::jsonb)`.execute(db);
  return row;
}

export async function setSurveyStatus(db: Db, orgId: string, id: string, status: string): Promise<void> {
  await sql`UPDATE surveys SET status = ${status}, updated_at = now() WHERE org_id = ${orgId} AND id = ${id}`.execute(
    db,
  );
}

export async function findSurvey(
  db: Db,
  by: { orgId: string; key: string } | { orgId: string; id: string } | { slug: string },
): Promise<SurveyRow | undefined> {
  const where =
    'slug' in by
      ? sql`slug = ${by.slug}`
      : 'key' in by
        ? sql`org_id = ${by.orgId} AND key = ${by.key}`
        : sql`org_id = ${by.orgId} AND id = ${by.id}`;
  const r = await sql<SurveyRow>`SELECT ${SURVEY_COLS} FROM surveys WHERE ${where}`.execute(db);
  return r.rows[0];
}

export async function slugTaken(db: Db, slug: string, exceptId?: string): Promise<boolean> {
  const r = await sql<{ id: string }>`SELECT id FROM surveys WHERE slug = ${slug}`.execute(db);
  return r.rows.some((x) => x.id !== exceptId);
}

export async function listSurveys(db: Db, orgId: string): Promise<SurveyRow[]> {
  const r = await sql<SurveyRow>`SELECT ${SURVEY_COLS} FROM surveys WHERE org_id = ${orgId} ORDER BY key`.execute(db);
  return r.rows;
}

/**
 * Answers per survey name as the org's responses carry it (`survey`): those of defined surveys
 * and those of surveys known only from their answers (imported, or sent by another tool).
 */
export async function surveyResponseCounts(
  db: Db,
  orgId: string,
): Promise<{ survey: string; responses: number; first_at: Date; last_at: Date }[]> {
  const r = await sql<{ survey: string; responses: number; first_at: Date; last_at: Date }>`
    SELECT survey, count(*)::int AS responses, min(submitted_at) AS first_at, max(submitted_at) AS last_at
    FROM responses WHERE org_id = ${orgId} AND survey IS NOT NULL
    GROUP BY survey ORDER BY count(*) DESC, survey`.execute(db);
  return r.rows;
}

/** The definition an invitation was sent with. */
export async function surveyVersion(
  db: Db,
  orgId: string,
  surveyId: string,
  version: number,
): Promise<Record<string, unknown> | undefined> {
  const r = await sql<{ definition: Record<string, unknown> }>`
    SELECT definition FROM survey_versions WHERE org_id = ${orgId} AND survey_id = ${surveyId} AND version = ${version}`.execute(
    db,
  );
  return r.rows[0]?.definition;
}

/** Active surveys with server-side triggers, across orgs (the trigger scanner's work list). */
export async function triggeredSurveys(db: Db): Promise<SurveyRow[]> {
  const r = await sql<SurveyRow>`SELECT ${SURVEY_COLS} FROM surveys WHERE has_triggers AND status = 'active'`.execute(
    db,
  );
  return r.rows;
}

export type InvitationChannel = 'email' | 'link' | 'widget';
export type InvitationStatus = 'scheduled' | 'sending' | 'sent' | 'skipped' | 'failed' | 'cancelled';

export interface InvitationRow {
  org_id: string;
  id: string;
  survey_id: string;
  version: number;
  channel: InvitationChannel;
  customer_id: string | null;
  email: string | null;
  touchpoint_id: string | null;
  touchpoint: string | null;
  interaction_id: string | null;
  agent: string | null;
  language: string | null;
  hidden: Record<string, string>;
  trigger_key: string | null;
  status: InvitationStatus;
  reason: string | null;
  scheduled_at: Date | null;
  attempts: number;
  last_error: string | null;
  sent_at: Date | null;
  opened_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  expires_at: Date;
  answers: Record<string, number | string | string[]>;
  page: number;
  response_id: string | null;
  created_at: Date;
}

export interface NewInvitation {
  id?: string;
  surveyId: string;
  version: number;
  channel: InvitationChannel;
  customerId: string | null;
  email: string | null;
  touchpointId: string | null;
  interactionId: string | null;
  agent: string | null;
  language: string | null;
  hidden: Record<string, string>;
  triggerKey: string | null;
  status: InvitationStatus;
  reason?: string | null;
  scheduledAt: Date | null;
  sentAt?: Date | null;
  openedAt?: Date | null;
  expiresAt: Date;
}

const INV_COLS = sql`i.org_id, i.id, i.survey_id, i.version, i.channel, i.customer_id, i.email, i.touchpoint_id,
  (SELECT t.key FROM touchpoints t WHERE t.org_id = i.org_id AND t.id = i.touchpoint_id) AS touchpoint,
  i.interaction_id, i.agent, i.language, i.hidden, i.trigger_key, i.status, i.reason, i.scheduled_at, i.attempts,
  i.last_error, i.sent_at, i.opened_at, i.started_at, i.completed_at, i.expires_at, i.answers, i.page, i.response_id,
  i.created_at`;

/** Inserts invitations; one whose trigger key exists already is skipped. Returns the ids written. */
export async function insertInvitations(db: Db, orgId: string, rows: NewInvitation[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (const n of rows) {
    const id = n.id ?? uuidv7();
    const r = await sql<{ id: string }>`
      INSERT INTO survey_invitations (org_id, id, survey_id, version, channel, customer_id, email, touchpoint_id,
        interaction_id, agent, language, hidden, trigger_key, status, reason, scheduled_at, sent_at, opened_at, expires_at)
      VALUES (${orgId}, ${id}, ${n.surveyId}, ${n.version}, ${n.channel}, ${n.customerId}, ${n.email}, ${n.touchpointId},
        ${n.interactionId}, ${n.agent}, ${n.language}, ${JSON.stringify(n.hidden)}::jsonb, ${n.triggerKey}, ${n.status},
        ${n.reason ?? null}, ${n.scheduledAt}, ${n.sentAt ?? null}, ${n.openedAt ?? null}, ${n.expiresAt})
      ON CONFLICT DO NOTHING RETURNING id`.execute(db);
    out.push(r.rows[0]?.id ?? null);
  }
  return out;
}

export async function getInvitation(
  db: Db,
  orgId: string,
  id: string,
  forUpdate = false,
): Promise<InvitationRow | undefined> {
  const r = await sql<InvitationRow>`SELECT ${INV_COLS} FROM survey_invitations i
    WHERE i.org_id = ${orgId} AND i.id = ${id} ${forUpdate ? sql`FOR UPDATE` : sql``}`.execute(db);
  return r.rows[0];
}

export interface InvitationPatch {
  status?: InvitationStatus;
  reason?: string | null;
  scheduled_at?: Date | null;
  claimed_until?: Date | null;
  attempts?: number;
  last_error?: string | null;
  sent_at?: Date;
  opened_at?: Date;
  started_at?: Date;
  completed_at?: Date | null;
  answers?: object;
  page?: number;
  response_id?: string;
  customer_id?: string;
}

/** Funnel timestamps keep their first value: set only where still empty. */
const FIRST_ONLY = new Set(['sent_at', 'opened_at', 'started_at']);

export async function patchInvitation(db: Db, orgId: string, id: string, patch: InvitationPatch): Promise<void> {
  const sets = Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const value = k === 'answers' ? sql`${JSON.stringify(v)}::jsonb` : sql`${v}`;
      return FIRST_ONLY.has(k) ? sql`${sql.ref(k)} = coalesce(${sql.ref(k)}, ${value})` : sql`${sql.ref(k)} = ${value}`;
    });
  if (sets.length === 0) return;
  await sql`UPDATE survey_invitations SET ${sql.join(sets)} WHERE org_id = ${orgId} AND id = ${id}`.execute(db);
}

export async function listInvitations(
  db: Db,
  orgId: string,
  surveyId: string,
  f: { status?: string; limit: number },
): Promise<InvitationRow[]> {
  const r = await sql<InvitationRow>`SELECT ${INV_COLS} FROM survey_invitations i
    WHERE i.org_id = ${orgId} AND i.survey_id = ${surveyId} ${f.status ? sql`AND i.status = ${f.status}` : sql``}
    ORDER BY i.created_at DESC, i.id DESC LIMIT ${f.limit}`.execute(db);
  return r.rows;
}

/**
 * Claims due scheduled invitations (and ones whose sender died mid-send) for sending: they
 * move to 'sending' with a lease, so a second dispatcher skips them.
 */
export async function claimDueInvitations(db: Db, now: Date, limit: number, leaseMs: number): Promise<InvitationRow[]> {
  const until = new Date(now.getTime() + leaseMs);
  const r = await sql<{ org_id: string; id: string }>`
    UPDATE survey_invitations i SET status = 'sending', claimed_until = ${until}, attempts = i.attempts + 1
    FROM (SELECT org_id, id FROM survey_invitations
          WHERE (status = 'scheduled' AND scheduled_at <= ${now})
             OR (status = 'sending' AND claimed_until < ${now})
          ORDER BY scheduled_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) d
    WHERE i.org_id = d.org_id AND i.id = d.id RETURNING i.org_id, i.id`.execute(db);
  const out: InvitationRow[] = [];
  for (const x of r.rows) {
    const row = await getInvitation(db, x.org_id, x.id);
    if (row) out.push(row);
  }
  return out;
}

/** The last time a customer was asked anything (an invitation sent or shown), other than `except`. */
export async function lastAskedAt(db: Db, orgId: string, customerId: string, except?: string): Promise<Date | null> {
  const r = await sql<{ at: Date | null }>`
    SELECT max(sent_at) AS at FROM survey_invitations
    WHERE org_id = ${orgId} AND customer_id = ${customerId} AND sent_at IS NOT NULL
      ${except ? sql`AND id <> ${except}` : sql``}`.execute(db);
  const at = r.rows[0]?.at;
  return at ? new Date(at) : null;
}

export async function touchpointSentSince(db: Db, orgId: string, touchpointId: string, since: Date): Promise<number> {
  const r = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM survey_invitations
    WHERE org_id = ${orgId} AND touchpoint_id = ${touchpointId} AND sent_at >= ${since}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

export async function isOptedOut(db: Db, orgId: string, customerId: string | null): Promise<boolean> {
  if (!customerId) return false;
  const r = await sql<{ n: number }>`SELECT 1 AS n FROM survey_opt_outs
    WHERE org_id = ${orgId} AND customer_id = ${customerId}`.execute(db);
  return r.rows.length > 0;
}

export async function addOptOut(db: Db, orgId: string, customerId: string, source: string): Promise<boolean> {
  const r =
    await sql`INSERT INTO survey_opt_outs (org_id, customer_id, source) VALUES (${orgId}, ${customerId}, ${source})
    ON CONFLICT DO NOTHING`.execute(db);
  // Anything still waiting to go to this customer is cancelled.
  await sql`UPDATE survey_invitations SET status = 'cancelled', reason = 'opted_out'
    WHERE org_id = ${orgId} AND customer_id = ${customerId} AND status = 'scheduled'`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function removeOptOut(db: Db, orgId: string, customerId: string): Promise<boolean> {
  const r = await sql`DELETE FROM survey_opt_outs WHERE org_id = ${orgId} AND customer_id = ${customerId}`.execute(db);
  return Number(r.numAffectedRows ?? 0) > 0;
}

export async function listOptOuts(
  db: Db,
  orgId: string,
  limit: number,
): Promise<{ customer_id: string; email: string | null; source: string; created_at: Date }[]> {
  const r = await sql<{ customer_id: string; email: string | null; source: string; created_at: Date }>`
    SELECT o.customer_id, (SELECT min(ci.value) FROM customer_identities ci
        WHERE ci.org_id = o.org_id AND ci.customer_id = o.customer_id AND ci.kind = 'email') AS email,
      o.source, o.created_at
    FROM survey_opt_outs o WHERE o.org_id = ${orgId} ORDER BY o.created_at DESC LIMIT ${limit}`.execute(db);
  return r.rows;
}

/** A customer's email address, for sending (the first known, alphabetically, for determinism). */
export async function customerEmail(db: Db, orgId: string, customerId: string): Promise<string | null> {
  const r = await sql<{ value: string }>`SELECT value FROM customer_identities
    WHERE org_id = ${orgId} AND customer_id = ${customerId} AND kind = 'email' ORDER BY value LIMIT 1`.execute(db);
  return r.rows[0]?.value ?? null;
}

/** A customer by an identity, following merges. */
export async function customerByIdentity(
  db: Db,
  orgId: string,
  kind: 'email' | 'phone' | 'external',
  value: string,
): Promise<string | null> {
  const r = await sql<{ id: string }>`
    SELECT coalesce(c.merged_into, c.id) AS id FROM customer_identities ci
    JOIN customers c ON c.org_id = ci.org_id AND c.id = ci.customer_id
    WHERE ci.org_id = ${orgId} AND ci.kind = ${kind} AND ci.value = ${value}`.execute(db);
  return r.rows[0]?.id ?? null;
}

export interface RatedInteraction {
  id: string;
  customer_id: string;
  touchpoint_id: string | null;
  touchpoint: string | null;
  agent: string | null;
  kind: string;
  resolved_at: Date | null;
}

export async function interactionForSurvey(
  db: Db,
  orgId: string,
  ref: { id?: string; externalId?: string },
): Promise<RatedInteraction | undefined> {
  const r = await sql<RatedInteraction>`
    SELECT i.id, i.customer_id, i.touchpoint_id, t.key AS touchpoint, a.key AS agent, i.kind, i.resolved_at
    FROM interactions i
    LEFT JOIN touchpoints t ON t.org_id = i.org_id AND t.id = i.touchpoint_id
    LEFT JOIN agents a ON a.org_id = i.org_id AND a.id = i.agent_id
    WHERE i.org_id = ${orgId} AND ${ref.id ? sql`i.id = ${ref.id}::uuid` : sql`i.external_id = ${ref.externalId ?? ''}`}`.execute(
    db,
  );
  return r.rows[0];
}

export async function touchpointId(db: Db, orgId: string, key: string): Promise<string | null> {
  const r = await sql<{ id: string }>`SELECT id FROM touchpoints WHERE org_id = ${orgId} AND key = ${key}`.execute(db);
  return r.rows[0]?.id ?? null;
}

export interface TriggerCause {
  trigger_key: string;
  customer_id: string;
  at: Date;
  interaction_id: string | null;
  touchpoint_id: string | null;
  agent: string | null;
}

/**
 * What happened recently that a survey's trigger asks about and that has no invitation yet:
 * interactions resolved since `since` (kinds/touchpoints filtered), or events of the given types.
 */
export async function triggerCauses(
  db: Db,
  orgId: string,
  surveyId: string,
  t: { on: 'interaction_resolved' | 'event'; kinds?: string[]; types?: string[]; touchpoints?: string[] },
  since: Date,
  limit: number,
): Promise<TriggerCause[]> {
  const tps = t.touchpoints ?? null;
  if (t.on === 'interaction_resolved') {
    const r = await sql<TriggerCause>`
      SELECT 'interaction:' || i.id AS trigger_key, i.customer_id, i.resolved_at AS at, i.id AS interaction_id,
        i.touchpoint_id, a.key AS agent
      FROM interactions i
      LEFT JOIN touchpoints tp ON tp.org_id = i.org_id AND tp.id = i.touchpoint_id
      LEFT JOIN agents a ON a.org_id = i.org_id AND a.id = i.agent_id
      WHERE i.org_id = ${orgId} AND i.resolved_at >= ${since} AND i.opened_at >= ${new Date(since.getTime() - 90 * 86_400_000)}
        ${t.kinds ? sql`AND i.kind = ANY(${t.kinds}::text[])` : sql``}
        ${tps ? sql`AND tp.key = ANY(${tps}::text[])` : sql``}
        AND NOT EXISTS (SELECT 1 FROM survey_invitations s WHERE s.org_id = i.org_id AND s.survey_id = ${surveyId}
          AND s.trigger_key = 'interaction:' || i.id)
      ORDER BY i.resolved_at LIMIT ${limit}`.execute(db);
    return r.rows;
  }
  const r = await sql<TriggerCause>`
    SELECT 'event:' || e.id AS trigger_key, e.customer_id, e.occurred_at AS at, NULL::uuid AS interaction_id,
      e.touchpoint_id, NULL::text AS agent
    FROM events e
    LEFT JOIN touchpoints tp ON tp.org_id = e.org_id AND tp.id = e.touchpoint_id
    WHERE e.org_id = ${orgId} AND e.type = ANY(${t.types ?? []}::text[]) AND e.occurred_at >= ${since}
      ${tps ? sql`AND tp.key = ANY(${tps}::text[])` : sql``}
      AND NOT EXISTS (SELECT 1 FROM survey_invitations s WHERE s.org_id = e.org_id AND s.survey_id = ${surveyId}
        AND s.trigger_key = 'event:' || e.id)
    ORDER BY e.occurred_at LIMIT ${limit}`.execute(db);
  return r.rows;
}

export interface FunnelRow {
  channel: string | null;
  touchpoint: string | null;
  invited: number;
  sent: number;
  opened: number;
  started: number;
  completed: number;
  skipped: number;
  failed: number;
}

/** Funnel counts for a survey, by channel and/or touchpoint, for invitations created in [from, to). */
export async function surveyFunnel(
  db: Db,
  orgId: string,
  surveyId: string,
  f: { byChannel: boolean; byTouchpoint: boolean; from?: Date; to?: Date },
): Promise<FunnelRow[]> {
  const ch = f.byChannel ? sql`i.channel` : sql`NULL::text`;
  const tp = f.byTouchpoint ? sql`t.key` : sql`NULL::text`;
  const r = await sql<FunnelRow>`
    SELECT ${ch} AS channel, ${tp} AS touchpoint, count(*)::int AS invited,
      count(i.sent_at)::int AS sent, count(i.opened_at)::int AS opened, count(i.started_at)::int AS started,
      count(i.completed_at)::int AS completed,
      count(*) FILTER (WHERE i.status = 'skipped')::int AS skipped,
      count(*) FILTER (WHERE i.status = 'failed')::int AS failed
    FROM survey_invitations i
    LEFT JOIN touchpoints t ON t.org_id = i.org_id AND t.id = i.touchpoint_id
    WHERE i.org_id = ${orgId} AND i.survey_id = ${surveyId}
      ${f.from ? sql`AND i.created_at >= ${f.from}` : sql``} ${f.to ? sql`AND i.created_at < ${f.to}` : sql``}
    GROUP BY 1, 2 ORDER BY 1 NULLS FIRST, 2 NULLS FIRST`.execute(db);
  return r.rows;
}

/**
 * Replaces the answers of a response written earlier by the ingestion pipeline (a survey taken
 * page by page, or a one-click score changed by a second click). Rows that did not change are
 * left alone, so the rollup triggers see only real changes; the response's text analyses are
 * removed for the caller to analyse the texts again.
 */
export async function reviseResponseAnswers(
  trx: Db,
  orgId: string,
  responseId: string,
  answers: AnswerInput[],
): Promise<void> {
  const rows = answers.map((a) => {
    const c = answerColumns(a);
    return {
      field: a.field,
      type: a.type,
      num: c.num,
      text: c.text,
      choices: c.choices,
      smin: c.scaleMin,
      smax: c.scaleMax,
      easier: c.easier,
    };
  });
  const fields = rows.map((r) => r.field);
  await sql`DELETE FROM answers WHERE org_id = ${orgId} AND response_id = ${responseId}
    AND NOT (field = ANY(${fields}::text[]))`.execute(trx);
  await sql`
    INSERT INTO answers (org_id, response_id, field, type, value_num, value_text, value_choices, scale_min, scale_max,
      higher_is_easier, customer_id, touchpoint_id, agent_id, submitted_at)
    SELECT ${orgId}::uuid, ${responseId}::uuid, a.field, a.type, a.num, a.txt,
      CASE WHEN a.choices IS NULL THEN NULL ELSE ARRAY(SELECT jsonb_array_elements_text(a.choices::jsonb)) END,
      a.smin, a.smax, a.easier, x.customer_id, x.touchpoint_id, x.agent_id, x.submitted_at
    FROM unnest(${fields}::text[], ${rows.map((r) => r.type)}::text[], ${rows.map((r) => r.num)}::float8[],
      ${rows.map((r) => r.text)}::text[], ${rows.map((r) => r.choices)}::text[], ${rows.map((r) => r.smin)}::float8[],
      ${rows.map((r) => r.smax)}::float8[], ${rows.map((r) => r.easier)}::bool[])
      AS a(field, type, num, txt, choices, smin, smax, easier)
    JOIN responses x ON x.org_id = ${orgId} AND x.id = ${responseId}
    ON CONFLICT (org_id, response_id, field) DO UPDATE SET type = EXCLUDED.type, value_num = EXCLUDED.value_num,
      value_text = EXCLUDED.value_text, value_choices = EXCLUDED.value_choices, scale_min = EXCLUDED.scale_min,
      scale_max = EXCLUDED.scale_max, higher_is_easier = EXCLUDED.higher_is_easier
    WHERE (answers.type, answers.value_num, answers.value_text, answers.value_choices, answers.scale_min,
        answers.scale_max, answers.higher_is_easier)
      IS DISTINCT FROM (EXCLUDED.type, EXCLUDED.value_num, EXCLUDED.value_text, EXCLUDED.value_choices,
        EXCLUDED.scale_min, EXCLUDED.scale_max, EXCLUDED.higher_is_easier)`.execute(trx);
  await sql`DELETE FROM text_topics tt USING text_analyses ta
    WHERE ta.org_id = ${orgId} AND ta.subject_kind = 'response' AND ta.subject_id = ${responseId}
      AND tt.org_id = ta.org_id AND tt.analysis_id = ta.id`.execute(trx);
  await sql`DELETE FROM text_analyses WHERE org_id = ${orgId} AND subject_kind = 'response'
    AND subject_id = ${responseId}`.execute(trx);
}

export async function responseCustomer(
  db: Db,
  orgId: string,
  responseId: string,
): Promise<{ customer_id: string | null } | undefined> {
  const r = await sql<{ customer_id: string | null }>`
    SELECT customer_id FROM responses WHERE org_id = ${orgId} AND id = ${responseId}`.execute(db);
  return r.rows[0];
}
