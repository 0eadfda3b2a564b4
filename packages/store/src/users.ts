import type { UserRole } from '@canopy/core';
import { sql } from 'kysely';
import type { Db } from './ingest/types.js';
import { hashPassword } from './orgs.js';

/** A user as admins see them: never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  department: string | null;
  created_at: Date;
  last_seen_at: Date | null;
}

const userView = (orgId: string, userId?: string) => sql<UserView>`
  SELECT u.id, u.email, u.name, u.role, d.key AS department, u.created_at,
    (SELECT max(s.created_at) FROM sessions s WHERE s.org_id = u.org_id AND s.user_id = u.id) AS last_seen_at
  FROM users u LEFT JOIN departments d ON d.org_id = u.org_id AND d.id = u.department_id
  WHERE u.org_id = ${orgId} ${userId ? sql`AND u.id = ${userId}::uuid` : sql``}
  ORDER BY u.created_at, u.id`;

export async function listUsers(db: Db, orgId: string): Promise<UserView[]> {
  return (await userView(orgId).execute(db)).rows;
}

export async function getUser(db: Db, orgId: string, userId: string): Promise<UserView | undefined> {
  return (await userView(orgId, userId).execute(db)).rows[0];
}

/** Is this email taken by any user of the installation (sign-in is by email alone)? */
export async function emailTaken(db: Db, email: string, exceptUserId?: string): Promise<boolean> {
  const r = await sql<{ id: string }>`SELECT id FROM users WHERE lower(email) = lower(${email})
    ${exceptUserId ? sql`AND id <> ${exceptUserId}::uuid` : sql``} LIMIT 1`.execute(db);
  return r.rows.length > 0;
}

export async function countOwners(db: Db, orgId: string): Promise<number> {
  const r = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM users WHERE org_id = ${orgId} AND role = 'owner'`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** How many of the org's users hold one of these roles (the last owner or admin must stay). */
export async function countRoles(db: Db, orgId: string, roles: readonly UserRole[]): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM users
    WHERE org_id = ${orgId} AND role = ANY(${[...roles]}::text[])`.execute(db);
  return r.rows[0]?.n ?? 0;
}

/** A colleague a case can name as its assignee (no email: every role may read this list). */
export interface Assignee {
  id: string;
  name: string;
  role: UserRole;
  department: string | null;
}

/** The org's users in one of these roles, by name. */
export async function listAssignees(db: Db, orgId: string, roles: readonly UserRole[]): Promise<Assignee[]> {
  const r = await sql<Assignee>`SELECT u.id, u.name, u.role, d.key AS department
    FROM users u LEFT JOIN departments d ON d.org_id = u.org_id AND d.id = u.department_id
    WHERE u.org_id = ${orgId} AND u.role = ANY(${[...roles]}::text[])
    ORDER BY lower(u.name), u.id`.execute(db);
  return r.rows;
}

/**
 * The org's users that `who` names: their name or their email, in any case (a case's assignee
 * is a name, as the dashboard shows it; an integration may know the email instead).
 */
export async function usersNamed(db: Db, orgId: string, who: string): Promise<Assignee[]> {
  const r = await sql<Assignee>`SELECT u.id, u.name, u.role, d.key AS department
    FROM users u LEFT JOIN departments d ON d.org_id = u.org_id AND d.id = u.department_id
    WHERE u.org_id = ${orgId} AND (lower(u.name) = lower(${who}) OR lower(u.email) = lower(${who}))
    ORDER BY u.created_at, u.id`.execute(db);
  return r.rows;
}

export async function updateUser(
  db: Db,
  orgId: string,
  userId: string,
  change: { email?: string; name?: string; role?: UserRole; departmentId?: string | null },
): Promise<void> {
  const set: Record<string, unknown> = {};
  if (change.email !== undefined) set.email = change.email.toLowerCase();
  if (change.name !== undefined) set.name = change.name;
  if (change.role !== undefined) set.role = change.role;
  if (change.departmentId !== undefined) set.department_id = change.departmentId;
  if (Object.keys(set).length === 0) return;
  await db.updateTable('users').set(set).where('org_id', '=', orgId).where('id', '=', userId).execute();
  // A changed role takes effect at once: sessions read the role on every request.
}

/**
 * Sets a user's password and signs out their other sessions (a password change is what someone
 * does when they fear their account is used by another); the session with `keepSessionHash` stays.
 */
export async function setPassword(
  db: Db,
  orgId: string,
  userId: string,
  password: string,
  keepSessionHash?: string,
): Promise<void> {
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('users')
      .set({ password_hash: hash })
      .where('org_id', '=', orgId)
      .where('id', '=', userId)
      .execute();
    await sql`DELETE FROM sessions WHERE org_id = ${orgId} AND user_id = ${userId}
      ${keepSessionHash ? sql`AND id_hash <> ${keepSessionHash}` : sql``}`.execute(trx);
  });
}

/** Removes a user and their sessions (cases they own keep their history). */
export async function deleteUser(db: Db, orgId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('users').where('org_id', '=', orgId).where('id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
