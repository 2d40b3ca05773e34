/** What the gateway did with a request, as the audit log records it. */
export type AuditOutcome = 'ok' | 'error' | 'denied' | 'blocked' | 'redacted';

export type AuditDecision = 'allow' | 'deny';

/** The gateway's actions, plus whatever else a caller records (`pruneAudit`…). */
export type AuditAction =
  | 'callTool'
  | 'readResource'
  | 'getPrompt'
  | 'useSkill'
  | 'listTools'
  | 'listPrompts'
  | 'listResources'
  | (string & {});

/**
 * One decision to record. Never put a secret or a raw payload in it: arguments are
 * recorded only as `argumentsDigest` (see `digestArguments`), and `detail` is passed
 * through the secret redactor before it is stored.
 */
export interface AuditInput {
  readonly time: Date;
  /** Who asked: the user (or service) the gateway runs for. */
  readonly principal: string;
  /** The AI client the request came from (`claude-code`, `cursor`…). */
  readonly client: string;
  readonly action: AuditAction;
  readonly connector?: string;
  /** The tool, prompt, skill name, or resource URI. */
  readonly target?: string;
  /** `sha256:<hex>` of the canonical JSON of the arguments (`digestArguments`); never the arguments. */
  readonly argumentsDigest?: string;
  readonly decision: AuditDecision;
  /** The policies that decided. */
  readonly policyIds?: readonly string[];
  readonly policyVersion?: string;
  /** Time the gateway spent on the request, upstream call included. */
  readonly latencyMs?: number;
  readonly outcome: AuditOutcome;
  /** A short note (an error code, the redaction detectors that fired…); at most 1000 characters are kept. */
  readonly detail?: string;
  /**
   * The org the record belongs to, where one database holds the records of many (the org
   * server's admin log). Hashed only when present, so a record without it hashes as before.
   */
  readonly org?: string;
}

/** A stored record: the input as kept (time as ISO 8601 UTC), its place in the chain and its hash. */
export interface AuditRecord extends Omit<AuditInput, 'time' | 'action'> {
  /** 1, 2, 3… with no gaps; the first record after a prune follows the anchor's seq. */
  readonly seq: number;
  readonly time: string;
  readonly action: string;
  /** The hash of the record before (64 zeros before the first record ever written). */
  readonly prevHash: string;
  /** sha256 hex of `prevHash` followed by the canonical JSON of the record's fields. */
  readonly hash: string;
}

export interface AuditFilter {
  /** Records at or after this time. */
  readonly since?: Date;
  /** Records before this time. */
  readonly until?: Date;
  readonly connector?: string;
  readonly client?: string;
  readonly principal?: string;
  readonly action?: string;
  readonly decision?: AuditDecision;
  readonly outcome?: AuditOutcome;
  readonly org?: string;
}

export interface AuditListOptions extends AuditFilter {
  /** At most this many records. With `newest: true`, the last ones. */
  readonly limit?: number;
  /** Take the newest records first (they are still returned in log order). Default false. */
  readonly newest?: boolean;
  /** Only records with a greater seq: the next page after the last record of a page. */
  readonly afterSeq?: number;
}

/** A point of the chain: a record's seq and hash. */
export interface ChainPoint {
  readonly seq: number;
  readonly hash: string;
}

export type AuditProblemKind = 'edited' | 'deleted' | 'reordered' | 'inserted';

export interface AuditProblem {
  /** The first record concerned (for `deleted`, the first missing seq); 0 when the chain row itself was changed. */
  readonly seq: number;
  readonly kind: AuditProblemKind;
  readonly message: string;
}

export interface AuditVerifyResult {
  readonly ok: boolean;
  /** Records checked before the first problem (all of them when ok). */
  readonly checked: number;
  /** The last record the writer recorded: anchor this hash elsewhere to detect a wholesale rewrite. */
  readonly head: ChainPoint;
  /** Where verification started: the last pruned record, or seq 0 and 64 zeros. */
  readonly anchor: ChainPoint & { readonly time?: string; readonly pruned: number };
  readonly problem?: AuditProblem;
}

export interface AuditPruneResult {
  /** How many records were deleted (with `dryRun`, would be). */
  readonly pruned: number;
  /** The new anchor (the last pruned record), or the unchanged one when nothing was old enough. */
  readonly anchor: ChainPoint;
  readonly before: string;
}
