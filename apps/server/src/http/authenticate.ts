import type { IncomingMessage } from 'node:http';
import { SkillsyncError } from '@skillsync/core';
import { ROLES, type Role } from '@skillsync/registry';
import type { Context, MiddlewareHandler } from 'hono';
import { parseScopes, tokenLookupHash } from '../identity/api-tokens.js';
import type { Caller, ServerContext, ServerEnv } from '../server-context.js';
import type { RateLimiter } from './rate-limiter.js';

/** last_used_at is written at most this often per token: a write per request would make every read a write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** One message for every failure, so a caller cannot tell an unknown token from an expired or revoked one. */
export function unauthenticated(): SkillsyncError {
  return new SkillsyncError('SERVER_UNAUTHENTICATED', 'Missing or invalid token.');
}

export function rateLimited(retryAfterSeconds: number): SkillsyncError {
  return new SkillsyncError('SERVER_RATE_LIMITED', `Too many requests; retry in ${retryAfterSeconds} s.`, { details: { retryAfterSeconds } });
}

/**
 * The remote address of the connection (never a forwarding header, which the client
 * writes). Requests built in a test (`app.request`) have no socket.
 */
export function remoteAddress(c: Context<ServerEnv>): string {
  const bindings = c.env as { incoming?: IncomingMessage } | undefined;
  return bindings?.incoming?.socket.remoteAddress ?? 'unknown';
}

/**
 * `Authorization: Bearer ssk_…` → the caller, on `c.var.caller`: the token's hash names
 * a row that is not revoked nor expired, whose user is still a member of its org. Every
 * request is then charged to its member's rate limit (all their tokens together); a
 * request without a valid token is charged to its remote address, so guessing costs the
 * guesser.
 */
export function authenticate(server: ServerContext, limiter: RateLimiter): MiddlewareHandler<ServerEnv> {
  const refuse = (c: Context<ServerEnv>): never => {
    const retryAfter = limiter.take(`address:${remoteAddress(c)}`);
    throw retryAfter === undefined ? unauthenticated() : rateLimited(retryAfter);
  };

  return async (c, next) => {
    const match = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '');
    const hash = match?.[1] === undefined ? undefined : tokenLookupHash(match[1]);
    if (hash === undefined) return refuse(c);
    const caller = await resolveCaller(server, hash);
    if (caller === undefined) return refuse(c);
    const retryAfter = limiter.take(memberKey(caller));
    if (retryAfter !== undefined) throw rateLimited(retryAfter);
    c.set('caller', caller);
    await next();
  };
}

/**
 * What per-caller limits count against: the member (org and user), whichever of their
 * tokens they use, so minting more tokens does not multiply a limit.
 */
export function memberKey(caller: Pick<Caller, 'org' | 'user'>): string {
  return `member:${caller.org}/${caller.user}`;
}

/** The caller whose token hashes to `hash`, if that token is live and its user still a member. */
async function resolveCaller(server: ServerContext, hash: string): Promise<Caller | undefined> {
  const { db } = server;
  const now = server.now();
  const row = await db
    .selectFrom('tokens')
    .innerJoin('org_members', (join) => join.onRef('org_members.org', '=', 'tokens.org').onRef('org_members.user', '=', 'tokens.user'))
    .select(['tokens.id', 'tokens.org', 'tokens.user', 'tokens.name', 'tokens.scopes', 'tokens.expires_at', 'tokens.last_used_at', 'tokens.revoked_at', 'org_members.role'])
    .where('tokens.hash', '=', hash)
    .executeTakeFirst();
  if (row === undefined || row.revoked_at !== null || row.expires_at <= now.toISOString()) return undefined;
  const orgRole = asRole(row.role);
  if (orgRole === undefined) return undefined;
  const teamRows = await db.selectFrom('team_members').select(['team', 'role']).where('org', '=', row.org).where('user', '=', row.user).execute();
  const teams = new Map<string, Role>();
  for (const team of teamRows) {
    const role = asRole(team.role);
    if (role !== undefined) teams.set(team.team, role);
  }
  if (row.last_used_at === null || now.getTime() - Date.parse(row.last_used_at) >= LAST_USED_RESOLUTION_MS) {
    // Bookkeeping only: a database too busy to record it must not fail the request it describes.
    await db
      .updateTable('tokens')
      .set({ last_used_at: now.toISOString() })
      .where('id', '=', row.id)
      .execute()
      .catch(() => undefined);
  }
  return {
    user: row.user,
    org: row.org,
    orgRole,
    teams,
    token: { id: row.id, name: row.name, scopes: parseScopes(row.scopes), expiresAt: row.expires_at },
  };
}

function asRole(value: string): Role | undefined {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : undefined;
}
