import type { Store } from '@canopy/store';
import { sql } from 'kysely';

/**
 * The audit log in words: what a change did, named the way a person reads it ("removed the user
 * ana@example.com", "changed the rule “Detractor”", "replaced the taxonomy"), and why a refused or
 * failed attempt did not happen. Names are looked up before the change runs, so a removed user or
 * rule keeps its name in the entry.
 */

type Db = Store['db'];
type Params = Record<string, string | undefined>;
type Body = Record<string, unknown> | null;

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
const quoted = (s: string) => `“${s}”`;
const isUuid = (s: string | undefined): s is string =>
  !!s && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

async function one(db: Db, q: ReturnType<typeof sql<{ v: string | null }>>): Promise<string | null> {
  try {
    return (await q.execute(db)).rows[0]?.v ?? null;
  } catch {
    return null;
  }
}

async function userName(db: Db, orgId: string, id: string | undefined): Promise<string> {
  if (!isUuid(id)) return 'a user';
  const email = await one(
    db,
    sql<{ v: string | null }>`SELECT email AS v FROM users WHERE org_id = ${orgId} AND id = ${id}::uuid`,
  );
  return email ? `the user ${email}` : 'a user';
}

async function ruleName(db: Db, orgId: string, id: string | undefined): Promise<string> {
  if (!isUuid(id)) return 'a rule';
  const name = await one(
    db,
    sql<{ v: string | null }>`SELECT name AS v FROM rules WHERE org_id = ${orgId} AND id = ${id}::uuid`,
  );
  return name ? `the rule ${quoted(name)}` : 'a rule';
}

async function surveyName(db: Db, orgId: string, key: string | undefined): Promise<string> {
  if (!key) return 'a survey';
  const name = await one(
    db,
    sql<{ v: string | null }>`SELECT name AS v FROM surveys WHERE org_id = ${orgId} AND key = ${key}`,
  );
  return name ? `the survey ${quoted(name)}` : `the survey ${key}`;
}

async function webhookName(db: Db, orgId: string, id: string | undefined): Promise<string> {
  if (!isUuid(id)) return 'a webhook';
  const url = await one(
    db,
    sql<{ v: string | null }>`SELECT url AS v FROM webhooks WHERE org_id = ${orgId} AND id = ${id}::uuid`,
  );
  if (!url) return 'a webhook';
  try {
    return `the webhook to ${new URL(url).host}`;
  } catch {
    return 'a webhook';
  }
}

/** What changed of a user, in words ("role to analyst, name"). */
function userChanges(body: Body): string {
  if (!body) return '';
  const parts: string[] = [];
  if (str(body.role)) parts.push(`role to ${String(body.role).replace('_', ' ')}`);
  if ('department' in body) parts.push(body.department ? `department to ${String(body.department)}` : 'no department');
  if (str(body.name)) parts.push('name');
  if (str(body.email)) parts.push(`email to ${String(body.email)}`);
  if (str(body.password)) parts.push('password');
  return parts.length ? `: ${parts.join(', ')}` : '';
}

const SURVEY_STATUS: Record<string, string> = {
  active: 'started',
  paused: 'paused',
  archived: 'archived',
  draft: 'set back to draft',
};

const MODEL_KIND: Record<string, string> = {
  topics: 'a topics model',
  intents: 'an intents model',
  sentiment: 'a sentiment model',
};

/**
 * One audited request in words, from its route template, parameters and body; names are read
 * from the store as they are before the request runs. Never throws (a lookup that fails names
 * the thing generically).
 */
