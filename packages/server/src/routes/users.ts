import { can, email as emailField, key, nonEmptyText, text, USER_ROLES, type UserRole, uuid } from '@canopy/core';
import {
  countOwners,
  countRoles,
  createUser,
  deleteUser,
  departmentIdByKey,
  emailTaken,
  getUser,
  listAudit,
  listUsers,
  type Store,
  setPassword,
  updateUser,
} from '@canopy/store';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApiKeyAuth, OrgContext } from '../auth.js';
import { invalidFields, Problem, zodFieldErrors } from '../problem.js';
import { apiRoute, limitParam } from '../route.js';

/** Passwords people choose: long enough to resist guessing, short enough to hash quickly. */
export const newPassword = text(200).min(10, { error: 'must be at least 10 characters' });

const role = z.enum(USER_ROLES, { error: `must be one of ${USER_ROLES.join(', ')}` });

const userInput = z.strictObject({
  email: emailField,
  name: nonEmptyText(200),
  role,
  department: key.nullable().optional(),
  password: newPassword,
});

const userChange = z
  .strictObject({
    email: emailField.optional(),
    name: nonEmptyText(200).optional(),
    role: role.optional(),
    department: key.nullable().optional(),
    password: newPassword.optional(),
  })
  .refine((c) => Object.keys(c).length > 0, { error: 'send at least one of email, name, role, department, password' });

function idParam(params: Record<string, string>): string {
  const r = uuid.safeParse(params.id);
  if (!r.success)
    throw new Problem(400, 'Invalid path', 'the user id must be a UUID', [{ field: 'id', reason: 'must be a UUID' }]);
  return r.data;
}

/** An API key acts for the org as a whole, as an owner would. */
const actsAsOwner = (org: OrgContext) => !org.role || org.role === 'owner';

function ownersOnly(org: OrgContext, what: string): void {
  if (!actsAsOwner(org)) throw new Problem(403, 'Forbidden', `only an owner may ${what}`);
}

/** The roles that manage users: an org without one of them is locked out of its own settings. */
const MANAGERS = USER_ROLES.filter((r) => can(r, 'manage_users'));

/**
 * The org's people and their roles (see core's permissions for what each role may do).
 * Owners and admins manage users; only owners make or change owners, and the last owner stays.
 * Nobody removes themselves (a slip of the mouse would sign them out for good), and the org
 * always keeps someone who manages users.
 */
