import { API_PREFIX, orgSettingsPatch, type OrgSettings, type Whoami } from '@skillsync/registry';
import { writeTransaction } from '../db/server-transaction.js';
import type { RouteModule } from '../server-context.js';
import { jsonBody, notFound, requireOwnOrg } from '../http/validate.js';
import { checkTrustedKeys, readOrgSettings } from './org-settings.js';

/** `GET /whoami` and `GET|PATCH /orgs/{org}`: who the token speaks for, and the org's settings. */
export const orgRoutes: RouteModule = (app, server) => {
  app.get(`${API_PREFIX}/whoami`, (c) => {
    const caller = c.var.caller;
    server.authorizer.require(caller, 'readOrg');
    const teams = [...caller.teams].map(([team, role]) => ({ team, role })).sort((a, b) => (a.team < b.team ? -1 : 1));
    const { id, name, scopes, expiresAt } = caller.token;
    return c.json({ user: caller.user, org: caller.org, role: caller.orgRole, teams, token: { id, name, scopes: [...scopes], expiresAt } } satisfies Whoami);
  });

  app.get(`${API_PREFIX}/orgs/:org`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'readOrg');
    const settings = await readOrgSettings(server.db, caller.org);
    if (settings === undefined) throw notFound('org', caller.org);
    return c.json({ org: caller.org, settings });
  });

  app.patch(`${API_PREFIX}/orgs/:org`, async (c) => {
    const caller = requireOwnOrg(c);
    server.authorizer.require(caller, 'manageOrg');
    const patch = await jsonBody(c, orgSettingsPatch);
    checkTrustedKeys(patch.trustedKeys ?? []);
    const { settings, reportingChanged, revision } = await writeTransaction(server, async (db) => {
      const current = await readOrgSettings(db, caller.org);
      if (current === undefined) throw notFound('org', caller.org);
      const next: OrgSettings = { ...current, ...patch };
      await db.updateTable('orgs').set({ settings: JSON.stringify(next) }).where('org', '=', caller.org).execute();
      const orgProfile = await db.selectFrom('profiles').select('revision').where('org', '=', caller.org).where('scope', '=', 'org').executeTakeFirst();
      return { settings: next, reportingChanged: next.reporting !== current.reporting, revision: orgProfile?.revision ?? 0 };
    });
    // Members' machines learn whether to report when they fetch the profile: a changed
    // setting is announced as the org scope's profile, so running daemons fetch at once.
    if (reportingChanged) await server.events.publish(caller.org, 'profile', { org: caller.org, scope: 'org', revision }).catch(() => undefined);
    return c.json({ org: caller.org, settings });
  });
};
