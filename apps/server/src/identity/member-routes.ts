import { SkillsyncError } from '@skillsync/core';
import { API_PREFIX, pageQuery, member, memberPatch, slug, type Member, type Role } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, notFound, pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import type { RouteModule } from '../server-context.js';

/**
 * `GET|POST /orgs/{org}/members`, `PATCH|DELETE /orgs/{org}/members/{user}`. Adding a
 * member creates the user when new. Granting, changing or removing `owner` is for
 * owners (rbac.cedar), and the last owner can be neither demoted nor removed.
 */
export const memberRoutes: RouteModule = (app, server) => {
  const { authorizer } = server;

  app.get(`${API_PREFIX}/orgs/:org/members`, async (c) => {
    const caller = requireOwnOrg(c);
    authorizer.require(caller, 'readOrg');
    const { limit, cursor } = queryOf(c, pageQuery);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
    const rows = await server.db
      .selectFrom('org_members')
      .select(['user', 'role'])
      .where('org', '=', caller.org)
      .$if(after !== undefined, (query) => query.where('user', '>', after ?? ''))
      .orderBy('user')
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (row) => [row.user]);
    return c.json({ members: page.items as Member[], metadata: page.metadata });
  });

  app.post(`${API_PREFIX}/orgs/:org/members`, async (c) => {
    const caller = requireOwnOrg(c);
    const added = await jsonBody(c, member);
    authorizer.require(caller, 'manageMembers', { member: { user: added.user, grants: added.role } });
    const now = server.now().toISOString();
    await writeTransaction(server, async (db) => {
      if ((await roleOf(db, caller.org, added.user)) !== undefined) {
        throw new SkillsyncError('SERVER_CONFLICT', `${added.user} is already a member of ${caller.org}.`, { hint: 'Change their role with PATCH /orgs/{org}/members/{user}.' });
      }
      await db.insertInto('users').values({ user: added.user, created_at: now }).onConflict((conflict) => conflict.column('user').doNothing()).execute();
      await db.insertInto('org_members').values({ org: caller.org, user: added.user, role: added.role, created_at: now }).execute();
    });
    return c.json(added satisfies Member, 201);
  });

  app.patch(`${API_PREFIX}/orgs/:org/members/:user`, async (c) => {
    const caller = requireOwnOrg(c);
    const user = pathParam(c, 'user', slug);
    const { role } = await jsonBody(c, memberPatch);
    authorizer.require(caller, 'manageMembers', { member: { user, grants: role } });
    await writeTransaction(server, async (db) => {
      const current = await roleOf(db, caller.org, user);
      if (current === undefined) throw notFound('member', user);
      authorizer.require(caller, 'manageMembers', { member: { user, role: current, grants: role } });
      if (current === 'owner' && role !== 'owner') await keepAnOwner(db, caller.org, user, 'demote');
      await db.updateTable('org_members').set({ role }).where('org', '=', caller.org).where('user', '=', user).execute();
    });
    return c.json({ user, role } satisfies Member);
  });

  app.delete(`${API_PREFIX}/orgs/:org/members/:user`, async (c) => {
    const caller = requireOwnOrg(c);
    const user = pathParam(c, 'user', slug);
    authorizer.require(caller, 'manageMembers', { member: { user } });
    await writeTransaction(server, async (db) => {
      const current = await roleOf(db, caller.org, user);
      if (current === undefined) throw notFound('member', user);
      authorizer.require(caller, 'manageMembers', { member: { user, role: current } });
      if (current === 'owner') await keepAnOwner(db, caller.org, user, 'remove');
      // Their team memberships, tokens and reports go with it (foreign keys cascade).
      await db.deleteFrom('org_members').where('org', '=', caller.org).where('user', '=', user).execute();
    });
    return c.body(null, 204);
  });
};

/** The user's role in the org, or undefined when they are not a member. */
export async function roleOf(db: Kysely<ServerTables>, org: string, user: string): Promise<Role | undefined> {
  const row = await db.selectFrom('org_members').select('role').where('org', '=', org).where('user', '=', user).executeTakeFirst();
  return row?.role as Role | undefined;
}

/** Refuses to leave the org without an owner: someone must be able to manage it. Runs inside the write transaction. */
async function keepAnOwner(db: Kysely<ServerTables>, org: string, user: string, change: 'demote' | 'remove'): Promise<void> {
  const other = await db.selectFrom('org_members').select('user').where('org', '=', org).where('role', '=', 'owner').where('user', '!=', user).executeTakeFirst();
  if (other === undefined) {
    throw new SkillsyncError('SERVER_CONFLICT', `${user} is the last owner of ${org}; an org cannot be left without one.`, {
      hint: `Make another member owner first, then ${change} ${user}.`,
      details: { user },
    });
  }
}
