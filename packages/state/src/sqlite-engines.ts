import { createRequire } from 'node:module';
import { SkillsyncError } from '@skillsync/core';
import type { SqliteDatabase as KyselySqliteDatabase, SqliteStatement as KyselySqliteStatement } from 'kysely';

/** The two SQLite bindings skillsync can run on. */
export type SqliteEngineName = 'node:sqlite' | 'better-sqlite3';

/** What SQLite binds and returns: no booleans, no undefined (both bindings refuse them). */
export type SqlValue = null | number | bigint | string | Uint8Array;

export interface SyncRunResult {
  readonly changes: number | bigint;
  readonly lastInsertRowid: number | bigint;
}

/** One prepared statement of the synchronous API. Parameters are positional (`?`). */
export interface SyncStatement {
  run(...params: SqlValue[]): SyncRunResult;
  /** The first row, or undefined when there is none. */
  get(...params: SqlValue[]): Record<string, unknown> | undefined;
  all(...params: SqlValue[]): Record<string, unknown>[];
}

/**
 * The synchronous escape hatch over either binding, for hot paths (the audit writer's
 * batches) where an `await` per statement would cost more than the statement. Use it
 * only inside `StateDatabase.exclusive`, which holds the connection Kysely shares.
 */
export interface SyncSqlite {
  exec(sql: string): void;
  /** Prepared once per SQL text and cached for the life of the connection. */
  prepare(sql: string): SyncStatement;
}

/** A binding's open connection: the synchronous API, what Kysely's SqliteDialect wants, and close. */
export interface RawSqliteConnection {
  readonly sync: SyncSqlite;
  readonly kysely: KyselySqliteDatabase;
  close(): void;
}

export interface SqliteEngine {
  readonly name: SqliteEngineName;
  open(file: string): RawSqliteConnection;
}

// The parts of the bindings used here, typed by hand: Node 20's @types/node has no
// node:sqlite, and better-sqlite3 is optional (no types installed).
interface NodeSqliteStatement {
  run(...params: unknown[]): SyncRunResult;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  /** Node 22.16+ / 23.11+: the result columns; empty for statements that return no rows. */
  columns?: () => readonly unknown[];
}

interface NodeSqliteDatabase {
  prepare(sql: string): NodeSqliteStatement;
  exec(sql: string): void;
  close(): void;
}

interface NodeSqliteModule {
  DatabaseSync: new (file: string) => NodeSqliteDatabase;
}

