// The state database, reached through Kysely: for the CLI and gateway one SQLite file under
// the state folder (node:sqlite on Node 22.5+, or the optional better-sqlite3); for the org
// server either that or PostgreSQL, shared by several server replicas. Modules (the audit
// log, the server's tables, later the sync journal and usage counts) keep their tables in
// it, each with its own ordered migrations, run the same way on both.
export {
  type PostgresStateDatabase,
  type SqliteAccess,
  type SqliteStateDatabase,
  type StateDatabase,
  type StateDialect,
  type StateEngineName,
  type StateTables,
  type StateTransactionOptions,
} from './state-database.js';
export { openStateDatabase, STATE_DATABASE_NAME, stateDatabaseFile, type OpenStateDatabaseOptions } from './open-state-database.js';
export { openPostgresDatabase, type OpenPostgresDatabaseOptions } from './open-postgres-database.js';
export { openDatabase, parseDatabaseAddress, type DatabaseAddress, type OpenDatabaseOptions } from './open-database.js';
export { createLocalNotifier, NOTIFY_PAYLOAD_MAX_BYTES, type NotifierOptions, type StateNotifier } from './notifier.js';
export { createPostgresNotifier, type PostgresNotifierOptions } from './postgres-notifier.js';
export { MIGRATIONS_TABLE, type MigrationResult, type MigrationsTable, type StateMigration, type StateModule } from './migrations.js';
export {
  availableSqliteEngines,
  loadSqliteEngine,
  type SqlValue,
  type SqliteEngineName,
  type SyncRunResult,
  type SyncSqlite,
  type SyncStatement,
} from './sqlite-engines.js';
export { isBusyError, isUnavailableError, toStateError } from './state-errors.js';
