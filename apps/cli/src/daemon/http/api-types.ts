/**
 * The dashboard API's payloads: what the server answers and the single-page app reads.
 * Types only, so the app (apps/app) shares them without importing any server code.
 * Routes that run a CLI command answer its `--json` document as `CommandReply`.
 */
import type { SerializedError } from '@skillsync/core';
import type { AuditRecordBody, auditVerify, Member, OrgSettings, ParityRow, SkillDetail, SkillSummary, Team, TokenCreated, TokenInfo, TokenScope, Whoami } from '@skillsync/registry';
import type { SyncItem } from '@skillsync/sync';
import type { AuditListData, AuditVerifyData } from '../../commands/audit.js';
import type { ClientsData } from '../../commands/clients.js';
import type { ImportData } from '../../commands/import.js';
import type { ListData } from '../../commands/list.js';
import type { OutdatedData } from '../../commands/outdated.js';
import type { PolicyCheckData } from '../../commands/policy.js';
import type { StatusData } from '../../commands/status.js';
import type { ValidateData } from '../../commands/validate.js';
import type { VersionStatusData } from '../../commands/yank.js';
import type { CreatedSkill } from '../../builder/index.js';
import type { DaemonEvent, DaemonStatus, DraftFinding, DraftLanding, SkillDraft, SyncRunSummary } from '../contract.js';
import type { z } from 'zod';

export type { AuditListData, AuditVerifyData, ClientsData, DaemonEvent, DaemonStatus, DraftFinding, DraftLanding, ImportData, ListData, OutdatedData, PolicyCheckData, SkillDraft, StatusData, SyncRunSummary, ValidateData };

/** A command's result: `ok: false` means findings (a failed validation, an outdated skill), not a failed request. */
export interface CommandReply<T> {
  readonly ok: boolean;
  readonly data: T;
}

/** Every failed request: the HTTP status says the class, `error.code` the exact failure. */
export interface ErrorReply {
  readonly error: SerializedError;
}

export type Scope = 'user' | 'project';

// ── connectors ─────────────────────────────────────────────────────────────────────────

export interface ConnectorClientState {
  readonly client: string;
  readonly scope: Scope;
  readonly status: SyncItem['status'];
  readonly detail?: string;
}

/** One connector of the manifests, as the page shows it: no environment or header values, only their names. */
export interface ConnectorSummary {
  readonly name: string;
  readonly scope: Scope;
  readonly manifest: string;
  readonly transport: 'stdio' | 'http' | 'sse';
  /** The command line (stdio) or the URL (remote), secret references left as references. */
  readonly target: string;
  readonly enabled: boolean;
  readonly envNames: readonly string[];
  readonly headerNames: readonly string[];
  /** The connector's allow-list of tools, when it has one. */
  readonly tools: readonly string[] | undefined;
  readonly clients: readonly ConnectorClientState[];
}

export interface ConnectorsReply {
  readonly connectors: readonly ConnectorSummary[];
  /** Why the per-client states are missing (`skillsync status` failed: skills not installed…), when it did. */
  readonly statusError: SerializedError | undefined;
}

export interface ConnectorTool {
  readonly name: string;
  readonly description: string | undefined;
  readonly inputSchema: Readonly<Record<string, unknown>>;
}

export interface ConnectorToolsReply {
  readonly connector: string;
  readonly tools: readonly ConnectorTool[];
}

export interface ConnectorCallReply {
  readonly connector: string;
  readonly tool: string;
  readonly isError: boolean;
  /** The tool result's content blocks, after the gateway's redaction. */
  readonly content: readonly unknown[];
  readonly structuredContent?: unknown;
  readonly elapsedMs: number;
}

// ── drift ──────────────────────────────────────────────────────────────────────────────

/** A drifted item with what `skillsync diff` says a sync would write for it. */
export type DriftEntry = SyncItem & {
  /** The unified diff of the item's file (connectors, instructions); empty when none applies. */
  readonly diff: readonly string[];
  /** For a skill folder: whether the sync writes or removes it. */
  readonly folderAction?: 'write' | 'remove';
} & (
    /** Adopt takes the client's version into the manifest (a connector someone edited or wrote under our name). */
    | { readonly adoptable: true }
    /** Why there is nothing to adopt, and what to do instead. */
    | { readonly adoptable: false; readonly whyNot: string }
  );

export interface DriftReply {
  readonly items: readonly DriftEntry[];
  /** Files that could not be read or parsed, as `status` reports them. */
  readonly problems: StatusData['scopes'][number]['problems'];
}

export type AdoptReply =
  | { readonly adopted: true; readonly connector: string; readonly manifest: string; readonly secrets: readonly string[]; readonly sync: SyncRunSummary }
  /** Nothing was changed; `reason` says why and what to do instead. */
  | { readonly adopted: false; readonly reason: string };

