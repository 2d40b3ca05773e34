import { performance } from 'node:perf_hooks';
import { SkillsyncError, toSkillsyncError } from '@skillsync/core';
import type { AuditInput, AuditLog } from '@skillsync/policy';
import { API_PREFIX, slug } from '@skillsync/registry';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { errorResponse } from '../http/error-response.js';
import type { Caller, ServerEnv } from '../server-context.js';
import { AUDITED_ROUTES, detailsText, routeParams, type AuditedRoute, type RequestFacts } from './audited-routes.js';

const MUTATING: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const ORG_PATHS = `${API_PREFIX}/orgs/`;

/** The principal of a request that carried no valid token. */
export const ANONYMOUS = 'anonymous';

/** Anonymous records skipped under a backlog are told at most this often (the first at once), as a count. */
const SKIPPED_REPORT_MS = 60_000;

export interface AuditMiddlewareOptions {
  /** The clock records are stamped with. */
  readonly now: () => Date;
  /**
   * While this many records wait to be written, authenticated changes are refused (503, by
   * auditBacklogGate) rather than run unaudited, and anonymous requests are not recorded.
   */
  readonly maxPending: number;
  /**
   * Whether the org exists: a request without a valid token is recorded only under an org
   * that does, so nobody can fill the log under any name. An indexed lookup; see cachedOrgLookup.
   */
  readonly orgExists: (org: string) => Promise<boolean>;
  /** Told about a record that could not be queued (the response goes out regardless: the action is done). */
  readonly onError?: (error: SkillsyncError) => void;
  /** Told how many anonymous requests went unrecorded because of the backlog since it was last told. */
  readonly onAnonymousSkipped?: (skipped: number) => void;
}

/** Requests auditBacklogGate refused: they did nothing, and recording them would only grow the backlog. */
const refusedForBacklog = new WeakSet<Context<ServerEnv>>();

/**
 * Records every mutating request under `/v0.1/orgs/{org}/…` once it has been answered:
 * who (the caller's user, or `anonymous`), the action and target its route stands for
 * (AUDITED_ROUTES), and how it ended (401/403 deny; other failures allow with outcome
 * `error` and the error code; success ok). Reads, paths no route answers, rate-limited
 * requests (which did nothing) and those auditBacklogGate refused are not recorded; an
 * anonymous request is recorded only under an org that exists, and not at all while the
 * backlog is full (counted instead). Appending only queues the record, so the response is
 * not held up; the log writes in batches. Mount it before authentication so requests
 * refused there are recorded too, and auditBacklogGate after authentication.
 */
export function auditMiddleware(log: Pick<AuditLog, 'append' | 'pending'>, options: AuditMiddlewareOptions): MiddlewareHandler<ServerEnv> {
  const skipped = skipCounter(options);
  return async (c, next) => {
    const pattern = auditedPattern(c);
    if (pattern === undefined) {
      await next();
      return;
    }
    const started = performance.now();
    await next();
    const answered = { latencyMs: performance.now() - started, time: options.now(), orgExists: options.orgExists };
    if (c.res.status === 429 || refusedForBacklog.has(c)) return;
    if ((c.get('caller') as Caller | undefined) === undefined && log.pending >= options.maxPending) {
      skipped();
      return;
    }
    const record = await requestRecord(c, pattern, answered).catch((error: unknown) => {
      options.onError?.(toSkillsyncError(error));
      return undefined;
    });
    if (record === undefined) return;
    try {
      log.append(record);
    } catch (error) {
      options.onError?.(toSkillsyncError(error));
    }
  };
}

/**
 * Refuses an authenticated change (503) without running it while the audit log's backlog
 * is full, rather than make it unaudited. Mount it after authentication: a request
 * without a valid token is never refused for the backlog, so nobody without a token can
 * block the writes of every org.
 */
export function auditBacklogGate(log: Pick<AuditLog, 'pending'>, options: Pick<AuditMiddlewareOptions, 'maxPending'>): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    if (auditedPattern(c) !== undefined && log.pending >= options.maxPending) {
      refusedForBacklog.add(c);
      throw new SkillsyncError('SERVER_UNAVAILABLE', 'The audit log cannot be written right now, so no change is accepted.', {
        details: { pending: log.pending },
      });
    }
    await next();
  };
}

/**
 * `lookup`, with the orgs it found remembered for `ttlMs` (a few seconds: an org deleted
 * meanwhile only gets a few more anonymous records). An org not found is asked about
 * again each time; at most `max` orgs are remembered.
 */
