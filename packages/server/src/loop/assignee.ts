import { can, USER_ROLES, type UserRole } from '@canopy/core';
import { type Db, usersNamed } from '@canopy/store';
import type { FieldError } from '../problem.js';

/** The roles that may work cases (core's `write`): whom a case can be assigned to. */
export const CASE_WORKERS: readonly UserRole[] = USER_ROLES.filter((r) => can(r, 'write'));

/**
 * A case's assignee as stored: the name of one of the org's users who may work cases (the name is
 * what the dashboard shows and what its "Mine" filter looks for), found by their name or email in
 * any case. Undefined leaves the assignee as it is; null or "" unassigns. A name nobody has, or
 * several people share, is a field error: a case assigned to no one real waits for ever.
 */
export async function resolveAssignee(
  db: Db,
  orgId: string,
  who: string | null | undefined,
  field = 'assignee',
  /** How to say "no one" where the caller takes it ("" on a case; leaving the field out on a rule). */
  noOne = '"" to unassign',
): Promise<{ value: string | null | undefined; error?: FieldError }> {
  if (who === undefined) return { value: undefined };
  const wanted = who?.trim();
  if (!wanted) return { value: null };
  let found = await usersNamed(db, orgId, wanted);
  // "Kim" and "kim" may both exist: the exact spelling, or an email, settles it.
  if (found.length > 1) {
    const exact = found.filter((u) => u.name === wanted);
    if (exact.length) found = exact;
  }
  if (found.length === 0)
    return {
      value: undefined,
      error: {
        field,
        reason: `no user '${wanted}' in this organisation: give a user's name or email, or ${noOne}`,
      },
    };
  if (found.length > 1)
    return {
      value: undefined,
      error: { field, reason: `${found.length} users are called '${wanted}': give their email` },
    };
  const [u] = found;
  if (!CASE_WORKERS.includes(u!.role))
    return { value: undefined, error: { field, reason: `${u!.name} is a ${u!.role} and may not work cases` } };
  return { value: u!.name };
}
