import { SkillsyncError } from '@skillsync/core';
import type { Kysely } from 'kysely';
import type { StateDatabase, StateDialect, StateTables } from './state-database.js';
import { toStateError } from './state-errors.js';

/**
 * One schema step. `up` receives a Kysely bound to the migrating transaction; use its
 * schema builder (not engine-specific SQL) so the step runs on SQLite and PostgreSQL,
 * and the dialect where a type must differ (bigint, bytea). Never edit or reorder a
 * released migration: add a new one.
 */
export interface StateMigration {
  /** Unique within its module and sorted by byte order with its siblings, e.g. `001-audit-log`. */
  readonly name: string;
  readonly up: (db: Kysely<unknown>, dialect: StateDialect) => Promise<void>;
}

/** A part of skillsync that keeps tables in the state database (`audit`, `journal`…), with its migrations in order. */
export interface StateModule {
  readonly name: string;
  readonly migrations: readonly StateMigration[];
}

export interface MigrationResult {
  readonly module: string;
  /** The migrations this call applied; empty when the schema was already current. */
  readonly applied: readonly string[];
}

/** The `migrations` table: which step of which module ran, and when. */
export interface MigrationsTable {
  module: string;
  name: string;
  applied_at: string;
}

export const MIGRATIONS_TABLE = 'migrations';

/** Programming mistakes in a module's list, caught before anything runs. */
export function checkModule(module: StateModule): void {
  const names = module.migrations.map((migration) => migration.name);
  const problem =
    module.name === ''
      ? 'a module needs a name'
      : names.some((name) => name === '')
        ? 'a migration needs a name'
        : new Set(names).size !== names.length
          ? 'two migrations share a name'
          : names.some((name, index) => index > 0 && !((names[index - 1] ?? '') < name))
            ? 'migrations must be listed in byte order of their names'
            : undefined;
  if (problem !== undefined) {
    throw new SkillsyncError('INTERNAL', `State module '${module.name}': ${problem}.`, { details: { module: module.name, migrations: names } });
  }
}

/**
 * What is left to apply, given what the database records. A recorded step this code
 * does not know means a newer skillsync migrated the file: refuse rather than guess.
 */
export function pendingMigrations(module: StateModule, applied: readonly string[], location: string): StateMigration[] {
  const known = new Set(module.migrations.map((migration) => migration.name));
  const unknown = applied.filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new SkillsyncError(
      'STATE_SCHEMA_TOO_NEW',
      `The state database ${location} has ${module.name} migrations this skillsync does not know (${unknown.join(', ')}): a newer skillsync wrote it.`,
      { details: { location, module: module.name, unknown } },
    );
  }
  const done = new Set(applied);
  return module.migrations.filter((migration) => !done.has(migration.name));
}

/** What `migrate` needs of a database being opened, on either dialect. */
export type MigrationTarget = Pick<StateDatabase, 'dialect' | 'location' | 'kysely' | 'transaction'>;

async function appliedNames(db: Kysely<StateTables>, module: string): Promise<string[]> {
  const rows = await db.selectFrom('migrations').select('name').where('module', '=', module).execute();
  return rows.map((row) => row.name);
}

/** `StateDatabase.migrate` for either dialect: the same table, the same steps, under the dialect's write lock. */
export function createMigrate(target: MigrationTarget): (module: StateModule) => Promise<MigrationResult> {
  const { dialect, location, kysely, transaction } = target;
  return async (module) => {
    checkModule(module);
    try {
      // Usually current: a read answers that without taking the write lock other processes may want.
      const current = await appliedNames(kysely, module.name).catch(() => undefined);
      if (current !== undefined && pendingMigrations(module, current, location).length === 0) return { module: module.name, applied: [] };
      return await transaction(
        async (db) => {
          await db.schema
            .createTable(MIGRATIONS_TABLE)
            .ifNotExists()
            .addColumn('module', 'text', (column) => column.notNull())
            .addColumn('name', 'text', (column) => column.notNull())
            .addColumn('applied_at', 'text', (column) => column.notNull())
            .addPrimaryKeyConstraint('migrations_pk', ['module', 'name'])
            .execute();
          // Again under the lock: another process may have migrated meanwhile.
          const pending = pendingMigrations(module, await appliedNames(db, module.name), location);
          for (const migration of pending) {
            await migration.up(db as unknown as Kysely<unknown>, dialect);
            await db
              .insertInto('migrations')
              .values({ module: module.name, name: migration.name, applied_at: new Date().toISOString() })
              .execute();
          }
          return { module: module.name, applied: pending.map((migration) => migration.name) };
        },
        { write: true },
      );
    } catch (error) {
      throw toStateError(error, location, `migrate the ${module.name} tables`);
    }
  };
}
