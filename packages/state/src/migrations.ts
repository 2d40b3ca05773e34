import { SkillsyncError } from '@skillsync/core';
import type { Kysely } from 'kysely';

/**
 * One schema step. `up` receives a Kysely bound to the migrating transaction; use its
 * schema builder (not engine-specific SQL) so the step also runs on PostgreSQL later.
 * Never edit or reorder a released migration: add a new one.
 */
export interface StateMigration {
  /** Unique within its module and sorted by byte order with its siblings, e.g. `001-audit-log`. */
  readonly name: string;
  readonly up: (db: Kysely<unknown>) => Promise<void>;
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
export function pendingMigrations(module: StateModule, applied: readonly string[], file: string): StateMigration[] {
  const known = new Set(module.migrations.map((migration) => migration.name));
  const unknown = applied.filter((name) => !known.has(name)).sort();
  if (unknown.length > 0) {
    throw new SkillsyncError(
      'STATE_SCHEMA_TOO_NEW',
      `The state database ${file} has ${module.name} migrations this skillsync does not know (${unknown.join(', ')}): a newer skillsync wrote it.`,
      { details: { file, module: module.name, unknown } },
    );
  }
  const done = new Set(applied);
  return module.migrations.filter((migration) => !done.has(migration.name));
}
