import { SkillsyncError } from '@skillsync/core';
import { API_PREFIX, pageQuery, memberPatch, slug, team as teamBody, type Member, type Role, type Team } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, notFound, pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import { scopeOfTeam } from '../scopes.js';
import type { RouteModule } from '../server-context.js';
import { roleOf } from './member-routes.js';

/**
 * `GET|POST /orgs/{org}/teams`, `DELETE /orgs/{org}/teams/{team}`, and a team's members:
 * `GET /orgs/{org}/teams/{team}/members`, `PUT|DELETE …/members/{user}`. Creating and
 * deleting teams is manageTeams; a team's own admins may manage its members.
 */
export const teamRoutes: RouteModule = (app, server) => {
  const { authorizer } = server;

  app.get(`${API_PREFIX}/orgs/:org/teams`, async (c) => {
    const caller = requireOwnOrg(c);
    authorizer.require(caller, 'readOrg');
    const { limit, cursor } = queryOf(c, pageQuery);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
    const rows = await server.db
      .selectFrom('teams')
      .select(['team', 'description'])
      .where('org', '=', caller.org)
      .$if(after !== undefined, (query) => query.where('team', '>', after ?? ''))
      .orderBy('team')
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (row) => [row.team]);
    return c.json({ teams: page.items.map(teamOf), metadata: page.metadata });
  });

  app.post(`${API_PREFIX}/orgs/:org/teams`, async (c) => {
    const caller = requireOwnOrg(c);
    authorizer.require(caller, 'manageTeams');
    const created = await jsonBody(c, teamBody);
    await writeTransaction(server, async (db) => {
      if (await teamExists(db, caller.org, created.team)) throw new SkillsyncError('SERVER_CONFLICT', `Team ${created.team} already exists in ${caller.org}.`);
      await db
        .insertInto('teams')
        .values({ org: caller.org, team: created.team, description: created.description ?? null, created_at: server.now().toISOString() })
        .execute();
    });
    return c.json(created satisfies Team, 201);
  });

  app.delete(`${API_PREFIX}/orgs/:org/teams/:team`, async (c) => {
    const caller = requireOwnOrg(c);
    const team = pathParam(c, 'team', slug);
    authorizer.require(caller, 'manageTeams', { team });
    await writeTransaction(server, async (db) => {
      // A team-only skill would be left readable by org owners and admins alone: its team must be chosen again first.
      const owned = await db.selectFrom('skills').select('name').where('org', '=', caller.org).where('visibility', '=', scopeOfTeam(team)).limit(5).execute();
      if (owned.length > 0) {
        throw new SkillsyncError('SERVER_CONFLICT', `Team ${team} still owns skills (${owned.map((row) => row.name).join(', ')}); they would be left without a team.`, {
          hint: 'Move or remove those skills first (publish them to another team, or ask an org admin), then delete the team.',
          details: { team, skills: owned.map((row) => row.name) },
        });
      }
      const deleted = await db.deleteFrom('teams').where('org', '=', caller.org).where('team', '=', team).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw notFound('team', team);
      // Its profile goes with it, so a team created later under the same name starts with none.
      await db.deleteFrom('profiles').where('org', '=', caller.org).where('scope', '=', scopeOfTeam(team)).execute();
    });
    return c.body(null, 204);
  });

  app.get(`${API_PREFIX}/orgs/:org/teams/:team/members`, async (c) => {
    const caller = requireOwnOrg(c);
    const team = pathParam(c, 'team', slug);
    authorizer.require(caller, 'readOrg', { team });
    const { limit, cursor } = queryOf(c, pageQuery);
    if (!(await teamExists(server.db, caller.org, team))) throw notFound('team', team);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
    const rows = await server.db
      .selectFrom('team_members')
      .select(['user', 'role'])
      .where('org', '=', caller.org)
      .where('team', '=', team)
      .$if(after !== undefined, (query) => query.where('user', '>', after ?? ''))
      .orderBy('user')
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (row) => [row.user]);
    return c.json({ members: page.items as Member[], metadata: page.metadata });
  });

  app.put(`${API_PREFIX}/orgs/:org/teams/:team/members/:user`, async (c) => {
    const caller = requireOwnOrg(c);
    const team = pathParam(c, 'team', slug);
    const user = pathParam(c, 'user', slug);
    const { role } = await jsonBody(c, memberPatch);
    authorizer.require(caller, 'manageMembers', { team, member: { user, grants: role } });
    await writeTransaction(server, async (db) => {
      if (!(await teamExists(db, caller.org, team))) throw notFound('team', team);
      if ((await roleOf(db, caller.org, user)) === undefined) {
        throw new SkillsyncError('SERVER_NOT_FOUND', `${user} is not a member of ${caller.org}.`, { hint: 'Add them to the org first (POST /orgs/{org}/members).', details: { member: user } });
      }
      const current = await teamRoleOf(db, caller.org, team, user);
      authorizer.require(caller, 'manageMembers', { team, member: { user, grants: role, ...(current === undefined ? {} : { role: current }) } });
      await db
        .insertInto('team_members')
        .values({ org: caller.org, team, user, role })
        .onConflict((conflict) => conflict.columns(['org', 'team', 'user']).doUpdateSet({ role }))
        .execute();
    });
    return c.json({ user, role } satisfies Member);
  });

  app.delete(`${API_PREFIX}/orgs/:org/teams/:team/members/:user`, async (c) => {
    const caller = requireOwnOrg(c);
    const team = pathParam(c, 'team', slug);
    const user = pathParam(c, 'user', slug);
    authorizer.require(caller, 'manageMembers', { team, member: { user } });
    await writeTransaction(server, async (db) => {
      const current = await teamRoleOf(db, caller.org, team, user);
      if (current === undefined) throw notFound('team member', user);
      authorizer.require(caller, 'manageMembers', { team, member: { user, role: current } });
      await db.deleteFrom('team_members').where('org', '=', caller.org).where('team', '=', team).where('user', '=', user).execute();
    });
    return c.body(null, 204);
  });
};

function teamOf(row: { team: string; description: string | null }): Team {
  return row.description === null ? { team: row.team } : { team: row.team, description: row.description };
}

/** Whether the org has the team. `db` may be a transaction. */
export async function teamExists(db: Kysely<ServerTables>, org: string, team: string): Promise<boolean> {
  return (await db.selectFrom('teams').select('team').where('org', '=', org).where('team', '=', team).executeTakeFirst()) !== undefined;
}

async function teamRoleOf(db: Kysely<ServerTables>, org: string, team: string, user: string): Promise<Role | undefined> {
  const row = await db.selectFrom('team_members').select('role').where('org', '=', org).where('team', '=', team).where('user', '=', user).executeTakeFirst();
  return row?.role as Role | undefined;
}
