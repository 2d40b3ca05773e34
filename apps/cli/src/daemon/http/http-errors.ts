import { SkillsyncError, toSkillsyncError, type ErrorCode } from '@skillsync/core';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import type { ErrorReply } from './api-types.js';

/**
 * The one table from error codes to HTTP statuses. A code not listed is a refusal with a
 * reason the page shows (422); only INTERNAL is the server's own fault.
 */
const statusOfCode: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  USAGE: 400,
  INVALID_INPUT: 400,
  DASHBOARD_UNAUTHORIZED: 401,
  DASHBOARD_HOST_REFUSED: 403,
  DASHBOARD_ROUTE_NOT_FOUND: 404,
  MANIFEST_NOT_FOUND: 404,
  CONNECTOR_NOT_FOUND: 404,
  SKILL_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  MANIFEST_ENTRY_EXISTS: 409,
  SKILL_ALREADY_ADDED: 409,
  MANIFEST_CHANGED: 409,
  LOCK_TIMEOUT: 409,
  STORE_LOCKED: 409,
  STATE_DB_LOCKED: 409,
  CONNECTOR_CALL_FAILED: 502,
  GATEWAY_CONNECTOR_FAILED: 502,
  // The org server's refusals, passed through. Its 401 (a refused org token) stays a 422: a 401 here means the dashboard's own token.
  SERVER_FORBIDDEN: 403,
  SERVER_NOT_FOUND: 404,
  SERVER_CONFLICT: 409,
  VERSION_ALREADY_PUBLISHED: 409,
  SERVER_RATE_LIMITED: 429,
  SOURCE_UNREACHABLE: 502,
  SERVER_UNAVAILABLE: 503,
  DASHBOARD_NOT_BUILT: 503,
  STATE_DB_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function httpStatusOf(code: ErrorCode): ContentfulStatusCode {
  return statusOfCode[code] ?? 422;
}

/** Any failure as the API's error reply; messages and details are already redacted by SkillsyncError. */
export function errorReply(c: Context, error: unknown): Response {
  const failure = toSkillsyncError(error);
  return c.json({ error: failure.toJSON() } satisfies ErrorReply, httpStatusOf(failure.code));
}

/** A JSON request body checked against its schema; INVALID_INPUT naming the first problem otherwise. */
export async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new SkillsyncError('INVALID_INPUT', 'The request body is not JSON.', { hint: 'Send a JSON object with Content-Type: application/json.' });
  }
  return checked(schema, value, 'body');
}

/** The query string checked against its schema. */
export function readQuery<T>(c: Context, schema: z.ZodType<T>): T {
  return checked(schema, c.req.query(), 'query');
}

/** One path parameter (`/connectors/:name/…`) checked against its schema. */
export function readParam<T>(c: Context, key: string, schema: z.ZodType<T>): T {
  return checked(schema, c.req.param(key), 'path');
}

function checked<T>(schema: z.ZodType<T>, value: unknown, where: 'body' | 'query' | 'path'): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const first = issues[0];
  throw new SkillsyncError('INVALID_INPUT', `The request ${where} is invalid${first === undefined ? '' : `: ${first.path === '' ? '' : `${first.path}: `}${first.message}`}.`, {
    details: { issues },
  });
}
