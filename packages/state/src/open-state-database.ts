import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { skillsyncPaths, SkillsyncError, type Env } from '@skillsync/core';
import { Kysely, sql, SqliteDialect } from 'kysely';
import { createMigrate, type StateModule } from './migrations.js';
import { loadSqliteEngine, type SqliteEngineName, type SyncSqlite } from './sqlite-engines.js';
import type { SqliteAccess, SqliteStateDatabase, StateTables, StateTransactionOptions } from './state-database.js';
import { isBusyError, toStateError } from './state-errors.js';

export interface OpenStateDatabaseOptions {
  /** The database file, created (0600, in a 0700 folder) when missing; or `:memory:`. */
  readonly file: string;
  /** Default `auto`: node:sqlite where Node has it, else better-sqlite3. */
  readonly engine?: SqliteEngineName | 'auto';
  /** Modules whose migrations are applied at open, in this order. */
  readonly modules?: readonly StateModule[];
  /** How long a write waits for another process's lock before STATE_DB_LOCKED. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
}

export const STATE_DATABASE_NAME = 'skillsync.db';

/** `<state folder>/skillsync.db`: the one local state database (audit log, and later journal and usage). */
export function stateDatabaseFile(env: Env): string {
  return path.join(skillsyncPaths(env).state, STATE_DATABASE_NAME);
}

const isMemory = (file: string): boolean => file === ':memory:' || file === '';

/**
 * Opens (creating when needed) the SQLite state database with WAL, a busy timeout and
 * foreign keys on, and applies the given modules' migrations. The binding is node:sqlite
 * where Node has it, else the optional better-sqlite3; neither → STATE_DB_UNAVAILABLE.
 */
export async function openStateDatabase(options: OpenStateDatabaseOptions): Promise<SqliteStateDatabase> {
  const { file } = options;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const engine = loadSqliteEngine(options.engine ?? 'auto');
  if (!isMemory(file)) await prepareFile(file);

  let raw;
  try {
    raw = engine.open(file);
    raw.sync.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
    if (!isMemory(file)) await switchToWal(raw.sync, busyTimeoutMs);
    // In WAL mode NORMAL never corrupts; a power cut may lose the last commits (whole transactions).
    raw.sync.exec('PRAGMA synchronous = NORMAL');
    raw.sync.exec('PRAGMA foreign_keys = ON');
  } catch (error) {
    raw?.close();
    throw toStateError(error, file, 'open the state database');
  }
  const connection = raw;

  let closed = false;
  const closeRaw = (): void => {
    if (closed) return;
    closed = true;
    connection.close();
  };
  const kysely = new Kysely<StateTables>({
    dialect: new SqliteDialect({ database: { prepare: preparedStatementCache((text) => connection.kysely.prepare(text)), close: closeRaw } }),
  });

  /** BEGIN IMMEDIATE … COMMIT around `task`; `now` refuses when this connection is already inside a transaction. */
  const runWrite = <T>(task: (sync: SyncSqlite) => T, now: boolean): T => {
    const { sync } = connection;
    if (closed) throw new SkillsyncError('STATE_DB_FAILED', `The state database ${file} is closed.`, { details: { location: file } });
    try {
      sync.exec('BEGIN IMMEDIATE');
    } catch (error) {
      // Without the connection held, BEGIN fails inside an awaited Kysely transaction of this process: never interleave with it.
      if (now && error instanceof Error && /within a transaction/i.test(error.message)) {
        throw new SkillsyncError('STATE_DB_FAILED', `The state database ${file} is in the middle of another transaction of this process.`, {
          hint: 'Await the pending work (for the audit log: `await log.close()`) instead of writing synchronously.',
          details: { location: file },
          cause: error,
        });
      }
      throw error;
    }
    let result: T;
    try {
      result = task(sync);
      sync.exec('COMMIT');
    } catch (error) {
      try {
        sync.exec('ROLLBACK');
      } catch {
        // SQLite may have rolled back already (e.g. on SQLITE_FULL).
      }
      throw error;
    }
    return result;
  };

  const sqlite: SqliteAccess = {
    writeSync: (task) => kysely.connection().execute(() => Promise.resolve(runWrite(task, false))),
    writeSyncNow: (task) => runWrite(task, true),
  };

  const transaction = <T>(task: (db: Kysely<StateTables>) => Promise<T>, transactionOptions: StateTransactionOptions = {}): Promise<T> =>
    kysely.connection().execute(async (db) => {
      await sql.raw(transactionOptions.write === true ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(db);
      let result: T;
      try {
        result = await task(db);
      } catch (error) {
        await sql.raw('ROLLBACK').execute(db).catch(() => undefined);
        throw error;
      }
      await sql.raw('COMMIT').execute(db);
      return result;
    });

  const migrate = createMigrate({ dialect: 'sqlite', location: file, kysely, transaction });

  const database: SqliteStateDatabase = {
    dialect: 'sqlite',
    location: file,
    file,
    engine: engine.name,
    kysely,
    sqlite,
    transaction,
    migrate,
    close: async () => {
      if (closed) return;
      await kysely.destroy();
      // Kysely closes only a connection it initialised.
      closeRaw();
    },
  };

  try {
    for (const module of options.modules ?? []) await migrate(module);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** The folder (0700) and an empty file (0600): SQLite would create it with the umask's mode, and its -wal and -shm files copy the database's. */
async function prepareFile(file: string): Promise<void> {
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const handle = await open(file, 'a', 0o600);
    await handle.close();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SkillsyncError('STATE_DB_FAILED', `Could not create the state database ${file}${code === undefined ? '' : ` (${code})`}.`, {
      hint: 'Check that the skillsync state folder is writable.',
      details: { location: file },
      cause: error,
    });
  }
}

/** Statements kept prepared per connection: the server's and the audit log's queries are a few dozen texts. */
const PREPARED_STATEMENTS_KEPT = 256;

/**
 * Kysely prepares every query it runs; compiling the same SQL again is most of a small
 * query's cost (the org server's reads ran 15% faster with this). One connection runs one
 * query at a time (Kysely's SQLite driver holds a mutex), so sharing a statement is safe;
 * SQLite re-prepares a statement itself when the schema changed under it. The least
 * recently used text goes first beyond the bound, so ad-hoc SQL cannot grow it.
 */
function preparedStatementCache<T>(prepare: (text: string) => T): (text: string) => T {
  const kept = new Map<string, T>();
  return (text) => {
    let statement = kept.get(text);
    if (statement === undefined) {
      statement = prepare(text);
      if (kept.size >= PREPARED_STATEMENTS_KEPT) kept.delete(kept.keys().next().value as string);
    } else {
      kept.delete(text);
    }
    kept.set(text, statement);
    return statement;
  };
}

/**
 * `PRAGMA journal_mode = WAL`, retried while another process holds the lock: on a fresh
 * file several openers race to switch it, and SQLite answers SQLITE_BUSY at once there
 * rather than through the busy timeout (gateways of several clients starting together).
 */
async function switchToWal(sync: SyncSqlite, busyTimeoutMs: number): Promise<void> {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt += 1) {
    try {
      sync.exec('PRAGMA journal_mode = WAL');
      return;
    } catch (error) {
      if (!isBusyError(error) || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100, 5 * 2 ** attempt)));
    }
  }
}
