// The audit log: append-only, hash-chained records of every gateway decision, in the
// state database. See docs/audit.md for the record format and what verify proves.
export { AUDIT_FLUSH_DELAY_MS, AUDIT_MAX_BATCH, openAuditLog, type AuditLog, type AuditPruneOptions, type OpenAuditLogOptions } from './audit-log.js';
export { AUDIT_RECORD_VERSION, hashRecord, isIntact } from './audit-chain.js';
export { auditStateModule, GENESIS_HASH } from './audit-schema.js';
export { canonicalJson, digestArguments } from './canonical-json.js';
export { parseAuditTime } from './audit-time.js';
export type {
  AuditAction,
  AuditDecision,
  AuditFilter,
  AuditInput,
  AuditListOptions,
  AuditOutcome,
  AuditProblem,
  AuditProblemKind,
  AuditPruneResult,
  AuditRecord,
  AuditVerifyResult,
  ChainPoint,
} from './audit-types.js';
