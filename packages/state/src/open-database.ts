import path from 'node:path';
import { SkillsyncError } from '@skillsync/core';
import type { StateModule } from './migrations.js';
import { openPostgresDatabase } from './open-postgres-database.js';
import { openStateDatabase } from './open-state-database.js';
import { isPostgresUrl } from './postgres-target.js';
import type { SqliteEngineName } from './sqlite-engines.js';
import type { StateDatabase } from './state-database.js';

/** Where a database is, as `--database` gives it: a SQLite file (or `:memory:`), or a PostgreSQL URL. */
export type DatabaseAddress = { readonly dialect: 'sqlite'; readonly file: string } | { readonly dialect: 'postgres'; readonly url: string };

/**
 * Reads `--database`-style text: `postgres://…` / `postgresql://…` is PostgreSQL; a path,
 * `sqlite:PATH` (also `sqlite://PATH`, so `sqlite:///abs/file.db` is `/abs/file.db`) or
 * `:memory:` is SQLite. A relative path is resolved against `cwd`; without one it is
 * refused, since the process's folder is not this package's to read. Any other scheme is
 * INVALID_INPUT, and so is an empty text.
 */
export function parseDatabaseAddress(text: string, cwd?: string): DatabaseAddress {
  if (isPostgresUrl(text)) return { dialect: 'postgres', url: text };
  const sqlite = /^sqlite:(?:\/\/)?/i.exec(text);
  const file = sqlite === null ? text : text.slice(sqlite[0].length);
  // Two letters or more before `://`: a scheme; `C:\…` and `c:/…` stay Windows paths.
  const scheme = sqlite === null ? /^([a-z][a-z0-9+.-]+):\/\//i.exec(text) : null;
  if (scheme !== null) {
    throw new SkillsyncError('INVALID_INPUT', `A database address starting with ${scheme[1] ?? ''}:// is not one skillsync can open.`, {
      hint: 'Give a SQLite file path (or sqlite:PATH, or :memory:) or a postgres:// URL.',
      details: { scheme: scheme[1] },
    });
  }
  if (file === ':memory:') return { dialect: 'sqlite', file };
  if (file === '') throw new SkillsyncError('INVALID_INPUT', 'The database address is empty.', { hint: 'Give a SQLite file path or a postgres:// URL.' });
  if (path.isAbsolute(file)) return { dialect: 'sqlite', file };
  if (cwd === undefined) {
    throw new SkillsyncError('INVALID_INPUT', `The SQLite database ${file} is a relative path, and no folder was given to resolve it against.`, {
      hint: 'Give an absolute path.',
      details: { file },
    });
  }
  return { dialect: 'sqlite', file: path.resolve(cwd, file) };
}

export interface OpenDatabaseOptions {
  /** Modules whose migrations are applied at open, in this order. */
  readonly modules?: readonly StateModule[];
  /** The folder a relative SQLite path is resolved against (the caller's `env.cwd`). */
  readonly cwd?: string;
  /** How long a write waits for another's lock before STATE_DB_LOCKED. Default 5000 ms. */
  readonly busyTimeoutMs?: number;
  /** SQLite: the binding (default `auto`). */
  readonly engine?: SqliteEngineName | 'auto';
  /** PostgreSQL: the schema to keep the tables in (see openPostgresDatabase). Refused for SQLite. */
  readonly schema?: string;
  /** PostgreSQL: connections in the pool. */
  readonly poolSize?: number;
  /** PostgreSQL: told when an idle connection fails. */
  readonly onError?: (error: SkillsyncError) => void;
}

/** Opens the state database `address` names (see parseDatabaseAddress): SQLite for a file, PostgreSQL for a postgres:// URL. */
export async function openDatabase(address: string, options: OpenDatabaseOptions = {}): Promise<StateDatabase> {
  const { cwd, schema, engine, poolSize, onError, ...common } = options;
  const parsed = parseDatabaseAddress(address, cwd);
  if (parsed.dialect === 'postgres') return openPostgresDatabase({ ...common, url: parsed.url, schema, poolSize, onError });
  if (schema !== undefined) {
    throw new SkillsyncError('INVALID_INPUT', `A schema (${schema}) applies to PostgreSQL only; ${parsed.file} is a SQLite database.`, {
      details: { file: parsed.file, schema },
    });
  }
  return openStateDatabase({ ...common, file: parsed.file, engine });
}