export function userRoutes(app: FastifyInstance, store: Store, auth: ApiKeyAuth): void {
  const departmentId = async (orgId: string, dep: string | null | undefined, field = 'department') => {
    if (dep === undefined) return undefined;
    if (dep === null) return null;
    const id = await departmentIdByKey(store.db, orgId, dep);
    if (!id) throw invalidFields('Invalid user', [{ field, reason: `no department '${dep}'` }]);
    return id;
  };

  const auditQuery = z.strictObject({
    limit: limitParam(500, 100),
    before: uuid.optional(),
    actor: z.string().max(320).optional(),
  });
  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/audit',
    summary: 'Who changed what: configuration and user changes, newest first (refused attempts too)',
    tags: ['users'],
    permission: 'manage_users',
    audit: false,
    query: auditQuery,
    responses: { 200: '{items, next_before}' },
    handler: async (_req, _reply, { org, query: q }) =>
      listAudit(store.db, org.orgId, { limit: q.limit, before: q.before, actor: q.actor }),
  });

  apiRoute(app, auth, {
    method: 'GET',
    url: '/api/v1/users',
    summary: 'The org’s users with their roles and departments',
    tags: ['users'],
    permission: 'manage_users',
    responses: { 200: '{items}' },
    handler: async (_req, _reply, { org }) => ({ items: await listUsers(store.db, org.orgId) }),
  });

  apiRoute(app, auth, {
    method: 'POST',
    url: '/api/v1/users',
    summary: 'Add a user (they sign in with this email and password)',
    tags: ['users'],
    body: userInput,
    permission: 'manage_users',
    responses: { 201: 'User' },
    handler: async (req, reply, { org }) => {
      const r = userInput.safeParse(req.body ?? {});
      if (!r.success) throw invalidFields('Invalid user', zodFieldErrors(r.error));
      const u = r.data;
      if (u.role === 'owner') ownersOnly(org, 'add an owner');
      if (u.role === 'department_owner' && !u.department) {
        throw invalidFields('Invalid user', [{ field: 'department', reason: 'a department owner needs a department' }]);
      }
      const depId = await departmentId(org.orgId, u.department);
      if (await emailTaken(store.db, u.email)) {
        throw new Problem(409, 'Email taken', 'a user with this email already exists', [
          { field: 'email', reason: 'is already a user' },
        ]);
      }
      const id = await createUser(store.db, org.orgId, {
        email: u.email,
        name: u.name,
        role: u.role as UserRole,
        password: u.password,
        ...(depId ? { departmentId: depId } : {}),
      });
      return reply.code(201).send(await getUser(store.db, org.orgId, id));
    },
  });

  apiRoute(app, auth, {
    method: 'PATCH',
    url: '/api/v1/users/{id}',
    summary: 'Change a user’s name, email, role, department or password (a new password signs them out)',
    tags: ['users'],
    body: userChange,
    permission: 'manage_users',
    responses: { 200: 'User' },
    handler: async (req, _reply, { org, params }) => {
      const id = idParam(params);
      const r = userChange.safeParse(req.body ?? {});
      if (!r.success) throw new Problem(422, 'Invalid change', 'nothing was changed', zodFieldErrors(r.error));
      const c = r.data;
      const user = await getUser(store.db, org.orgId, id);
      if (!user) throw new Problem(404, 'Not found', `no user ${id}`);
      if (user.role === 'owner') ownersOnly(org, 'change an owner');
      if (c.role === 'owner') ownersOnly(org, 'make someone an owner');
      if (user.role === 'owner' && c.role && c.role !== 'owner' && (await countOwners(store.db, org.orgId)) <= 1) {
        throw new Problem(409, 'Last owner', 'the org needs an owner: make someone else owner first', [
          { field: 'role', reason: 'this is the last owner' },
        ]);
      }
      // An org created without an owner (an admin alone) must keep its last admin just the same.
      if (
        c.role &&
        MANAGERS.includes(user.role) &&
        !MANAGERS.includes(c.role as UserRole) &&
        (await countRoles(store.db, org.orgId, MANAGERS)) <= 1
      ) {
        throw new Problem(409, 'Last admin', 'the org needs an owner or admin: make someone else admin first', [
          { field: 'role', reason: 'this is the last owner or admin' },
        ]);
      }
      const newRole = c.role ?? user.role;
      const newDep = c.department === undefined ? user.department : c.department;
      if (newRole === 'department_owner' && !newDep) {
        throw new Problem(422, 'Invalid change', 'nothing was changed', [
          { field: 'department', reason: 'a department owner needs a department' },
        ]);
      }
      const depId = await departmentId(org.orgId, c.department);
      if (c.email && (await emailTaken(store.db, c.email, id))) {
        throw new Problem(409, 'Email taken', 'another user has this email', [
          { field: 'email', reason: 'is already a user' },
        ]);
      }
      await updateUser(store.db, org.orgId, id, {
        ...(c.email ? { email: c.email } : {}),
        ...(c.name ? { name: c.name } : {}),
        ...(c.role ? { role: c.role as UserRole } : {}),
        ...(depId !== undefined ? { departmentId: depId } : {}),
      });
      if (c.password) await setPassword(store.db, org.orgId, id, c.password);
      return getUser(store.db, org.orgId, id);
    },
  });

  apiRoute(app, auth, {
    method: 'DELETE',
    url: '/api/v1/users/{id}',
    summary: 'Remove a user; their sessions end at once',
    tags: ['users'],
    permission: 'manage_users',
    responses: { 204: 'removed' },
    handler: async (_req, reply, { org, params }) => {
      const id = idParam(params);
      const user = await getUser(store.db, org.orgId, id);
      if (!user) throw new Problem(404, 'Not found', `no user ${id}`);
      if (id === org.userId) {
        throw new Problem(409, 'Cannot remove yourself', 'you cannot remove your own account', [
          { field: 'id', reason: 'is your own account: another owner or admin can remove it' },
        ]);
      }
      if (user.role === 'owner') {
        ownersOnly(org, 'remove an owner');
        if ((await countOwners(store.db, org.orgId)) <= 1) {
          throw new Problem(409, 'Last owner', 'the org needs an owner: make someone else owner first', [
            { field: 'id', reason: 'this is the last owner' },
          ]);
        }
      }
      if (MANAGERS.includes(user.role) && (await countRoles(store.db, org.orgId, MANAGERS)) <= 1) {
        throw new Problem(409, 'Last admin', 'the org needs an owner or admin: make someone else admin first', [
          { field: 'id', reason: 'this is the last owner or admin' },
        ]);
      }
      await deleteUser(store.db, org.orgId, id);
      return reply.code(204).send();
    },
  });
}
