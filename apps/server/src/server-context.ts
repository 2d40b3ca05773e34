// The seam between the server's parts: what every route module receives, and what the
// authentication middleware leaves on each request. Route modules (identity, registry,
// profiles, …) each export a `RouteModule` and never reach into one another.
import type { AuditLog } from '@skillsync/policy';
import type { Role, TokenScope } from '@skillsync/registry';
import type { StateDatabase } from '@skillsync/state';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ServerTables } from './db/tables.js';

/** Who is calling, as the bearer token says: resolved once per request by the auth middleware. */
export interface Caller {
  readonly user: string;
  /** The org the token belongs to; a token never acts in another org. */
  readonly org: string;
  readonly orgRole: Role;
  /** The caller's team → role in that team. */
  readonly teams: ReadonlyMap<string, Role>;
  readonly token: { readonly id: string; readonly name: string; readonly scopes: readonly TokenScope[]; readonly expiresAt: string };
}

/** The org actions of docs/server-api.md's table, decided by the Cedar RBAC policy. */
export type OrgAction =
  | 'readOrg'
  | 'readPackage'
  | 'publishPackage'
  | 'managePackage'
  | 'reportStatus'
  | 'readParity'
  | 'readAudit'
  | 'editProfile'
  | 'manageCatalogue'
  | 'manageTeams'
  | 'manageMembers'
  | 'manageTokens'
  | 'manageOrg';

/** What an action is about, as far as roles care: the team that owns or targets it, a package's visibility. */
export interface ActionTarget {
  readonly team?: string;
  /** `org` or `team:<team>`, for packages. */
  readonly visibility?: string;
  /** The skill, for package actions. */
  readonly name?: string;
  /** For manageMembers: whose membership (of the org, or of `team`), the role it has now and the role being given. */
  readonly member?: { readonly user: string; readonly role?: Role; readonly grants?: Role };
  /** For manageTokens: whose token, and the scopes it carries (or is asked for). */
  readonly token?: { readonly owner: string; readonly scopes: readonly TokenScope[]; readonly id?: string };
}

export interface Authorizer {
  /** Whether `caller` may do `action` on `target` (role and token scopes). */
  allows(caller: Caller, action: OrgAction, target?: ActionTarget): boolean;
  /** The same, throwing SERVER_FORBIDDEN when not allowed. */
  require(caller: Caller, action: OrgAction, target?: ActionTarget): void;
}

/** Package bytes, content-addressed by integrity: in the database or in a blob directory. */
export interface BlobStore {
  readonly kind: 'database' | 'directory';
  /**
   * Stores `bytes` under `integrity` (idempotent). `db` is the publishing transaction: the
   * database store writes inside it, so a rolled-back publish leaves no row; the directory
   * store writes the file before the transaction commits (an unreferenced file is harmless
   * and collected by `prune`). Resolves to the size of the bytes held under `integrity`
   * afterwards: an earlier upload's, when one was kept (two gzip encodings of one package
   * share its integrity).
   */
  put(db: Kysely<ServerTables>, integrity: string, bytes: Uint8Array): Promise<number>;
  get(integrity: string): Promise<Uint8Array | undefined>;
  /**
   * Only a store where a failed publish can leave bytes behind has it (the directory
   * store): removes the blobs whose integrity is not in `referenced`, and temp files of
   * interrupted writes, of those last written before `options.before`. Anything newer is
   * kept, since a publish may be between writing its blob and committing its version.
   */
  prune?(referenced: ReadonlySet<string>, options: BlobPruneOptions): Promise<BlobPruneResult>;
}

export interface BlobPruneOptions {
  /** Files last written at or after this are kept whatever they hold. */
  readonly before: Date;
  /** Count only: remove nothing. */
  readonly dryRun?: boolean;
}

export interface BlobPruneResult {
  /** Blobs no version names, removed (with `dryRun`, that would be), by integrity in byte order. */
  readonly removed: readonly { readonly integrity: string; readonly size: number }[];
  /** Temp files of interrupted writes removed (would be). */
  readonly leftovers: number;
  /** Bytes the removals freed (would free). */
  readonly bytes: number;
  /** Blobs a version names: kept. */
  readonly referenced: number;
  /** Unreferenced blobs and temp files kept for being too recent. */
  readonly recent: number;
}

/** Publish/subscribe across server processes (PostgreSQL LISTEN/NOTIFY; in-process on SQLite). */
export interface ServerEvents {
  publish(org: string, type: 'profile' | 'package', data: unknown): Promise<void>;
  subscribe(org: string, listener: (type: 'profile' | 'package', data: unknown) => void): () => void;
}

export interface ServerLimits {
  /** Largest JSON body accepted, bytes. */
  readonly jsonBodyBytes: number;
  /** Largest package upload, bytes (the package format's own limit). */
  readonly packageBytes: number;
  /** Requests per member per minute, all their tokens together (per address when unauthenticated): minting tokens does not multiply it. */
  readonly requestsPerMinute: number;
  /** Audit records waiting to be written beyond which changes are refused (503) rather than made unaudited. */
  readonly auditMaxPending: number;
  /** Unrevoked, unexpired tokens one member may hold in an org; one more is SERVER_CONFLICT. */
  readonly tokensPerMember: number;
  /** Devices one member may send status reports (and, apart, runtime audit records) from; a new one beyond is SERVER_CONFLICT. */
  readonly devicesPerMember: number;
}

export interface ServerContext {
  readonly database: StateDatabase;
  readonly db: Kysely<ServerTables>;
  readonly blobs: BlobStore;
  readonly authorizer: Authorizer;
  readonly events: ServerEvents;
  /** The admin audit log: one hash chain in the server database, every org's records tagged with their org. */
  readonly audit: AuditLog;
  readonly limits: ServerLimits;
  /** The clock, injectable for expiry tests. */
  now(): Date;
}

export interface ServerEnv {
  Variables: {
    caller: Caller;
    /** Set first on every request (and echoed as `x-request-id`); log lines carry it. */
    requestId: string;
  };
}

export type RouteModule = (app: Hono<ServerEnv>, server: ServerContext) => void;
