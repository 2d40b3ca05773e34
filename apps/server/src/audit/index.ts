// The org server's audit: every admin action recorded in the runtime audit's hash-chained
// form (one chain in the server database, records tagged with their org), read, verified
// and exported per org; and the runtime records devices upload, checked chain by chain.
export { ANONYMOUS, auditBacklogGate, auditMiddleware, cachedOrgLookup, type AuditMiddlewareOptions } from './audit-middleware.js';
export { auditRoutes } from './audit-routes.js';
export { AUDITED_ROUTES, type AuditedRoute, type RequestFacts } from './audited-routes.js';
