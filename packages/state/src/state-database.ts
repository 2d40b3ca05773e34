import type { Kysely } from 'kysely';
import type { MigrationResult, MigrationsTable, StateModule } from './migrations.js';
import type { SqliteEngineName, SyncSqlite } from './sqlite-engines.js';

/** The tables every state database has. Modules add theirs with `kysely.$extendTables<T>()`. */
export interface StateTables {
  migrations: MigrationsTable;
}

/** The SQL engines the state layer speaks: one SQLite file, or a PostgreSQL database shared by server replicas. */
export type StateDialect = 'sqlite' | 'postgres';

/** The driver under the dialect: a SQLite binding, or node-postgres. */
export type StateEngineName = SqliteEngineName | 'pg';

/**
 * Synchronous access to a SQLite state database: the hot-path escape hatch. PostgreSQL
 * has no such thing, so code that uses it keeps a Kysely path beside it.
 */
export interface SqliteAccess {
  /**
   * Runs `task` in a `BEGIN IMMEDIATE` transaction (the write lock is taken first, so
   * writers in other processes queue instead of failing), holding the one connection
   * Kysely shares so no other query of this process interleaves. Commits when `task`
   * returns, rolls back when it throws.
   */
  writeSync<T>(task: (sync: SyncSqlite) => T): Promise<T>;
  /**
   * The same without waiting for the connection, for a process-exit handler where no
   * `await` can run. Refused (STATE_DB_FAILED) while another transaction is open.
   */
  writeSyncNow<T>(task: (sync: SyncSqlite) => T): T;
}

export interface StateTransactionOptions {
  /**
   * Serialise this transaction with every other write transaction on the database, for
   * read-then-write work such as chaining: `BEGIN IMMEDIATE` on SQLite; on PostgreSQL a
   * transaction-scoped advisory lock taken first, then READ COMMITTED, so every statement
   * sees what the previous lock holder committed and no caller needs a retry loop (which
   * SERIALIZABLE would demand). Without it: a snapshot (a deferred transaction on SQLite,
   * REPEATABLE READ on PostgreSQL), where a write that races another may fail with
   * STATE_DB_LOCKED.
   */
  readonly write?: boolean;
}

export interface StateDatabase {
  readonly dialect: StateDialect;
  readonly engine: StateEngineName;
  /**
   * Where the database is, safe to print and log: the SQLite file (or `:memory:`), or the
   * PostgreSQL URL without password or query, with the schema when one was chosen.
   */
  readonly location: string;
  /** The SQLite file (or `:memory:`); undefined on PostgreSQL. */
  readonly file: string | undefined;
  readonly kysely: Kysely<StateTables>;
  /** Present on SQLite. */
  readonly sqlite: SqliteAccess | undefined;
  /**
   * Runs `task` in one transaction on one connection; commits when it returns, rolls back
   * when it throws. The task must use the `db` it is given: on PostgreSQL another query
   * through `kysely` runs on another connection, outside the transaction.
   */
  transaction<T>(task: (db: Kysely<StateTables>) => Promise<T>, options?: StateTransactionOptions): Promise<T>;
  /**
   * Applies the module's pending migrations in one write transaction; a no-op when current.
   * Safe when several processes open the database at once: the write lock makes the
   * second wait, and it then finds nothing left to do.
   */
  migrate(module: StateModule): Promise<MigrationResult>;
  /** Closes the connection (PostgreSQL: the pool, once its connections are returned); later calls do nothing. */
  close(): Promise<void>;
}

export interface SqliteStateDatabase extends StateDatabase {
  readonly dialect: 'sqlite';
  readonly engine: SqliteEngineName;
  readonly file: string;
  readonly sqlite: SqliteAccess;
}

export interface PostgresStateDatabase extends StateDatabase {
  readonly dialect: 'postgres';
  readonly engine: 'pg';
  readonly file: undefined;
  readonly sqlite: undefined;
  /** The schema the connections use (their search_path): the one chosen at open, else the server's default (`public`). */
  readonly schema: string;
}
