import { createHash } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';
import { Kysely, sql } from 'kysely';
import { createMigrate, type StateModule } from './migrations.js';
import { createStatePostgresDialect } from './postgres-dialect.js';
import { createPool, postgresTarget } from './postgres-target.js';
import type { PostgresStateDatabase, StateTables, StateTransactionOptions } from './state-database.js';
import { toStateError } from './state-errors.js';

export interface OpenPostgresDatabaseOptions {
  /** `postgres://user[:password]@host[:port]/database`; the password never appears in `location` or any message. */
  readonly url: string;
  /** Modules whose migrations are applied at open, in this order. */
  readonly modules?: readonly StateModule[];
  /**
   * Keep the tables in this schema (created when missing) instead of the user's default:
   * every connection gets it as its search_path. Lowercase letters, digits and `_`.
   */
  readonly schema?: string;
  /** Connections the pool may open. Default 10. */
  readonly poolSize?: number;
  /** How long a write transaction waits for the write lock (or any lock) before STATE_DB_LOCKED. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** How long opening a connection may take before STATE_DB_UNAVAILABLE. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** Told when an idle connection of the pool fails (the server restarted, an admin ended it); the pool opens a new one when needed. */
  readonly onError?: (error: SkillsyncError) => void;
}

/**
 * A 64-bit advisory lock key, the same in every process for the same name: the first
 * eight bytes of its SHA-256, signed as PostgreSQL's bigint is.
 */
function advisoryLockKey(name: string): string {
  const digest = createHash('sha256').update(`skillsync-state:${name}`).digest();
  return digest.readBigInt64BE(0).toString();
}

/**
 * Opens a PostgreSQL state database through a pool (Kysely over node-postgres) and
 * applies the given modules' migrations. A server that cannot be reached, at open or
 * later, is STATE_DB_UNAVAILABLE; the pool replaces connections that dropped, so once
 * the server is back the next query works.
 */
export async function openPostgresDatabase(options: OpenPostgresDatabaseOptions): Promise<PostgresStateDatabase> {
  const target = postgresTarget(options.url, { schema: options.schema, connectTimeoutMs: options.connectTimeoutMs });
  const { location } = target;
  // lock_timeout 0 would mean "wait for ever".
  const busyTimeoutMs = Math.max(1, Math.floor(options.busyTimeoutMs ?? 5000));
  const pool = createPool(target, options.poolSize ?? 10, (error) => options.onError?.(toStateError(error, location, 'keep a connection open')));
  const kysely = new Kysely<StateTables>({ dialect: createStatePostgresDialect({ pool }, location) });

  let schema: string;
  try {
    if (options.schema !== undefined) await createSchema(kysely, options.schema);
    const row = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(kysely);
    const current = row.rows[0]?.schema ?? null;
    if (current === null) {
      throw new SkillsyncError('STATE_DB_FAILED', `The database ${location} has no schema to keep skillsync's tables in: none of the user's search_path exists.`, {
        hint: 'Create the schema the search_path names, or pass a schema to use.',
        details: { location },
      });
    }
    schema = current;
  } catch (error) {
    await kysely.destroy();
    throw toStateError(error, location, 'open the state database');
  }

  const writeLock = advisoryLockKey(`write:${schema}`);
  let closing: Promise<void> | undefined;

  const transaction = async <T>(task: (db: Kysely<StateTables>) => Promise<T>, transactionOptions: StateTransactionOptions = {}): Promise<T> => {
    if (closing !== undefined) throw new SkillsyncError('STATE_DB_FAILED', `The state database ${location} is closed.`, { details: { location } });
    const write = transactionOptions.write === true;
    return kysely
      .transaction()
      .setIsolationLevel(write ? 'read committed' : 'repeatable read')
      .execute(async (trx) => {
        // One round trip (no parameters, so the simple protocol takes both statements). Both values are numbers this module made.
        if (write) await sql.raw(`SET LOCAL lock_timeout = ${busyTimeoutMs}; SELECT pg_advisory_xact_lock(${writeLock})`).execute(trx);
        return task(trx);
      });
  };

  const database: PostgresStateDatabase = {
    dialect: 'postgres',
    engine: 'pg',
    location,
    file: undefined,
    schema,
    kysely,
    sqlite: undefined,
    transaction,
    migrate: createMigrate({ dialect: 'postgres', location, kysely, transaction }),
    close: () => (closing ??= kysely.destroy()),
  };

  try {
    for (const module of options.modules ?? []) await database.migrate(module);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** The schema, unless it exists; under an advisory lock, since two processes starting at once would both try. */
async function createSchema(kysely: Kysely<StateTables>, schema: string): Promise<void> {
  const exists = async (db: Kysely<StateTables>): Promise<boolean> =>
    (await sql`select 1 from pg_namespace where nspname = ${schema}`.execute(db)).rows.length > 0;
  // Asked first: CREATE SCHEMA needs a privilege on the database that a user given an existing schema may lack.
  if (await exists(kysely)) return;
  await kysely.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${advisoryLockKey(`schema:${schema}`)}::bigint)`.execute(trx);
    if (!(await exists(trx))) await sql`create schema ${sql.id(schema)}`.execute(trx);
  });
}
