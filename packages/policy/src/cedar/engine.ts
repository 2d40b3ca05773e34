import { byEntryKey, SkillsyncError } from '@skillsync/core';
import type { EntityJson } from './cedar-wasm.js';
import type { PolicyFile, PolicyFinding } from './check-policies.js';
import { createAuthorizer, entityUid, preparePolicySet, type AuthorizationDecision, type CedarRequest } from './engine-core.js';
import { policyReadsArguments } from './reads-arguments.js';
import { CEDAR_NAMESPACE, GATEWAY_CEDAR_SCHEMA } from './schema.js';

export type PolicyAction = 'callTool' | 'readResource' | 'getPrompt' | 'useSkill';
export type PolicyResourceType = 'Tool' | 'Resource' | 'Prompt' | 'Skill';
export type PolicyEntityType = 'User' | 'Team' | 'Role' | 'Connector' | PolicyResourceType;

export const POLICY_ACTIONS: readonly PolicyAction[] = ['callTool', 'readResource', 'getPrompt', 'useSkill'];

/** The resource type each action applies to (the schema's `appliesTo`). */
export const ACTION_RESOURCE_TYPE: Readonly<Record<PolicyAction, PolicyResourceType>> = {
  callTool: 'Tool',
  readResource: 'Resource',
  getPrompt: 'Prompt',
  useSkill: 'Skill',
};

export interface AuthorizationRequest {
  /** `User::"<user>"`, a member of `Team::"<team>"` for each team and `Role::"<role>"` for each role. */
  readonly principal: { readonly user: string; readonly teams?: readonly string[]; readonly roles?: readonly string[] };
  readonly action: PolicyAction;
  /**
   * `id` is the name on its connector (the upstream's own tool, prompt or resource name,
   * or the skill name). The Cedar entity is `<type>::"<connector>/<id>"`, in
   * `Connector::"<connector>"`; without a connector (and always for skills) it is `<type>::"<id>"`.
   */
  readonly resource: { readonly type: PolicyResourceType; readonly id: string; readonly connector?: string };
  /**
   * `arguments`: the call's arguments. Policies see each top-level argument as a tag of
   * `context.arguments`, its value as a string (strings as they are, anything else as JSON).
   */
  readonly context: { readonly client: string; readonly arguments?: Readonly<Record<string, unknown>> };
}

/** Membership known in advance (e.g. from a directory), merged with what each request says. */
export interface PolicyEntity {
  readonly type: PolicyEntityType;
  /** For tools, prompts and resources: `<connector>/<name>`, as in requests. */
  readonly id: string;
  readonly parents?: readonly { readonly type: PolicyEntityType; readonly id: string }[];
}

export interface PolicyEngineOptions {
  readonly policies: readonly PolicyFile[];
  readonly entities?: readonly PolicyEntity[];
  /** Decisions kept in the LRU cache (default 10 000; 0 disables it). */
  readonly cacheSize?: number;
  /** Also validate every request against the schema in Cedar (slower; the engine builds requests that fit it). */
  readonly validateRequests?: boolean;
}

export interface PolicyEngine {
  /** `sha256:<hex>` of the schema, the policy files, the entities and the Cedar version: record it with each decision. */
  readonly version: string;
  readonly policyIds: readonly string[];
  /** Whether any policy may look at `context.arguments` (then calls with arguments are never cached). */
  readonly readsArguments: boolean;
  /** Validation warnings (policies that can never apply); errors refuse the engine instead. */
  readonly warnings: readonly PolicyFinding[];
  /** Synchronous and total: never throws; anything that goes wrong is a deny with `errors`. */
  authorize(request: AuthorizationRequest): AuthorizationDecision;
  clearCache(): void;
}

/**
 * Builds an engine over policy files, validated against the skillsync schema first:
 * any error throws POLICY_INVALID naming the file, line and Cedar's message (all of them
 * in `details.findings`). Cedar semantics: deny unless a permit matches and no forbid does.
 *
 * Caching rule (the decision is a pure function of the request, because the policies,
 * schema and entities of an engine never change): the key is the whole request — user,
 * sorted teams and roles, action, resource type, id and connector, client. Arguments are
 * the exception: when no policy reads `context.arguments` they cannot change a decision,
 * so they are left out of the request and the key; when some policy does, a request with
 * arguments is evaluated every time and never cached (arguments are unbounded, and a key
 * over them would fill the cache with one-off entries). New policies mean a new engine,
 * so a cache never outlives the policies it was filled under.
 */
