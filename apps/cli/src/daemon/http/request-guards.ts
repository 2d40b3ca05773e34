import { createHash } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';
import { authorized } from '@skillsync/runtime';
import type { MiddlewareHandler } from 'hono';
import { errorReply } from './http-errors.js';

/** The host names the dashboard answers to: only loopback, by address or by name. */
function ownHosts(port: number): ReadonlySet<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/**
 * DNS rebinding: a page of another site that makes its own name resolve to 127.0.0.1
 * still sends its own name as Host, so anything but our loopback names is refused.
 */
export function requireOwnHost(port: number): MiddlewareHandler {
  const allowed = ownHosts(port);
  return async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (!allowed.has(host.toLowerCase())) {
      return errorReply(c, new SkillsyncError('DASHBOARD_HOST_REFUSED', `Refused a request for host ${JSON.stringify(host.slice(0, 100))}: the dashboard answers only to 127.0.0.1:${port} and localhost:${port}.`));
    }
    await next();
  };
}

/**
 * A browser names the page that sent a request in Origin: one of another site is
 * refused before it reaches a route (no CORS headers are ever sent either, so it could
 * not read an answer). Requests without Origin (same-origin GETs, scripts) pass on.
 */
export function requireOwnOrigin(port: number): MiddlewareHandler {
  const allowed = new Set([...ownHosts(port)].map((host) => `http://${host}`));
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && !allowed.has(origin.toLowerCase())) {
      return errorReply(c, new SkillsyncError('DASHBOARD_HOST_REFUSED', `Refused a request from ${JSON.stringify(origin.slice(0, 100))}: only the dashboard's own page may call its API.`));
    }
    await next();
  };
}

/** `Authorization: Bearer <token>`, checked as the gateway checks it (constant time, no length leaks). */
export function requireToken(token: string): MiddlewareHandler {
  const expected = createHash('sha256').update(token).digest();
  return async (c, next) => {
    if (!authorized(c.req.header('authorization'), expected)) {
      return errorReply(c, new SkillsyncError('DASHBOARD_UNAUTHORIZED', 'This request does not carry the token of the running daemon.'));
    }
    await next();
  };
}
