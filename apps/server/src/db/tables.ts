// The org server's tables. Timestamps are ISO-8601 UTC text and JSON columns are text on
// both engines, so one query reads the same on SQLite and PostgreSQL.
import type { MigrationsTable } from '@skillsync/state';

export interface UsersTable {
  user: string;
  created_at: string;
}

export interface OrgsTable {
  org: string;
  /** JSON of OrgSettings. */
  settings: string;
  created_at: string;
}

export interface OrgMembersTable {
  org: string;
  user: string;
  role: string;
  created_at: string;
}

export interface TeamsTable {
  org: string;
  team: string;
  description: string | null;
  created_at: string;
}

export interface TeamMembersTable {
  org: string;
  team: string;
  user: string;
  role: string;
}

export interface TokensTable {
  id: string;
  org: string;
  user: string;
  name: string;
  /** hex SHA-256 of the token; the token itself is never stored. */
  hash: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface SkillsTable {
  org: string;
  name: string;
  description: string;
  /** `org` or `team:<team>`. */
  visibility: string;
  created_at: string;
  updated_at: string;
}

export interface SkillVersionsTable {
  org: string;
  name: string;
  version: string;
  integrity: string;
  size: number;
  description: string;
  /** JSON of the PackageSignature, or null when unsigned. */
  signature: string | null;
  status: string;
  status_message: string | null;
  published_at: string;
  published_by: string;
  updated_at: string;
}

export interface DistTagsTable {
  org: string;
  name: string;
  tag: string;
  version: string;
}

/** Package bytes when blobs live in the database, keyed by integrity (content-addressed, shared across orgs). */
export interface BlobsTable {
  integrity: string;
  bytes: Uint8Array;
  size: number;
}

export interface CatalogueTable {
  org: string;
  name: string;
  version: string;
  /** JSON of the server.json. */
  server_json: string;
  updated_at: string;
  updated_by: string;
}

export interface ProfilesTable {
  org: string;
  /** `org` or `team:<team>`. */
  scope: string;
  revision: number;
  /** JSON of the Profile. */
  profile: string;
  updated_at: string;
  updated_by: string;
}

export interface ReportsTable {
  org: string;
  user: string;
  device: string;
  /** JSON of the StatusReport. */
  report: string;
  reported_at: string;
}

/** A device's runtime audit records as uploaded (docs/audit.md), one chain per user and device. */
export interface RuntimeAuditTable {
  org: string;
  user: string;
  device: string;
  seq: number;
  hash: string;
  /** JSON of the AuditRecord, exactly as received and checked. */
  record: string;
  received_at: string;
}

/** A type, not an interface: Kysely's `$extendTables` wants the index signature only a type alias has. */
export type ServerTables = {
  migrations: MigrationsTable;
  users: UsersTable;
  orgs: OrgsTable;
  org_members: OrgMembersTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  tokens: TokensTable;
  skills: SkillsTable;
  skill_versions: SkillVersionsTable;
  dist_tags: DistTagsTable;
  blobs: BlobsTable;
  catalogue: CatalogueTable;
  profiles: ProfilesTable;
  reports: ReportsTable;
  runtime_audit: RuntimeAuditTable;
};