interface BetterSqliteStatement {
  readonly reader: boolean;
  run(...params: unknown[]): SyncRunResult;
  get(...params: unknown[]): Record<string, unknown> | undefined;
  all(...params: unknown[]): Record<string, unknown>[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

interface BetterSqliteDatabase {
  prepare(sql: string): BetterSqliteStatement;
  exec(sql: string): void;
  close(): void;
}

type BetterSqliteConstructor = new (file: string) => BetterSqliteDatabase;

const requireHere = createRequire(import.meta.url);

/**
 * Loads a module without letting the one-line ExperimentalWarning node:sqlite prints on
 * Node 22.5–23 reach the user's terminal. Only that warning is dropped, and only during
 * the synchronous load that emits it.
 */
function withoutSqliteWarning<T>(load: () => T): T {
  // Put back below exactly as it was; it is always called with `process` as `this`.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- the original function itself is what must be restored
  const original = process.emitWarning;
  const filtered = (warning: string | Error, ...rest: unknown[]): void => {
    const message = typeof warning === 'string' ? warning : warning.message;
    const first = rest[0];
    const type =
      typeof first === 'string'
        ? first
        : typeof first === 'object' && first !== null && 'type' in first && typeof first.type === 'string'
          ? first.type
          : warning instanceof Error
            ? warning.name
            : undefined;
    if (type === 'ExperimentalWarning' && /sqlite/i.test(message)) return;
    (original as (...args: unknown[]) => void).call(process, warning, ...rest);
  };
  process.emitWarning = filtered;
  try {
    return load();
  } finally {
    process.emitWarning = original;
  }
}

/** Statements that return rows, for Node versions whose StatementSync has no `columns()`. */
export function returnsRows(sql: string): boolean {
  const text = sql.replace(/^(?:\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)+/, '');
  return /^(?:select|with|values|pragma|explain)\b/i.test(text) || /\breturning\b/i.test(text);
}

function cachedSync(prepare: (sql: string) => SyncStatement, exec: (sql: string) => void): SyncSqlite {
  const cache = new Map<string, SyncStatement>();
  return {
    exec,
    prepare: (sql) => {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
  };
}

function nodeSqliteEngine(module: NodeSqliteModule): SqliteEngine {
  return {
    name: 'node:sqlite',
    open: (file) => {
      const db = new module.DatabaseSync(file);
      // Kysely calls `all(params)` / `run(params)` with one array; StatementSync takes them spread.
      const kysely: KyselySqliteDatabase = {
        close: () => {
          db.close();
        },
        prepare: (sql): KyselySqliteStatement => {
          const statement = db.prepare(sql);
          const reader = typeof statement.columns === 'function' ? statement.columns().length > 0 : returnsRows(sql);
          return {
            reader,
            all: (params) => statement.all(...params),
            run: (params) => statement.run(...params),
            iterate: (params) => statement.iterate(...params),
          };
        },
      };
      const sync = cachedSync(
        (sql) => db.prepare(sql),
        (sql) => {
          db.exec(sql);
        },
      );
      return {
        sync,
        kysely,
        close: () => {
          db.close();
        },
      };
    },
  };
}

function betterSqliteEngine(Database: BetterSqliteConstructor): SqliteEngine {
  return {
    name: 'better-sqlite3',
    open: (file) => {
      const db = new Database(file);
      const sync = cachedSync(
        (sql) => db.prepare(sql),
        (sql) => {
          db.exec(sql);
        },
      );
      // better-sqlite3 is the binding Kysely's SqliteDialect was written for; it binds an array as the positional parameters.
      return {
        sync,
        kysely: db,
        close: () => {
          db.close();
        },
      };
    },
  };
}

/** Why an engine could not be loaded here, for the STATE_DB_UNAVAILABLE message. */
export interface EngineFailure {
  readonly engine: SqliteEngineName;
  readonly reason: string;
}

type Loaded = { readonly engine: SqliteEngine } | { readonly failure: EngineFailure };

const loaded = new Map<SqliteEngineName, Loaded>();

function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

function loadNodeSqlite(): Loaded {
  try {
    const module = withoutSqliteWarning(() => requireHere('node:sqlite') as Partial<NodeSqliteModule>);
    if (typeof module.DatabaseSync !== 'function') return { failure: { engine: 'node:sqlite', reason: 'node:sqlite has no DatabaseSync' } };
    return { engine: nodeSqliteEngine(module as NodeSqliteModule) };
  } catch (error) {
    // Node < 22.5 has no node:sqlite; 22.5–22.12 have it only behind --experimental-sqlite.
    return { failure: { engine: 'node:sqlite', reason: `not available in Node ${process.versions.node} (${describe(error)})` } };
  }
}

function loadBetterSqlite(): Loaded {
  // A variable name: the CLI bundle must leave this optional, native module as a run-time lookup.
  const specifier = 'better-sqlite3';
  try {
    const module = requireHere(specifier) as BetterSqliteConstructor | { default?: BetterSqliteConstructor };
    const Database = typeof module === 'function' ? module : module.default;
    if (typeof Database !== 'function') return { failure: { engine: 'better-sqlite3', reason: 'the module exports no Database' } };
    // The native part loads on the first open: one in memory proves it is built for this Node.
    new Database(':memory:').close();
    return { engine: betterSqliteEngine(Database) };
  } catch (error) {
    return { failure: { engine: 'better-sqlite3', reason: describe(error) } };
  }
}

function load(name: SqliteEngineName): Loaded {
  let result = loaded.get(name);
  if (result === undefined) {
    result = name === 'node:sqlite' ? loadNodeSqlite() : loadBetterSqlite();
    loaded.set(name, result);
  }
  return result;
}

/**
 * The SQLite binding to use: Node's built-in node:sqlite where it exists (Node 22.5+,
 * unflagged from 22.13), else the optional better-sqlite3 module, else
 * STATE_DB_UNAVAILABLE. `prefer` forces one (tests, diagnostics).
 */
export function loadSqliteEngine(prefer: SqliteEngineName | 'auto' = 'auto'): SqliteEngine {
  const order: readonly SqliteEngineName[] = prefer === 'auto' ? ['node:sqlite', 'better-sqlite3'] : [prefer];
  const failures: EngineFailure[] = [];
  for (const name of order) {
    const result = load(name);
    if ('engine' in result) return result.engine;
    failures.push(result.failure);
  }
  throw new SkillsyncError(
    'STATE_DB_UNAVAILABLE',
    `No SQLite engine could be loaded for skillsync's state database: ${failures.map((failure) => `${failure.engine}: ${failure.reason}`).join('; ')}.`,
    {
      hint: 'The state database needs SQLite: use Node.js 22.5 or later (built-in node:sqlite; 22.13+ without a flag), or install the optional better-sqlite3 module (reinstall skillsync without --omit=optional and with network access).',
      details: { node: process.versions.node, tried: failures.map((failure) => failure.engine) },
    },
  );
}

/** The engines that load in this process, for tests and `--verbose` diagnostics. */
export function availableSqliteEngines(): SqliteEngineName[] {
  return (['node:sqlite', 'better-sqlite3'] as const).filter((name) => 'engine' in load(name));
}
