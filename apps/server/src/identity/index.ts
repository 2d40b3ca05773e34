import type { RouteModule } from '../server-context.js';
import { memberRoutes } from './member-routes.js';
import { orgRoutes } from './org-routes.js';
import { teamRoutes } from './team-routes.js';
import { tokenRoutes } from './token-routes.js';

/** Who is who in an org: whoami, the org's settings, members, teams and their members, tokens. */
export const identityRoutes: RouteModule = (app, server) => {
  for (const routes of [orgRoutes, memberRoutes, teamRoutes, tokenRoutes]) routes(app, server);
};

export { requireDeviceRoom } from './member-limits.js';
export { readOrgSettings, requireReporting } from './org-settings.js';
export { teamExists } from './team-routes.js';
