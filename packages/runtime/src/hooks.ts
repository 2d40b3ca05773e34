import type {
  AuditInput,
  AuthorizationRequest as PolicyAuthorizationRequest,
  PolicyAction,
  PolicyResourceType,
  RedactionFinding as PolicyRedactionFinding,
} from '@skillsync/policy';

/**
 * The governance seams of the gateway: authorization, redaction and audit. The data
 * they carry is defined once, in `@skillsync/policy` (the request the Cedar engine
 * takes, the record the audit log takes); the hooks themselves are structural, so a
 * test can pass a plain function or an array-backed sink and `skillsync serve` passes
 * the real engine, redactor and log. Each has a default that changes nothing: allow
 * everything, redact nothing, record nothing.
 */

export type GatewayAction = PolicyAction;

export type GatewayResourceType = PolicyResourceType;

export type Principal = PolicyAuthorizationRequest['principal'];

/**
 * What the gateway asks: `resource.id` is the name on the connector (the upstream's own
 * tool or prompt name, not the namespaced one the client sees), or the URI of a
 * resource; `resource.connector` is the connector. The Cedar engine turns that into
 * `Tool::"<connector>/<id>"` in `Connector::"<connector>"`. `context.arguments` is
 * present on a call; a list filter asks without it.
 */
export type AuthorizationRequest = PolicyAuthorizationRequest;

/** The part of a decision the gateway uses (the engine's decision has more: errors, cached). */
export interface AuthorizationDecision {
  readonly decision: 'allow' | 'deny';
  readonly policyIds: readonly string[];
}

/**
 * Asked before every call, read and get, and for every item of `tools/list`,
 * `prompts/list` and `resources/list` (what is denied is not listed). May answer
 * synchronously: the gateway awaits only a promise.
 */
export type Authorize = (request: AuthorizationRequest) => AuthorizationDecision | Promise<AuthorizationDecision>;

export type RedactionFinding = PolicyRedactionFinding;

export interface RedactionResult {
  /** The value with every finding masked (used in `mask` mode). */
  readonly value: unknown;
  readonly findings: readonly RedactionFinding[];
}

/**
 * Applied to every tool result, resource contents and prompt messages before they reach
 * the client. `mask` passes the masked value on; `block` replaces a result with findings
 * by an error.
 */
export interface Redaction {
  readonly redact: (value: unknown) => RedactionResult | Promise<RedactionResult>;
  readonly mode: 'mask' | 'block';
}

/** One record for the audit log: exactly the log's own input type. */
export type AuditRecord = AuditInput;

export type { AuditOutcome } from '@skillsync/policy';

/** Synchronous and cheap (the sink batches): the gateway never waits for it. `AuditLog` satisfies it. */
export interface AuditSink {
  append(record: AuditRecord): void;
}

/** The default authorizer: everything is allowed, by no policy. */
export const allowAll: Authorize = () => ALLOW;

const ALLOW: AuthorizationDecision = Object.freeze({ decision: 'allow', policyIds: Object.freeze([]) });
