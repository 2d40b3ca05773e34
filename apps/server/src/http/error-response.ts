import { errorCatalogue, isSkillsyncError, type ErrorCode } from '@skillsync/core';
import type { ErrorBody } from '@skillsync/registry';
import { toStateError } from '@skillsync/state';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';

/** docs/server-api.md's table: the status of every code a route may answer with. */
const STATUS_OF_CODE: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  SERVER_UNAUTHENTICATED: 401,
  SERVER_FORBIDDEN: 403,
  SERVER_NOT_FOUND: 404,
  VERSION_ALREADY_PUBLISHED: 409,
  SERVER_CONFLICT: 409,
  SERVER_PAYLOAD_TOO_LARGE: 413,
  SERVER_RATE_LIMITED: 429,
  SERVER_UNAVAILABLE: 503,
};

/** Codes that say the request carried something wrong (a package, a key, a policy): the caller's to fix, so 400. */
const INPUT_CODE = /^(?:INVALID_INPUT|KEY_INVALID|POLICY_INVALID|INTEGRITY_[A-Z_]+|PACKAGE_[A-Z_]+|SIGNATURE_[A-Z_]+|SKILL_[A-Z_]+)$/;

/**
 * The database is down, unreachable or busy: nothing was done, a retry may succeed. The
 * state layer codes most of these; a driver error from a route's own query is read the
 * same way the state layer reads it.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth += 1) {
    const coded = isSkillsyncError(current) ? current : toStateError(current, 'the server database', 'run a query');
    if (coded.code === 'STATE_DB_UNAVAILABLE' || coded.code === 'STATE_DB_LOCKED') return true;
  }
  return false;
}

export interface ErrorResponse {
  readonly status: ContentfulStatusCode;
  readonly body: ErrorBody;
  /** Whether the failure is the server's (logged with its cause), not the caller's. */
  readonly serverFault: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

const GENERIC_INTERNAL = 'The server failed to handle the request; it was logged with the request id.';
/** The catalogue's INTERNAL hint speaks of a command; over HTTP the request id is what the operator needs. */
const INTERNAL_HINT = 'Retry; if it keeps failing, give the server operator the x-request-id of the response.';

/**
 * Anything a route threw, as the JSON error body of docs/server-api.md. A coded error
 * keeps its code, message and hint; a zod error names the paths of the bad fields (never
 * their values); anything else is a 500 with a generic message, so no stack, SQL or
 * path leaves the server.
 */
export function errorResponse(error: unknown): ErrorResponse {
  if (isDatabaseUnavailable(error)) {
    return {
      status: 503,
      body: { error: { code: 'SERVER_UNAVAILABLE', message: 'The server cannot reach its database right now.', hint: errorCatalogue.SERVER_UNAVAILABLE.hint } },
      serverFault: true,
      headers: { 'retry-after': '1' },
    };
  }
  if (error instanceof ZodError) {
    return { status: 400, body: { error: { code: 'INVALID_INPUT', message: describeIssues(error), hint: errorCatalogue.INVALID_INPUT.hint } }, serverFault: false };
  }
  if (isSkillsyncError(error)) {
    const status = STATUS_OF_CODE[error.code] ?? (INPUT_CODE.test(error.code) ? 400 : undefined);
    if (status !== undefined) {
      const retryAfter = error.details.retryAfterSeconds;
      return {
        status,
        body: { error: { code: error.code, message: error.message, hint: error.hint } },
        serverFault: false,
        ...(typeof retryAfter === 'number' ? { headers: { 'retry-after': String(retryAfter) } } : {}),
      };
    }
  }
  return { status: 500, body: { error: { code: 'INTERNAL', message: GENERIC_INTERNAL, hint: INTERNAL_HINT } }, serverFault: true };
}

/** `Invalid request: name: Too small…; scopes.0: Invalid option…` — paths and zod's messages, which never quote the input. */
export function describeIssues(error: ZodError, where?: string): string {
  const issues = error.issues.slice(0, 10).map((issue) => {
    const path = [...(where === undefined ? [] : [where]), ...issue.path.map(String)].join('.');
    return `${path === '' ? '(root)' : path}: ${issue.message}`;
  });
  const more = error.issues.length > 10 ? ` (and ${error.issues.length - 10} more)` : '';
  return `Invalid request: ${issues.join('; ')}${more}.`;
}
