// The org server's API contract (docs/server-api.md), as zod schemas shared by the server,
// which validates every request body and query against them, and the CLI's registry
// client, which validates every response. One definition, so the two cannot drift.
import semver from 'semver';
import { z } from 'zod';

export const API_PREFIX = '/v0.1';

/** One slug (an org, a team, a user), as a regular expression's source: composed into the scope pattern below. */
const SLUG = '[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?';
/** `org`, or `team:<team>`: a profile's scope and a skill's visibility. */
const SCOPE = `(?:org|team:${SLUG})`;

export const slug = z.string().regex(new RegExp(`^${SLUG}$`), 'must be 1–40 lowercase letters, digits or inner hyphens');
export const skillName = z
  .string()
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a skill name (lowercase letters, digits, single hyphens)');
/**
 * A published version: exact semver in its one canonical spelling (`1.2.0`, `1.2.0-beta.1`).
 * No build metadata, which semver ignores when comparing: `1.0.0+x` would be a second 1.0.0
 * under another name. No leading zeros or `v` prefix either (`semver.valid(v) === v`).
 */
export const exactVersion = z
  .string()
  .max(256)
  .refine((value) => semver.valid(value) === value, 'must be an exact semantic version such as 1.2.0 or 1.2.0-beta.1, without build metadata (+…)');
export const distTag = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a tag such as latest or beta');
export const timestamp = z.iso.datetime({ offset: true });

export const ROLES = ['owner', 'admin', 'publisher', 'member', 'auditor'] as const;
export const role = z.enum(ROLES);
export type Role = z.infer<typeof role>;

export const TOKEN_SCOPES = ['read', 'publish', 'report', 'admin'] as const;
export const tokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof tokenScope>;

export const VERSION_STATUSES = ['active', 'deprecated', 'yanked'] as const;
export const versionStatus = z.enum(VERSION_STATUSES);
export type VersionStatus = z.infer<typeof versionStatus>;

/** Reverse-DNS keyed extension data, as in the MCP Registry. */
export const meta = z.record(z.string(), z.unknown());

export const errorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
});
export type ErrorBody = z.infer<typeof errorBody>;

export const listMetadata = z.object({ count: z.number().int().nonnegative(), nextCursor: z.string().optional() });
export type ListMetadata = z.infer<typeof listMetadata>;

export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(512).optional(),
  updated_since: timestamp.optional(),
});
export type ListQuery = z.infer<typeof listQuery>;
/** The query of a list whose items keep no update time (members, teams, tokens, parity): `updated_since` is refused, not ignored. */
export const pageQuery = listQuery.pick({ limit: true, cursor: true }).extend({
  updated_since: z.never({ error: 'this list has no update time to filter on; page through it with cursor' }).optional(),
});

export const health = z.object({ status: z.literal('ok'), database: z.enum(['sqlite', 'postgres']) });

// Identity

/** `ssk_` + 32 random bytes as base64url (43 characters): the prefix lets secret scanners and people recognise one. */
export const API_TOKEN_PREFIX = 'ssk_';
const API_TOKEN_SHAPE = /^ssk_[A-Za-z0-9_-]{43}$/;

/** Whether `value` could be a server token at all: anything else is refused before anyone asks the server or the database. */
export function isApiTokenShape(value: string): boolean {
  return API_TOKEN_SHAPE.test(value);
}

export const tokenInfo = z.object({
  id: z.string(),
  name: z.string(),
  user: slug,
  scopes: z.array(tokenScope),
  createdAt: timestamp,
  expiresAt: timestamp,
  lastUsedAt: timestamp.optional(),
});
export type TokenInfo = z.infer<typeof tokenInfo>;

export const whoami = z.object({
  user: slug,
  org: slug,
  role,
  teams: z.array(z.object({ team: slug, role })),
  token: tokenInfo.pick({ id: true, name: true, scopes: true, expiresAt: true }),
});
export type Whoami = z.infer<typeof whoami>;

export const trustedKey = z.object({ name: z.string().max(100).optional(), publicKey: z.string().max(1000) });

export const orgSettings = z.object({
  requireSignatures: z.boolean(),
  reporting: z.boolean(),
  trustedKeys: z.array(trustedKey).max(50),
});
export type OrgSettings = z.infer<typeof orgSettings>;
export const orgSettingsPatch = orgSettings.partial().strict();
export const orgInfo = z.object({ org: slug, settings: orgSettings });