// ── policies ───────────────────────────────────────────────────────────────────────────

export interface ActivePolicyFile {
  /** The file, or `<built-in default policy>`. */
  readonly path: string;
  readonly text: string;
}

export interface PoliciesReply {
  readonly builtIn: boolean;
  readonly files: readonly ActivePolicyFile[];
  /** The engine built from them: its version (what audit records carry) and policy ids, or why it cannot be built. */
  readonly engine: { readonly version: string; readonly policyIds: readonly string[] } | { readonly error: SerializedError };
  /** Who the gateway acts for by default (the what-if form starts with it). */
  readonly principal: { readonly user: string; readonly teams?: readonly string[]; readonly roles?: readonly string[] };
  readonly check: CommandReply<PolicyCheckData>;
}

export interface WhatIfRequest {
  readonly user: string;
  readonly teams?: readonly string[];
  readonly roles?: readonly string[];
  readonly connector: string;
  readonly tool: string;
  readonly client: string;
}

export interface WhatIfReply {
  readonly decision: 'allow' | 'deny';
  readonly policyIds: readonly string[];
  /** Evaluation errors (any one makes the decision deny). */
  readonly errors: readonly string[];
}

// ── builder ────────────────────────────────────────────────────────────────────────────

export interface DraftRequest {
  readonly draft: SkillDraft;
  readonly scope: Scope;
}

export interface DraftCheckReply {
  readonly findings: readonly DraftFinding[];
  readonly skillMd: string;
  readonly landings: readonly DraftLanding[];
}

export interface DraftCreateReply {
  readonly created: CreatedSkill;
  readonly sync: SyncRunSummary;
}

// ── org (the registries this user is logged in to, through the daemon's stored token) ──

/** A registry this user is logged in to, as the Org pages show it. */
export interface OrgRegistry {
  readonly address: string;
  readonly org: string;
  /** The user the login was made as. */
  readonly user: string;
  /** Who the stored token speaks for now; undefined when the registry could not be asked (`error` says why). */
  readonly whoami: Whoami | undefined;
  readonly settings: OrgSettings | undefined;
  readonly error: SerializedError | undefined;
}

export interface OrgReply {
  /** Empty when this user is logged in to no registry. */
  readonly registries: readonly OrgRegistry[];
}

// The lists are read whole, up to a cap: `more` says the registry holds more than these.

export interface OrgParityReply {
  readonly members: readonly ParityRow[];
  readonly more: boolean;
}

export interface OrgSkillsReply {
  readonly skills: readonly SkillSummary[];
  readonly more: boolean;
}

/** One skill with its versions (`GET /api/org/skills/:name`). */
export type OrgSkillReply = SkillDetail;

export interface OrgTeam extends Team {
  readonly members: readonly Member[];
  readonly more: boolean;
}

export interface OrgTeamsReply {
  readonly teams: readonly OrgTeam[];
  readonly more: boolean;
}

export interface OrgMembersReply {
  readonly members: readonly Member[];
  readonly more: boolean;
}

export interface OrgTokensReply {
  /** The caller's own tokens (an admin's list holds everyone's); never a token's text. */
  readonly tokens: readonly TokenInfo[];
  /** The id of the token this login uses. */
  readonly current: string;
  readonly more: boolean;
}

/** A new token of the caller's own, valid `days` (default 90, at most 366). */
export interface OrgTokenRequest {
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly days?: number;
}

/** The new token: its text is here once, and nowhere else. */
export type OrgTokenCreated = TokenCreated;

export interface OrgTokenRevoked {
  readonly revoked: string;
}

/** Yank or deprecate a version, with the message installers see. */
export interface OrgVersionStatusRequest {
  readonly message?: string;
}

export type OrgVersionStatusReply = VersionStatusData;

export interface OrgAuditReply {
  /** The org's admin records, in seq order. */
  readonly records: readonly AuditRecordBody[];
  /** Pass as `cursor` for the next page; undefined on the last one. */
  readonly nextCursor: string | undefined;
}

export type OrgAuditVerifyReply = z.infer<typeof auditVerify>;

// ── the rest ───────────────────────────────────────────────────────────────────────────

export interface SkillsReply {
  readonly list: CommandReply<ListData>;
  readonly outdated: CommandReply<OutdatedData> | ErrorReply;
  /** The local skill folders the manifests list, validated strictly; undefined when there are none. */
  readonly validation: CommandReply<ValidateData> | undefined;
}

export interface SyncRequest {
  readonly clients?: readonly string[];
}

export interface RepairRequest {
  readonly client: string;
}

export interface AdoptRequest {
  readonly scope: Scope;
  readonly client: string;
  readonly name: string;
}
