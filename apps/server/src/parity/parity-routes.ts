import { API_PREFIX, pageQuery, statusReport } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, queryOf, requireOwnOrg } from '../http/validate.js';
import { requireDeviceRoom, requireReporting } from '../identity/index.js';
import { effectiveProfileOf, readOrgProfiles } from '../profiles/index.js';
import type { RouteModule } from '../server-context.js';
import { parityOf, type DeviceReport } from './parity-of.js';

/**
 * `POST /orgs/{org}/reports` (a device's status, kept per user and device, only when the
 * org collects reports) and `GET /orgs/{org}/parity` (every member against their
 * effective profile, a page of members at a time, by user).
 */
export const parityRoutes: RouteModule = (app, server) => {
  app.post(`${API_PREFIX}/orgs/:org/reports`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'reportStatus');
    await requireReporting(server.db, caller.org, 'status reports', 'An org owner turns them on with settings.reporting (PATCH /orgs/{org}); until then clients need not report.');
    const report = await jsonBody(c, statusReport);
    const row = { org: caller.org, user: caller.user, device: report.device, report: JSON.stringify(report), reported_at: server.now().toISOString() };
    await writeTransaction(server, async (db) => {
      const known = await db.selectFrom('reports').select('device').where('org', '=', row.org).where('user', '=', row.user).execute();
      if (!known.some(({ device }) => device === row.device)) requireDeviceRoom(known.length, server.limits.devicesPerMember, 'status reports');
      await db
        .insertInto('reports')
        .values(row)
        .onConflict((conflict) => conflict.columns(['org', 'user', 'device']).doUpdateSet({ report: row.report, reported_at: row.reported_at }))
        .execute();
    });
    return c.body(null, 204);
  });

  app.get(`${API_PREFIX}/orgs/:org/parity`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readParity');
    const query = queryOf(c, pageQuery);
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, 1)[0];
    let members = server.db.selectFrom('org_members').select('user').where('org', '=', caller.org);
    if (after !== undefined) members = members.where('user', '>', after);
    const page = pageOf(await members.orderBy('user').limit(query.limit + 1).execute(), query.limit, (member) => [member.user]);
    const users = page.items.map((member) => member.user);
    const [profiles, teams, reports] = await Promise.all([readOrgProfiles(server.db, caller.org), teamsOf(server.db, caller.org, users), reportsOf(server.db, caller.org, users)]);
    const rows = users.map((user) => parityOf(user, effectiveProfileOf(profiles, teams.get(user) ?? []), reports.get(user) ?? []));
    return c.json({ members: rows, metadata: page.metadata });
  });
};

/** Each user's teams. */
async function teamsOf(db: Kysely<ServerTables>, org: string, users: readonly string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>();
  if (users.length === 0) return byUser;
  const rows = await db.selectFrom('team_members').select(['user', 'team']).where('org', '=', org).where('user', 'in', users).execute();
  for (const row of rows) byUser.set(row.user, [...(byUser.get(row.user) ?? []), row.team]);
  return byUser;
}

async function reportsOf(db: Kysely<ServerTables>, org: string, users: readonly string[]): Promise<Map<string, DeviceReport[]>> {
  const byUser = new Map<string, DeviceReport[]>();
  if (users.length === 0) return byUser;
  const rows = await db.selectFrom('reports').select(['user', 'device', 'report', 'reported_at']).where('org', '=', org).where('user', 'in', users).execute();
  for (const row of rows) {
    const parsed = statusReport.safeParse(JSON.parse(row.report));
    // Only the report route writes the column, through the schema: anything else is damage, not input.
    if (!parsed.success) throw new Error(`The report of ${row.user}'s device ${row.device} in org ${org} does not match the schema.`);
    byUser.set(row.user, [...(byUser.get(row.user) ?? []), { report: parsed.data, reportedAt: row.reported_at }]);
  }
  return byUser;
}
