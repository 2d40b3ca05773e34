import { redactSecrets, SkillsyncError } from '@skillsync/core';
import type { AuditLogTable } from './audit-schema.js';
import type { AuditDecision, AuditInput, AuditOutcome, AuditRecord, ChainPoint } from './audit-types.js';
import { canonicalJson, sha256Hex } from './canonical-json.js';

/** The record format version, hashed with every record. */
export const AUDIT_RECORD_VERSION = 1;

const MAX_FIELD = 512;
const MAX_DETAIL = 1000;
const MAX_POLICY_IDS = 64;

const decisions: ReadonlySet<string> = new Set<AuditDecision>(['allow', 'deny']);
const outcomes: ReadonlySet<string> = new Set<AuditOutcome>(['ok', 'error', 'denied', 'blocked', 'redacted']);
const digestPattern = /^sha256:[0-9a-f]{64}$/;

/** What `append` queues: the input checked and copied, not yet redacted, chained or hashed. */
export interface QueuedInput {
  readonly time: string;
  readonly input: AuditInput;
  readonly policyIds: readonly string[] | undefined;
}

function invalid(message: string, field: string): SkillsyncError {
  return new SkillsyncError('INVALID_INPUT', `Audit record: ${message}.`, {
    hint: 'Pass the AuditInput fields as documented in docs/audit.md.',
    details: { field },
  });
}

/**
 * The cheap checks of the hot path: enough that a bad record fails in the caller's
 * stack, not later in a background flush. Length limits and redaction wait for the flush.
 */
export function queueInput(input: AuditInput): QueuedInput {
  const { time } = input;
  if (!(time instanceof Date) || Number.isNaN(time.getTime())) throw invalid('time must be a valid Date', 'time');
  if (typeof input.principal !== 'string' || input.principal === '') throw invalid('principal must be a non-empty string', 'principal');
  if (typeof input.client !== 'string' || input.client === '') throw invalid('client must be a non-empty string', 'client');
  if (typeof input.action !== 'string' || input.action === '') throw invalid('action must be a non-empty string', 'action');
  if (!decisions.has(input.decision)) throw invalid("decision must be 'allow' or 'deny'", 'decision');
  if (!outcomes.has(input.outcome)) throw invalid('outcome must be ok, error, denied, blocked or redacted', 'outcome');
  if (input.argumentsDigest !== undefined && !digestPattern.test(input.argumentsDigest)) {
    // Anything else could be the arguments themselves.
    throw invalid('argumentsDigest must be sha256:<64 hex> (digestArguments); raw arguments are never recorded', 'argumentsDigest');
  }
  if (input.latencyMs !== undefined && !(Number.isFinite(input.latencyMs) && input.latencyMs >= 0)) {
    throw invalid('latencyMs must be a finite number >= 0', 'latencyMs');
  }
  if (input.policyIds !== undefined && !(Array.isArray(input.policyIds) && input.policyIds.every((id) => typeof id === 'string'))) {
    throw invalid('policyIds must be an array of strings', 'policyIds');
  }
  if (input.org !== undefined && (typeof input.org !== 'string' || input.org === '')) throw invalid('org must be a non-empty string when present', 'org');
  // Copied now: the caller may reuse its array.
  const policyIds = input.policyIds === undefined ? undefined : [...input.policyIds];
  return { time: time.toISOString(), input, policyIds };
}

const clip = (value: string, max: number): string => (value.length > max ? `${value.slice(0, max - 1)}…` : value);

const optional = (value: string | undefined, max = MAX_FIELD): string | undefined =>
  value === undefined || value === '' ? undefined : clip(value, max);

/** The fields a record's hash covers, in the form they are stored: clipped, redacted, without seq or hashes. */
export type AuditFields = Omit<AuditRecord, 'seq' | 'prevHash' | 'hash'>;

/** Applies the flush-time rules: length limits, and the secret redactor over the free-text fields. */
export function fieldsOf(queued: QueuedInput): AuditFields {
  const { input } = queued;
  const policyIds = queued.policyIds?.slice(0, MAX_POLICY_IDS).map((id) => clip(id, MAX_FIELD));
  // A target (a resource URI) or a detail can quote what a tool was given: no secret is kept.
  // The other fields are names skillsync itself chose.
  const target = redactSecrets(optional(input.target));
  const detail = redactSecrets(optional(input.detail, MAX_DETAIL));
  return {
    time: queued.time,
    principal: clip(input.principal, MAX_FIELD),
    client: clip(input.client, MAX_FIELD),
    action: clip(input.action, MAX_FIELD),
    connector: optional(input.connector),
    target,
    argumentsDigest: input.argumentsDigest,
    decision: input.decision,
    policyIds: policyIds === undefined || policyIds.length === 0 ? undefined : policyIds,
    policyVersion: optional(input.policyVersion),
    // Microseconds are plenty, and keep the stored number short.
    latencyMs: input.latencyMs === undefined ? undefined : Math.round(input.latencyMs * 1000) / 1000,
    outcome: input.outcome,
    detail,
    org: input.org === undefined ? undefined : clip(input.org, MAX_FIELD),
  };
}