export const member = z.object({ user: slug, role });
export type Member = z.infer<typeof member>;
export const memberPatch = z.object({ role }).strict();
export const members = z.object({ members: z.array(member), metadata: listMetadata });

export const team = z.object({ team: slug, description: z.string().max(500).optional() });
export type Team = z.infer<typeof team>;
export const teams = z.object({ teams: z.array(team), metadata: listMetadata });
export const teamMembers = z.object({ members: z.array(member), metadata: listMetadata });

export const tokenCreate = z
  .object({
    name: z.string().min(1).max(100),
    user: slug.optional(),
    scopes: z.array(tokenScope).min(1),
    expiresInDays: z.number().int().min(1).max(366).default(90),
  })
  .strict();
export type TokenCreate = z.infer<typeof tokenCreate>;
export const tokenCreated = tokenInfo.extend({ token: z.string() });
export type TokenCreated = z.infer<typeof tokenCreated>;
export const tokens = z.object({ tokens: z.array(tokenInfo), metadata: listMetadata });

// Registry

export const versionSummary = z.object({
  version: exactVersion,
  integrity: z.string(),
  status: versionStatus,
  statusMessage: z.string().optional(),
  publishedAt: timestamp,
  publishedBy: slug,
  signed: z.boolean(),
});
export type VersionSummary = z.infer<typeof versionSummary>;

export const versionDetail = versionSummary.extend({
  name: skillName,
  description: z.string(),
  size: z.number().int().nonnegative(),
  signature: z.object({ algorithm: z.literal('ed25519'), keyId: z.string(), signature: z.string() }).optional(),
  _meta: meta.optional(),
});
export type VersionDetail = z.infer<typeof versionDetail>;

/** `org` or `team:<team>`. */
export const visibility = z.string().regex(new RegExp(`^${SCOPE}$`), 'must be org or team:<team>');

export const skillSummary = z.object({
  name: skillName,
  description: z.string(),
  visibility,
  latest: exactVersion.optional(),
  updatedAt: timestamp,
});
export type SkillSummary = z.infer<typeof skillSummary>;
export const skillList = z.object({ skills: z.array(skillSummary), metadata: listMetadata });
export const skillSearchQuery = listQuery.extend({ search: z.string().max(200).optional() });

export const skillDetail = skillSummary.extend({
  distTags: z.record(distTag, exactVersion),
  versions: z.array(versionSummary),
});
export type SkillDetail = z.infer<typeof skillDetail>;
export const versionList = z.object({ versions: z.array(versionSummary), metadata: listMetadata });

export const publishQuery = z.object({ tag: distTag.default('latest'), team: slug.optional() });
export const publishHeaders = { integrity: 'x-skillsync-integrity', signature: 'x-skillsync-signature' } as const;
export const versionStatusPatch = z
  .object({ status: versionStatus, statusMessage: z.string().max(500).optional() })
  .strict();
export const distTagPut = z.object({ version: exactVersion }).strict();

/** A server.json package: how to run the server locally. Its version is pinned: `latest` would approve whatever comes next. */
const serverPackage = z
  .object({
    registryType: z.string().min(1).max(100),
    identifier: z.string().min(1).max(1000),
    version: z
      .string()
      .min(1)
      .max(255)
      .refine((version) => version !== 'latest', 'must be a specific version, not latest')
      .optional(),
    transport: z.object({ type: z.string().min(1).max(100) }).loose(),
  })
  .loose();
/** A server.json remote: where the server is reached over HTTP. */
const serverRemote = z.object({ type: z.string().min(1).max(100), url: z.string().min(1).max(2000) }).loose();

/**
 * A catalogue entry: the MCP Registry's server.json, validated loosely (name, version and
 * description required; packages and remotes, when present, in the current camelCase form
 * with a pinned package version); every other field is kept as sent.
 */
export const serverJson = z
  .object({
    name: z.string().min(3).max(200).regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
    version: z.string().min(1).max(255),
    description: z.string().max(100_000),
    packages: z.array(serverPackage).max(100).optional(),
    remotes: z.array(serverRemote).max(100).optional(),
  })
  .loose();
export type ServerJson = z.infer<typeof serverJson>;
export const catalogueEntry = z.object({ server: serverJson, _meta: meta });
export const catalogue = z.object({ servers: z.array(catalogueEntry), metadata: listMetadata });

