import { SkillsyncError } from '@skillsync/core';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ServerEnv, ServerLimits } from '../server-context.js';

/** The one route that takes a package, not JSON: `PUT …/skills/{name}/versions/{version}`. */
const PACKAGE_UPLOAD = /^\/v0\.1\/orgs\/[^/]+\/skills\/[^/]+\/versions\/[^/]+\/?$/;

function tooLarge(limit: number, what: string): MiddlewareHandler<ServerEnv> {
  return bodyLimit({
    maxSize: limit,
    onError: () => {
      throw new SkillsyncError('SERVER_PAYLOAD_TOO_LARGE', `The ${what} is larger than this server accepts (${limit} bytes).`, { details: { limit } });
    },
  });
}

/** No route reads the body of these: checking one would only cost the request. */
const BODILESS = new Set(['GET', 'HEAD']);

/**
 * Refuses a body over the limit before a route reads it: by its content-length when it
 * has one, else while it streams in (413 SERVER_PAYLOAD_TOO_LARGE either way). GET and
 * HEAD pass untouched: hono's check reads `c.req.raw.body`, which makes the Node adapter
 * build a full Request (and its AbortSignal) per request; on a metadata read that was
 * 15–30% of the server's CPU (bench/server.mjs).
 */
export function bodyLimits(limits: ServerLimits): MiddlewareHandler<ServerEnv> {
  const json = tooLarge(limits.jsonBodyBytes, 'request body');
  const upload = tooLarge(limits.packageBytes, 'package');
  return (c, next) => {
    if (BODILESS.has(c.req.method)) return next();
    return c.req.method === 'PUT' && PACKAGE_UPLOAD.test(c.req.path) ? upload(c, next) : json(c, next);
  };
}
