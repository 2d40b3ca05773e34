import { createHash } from 'node:crypto';

/**
 * The governance seams of the gateway: authorization, redaction and audit. They are
 * structural interfaces so the runtime compiles and tests without the real engines
 * (`@skillsync/policy`); `skillsync serve` wires those in. Each has a default that
 * changes nothing: allow everything, redact nothing, record nothing.
 */

export type GatewayAction = 'callTool' | 'readResource' | 'getPrompt' | 'useSkill';

export type GatewayResourceType = 'Tool' | 'Resource' | 'Prompt' | 'Skill';

export interface Principal {
  readonly user: string;
  readonly teams?: readonly string[];
  readonly roles?: readonly string[];
}

export interface AuthorizationRequest {
  readonly principal: Principal;
  readonly action: GatewayAction;
  /** `id` is the name the client sees (`github__create_issue`), or the URI of a resource. */
  readonly resource: { readonly type: GatewayResourceType; readonly id: string; readonly connector?: string };
  /** `arguments` is present on a call; a list filter asks without it. */
  readonly context: { readonly client: string; readonly arguments?: Record<string, unknown> };
}

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

export interface RedactionFinding {
  readonly detector: string;
  readonly count: number;
}

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

export type AuditOutcome = 'ok' | 'error' | 'denied' | 'blocked' | 'redacted';

export interface AuditRecord {
  readonly time: Date;
  readonly principal: string;
  readonly client: string;
  /** `callTool`, `readResource`, `getPrompt`, or a list (`listTools`, …). */
  readonly action: string;
  readonly connector?: string;
  /** The tool or prompt name the client used, or the resource URI. */
  readonly target?: string;
  /** `sha256:<hex>` of the canonical JSON of the arguments; never the arguments. */
  readonly argumentsDigest?: string;
  readonly decision: 'allow' | 'deny';
  readonly policyIds?: readonly string[];
  readonly policyVersion?: string;
  readonly latencyMs?: number;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
}

/** Synchronous and cheap (the sink batches): the gateway never waits for it. */
export interface AuditSink {
  append(record: AuditRecord): void;
}

/** The default authorizer: everything is allowed, by no policy. */
export const allowAll: Authorize = () => ALLOW;

const ALLOW: AuthorizationDecision = Object.freeze({ decision: 'allow', policyIds: Object.freeze([]) });

/**
 * JSON with object keys sorted by byte order at every level, no whitespace: two equal
 * argument objects give the same text whatever order their keys came in.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    // undefined (and functions) are not JSON: treat them as null, as JSON.stringify does in arrays.
    return value === undefined || typeof value === 'function' ? 'null' : JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

/** `sha256:<hex>` of the canonical JSON of `args`: what the audit log keeps instead of the arguments. */
export function digestArguments(args: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(args ?? {})).digest('hex')}`;
}