/**
 * The hash of a record: sha256 (hex) of the previous record's hash followed by the
 * canonical JSON of the record's fields with `v` (the format version). `seq` is not
 * hashed: the order is what the chain of hashes proves, and seq is checked against it.
 * Absent fields are left out, which is why adding an optional field (`org`) changed no
 * existing record's hash.
 */
export function hashRecord(prevHash: string, fields: AuditFields): string {
  return sha256Hex(prevHash + canonicalRecord(fields));
}

/**
 * `canonicalJson({ v: AUDIT_RECORD_VERSION, ...fields })` in one native `JSON.stringify`
 * (the flush's hot loop): the keys are written in byte order, `JSON.stringify` leaves
 * out the undefined ones, and every value is a string, a number or an array of strings,
 * whose plain JSON is already canonical.
 */
export function canonicalRecord(fields: AuditFields): string {
  return JSON.stringify({
    action: fields.action,
    argumentsDigest: fields.argumentsDigest,
    client: fields.client,
    connector: fields.connector,
    decision: fields.decision,
    detail: fields.detail,
    latencyMs: fields.latencyMs,
    org: fields.org,
    outcome: fields.outcome,
    policyIds: fields.policyIds,
    policyVersion: fields.policyVersion,
    principal: fields.principal,
    target: fields.target,
    time: fields.time,
    v: AUDIT_RECORD_VERSION,
  } satisfies Record<keyof AuditFields | 'v', unknown>);
}

/** The stored row of the record that follows `prev`: `fields` with the next seq, `prev`'s hash and their own. */
export function chainRow(prev: ChainPoint, fields: AuditFields): AuditLogTable {
  return {
    seq: prev.seq + 1,
    time: fields.time,
    principal: fields.principal,
    client: fields.client,
    action: fields.action,
    connector: fields.connector ?? null,
    target: fields.target ?? null,
    arguments_digest: fields.argumentsDigest ?? null,
    decision: fields.decision,
    policy_ids: fields.policyIds === undefined ? null : canonicalJson(fields.policyIds),
    policy_version: fields.policyVersion ?? null,
    latency_ms: fields.latencyMs ?? null,
    outcome: fields.outcome,
    detail: fields.detail ?? null,
    org: fields.org ?? null,
    prev_hash: prev.hash,
    hash: hashRecord(prev.hash, fields),
  };
}

/**
 * Parses the stored array. Anything else, or the same array written differently (it is
 * stored as canonical JSON), is kept as text, which then fails its hash: a stored byte
 * that changed is always seen.
 */
function parsePolicyIds(text: string): readonly string[] | string {
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') && canonicalJson(parsed) === text ? parsed : text;
  } catch {
    return text;
  }
}

/** A row as read back: every column as the driver returns it, nothing trusted. */
export type StoredRow = { readonly [K in keyof AuditLogTable]: unknown };

/** A column as text, whatever a tampered row holds. */
function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  // Objects and the like: JSON says more than [object Object] (undefined never reaches here).
  const json = JSON.stringify(value) as string | undefined;
  return json ?? '';
}

const text = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : str(value));

/** A stored row as a record, exactly as stored (no defaults), so its hash can be recomputed. */
export function rowToRecord(row: StoredRow): AuditRecord {
  const policyIds = typeof row.policy_ids === 'string' ? parsePolicyIds(row.policy_ids) : undefined;
  const record = {
    seq: Number(row.seq),
    time: str(row.time),
    principal: str(row.principal),
    client: str(row.client),
    action: str(row.action),
    connector: text(row.connector),
    target: text(row.target),
    argumentsDigest: text(row.arguments_digest),
    decision: str(row.decision) as AuditDecision,
    policyIds: policyIds as readonly string[] | undefined,
    policyVersion: text(row.policy_version),
    latencyMs: row.latency_ms === null || row.latency_ms === undefined ? undefined : Number(row.latency_ms),
    outcome: str(row.outcome) as AuditOutcome,
    detail: text(row.detail),
    org: text(row.org),
    prevHash: str(row.prev_hash),
    hash: str(row.hash),
  };
  // Absent fields are left out, as they were when the record was hashed.
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as unknown as AuditRecord;
}

export function fieldsOfRecord(record: AuditRecord): AuditFields {
  const { seq: _seq, prevHash: _prevHash, hash: _hash, ...fields } = record;
  return fields;
}

/** Whether a stored record still hashes to its stored hash. */
export function isIntact(record: AuditRecord): boolean {
  return hashRecord(record.prevHash, fieldsOfRecord(record)) === record.hash;
}