// Profiles

/** A required skill's version: `latest` (any) or a semver range as a manifest writes it (`^1.2.0`, `>=1.4.0`; `1.2.0` is that version exactly). */
export const versionRequirement = z
  .string()
  .min(1)
  .max(100)
  .refine((value) => value === 'latest' || semver.validRange(value) !== null, 'must be latest or a semver range such as ^1.2.0 or >=1.4.0');
export const requiredSkill = z.object({ name: skillName, version: versionRequirement });
/** A policy's id within its scope, as a regular expression's source (the effective profile prefixes it with the scope). */
const POLICY_ID = '[a-z0-9][a-z0-9._-]{0,99}';
const connectorName = z.string().min(1).max(100);
/** What one scope (the org, or one team) says members must, may and must not run. */
export const profile = z
  .object({
    required: z.array(requiredSkill).max(500).default([]),
    blockedSkills: z.array(skillName).max(500).default([]),
    /** When present, only these connectors may be configured. */
    allowedConnectors: z.array(connectorName).max(500).optional(),
    blockedConnectors: z.array(connectorName).max(500).default([]),
    policies: z.array(z.object({ id: z.string().regex(new RegExp(`^${POLICY_ID}$`)), text: z.string().max(100_000) })).max(100).default([]),
    instructions: z.string().max(100_000).optional(),
  })
  .strict();
export type Profile = z.infer<typeof profile>;
/** `org` or `team:<team>`: the same form as a skill's visibility. */
export const profileScope = visibility;
export const storedProfile = z.object({ scope: profileScope, revision: z.number().int().nonnegative(), profile, updatedAt: timestamp, updatedBy: slug });
/** Where two scopes' rules on one skill collide, and what the merge kept. */
export const profileConflict = z.object({
  name: skillName,
  /** `blocked`: required by some scope and blocked by another (blocked wins); `version`: requirements no version meets together. */
  kind: z.enum(['blocked', 'version']),
  scopes: z.array(profileScope),
  /** What the merge kept, for people: "blocked", or the requirement kept. */
  resolution: z.string(),
});
export type ProfileConflict = z.infer<typeof profileConflict>;
/**
 * The caller's effective profile: the org's merged with the profiles of the caller's
 * teams. Lists are unions of several scopes', so they have no per-scope cap; policy ids
 * carry their scope (`org/…`, `team:<team>/…`); `revision` is a digest of the sources'
 * revisions.
 */
export const effectiveProfile = z
  .object({
    revision: z.string(),
    sources: z.array(profileScope),
    required: z.array(requiredSkill),
    blockedSkills: z.array(skillName),
    allowedConnectors: z.array(connectorName).optional(),
    blockedConnectors: z.array(connectorName),
    policies: z.array(z.object({ id: z.string().regex(new RegExp(`^${SCOPE}/${POLICY_ID}$`)), text: z.string() })),
    instructions: z.string().optional(),
    conflicts: z.array(profileConflict).default([]),
  })
  .strict();
export type EffectiveProfile = z.infer<typeof effectiveProfile>;

// Parity

export const DRIFT_KINDS = ['modified', 'missing', 'outdated', 'conflict'] as const;
export const statusReport = z
  .object({
    device: z.string().min(1).max(100),
    clients: z.array(z.string().min(1).max(64)).max(64),
    skills: z.array(z.object({ name: skillName, version: exactVersion, integrity: z.string().max(200) }).strict()).max(2000),
    drift: z.partialRecord(z.enum(DRIFT_KINDS), z.number().int().nonnegative()),
    profileRevision: z.string().max(100).optional(),
  })
  .strict();
export type StatusReport = z.infer<typeof statusReport>;
export const PARITY_STATES = ['current', 'behind', 'drifted', 'blocked', 'unknown'] as const;
export const parityRow = z.object({
  user: slug,
  state: z.enum(PARITY_STATES),
  reportedAt: timestamp.optional(),
  devices: z.number().int().nonnegative(),
  missing: z.array(z.string()),
  behind: z.array(z.object({ name: skillName, version: z.string(), required: z.string() })),
  /** Skills the member's profile blocks that a device reported installed, each version once. Absent from servers before it: none. */
  blocked: z.array(z.object({ name: skillName, version: z.string() })).default([]),
  drift: z.number().int().nonnegative(),
});
export type ParityRow = z.infer<typeof parityRow>;
export const parity = z.object({ members: z.array(parityRow), metadata: listMetadata });

