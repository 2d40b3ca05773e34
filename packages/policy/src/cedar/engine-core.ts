/**
 * What every Cedar engine of the package shares (the gateway's `createPolicyEngine`, the
 * org server's `createRbacEngine`): validating policies against a schema, Cedar's
 * preparsed policy set, fail-closed decisions and the decision cache. An engine adds
 * only how its requests become Cedar requests and cache keys.
 */
import { createHash } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';
import { getCedarVersion, preparsePolicySet, preparseSchema, statefulIsAuthorized, type AuthorizationAnswer, type StatefulAuthorizationCall } from './cedar-wasm.js';
import { checkPolicies, type CompiledPolicy, type PolicyFile, type PolicyFinding } from './check-policies.js';
import { LruCache } from './lru-cache.js';
import type { CedarSchema } from './schema.js';

export interface AuthorizationDecision {
  readonly decision: 'allow' | 'deny';
  /**
   * The policies that decided: the permits that allowed, the forbids that denied, or the
   * policies whose evaluation failed. Empty for the default deny (no permit matched).
   */
  readonly policyIds: readonly string[];
  /** Evaluation errors (`<policy id>: <message>`); any error makes the decision deny. */
  readonly errors: readonly string[];
  /** Served from the decision cache. */
  readonly cached: boolean;
}

/** A Cedar request, without what the prepared policy set adds (its id, the schema). */
export type CedarRequest = Omit<StatefulAuthorizationCall, 'preparsedPolicySetId' | 'preparsedSchemaName' | 'validateRequest'>;

export interface PreparePolicySetOptions {
  readonly schema: CedarSchema;
  readonly policies: readonly PolicyFile[];
  /** Whatever else decides (an engine's entities, say): it goes into `version` beside the schema and the files. */
  readonly versionInputs?: Readonly<Record<string, unknown>>;
  /** Also validate every request against the schema in Cedar (slower; engines build requests that fit it). */
  readonly validateRequests?: boolean;
}

export interface PreparedPolicySet {
  /** `sha256:<hex>` of the Cedar version, the schema, the policy files and `versionInputs`. */
  readonly version: string;
  readonly policies: readonly CompiledPolicy[];
  readonly policyIds: readonly string[];
  /** Validation warnings (policies that can never apply); errors refuse the set instead. */
  readonly warnings: readonly PolicyFinding[];
  /**
   * Asks Cedar. A string is the reason the request is malformed: a deny with that error.
   * Fails closed: a policy that errors denies.
   */
  readonly decide: (request: CedarRequest | string) => AuthorizationDecision;
}

const preparsedSchemas = new Set<string>();

/**
 * Validates policy files against the schema — any error throws POLICY_INVALID naming the
 * file, line and Cedar's message (all of them in `details.findings`) — and parses them
 * once into Cedar's own cache, keyed by content: the same policies share one entry.
 */