export function cachedOrgLookup(
  lookup: (org: string) => Promise<boolean>,
  options: { readonly now: () => number; readonly ttlMs?: number; readonly max?: number },
): (org: string) => Promise<boolean> {
  const ttlMs = options.ttlMs ?? 5000;
  const max = options.max ?? 10_000;
  const known = new Map<string, number>();
  return async (org) => {
    const now = options.now();
    const until = known.get(org);
    if (until !== undefined && until > now) return true;
    known.delete(org);
    const exists = await lookup(org);
    if (exists) {
      if (known.size >= max) known.clear();
      known.set(org, now + ttlMs);
    }
    return exists;
  };
}

/** Counts anonymous records skipped under the backlog, telling the count at most every SKIPPED_REPORT_MS. */
function skipCounter(options: Pick<AuditMiddlewareOptions, 'now' | 'onAnonymousSkipped'>): () => void {
  let count = 0;
  let toldAt = Number.NEGATIVE_INFINITY;
  return () => {
    count += 1;
    const now = options.now().getTime();
    if (now - toldAt < SKIPPED_REPORT_MS) return;
    options.onAnonymousSkipped?.(count);
    count = 0;
    toldAt = now;
  };
}

/** The pattern of the audited route this request is for: a change under /orgs/ that some route answers. */
function auditedPattern(c: Context<ServerEnv>): string | undefined {
  if (!MUTATING.has(c.req.method) || !c.req.path.startsWith(ORG_PATHS)) return undefined;
  return matchedRoutes(c).find((route) => route.method === c.req.method)?.path;
}

interface Answered {
  readonly latencyMs: number;
  /** When it was answered. */
  readonly time: Date;
  readonly orgExists: AuditMiddlewareOptions['orgExists'];
}

async function requestRecord(c: Context<ServerEnv>, pattern: string, answered: Answered): Promise<AuditInput | undefined> {
  const caller = c.get('caller') as Caller | undefined;
  const params = routeParams(pattern, c.req.path);
  // An authenticated caller's record goes to their own org, whatever org the path named;
  // an anonymous one to the path's org, if that org exists.
  const pathOrg = params.org;
  const org = caller?.org ?? (pathOrg !== undefined && slug.safeParse(pathOrg).success && (await answered.orgExists(pathOrg)) ? pathOrg : undefined);
  if (org === undefined) return undefined;
  const key = `${c.req.method} ${pattern.slice(API_PREFIX.length)}`;
  const route: AuditedRoute = AUDITED_ROUTES[key] ?? { action: key };
  const { status } = c.res;
  const succeeded = status < 400;
  const denied = status === 401 || status === 403;
  const facts: RequestFacts = {
    params,
    query: c.req.query(),
    body: await readBodyJson(c),
    response: succeeded && route.readsResponse === true ? await readResponseJson(c.res) : undefined,
    user: caller?.user,
  };
  const code = succeeded ? undefined : errorCodeOf(c, status);
  const detail = [code, detailsText(route.details?.(facts) ?? [])].filter((part) => part !== undefined).join(' ');
  return {
    time: answered.time,
    org,
    principal: caller?.user ?? ANONYMOUS,
    client: 'server',
    action: route.action,
    target: storable(route.target?.(facts)),
    decision: denied ? 'deny' : 'allow',
    latencyMs: answered.latencyMs,
    outcome: succeeded ? 'ok' : denied ? 'denied' : 'error',
    detail: storable(detail),
  };
}

/**
 * Text as the request sent it (a path or body the route refused may hold anything), with
 * NUL written `%00`: PostgreSQL cannot store U+0000, and a record the log cannot write
 * would hold up every record after it.
 */
function storable<T extends string | undefined>(text: T): T {
  return text?.replaceAll('\u0000', '%00') as T;
}

/** The code of the error body this failure was answered with (the app's one error mapping). */
function errorCodeOf(c: Context<ServerEnv>, status: number): string {
  return c.error === undefined ? `HTTP_${status}` : errorResponse(c.error).body.error.code;
}

/** The JSON body, only if the route already read it as text (JSON routes do); never reads an unread or binary body. */
async function readBodyJson(c: Context<ServerEnv>): Promise<unknown> {
  if (c.req.bodyCache.text === undefined) return undefined;
  try {
    // Parsed from the cached text: the body is not read again.
    return await c.req.json<unknown>();
  } catch {
    return undefined;
  }
}

async function readResponseJson(response: Response): Promise<unknown> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return undefined;
  try {
    return await response.clone().json();
  } catch {
    return undefined;
  }
}
