// The skillsync org server (docs/server-api.md): identity and roles, the registry, profiles,
// parity and audit over one HTTP API, on SQLite or PostgreSQL. The CLI's `skillsync server`
// runs it; tests build the app in-process with openServerContext + createServerApp.
export { createServerApp, type ServerAppOptions, type ServerLogger } from './http/app.js';
export { DEFAULT_SERVER_LIMITS, defaultServerDatabase, openServerContext, type OpenServerContext, type OpenServerOptions } from './open-server.js';
export { startServer, type RunningServer, type StartServerOptions } from './start-server.js';
export { initOrg, issueOwnerToken, type InitOrgRequest, type InitOrgResult, type IssueOwnerTokenRequest } from './init-org.js';
export { serverRouteModules } from './route-modules.js';
export { BLOB_PRUNE_MIN_AGE_MS, pruneBlobs } from './blobs/index.js';
export { serverStateModule } from './db/migrations.js';
export type { ServerTables } from './db/tables.js';
export type { ActionTarget, Authorizer, BlobPruneOptions, BlobPruneResult, BlobStore, Caller, OrgAction, RouteModule, ServerContext, ServerEnv, ServerEvents, ServerLimits } from './server-context.js';