export function preparePolicySet(options: PreparePolicySetOptions): PreparedPolicySet {
  const { schema } = options;
  const checked = checkPolicies(options.policies, schema);
  const errors = checked.findings.filter((finding) => finding.severity === 'error');
  const first = errors[0];
  if (first !== undefined) {
    const where = [first.file, first.line, first.column].filter((part) => part !== undefined).join(':');
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new SkillsyncError('POLICY_INVALID', `${where}: ${first.message}${more}`, {
      details: { findings: errors },
    });
  }

  const policyTexts: Record<string, string> = {};
  for (const policy of checked.policies) policyTexts[policy.id] = policy.text;
  const cedarVersion = getCedarVersion();
  const policiesHash = sha256(JSON.stringify([cedarVersion, checked.policies.map((policy) => [policy.id, policy.text])]));
  const version = `sha256:${sha256(
    JSON.stringify({
      cedar: cedarVersion,
      schema: schema.text,
      files: options.policies.map((file) => [file.id, file.text]),
      ...options.versionInputs,
    }),
  )}`;

  const policySetId = `skillsync-${policiesHash}`;
  const preparsed = preparsePolicySet(policySetId, { staticPolicies: policyTexts });
  if (preparsed.type === 'failure') {
    throw new SkillsyncError('POLICY_INVALID', `Cedar refused the policy set: ${preparsed.errors.map((error) => error.message).join('; ')}`);
  }
  const validateRequests = options.validateRequests === true;
  if (validateRequests && !preparsedSchemas.has(schema.name)) {
    const parsed = preparseSchema(schema.name, schema.text);
    if (parsed.type === 'failure') throw new SkillsyncError('INTERNAL', `The ${schema.name} Cedar schema does not parse: ${parsed.errors.map((error) => error.message).join('; ')}`);
    preparsedSchemas.add(schema.name);
  }

  return {
    version,
    policies: checked.policies,
    policyIds: Object.freeze(checked.policies.map((policy) => policy.id)),
    warnings: checked.findings.filter((finding) => finding.severity === 'warning'),
    decide: (request) => {
      if (typeof request === 'string') return decision('deny', [], [request], false);
      return toDecision(
        statefulIsAuthorized({
          ...request,
          preparsedPolicySetId: policySetId,
          ...(validateRequests ? { preparsedSchemaName: schema.name, validateRequest: true } : { validateRequest: false }),
        }),
      );
    },
  };
}

export interface AuthorizerOptions<Request> {
  /** Decisions kept in the LRU cache (default 10 000; 0 disables it). */
  readonly cacheSize?: number;
  /** The key of a request in the cache, or `undefined` to evaluate it every time. */
  readonly cacheKey: (request: Request) => string | undefined;
  readonly evaluate: (request: Request) => AuthorizationDecision;
}

export interface Authorizer<Request> {
  /** Synchronous and total: never throws; anything that goes wrong is a deny with `errors`. */
  readonly authorize: (request: Request) => AuthorizationDecision;
  readonly clearCache: () => void;
}

const DEFAULT_CACHE_SIZE = 10_000;

/**
 * Wraps an engine's evaluation in the decision cache. Sound only while a decision is a
 * pure function of the cache key: an engine's policies, schema and entities never change
 * (new policies mean a new engine, so a cache never outlives the policies it was filled under).
 */
export function createAuthorizer<Request>(options: AuthorizerOptions<Request>): Authorizer<Request> {
  const cache = new LruCache<AuthorizationDecision>(options.cacheSize ?? DEFAULT_CACHE_SIZE);
  return {
    authorize: (request) => {
      try {
        const key = options.cacheKey(request);
        if (key === undefined) return options.evaluate(request);
        const hit = cache.get(key);
        if (hit !== undefined) return hit;
        const fresh = options.evaluate(request);
        cache.set(key, decision(fresh.decision, fresh.policyIds, fresh.errors, true));
        return fresh;
      } catch (error) {
        return decision('deny', [], [`authorization failed: ${error instanceof Error ? error.message : String(error)}`], false);
      }
    },
    clearCache: () => {
      cache.clear();
    },
  };
}

/** `<namespace>::<type>` and the id, as Cedar's JSON names an entity. */
export function entityUid(namespace: string, type: string, id: string): { type: string; id: string } {
  return { type: `${namespace}::${type}`, id };
}

function toDecision(answer: AuthorizationAnswer): AuthorizationDecision {
  if (answer.type === 'failure') return decision('deny', [], answer.errors.map((error) => error.message), false);
  const { decision: cedarDecision, diagnostics } = answer.response;
  if (diagnostics.errors.length > 0) {
    // Cedar skips a policy that errors, which could let a request through that a failing
    // forbid was meant to stop: fail closed instead.
    return decision(
      'deny',
      unique(diagnostics.errors.map((error) => error.policyId)),
      diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`),
      false,
    );
  }
  return decision(cedarDecision, unique(diagnostics.reason), [], false);
}

function decision(value: 'allow' | 'deny', policyIds: readonly string[], errors: readonly string[], cached: boolean): AuthorizationDecision {
  return Object.freeze({ decision: value, policyIds: Object.freeze([...policyIds]), errors: Object.freeze([...errors]), cached });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
