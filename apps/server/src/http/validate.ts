import { SkillsyncError } from '@skillsync/core';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Caller, ServerEnv } from '../server-context.js';
import { describeIssues } from './error-response.js';

type Where = 'body' | 'query' | 'path';

function parsed<S extends z.ZodType>(schema: S, value: unknown, where: Where): z.output<S> {
  if (holdsNul(value)) {
    throw new SkillsyncError('INVALID_INPUT', `Invalid request: ${where}: text may not contain the NUL character (U+0000).`, { details: { where } });
  }
  const result = schema.safeParse(value);
  if (!result.success) throw new SkillsyncError('INVALID_INPUT', describeIssues(result.error, where));
  return result.data;
}

/**
 * Whether any string (or key) in `value` holds U+0000, which PostgreSQL cannot store in
 * text while SQLite can: refused before any route runs, so both engines answer alike.
 * Iterative, since a JSON body may nest deeper than the stack.
 */
export function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true;
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        if (key.includes('\u0000')) return true;
        pending.push(child);
      }
    }
  }
  return false;
}

/** The JSON body, checked against the shared schema (400 INVALID_INPUT naming the bad fields). */
export async function jsonBody<S extends z.ZodType>(c: Context<ServerEnv>, schema: S): Promise<z.output<S>> {
  let value: unknown;
  try {
    value = await c.req.json();
  } catch {
    throw new SkillsyncError('INVALID_INPUT', 'The request body is not JSON.', { hint: 'Send `content-type: application/json` with a JSON body (docs/server-api.md).' });
  }
  return parsed(schema, value, 'body');
}

/** The query string, checked against the shared schema; a repeated key counts once (its first value). */
export function queryOf<S extends z.ZodType>(c: Context<ServerEnv>, schema: S): z.output<S> {
  return parsed(schema, c.req.query(), 'query');
}

/** A path parameter, checked against a slug-like schema. */
export function pathParam<S extends z.ZodType>(c: Context<ServerEnv>, name: string, schema: S): z.output<S> {
  return parsed(schema, c.req.param(name), 'path');
}

/** `{org}` of the path: the caller's own org, or SERVER_NOT_FOUND (a token never sees another org, nor learns that it exists). */
export function requireOwnOrg(c: Context<ServerEnv>): Caller {
  const caller = c.var.caller;
  if (c.req.param('org') !== caller.org) throw notFound('org', c.req.param('org') ?? '');
  return caller;
}

/** SERVER_NOT_FOUND for something named in the path. */
export function notFound(kind: string, name: string): SkillsyncError {
  return new SkillsyncError('SERVER_NOT_FOUND', `No ${kind} ${name} here.`, { details: { [kind]: name } });
}
