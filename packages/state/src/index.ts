// The local state database: one SQLite file under the state folder, reached through
// Kysely, on node:sqlite (Node 22.5+) or the optional better-sqlite3. Modules (the audit
// log, later the sync journal and usage counts) keep their tables in it, each with its
// own ordered migrations. PostgreSQL (the org server) will implement the same interface.
export {
  openStateDatabase,
  STATE_DATABASE_NAME,
  stateDatabaseFile,
  type OpenStateDatabaseOptions,
  type SqliteAccess,
  type StateDatabase,
  type StateDialect,
  type StateTables,
} from './open-state-database.js';
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
export { isBusyError, toStateError } from './state-errors.js';
