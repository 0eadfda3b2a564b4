import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { DepartmentInput, TouchpointInput, UserRole } from '@canopy/core';
import { sql } from 'kysely';
import { uuidv7 } from './ids.js';
import type { Db } from './ingest/types.js';

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;

export interface Org {
  id: string;
  slug: string;
  name: string;
}

export async function createOrg(db: Db, slug: string, name: string): Promise<Org> {
  const id = uuidv7();
  await db.insertInto('orgs').values({ id, slug, name, settings: '{}' }).execute();
  return { id, slug, name };
}

export async function findOrgBySlug(db: Db, slug: string): Promise<Org | undefined> {
  return db.selectFrom('orgs').select(['id', 'slug', 'name']).where('slug', '=', slug).executeTakeFirst();
}

/**
 * API keys are high-entropy random secrets, so a fast SHA-256 of the whole key is a safe
 * at-rest hash (unlike passwords) and lets a request find its key by one index lookup.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export async function createApiKey(db: Db, orgId: string, name: string): Promise<{ id: string; key: string }> {
  const prefix = randomBytes(4).toString('hex');
  const key = `cnp_${prefix}_${randomBytes(24).toString('base64url')}`;
  const id = uuidv7();
  await db
    .insertInto('api_keys')
    .values({ org_id: orgId, id, name, prefix, key_hash: hashApiKey(key) })
    .execute();
  return { id, key };
}

export async function findApiKey(db: Db, key: string): Promise<{ orgId: string; keyId: string } | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select(['org_id', 'id'])
    .where('key_hash', '=', hashApiKey(key))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? { orgId: row.org_id, keyId: row.id } : undefined;
}

/** Passwords: scrypt with a per-user salt, stored as scrypt$<salt>$<hash>. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, saltB64, hashB64] = stored.split('$');
  if (scheme !== 'scrypt' || !saltB64 || !hashB64) return false;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length);
  return timingSafeEqual(actual, expected);
}

export async function createUser(
  db: Db,
  orgId: string,
  user: { email: string; name: string; role: UserRole; password: string; departmentId?: string },
): Promise<string> {
  const id = uuidv7();
  await db
    .insertInto('users')
    .values({
      org_id: orgId,
      id,
      email: user.email.toLowerCase(),
      name: user.name,
      role: user.role,
      department_id: user.departmentId ?? null,
      password_hash: await hashPassword(user.password),
    })
    .execute();
  return id;
}

/** A department's id from its key, or undefined when the org has no such department. */
export async function departmentIdByKey(db: Db, orgId: string, key: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('departments')
    .select('id')
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirst();
  return row?.id;
}

export async function upsertDepartments(db: Db, orgId: string, departments: DepartmentInput[]): Promise<void> {
  for (const d of departments) {
    await sql`INSERT INTO departments (org_id, id, key, name, function)
      VALUES (${orgId}, ${uuidv7()}, ${d.key}, ${d.name}, ${d.function ?? null})
      ON CONFLICT (org_id, key) DO UPDATE SET name = EXCLUDED.name, function = EXCLUDED.function`.execute(db);
  }
}

/** Returns the keys of touchpoints whose department is unknown (nothing is written then). */
export async function upsertTouchpoints(db: Db, orgId: string, touchpoints: TouchpointInput[]): Promise<string[]> {
  const deps = await db.selectFrom('departments').select(['id', 'key']).where('org_id', '=', orgId).execute();
  const depId = new Map(deps.map((d) => [d.key, d.id]));
  const unknown = touchpoints.filter((t) => !depId.has(t.department)).map((t) => t.key);
  if (unknown.length) return unknown;
  for (const t of touchpoints) {
    await sql`INSERT INTO touchpoints (org_id, id, key, name, department_id, channel, journey_stage, planned, direct, description)
      VALUES (${orgId}, ${uuidv7()}, ${t.key}, ${t.name}, ${depId.get(t.department)!}, ${t.channel}, ${t.journey_stage},
        ${t.planned}, ${t.direct}, ${t.description ?? null})
      ON CONFLICT (org_id, key) DO UPDATE SET name = EXCLUDED.name, department_id = EXCLUDED.department_id,
        channel = EXCLUDED.channel, journey_stage = EXCLUDED.journey_stage, planned = EXCLUDED.planned,
        direct = EXCLUDED.direct, description = EXCLUDED.description`.execute(db);
  }
  return [];
}