export function createPolicyEngine(options: PolicyEngineOptions): PolicyEngine {
  const staticParents = new Map<string, EntityJson['parents']>();
  for (const entity of options.entities ?? []) {
    const key = entityKey(entity.type, entity.id);
    const parents = [...(staticParents.get(key) ?? []), ...(entity.parents ?? []).map((parent) => uid(parent.type, parent.id))];
    staticParents.set(key, parents);
  }
  const prepared = preparePolicySet({
    schema: GATEWAY_CEDAR_SCHEMA,
    policies: options.policies,
    versionInputs: { entities: [...staticParents.entries()].sort(byEntryKey) },
    validateRequests: options.validateRequests,
  });
  checkEntities(options.entities ?? []);

  const readsArguments = prepared.policies.some((policy) => policyReadsArguments(policy.json));
  const { authorize, clearCache } = createAuthorizer<AuthorizationRequest>({
    cacheSize: options.cacheSize,
    cacheKey: (request) => (readsArguments && request.context.arguments !== undefined ? undefined : cacheKey(request)),
    evaluate: (request) => prepared.decide(toCedarCall(request, { readsArguments, staticParents })),
  });

  return { version: prepared.version, policyIds: prepared.policyIds, readsArguments, warnings: prepared.warnings, authorize, clearCache };
}

function cacheKey(request: AuthorizationRequest): string {
  const { principal, resource } = request;
  return JSON.stringify([
    principal.user,
    sorted(principal.teams),
    sorted(principal.roles),
    request.action,
    resource.type,
    resource.id,
    resource.connector ?? null,
    request.context.client,
  ]);
}

function sorted(values: readonly string[] | undefined): readonly string[] {
  if (values === undefined || values.length === 0) return [];
  return values.length === 1 ? values : [...values].sort();
}

function toCedarCall(request: AuthorizationRequest, engine: { readsArguments: boolean; staticParents: ReadonlyMap<string, EntityJson['parents']> }): CedarRequest | string {
  const { principal, action, resource, context } = request;
  if (typeof principal.user !== 'string' || typeof resource.id !== 'string' || typeof context.client !== 'string') {
    return 'invalid request: principal.user, resource.id and context.client must be strings';
  }
  const expected = ACTION_RESOURCE_TYPE[action] as PolicyResourceType | undefined;
  if (expected === undefined) return `invalid request: unknown action "${action}"`;
  if (resource.type !== expected) return `invalid request: ${action} applies to ${expected}, not ${resource.type}`;

  const entities: EntityJson[] = [];
  const principalParents = [
    ...(principal.teams ?? []).map((team) => uid('Team', team)),
    ...(principal.roles ?? []).map((role) => uid('Role', role)),
    ...(engine.staticParents.get(entityKey('User', principal.user)) ?? []),
  ];
  // An entity without parents or attributes tells Cedar nothing: leaving it out saves ~10 µs.
  if (principalParents.length > 0) entities.push({ uid: uid('User', principal.user), attrs: {}, parents: principalParents });

  const connector = resource.type === 'Skill' ? undefined : resource.connector;
  const resourceId = connector === undefined ? resource.id : `${connector}/${resource.id}`;
  const resourceParents = [...(connector === undefined ? [] : [uid('Connector', connector)]), ...(engine.staticParents.get(entityKey(resource.type, resourceId)) ?? [])];
  if (resourceParents.length > 0) entities.push({ uid: uid(resource.type, resourceId), attrs: {}, parents: resourceParents });

  const cedarContext: CedarRequest['context'] = { client: context.client };
  if (engine.readsArguments && context.arguments !== undefined) {
    const tags: Record<string, string> = {};
    for (const [name, value] of Object.entries(context.arguments)) tags[name] = argumentText(value);
    entities.push({ uid: uid('Arguments', ''), attrs: {}, parents: [], tags });
    cedarContext.arguments = { __entity: uid('Arguments', '') };
  }

  return {
    principal: uid('User', principal.user),
    action: { type: `${CEDAR_NAMESPACE}::Action`, id: action },
    resource: uid(resource.type, resourceId),
    context: cedarContext,
    entities,
  };
}

/** Strings as they are; anything else as JSON (`null`, `3`, `true`, `{"a":1}`). */
function argumentText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return 'null';
  // undefined for functions and symbols, which JSON cannot hold.
  const json = JSON.stringify(value) as string | undefined;
  return json ?? 'null';
}

function uid(type: string, id: string): { type: string; id: string } {
  return entityUid(CEDAR_NAMESPACE, type, id);
}

function entityKey(type: string, id: string): string {
  return `${type}\u0000${id}`;
}

const allowedParents: Readonly<Record<PolicyEntityType, readonly PolicyEntityType[]>> = {
  User: ['Team', 'Role'],
  Team: [],
  Role: [],
  Connector: [],
  Tool: ['Connector'],
  Prompt: ['Connector'],
  Resource: ['Connector'],
  Skill: [],
};

function checkEntities(entities: readonly PolicyEntity[]): void {
  for (const entity of entities) {
    const allowed = allowedParents[entity.type] as readonly PolicyEntityType[] | undefined;
    if (allowed === undefined) {
      throw new SkillsyncError('POLICY_INVALID', `Entity ${entity.type}::"${entity.id}": unknown entity type.`, { details: { entity } });
    }
    for (const parent of entity.parents ?? []) {
      if (!allowed.includes(parent.type)) {
        throw new SkillsyncError('POLICY_INVALID', `Entity ${entity.type}::"${entity.id}" cannot be in ${parent.type}::"${parent.id}" (the schema allows: ${allowed.join(', ') || 'no parents'}).`, {
          details: { entity },
        });
      }
    }
  }
}
