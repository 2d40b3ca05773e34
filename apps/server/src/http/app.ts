import { performance } from 'node:perf_hooks';
import { redactSecrets, SkillsyncError } from '@skillsync/core';
import { API_PREFIX } from '@skillsync/registry';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { sql } from 'kysely';
import { auditBacklogGate, auditMiddleware, cachedOrgLookup } from '../audit/audit-middleware.js';
import type { Caller, RouteModule, ServerContext, ServerEnv } from '../server-context.js';
import { authenticate } from './authenticate.js';
import { bodyLimits } from './body-limits.js';
import { errorResponse } from './error-response.js';
import { createRateLimiter } from './rate-limiter.js';

/** Where request lines and server faults go: a pino logger fits. Fields only, never headers, bodies or tokens. */
export interface ServerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface ServerAppOptions {
  /** Default: nothing is logged. */
  readonly logger?: ServerLogger;
}

const silent: ServerLogger = { info: () => undefined, error: () => undefined };

/**
 * The org server's HTTP API: request id, security headers, body limits, the health
 * route, authentication with per-member rate limits, then `modules` (identity, registry,
 * profiles, …), a 404 for anything else, and one error handler that turns every failure
 * into docs/server-api.md's JSON body and status. No CORS: browsers on other origins get
 * no Access-Control-* header, so they cannot call it with a token.
 */
export function createServerApp(server: ServerContext, modules: readonly RouteModule[], options: ServerAppOptions = {}): Hono<ServerEnv> {
  const logger = options.logger ?? silent;
  const limiter = createRateLimiter({ requestsPerMinute: server.limits.requestsPerMinute, now: () => server.now().getTime() });
  const app = new Hono<ServerEnv>();

  app.use(requestId());
  app.use(requestLog(logger));
  app.use(securityHeaders);
  app.use(refusePreflight);
  app.use(bodyLimits(server.limits));
  app.get(`${API_PREFIX}/health`, async (c) => {
    await sql`select 1`.execute(server.db);
    return c.json({ status: 'ok' as const, database: server.database.dialect });
  });
  const orgExists = cachedOrgLookup(async (org) => (await server.db.selectFrom('orgs').select('org').where('org', '=', org).executeTakeFirst()) !== undefined, {
    now: () => server.now().getTime(),
  });
  // Before authentication, so requests it refuses are recorded too.
  app.use(
    `${API_PREFIX}/orgs/*`,
    auditMiddleware(server.audit, {
      now: () => server.now(),
      maxPending: server.limits.auditMaxPending,
      orgExists,
      onError: (error) => {
        logger.error({ error: error.code }, 'audit record not queued');
      },
      onAnonymousSkipped: (skipped) => {
        logger.error({ skipped }, 'audit backlog: requests without a valid token not recorded');
      },
    }),
  );
  app.use(authenticate(server, limiter));
  // After authentication: only a caller with a token can be refused for the backlog.
  app.use(`${API_PREFIX}/orgs/*`, auditBacklogGate(server.audit, { maxPending: server.limits.auditMaxPending }));
  for (const module of modules) module(app, server);

  const answer = (error: unknown, c: Context<ServerEnv>): Response => {
    const response = errorResponse(error);
    if (response.serverFault) logger.error({ requestId: c.var.requestId, error: describeFault(error) }, 'request failed');
    return c.json(response.body, response.status, response.headers);
  };
  app.notFound((c) => answer(new SkillsyncError('SERVER_NOT_FOUND', 'No such route.', { hint: 'Routes are listed in docs/server-api.md; every one is under /v0.1.' }), c));
  app.onError(answer);
  return app;
}

/** One line per request: what was asked (the route pattern, not the path with its values), of whom, and how it went. */
function requestLog(logger: ServerLogger): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const caller = c.get('caller') as Caller | undefined;
    logger.info(
      {
        requestId: c.var.requestId,
        method: c.req.method,
        route: routePath(c, -1),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(caller === undefined ? {} : { user: caller.user, org: caller.org }),
      },
      'request',
    );
  };
}

const securityHeaders: MiddlewareHandler<ServerEnv> = async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set('x-content-type-options', 'nosniff');
  headers.set('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  headers.set('x-frame-options', 'DENY');
  headers.set('referrer-policy', 'no-referrer');
  // API answers are per caller: no shared cache may keep one. Package downloads set their own (immutable) caching.
  if (!headers.has('cache-control') && !(headers.get('content-type') ?? '').startsWith('application/gzip')) headers.set('cache-control', 'no-store');
};

/** A CORS preflight is answered like an unknown route: nothing here speaks CORS. */
const refusePreflight: MiddlewareHandler<ServerEnv> = async (c: Context<ServerEnv>, next) => {
  if (c.req.method === 'OPTIONS') throw new SkillsyncError('SERVER_NOT_FOUND', 'No such route.', { hint: 'This server does not serve browsers on other origins (no CORS).' });
  await next();
};

/** A fault for the server log: what failed and where, with secrets redacted; never the request. */
function describeFault(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: redactSecrets(String(error)) };
  const { code } = error as { code?: unknown };
  return {
    name: error.name,
    ...(typeof code === 'string' ? { code } : {}),
    message: redactSecrets(error.message),
    ...(error.stack === undefined ? {} : { stack: redactSecrets(error.stack) }),
    ...(error.cause instanceof Error ? { cause: describeFault(error.cause) } : {}),
  };
}