export async function auditSummary(
  db: Db,
  orgId: string,
  method: string,
  route: string,
  params: Params,
  rawBody: unknown,
): Promise<string> {
  const body: Body = rawBody && typeof rawBody === 'object' && !Array.isArray(rawBody) ? (rawBody as Body) : null;
  const list = Array.isArray(rawBody) ? rawBody : null;
  const key = `${method} ${route}`;
  switch (key) {
    case 'POST /api/v1/users':
      return `added the user ${str(body?.email) ?? ''}${str(body?.role) ? ` as ${String(body?.role).replace('_', ' ')}` : ''}`.replace(
        /\s+as/,
        ' as',
      );
    case 'PATCH /api/v1/users/{id}':
      return `changed ${await userName(db, orgId, params.id)}${userChanges(body)}`;
    case 'DELETE /api/v1/users/{id}':
      return `removed ${await userName(db, orgId, params.id)}`;
    case 'PUT /api/v1/me/password':
      return 'changed their own password';
    case 'POST /api/v1/rules':
      return str(body?.name) ? `created the rule ${quoted(str(body?.name)!)}` : 'created a rule';
    case 'PUT /api/v1/rules/{id}': {
      const before = await ruleName(db, orgId, params.id);
      const after = str(body?.name);
      return after && before !== `the rule ${quoted(after)}`
        ? `changed ${before} (now ${quoted(after)})`
        : `changed ${before}${body && body.enabled === false ? ' (disabled)' : ''}`;
    }
    case 'DELETE /api/v1/rules/{id}':
      return `deleted ${await ruleName(db, orgId, params.id)}`;
    case 'POST /api/v1/surveys':
      return str(body?.name) ? `created the survey ${quoted(str(body?.name)!)}` : 'created a survey';
    case 'PUT /api/v1/surveys/{key}':
      return `saved a new version of ${await surveyName(db, orgId, params.key)}`;
    case 'PATCH /api/v1/surveys/{key}': {
      const s = str(body?.status);
      return `${s ? (SURVEY_STATUS[s] ?? `set to ${s}`) : 'changed'} ${await surveyName(db, orgId, params.key)}`;
    }
    case 'PUT /api/v1/survey-settings':
      return 'changed the survey settings';
    case 'POST /api/v1/survey-settings/rotate-public-key':
      return 'replaced the web widget’s public key';
    case 'POST /api/v1/surveys/dispatch':
      return 'sent the survey invitations that were due';
    case 'PUT /api/v1/taxonomy':
      return 'replaced the taxonomy';
    case 'POST /api/v1/taxonomy/reanalysis':
      return 'started finding the topics of stored texts again';
    case 'POST /api/v1/text-models':
      return `trained ${MODEL_KIND[str(body?.kind) ?? ''] ?? 'a text model'}`;
    case 'POST /api/v1/departments': {
      const names = (list ?? (body ? [body] : [])).map((d) => str((d as Body)?.name) ?? str((d as Body)?.key));
      return names.length === 1 && names[0]
        ? `saved the department ${quoted(names[0])}`
        : `saved ${names.length} departments`;
    }
    case 'POST /api/v1/touchpoints': {
      const names = (list ?? (body ? [body] : [])).map((d) => str((d as Body)?.name) ?? str((d as Body)?.key));
      return names.length === 1 && names[0]
        ? `saved the touchpoint ${quoted(names[0])}`
        : `saved ${names.length} touchpoints`;
    }
    case 'POST /api/v1/webhooks': {
      const url = str(body?.url);
      let host: string | null = null;
      try {
        host = url ? new URL(url).host : null;
      } catch {}
      return host ? `added a webhook to ${host}` : 'added a webhook';
    }
    case 'PATCH /api/v1/webhooks/{id}':
      return `changed ${await webhookName(db, orgId, params.id)}`;
    case 'DELETE /api/v1/webhooks/{id}':
      return `deleted ${await webhookName(db, orgId, params.id)}`;
    case 'POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/replay':
      return `sent a delivery of ${await webhookName(db, orgId, params.id)} again`;
    case 'DELETE /api/v1/customers/{id}':
      return 'erased a customer and their personal data';
  }
  const verb: Record<string, string> = { POST: 'created', PUT: 'replaced', PATCH: 'changed', DELETE: 'deleted' };
  return `${verb[method] ?? method} ${route.replace(/^\/api\/v1\//, '').replace(/[{}]/g, '')}`;
}

/**
 * Why an attempt was refused or failed, from its answer (an RFC 7807 problem: its detail and the
 * first field's reason); null for a change that happened.
 */
export function auditReason(status: number, payload: unknown): string | null {
  if (status < 400) return null;
  let p: { detail?: unknown; title?: unknown; errors?: { field?: unknown; reason?: unknown }[] } | null = null;
  try {
    p =
      typeof payload === 'string' ? JSON.parse(payload) : Buffer.isBuffer(payload) ? JSON.parse(String(payload)) : null;
  } catch {
    p = null;
  }
  const detail =
    p && typeof p.detail === 'string' && p.detail ? p.detail : p && typeof p.title === 'string' ? p.title : null;
  const first = p && Array.isArray(p.errors) ? p.errors[0] : undefined;
  const field =
    first && typeof first.field === 'string' && typeof first.reason === 'string'
      ? `${first.field} ${first.reason}`
      : null;
  const parts = [detail, field && !detail?.includes(field) ? field : null].filter(Boolean);
  return parts.length ? parts.join(': ') : `the server answered ${status}`;
}
