import { existsSync } from 'node:fs';
import { pathFor, skillsyncPaths, SkillsyncError, toSkillsyncError, type Env } from '@skillsync/core';
import { openAuditLog } from '@skillsync/policy';
import { defaultPackageLimits } from '@skillsync/store';
import { createLocalNotifier, createPostgresNotifier, openDatabase, parseDatabaseAddress, type StateNotifier } from '@skillsync/state';
import { createServerAuthorizer } from './authorizer.js';
import { createDatabaseBlobStore, createDirectoryBlobStore } from './blobs/index.js';
import { serverStateModule } from './db/migrations.js';
import type { ServerTables } from './db/tables.js';
import type { ServerContext, ServerLimits } from './server-context.js';
import { createServerEvents } from './server-events.js';

export interface OpenServerOptions {
  readonly env: Env;
  /** A SQLite file (relative to `env.cwd`) or a `postgres://` URL. Default `<state>/server/server.db`. */
  readonly database?: string;
  /** PostgreSQL only: keep the tables (and notification channel) in this schema; tests isolate themselves so. */
  readonly schema?: string;
  /** Where package bytes go. Default: the database. */
  readonly blobs?: 'database' | { readonly directory: string };
  readonly limits?: Partial<ServerLimits>;
  /** The clock. Default `env.now`. */
  readonly now?: () => Date;
  /** How long audit records gather before a batch is written. Default the audit log's (50 ms). */
  readonly auditFlushDelayMs?: number;
  /**
   * Prune admin audit records older than this many days, at open and then about daily.
   * A prune that fails (a broken chain is never pruned) is told to `onError`, and the
   * server opens without it. Default: keep everything.
   */
  readonly auditRetentionDays?: number;
  /** Told about failures outside any request: a database connection that dropped, an event listener that threw. */
  readonly onError?: (error: SkillsyncError) => void;
  /**
   * A SQLite file that does not exist is FILE_NOT_FOUND instead of a new, empty server:
   * for maintenance commands, where a mistyped path would otherwise look like a clean one.
   */
  readonly existing?: boolean;
}

/** A ServerContext that owns its database and notifier connections. */
export interface OpenServerContext extends ServerContext {
  /** Where the database is, safe to print (no password). */
  readonly location: string;
  /** Writes the audit records still queued, then closes the notifier and the database; later calls do nothing. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

/**
 * The limits of docs/server-api.md: 1 MiB of JSON, packages as large as the package format
 * allows, 6000 requests a minute per member, 100 active tokens and 20 devices per member.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  jsonBodyBytes: MIB,
  packageBytes: defaultPackageLimits.maxTotalSize,
  requestsPerMinute: 6000,
  auditMaxPending: 10_000,
  tokensPerMember: 100,
  devicesPerMember: 20,
};

/** `<state>/server/server.db`: where `skillsync server` keeps everything when no --database is given. */
export function defaultServerDatabase(env: Env): string {
  return pathFor(env).join(skillsyncPaths(env).state, 'server', 'server.db');
}

/**
 * Opens what every route needs: the database (SQLite or PostgreSQL, migrated to the
 * server's schema), the RBAC authorizer, the event bus across replicas, and the blob
 * store. Close it when done.
 */
export async function openServerContext(options: OpenServerOptions): Promise<OpenServerContext> {
  const { env } = options;
  const address = parseDatabaseAddress(options.database ?? defaultServerDatabase(env), env.cwd);
  if (options.existing === true && address.dialect === 'sqlite' && address.file !== ':memory:' && !existsSync(address.file)) {
    throw new SkillsyncError('FILE_NOT_FOUND', `There is no server database at ${address.file}.`, {
      hint: 'Pass the --database the server runs with, or create one with `skillsync server init --org <org> --owner <user>`.',
      details: { path: address.file },
    });
  }
  const database = await openDatabase(address.dialect === 'postgres' ? address.url : address.file, {
    modules: [serverStateModule(address.dialect)],
    ...(options.schema === undefined ? {} : { schema: options.schema }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  });
  let notifier: StateNotifier;
  const now = options.now ?? env.now;
  try {
    const notifierOptions = options.onError === undefined ? {} : { onError: options.onError };
    notifier =
      address.dialect === 'postgres'
        ? await createPostgresNotifier(address.url, { ...notifierOptions, ...(options.schema === undefined ? {} : { schema: options.schema }) })
        : createLocalNotifier(notifierOptions);
  } catch (error) {
    await database.close();
    throw error;
  }

  const limits = { ...DEFAULT_SERVER_LIMITS, ...options.limits };
  const auditOptions = {
    db: database,
    now,
    // The audit middleware refuses changes at auditMaxPending; the log's own limit sits above it, for appends already under way.
    maxPending: limits.auditMaxPending * 2,
    ...(options.auditFlushDelayMs === undefined ? {} : { flushDelayMs: options.auditFlushDelayMs }),
    ...(options.onError === undefined ? {} : { onError: options.onError }),
  };
  let audit;
  try {
    const retentionDays = options.auditRetentionDays;
    audit =
      retentionDays === undefined
        ? await openAuditLog(auditOptions)
        : await openAuditLog({ ...auditOptions, retentionDays }).catch(async (error: unknown) => {
            // Retention must not keep the server from starting, nor from recording.
            const failure = toSkillsyncError(error);
            options.onError?.(new SkillsyncError(failure.code, `Audit retention (${retentionDays} days) was not applied: ${failure.message}`, { details: failure.details, cause: error }));
            return openAuditLog(auditOptions);
          });
  } catch (error) {
    await notifier.close();
    await database.close();
    throw error;
  }
  const db = database.kysely.$extendTables<ServerTables>();
  const blobs = options.blobs === undefined || options.blobs === 'database' ? createDatabaseBlobStore(db) : createDirectoryBlobStore(pathFor(env).resolve(env.cwd, options.blobs.directory));
  let closing: Promise<void> | undefined;
  return {
    database,
    db,
    blobs,
    authorizer: createServerAuthorizer(),
    events: createServerEvents(notifier),
    audit,
    limits,
    now,
    location: database.location,
    close: () => {
      closing ??= audit
        .close()
        .finally(() => notifier.close())
        .finally(() => database.close());
      return closing;
    },
  };
}
