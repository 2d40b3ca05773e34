import { SkillsyncError } from '@skillsync/core';
import { checkPolicies } from '@skillsync/policy';
import { API_PREFIX, profile, profileScope, type Profile, type storedProfile } from '@skillsync/registry';
import type { Kysely, Selectable } from 'kysely';
import type { z } from 'zod';
import { writeTransaction } from '../db/server-transaction.js';
import type { ProfilesTable, ServerTables } from '../db/tables.js';
import { jsonBody, notFound, pathParam, requireOwnOrg } from '../http/validate.js';
import type { RouteModule, ServerContext } from '../server-context.js';
import { teamExists } from '../identity/index.js';
import { teamOfScope } from '../scopes.js';
import { effectiveProfileOf, readOrgProfiles, scopeProfileOf } from './profile-store.js';

/**
 * `GET /orgs/{org}/profile` (the caller's effective profile) and `GET|PUT
 * /orgs/{org}/profiles/{scope}` (one scope's, `org` or `team:<team>`). Reading needs only
 * readOrg: every member may see what is asked of every team, as they may see the teams.
 * Each write bumps the scope's revision by one, optionally only from the revision the
 * writer read (`If-Match`), and is announced as a `profile` event once committed.
 */
export const profileRoutes: RouteModule = (app, server) => {
  app.get(`${API_PREFIX}/orgs/:org/profile`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readOrg');
    const effective = effectiveProfileOf(await readOrgProfiles(server.db, caller.org), caller.teams.keys());
    c.header('etag', `"${effective.revision}"`);
    return c.json(effective);
  });

  app.get(`${API_PREFIX}/orgs/:org/profiles/:scope`, async (c) => {
    const caller = requireOwnOrg(c);
    const scope = pathParam(c, 'scope', profileScope);
    const team = teamOfScope(scope);
    server.authorizer.require(caller, 'readOrg', team === undefined ? {} : { team });
    if (team !== undefined) await requireTeam(server.db, caller.org, team);
    const row = await server.db.selectFrom('profiles').selectAll().where('org', '=', caller.org).where('scope', '=', scope).executeTakeFirst();
    if (row === undefined) throw new SkillsyncError('SERVER_NOT_FOUND', `No profile is set for ${scope} yet.`, { details: { scope }, hint: 'An admin sets one with PUT; until then the scope adds nothing to the effective profile.' });
    c.header('etag', `"${row.revision}"`);
    return c.json(storedProfileOf(row));
  });

  app.put(`${API_PREFIX}/orgs/:org/profiles/:scope`, async (c) => {
    const caller = requireOwnOrg(c);
    const scope = pathParam(c, 'scope', profileScope);
    const team = teamOfScope(scope);
    server.authorizer.require(caller, 'editProfile', team === undefined ? {} : { team });
    const expected = expectedRevision(c.req.header('if-match'));
    const body = await jsonBody(c, profile);
    checkProfilePolicies(body);
    const row = await writeProfile(server, { org: caller.org, scope, team, user: caller.user, expected, body });
    // Committed: a notification lost now only delays subscribers, who re-read on reconnecting.
    await server.events.publish(caller.org, 'profile', { org: caller.org, scope, revision: row.revision }).catch(() => undefined);
    c.header('etag', `"${row.revision}"`);
    return c.json(storedProfileOf(row));
  });
};

interface ProfileWrite {
  readonly org: string;
  readonly scope: string;
  readonly team: string | undefined;
  readonly user: string;
  /** The revision the writer read (0: none yet), `*`: any existing one, undefined: no condition. */
  readonly expected: number | '*' | undefined;
  readonly body: Profile;
}

async function writeProfile(server: ServerContext, write: ProfileWrite): Promise<Selectable<ProfilesTable>> {
  return writeTransaction(server, async (db) => {
    if (write.team !== undefined) await requireTeam(db, write.org, write.team);
    const current = await db.selectFrom('profiles').select('revision').where('org', '=', write.org).where('scope', '=', write.scope).executeTakeFirst();
    const revision = current?.revision ?? 0;
    if (write.expected === '*' ? current === undefined : write.expected !== undefined && write.expected !== revision) {
      throw new SkillsyncError('SERVER_CONFLICT', `The ${write.scope} profile is at revision ${revision}, not the one If-Match names.`, {
        details: { scope: write.scope, revision },
      });
    }
    const row: Selectable<ProfilesTable> = {
      org: write.org,
      scope: write.scope,
      revision: revision + 1,
      profile: JSON.stringify(write.body),
      updated_at: server.now().toISOString(),
      updated_by: write.user,
    };
    if (current === undefined) await db.insertInto('profiles').values(row).execute();
    else await db.updateTable('profiles').set(row).where('org', '=', write.org).where('scope', '=', write.scope).execute();
    return row;
  });
}

/** `If-Match: 3` (or `"3"`, as an ETag) → 3; `*` → any existing revision. */
function expectedRevision(header: string | undefined): number | '*' | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value);
  if (match?.[1] === undefined) {
    throw new SkillsyncError('INVALID_INPUT', 'If-Match must be the revision the profile was read at (its ETag).', { hint: 'Send the `etag` of the GET, or no If-Match to write unconditionally.' });
  }
  return Number(match[1]);
}

/** Every policy must be Cedar the gateway can load: the first error is POLICY_INVALID naming the policy and line. */
function checkProfilePolicies(body: Profile): void {
  const result = checkPolicies(body.policies.map((policy) => ({ id: policy.id, text: policy.text })));
  const error = result.findings.find((finding) => finding.severity === 'error');
  if (error === undefined) return;
  const where = error.line === undefined ? '' : ` line ${error.line}${error.column === undefined ? '' : `:${error.column}`}`;
  throw new SkillsyncError('POLICY_INVALID', `Policy ${error.file}${where}: ${error.message}`, {
    details: { policy: error.file, ...(error.line === undefined ? {} : { line: error.line }), ...(error.column === undefined ? {} : { column: error.column }) },
  });
}

async function requireTeam(db: Kysely<ServerTables>, org: string, team: string): Promise<void> {
  if (!(await teamExists(db, org, team))) throw notFound('team', team);
}

function storedProfileOf(row: Selectable<ProfilesTable>): z.output<typeof storedProfile> {
  return { scope: row.scope, revision: row.revision, profile: scopeProfileOf(row).profile, updatedAt: row.updated_at, updatedBy: row.updated_by };
}