// Events

export const EVENT_TYPES = ['profile', 'package'] as const;
export const profileEvent = z.object({ org: slug, scope: profileScope, revision: z.number().int() });
export const packageEvent = z.object({ org: slug, name: skillName, version: exactVersion, status: versionStatus });

// Audit (docs/audit.md for the record and its hash, docs/server-api.md for the routes)

export const AUDIT_DECISIONS = ['allow', 'deny'] as const;
export const AUDIT_OUTCOMES = ['ok', 'error', 'denied', 'blocked', 'redacted'] as const;
export const AUDIT_PROBLEM_KINDS = ['edited', 'deleted', 'reordered', 'inserted'] as const;
/** The most runtime records one upload may carry. */
export const RUNTIME_AUDIT_BATCH_MAX = 1000;

const auditHash = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');
const auditSeq = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
// The log clips its fields (512 characters, 1000 for detail) before redaction, which may lengthen them a little.
const auditText = z.string().min(1).max(4096);
export const auditChainPoint = z.object({ seq: z.number().int().nonnegative(), hash: auditHash });
/**
 * One audit record as the log stores and exports it: the fields its hash covers, its seq
 * and its place in the chain. Strict: a field the hash does not cover has no place in it.
 */
export const auditRecord = z
  .object({
    seq: auditSeq,
    time: timestamp,
    principal: auditText,
    client: auditText,
    action: auditText,
    connector: auditText.optional(),
    target: auditText.optional(),
    argumentsDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
    decision: z.enum(AUDIT_DECISIONS),
    policyIds: z.array(z.string().max(4096)).max(64).optional(),
    policyVersion: auditText.optional(),
    latencyMs: z.number().nonnegative().optional(),
    outcome: z.enum(AUDIT_OUTCOMES),
    detail: auditText.optional(),
    org: auditText.optional(),
    prevHash: auditHash,
    hash: auditHash,
  })
  .strict();
export type AuditRecordBody = z.infer<typeof auditRecord>;

/** `GET /orgs/{org}/audit` and (without cursor and limit) `…/audit/export`. */
export const auditQuery = listQuery.pick({ limit: true, cursor: true }).extend({
  since: timestamp.optional(),
  until: timestamp.optional(),
  action: z.string().min(1).max(100).optional(),
  principal: z.string().min(1).max(512).optional(),
});
export const auditExportQuery = auditQuery.omit({ limit: true, cursor: true });
export const auditList = z.object({ records: z.array(auditRecord), metadata: listMetadata });
export const auditVerify = z.object({
  ok: z.boolean(),
  checked: z.number().int().nonnegative(),
  head: auditChainPoint,
  /** Where verification started: the last pruned record (its time, and how many were pruned in all), or seq 0. Absent from servers before it. */
  anchor: auditChainPoint.extend({ time: timestamp.optional(), pruned: z.number().int().nonnegative() }).optional(),
  problem: z.object({ seq: z.number().int().nonnegative(), kind: z.enum(AUDIT_PROBLEM_KINDS) }).optional(),
});

/** `POST /orgs/{org}/audit/runtime`: a device's runtime records, in seq order, chaining from what the server holds. */
export const runtimeAuditUpload = z
  .object({
    device: statusReport.shape.device,
    records: z.array(auditRecord).min(1).max(RUNTIME_AUDIT_BATCH_MAX),
  })
  .strict();
export type RuntimeAuditUpload = z.infer<typeof runtimeAuditUpload>;
export const runtimeAuditUploaded = z.object({
  /** Records in the batch. */
  accepted: z.number().int().nonnegative(),
  /** Of those, the ones the server did not hold yet. */
  stored: z.number().int().nonnegative(),
  /** The device's last record the server holds: the next batch chains from it. */
  head: auditChainPoint,
});
export const runtimeAuditQuery = listQuery.pick({ limit: true, cursor: true }).extend({
  user: slug.optional(),
  device: statusReport.shape.device.optional(),
});
export const runtimeAuditEntry = z.object({ user: slug, device: statusReport.shape.device, receivedAt: timestamp, record: auditRecord });
export const runtimeAuditList = z.object({ records: z.array(runtimeAuditEntry), metadata: listMetadata });
