import { registerSecret, SkillsyncError } from '@skillsync/core';
import { Pool, types, type ClientConfig, type CustomTypesConfig } from 'pg';

/** How long opening a connection may take before STATE_DB_UNAVAILABLE, when the caller does not say. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const isPostgresUrl = (text: string): boolean => /^postgres(?:ql)?:\/\//i.test(text);

/** Schema names are used unquoted in `search_path` and in messages: lowercase letters, digits and `_`, at most 63. */
export function checkSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema)) {
    throw new SkillsyncError('INVALID_INPUT', `'${schema}' is not a schema name skillsync uses: lowercase letters, digits and _, starting with a letter or _, at most 63.`, {
      details: { schema },
    });
  }
}

/** A postgres:// URL as the pieces the connections need, and where it points without credentials. */
export interface PostgresTarget {
  /** `postgres://user@host:port/database` (no password, no query), then ` (schema x)` when one was chosen. */
  readonly location: string;
  readonly config: ClientConfig;
}

/**
 * int8 (bigint: counts, sums, bigint columns) as a number, exact up to 2^53, which the
 * state layer's counters and sequence numbers never reach; beyond that a bigint, so a
 * value is never silently rounded. node-postgres's default is a string.
 */
const parseInt8 = (text: string): number | bigint => {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
};

const stateTypes: CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === types.builtins.INT8 && format !== 'binary' ? parseInt8 : (types.getTypeParser(oid, format) as unknown)),
};

/**
 * Checks a postgres:// (or postgresql://) URL and turns it into node-postgres settings:
 * the schema becomes every connection's search_path (a startup option, so a replaced
 * connection has it too), added to any `options` the URL carries. The URL's password is
 * registered with the redactor, so no message can print it.
 */
export function postgresTarget(url: string, options: { readonly schema?: string; readonly connectTimeoutMs?: number; readonly applicationName?: string } = {}): PostgresTarget {
  let parsed: { readonly url: URL; readonly user: string; readonly password: string } | undefined;
  try {
    const candidate = new URL(url);
    parsed = isPostgresUrl(url) ? { url: candidate, user: decodeURIComponent(candidate.username), password: decodeURIComponent(candidate.password) } : undefined;
  } catch {
    parsed = undefined;
  }
  // Never echo the text: it may hold a password.
  if (parsed === undefined) {
    throw new SkillsyncError('INVALID_INPUT', 'The PostgreSQL address is not a valid postgres://user@host:port/database URL.', {
      hint: 'Write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (percent-encode special characters in the password).',
    });
  }
  if (parsed.password !== '') registerSecret(parsed.password);
  const { schema } = options;
  if (schema !== undefined) checkSchemaName(schema);

  const startupOptions = [parsed.url.searchParams.get('options'), schema === undefined ? undefined : `-c search_path=${schema}`].filter(
    (option): option is string => option !== null && option !== undefined && option !== '',
  );
  // The URL's own values override the config node-postgres is given, so `options` leaves it and comes back merged.
  const connection = new URL(parsed.url.href);
  connection.searchParams.delete('options');
  const { protocol, host, pathname } = parsed.url;
  const location = `${protocol}//${parsed.user === '' ? '' : `${parsed.user}@`}${host}${pathname}${schema === undefined ? '' : ` (schema ${schema})`}`;
  return {
    location,
    config: {
      connectionString: connection.href,
      ...(startupOptions.length === 0 ? {} : { options: startupOptions.join(' ') }),
      application_name: options.applicationName ?? 'skillsync',
      connectionTimeoutMillis: options.connectTimeoutMs ?? POSTGRES_CONNECT_TIMEOUT_MS,
      keepAlive: true,
      types: stateTypes,
    },
  };
}

/**
 * A node-postgres pool for `target`. An idle connection that fails is dropped by the pool
 * and reported to `onIdleError`; one in use rejects its query (or the next) and is
 * dropped when released. Without a listener on each connection, its 'error' event would
 * crash the process.
 */
export function createPool(target: PostgresTarget, size: number, onIdleError: (error: Error) => void): Pool {
  const pool = new Pool({ ...target.config, max: Math.max(1, Math.floor(size)) });
  pool.on('error', onIdleError);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}
