import { isRecord } from '@skillsync/core';
import type { EntityJson } from '../cedar/cedar-wasm.js';
import type { PolicyFile, PolicyFinding } from '../cedar/check-policies.js';
import { createAuthorizer, entityUid, preparePolicySet, type AuthorizationDecision, type CedarRequest } from '../cedar/engine-core.js';
import { RBAC_POLICY_FILE } from './policy.js';
import { ORG_ROLES, RBAC_ACTION_RESOURCE_TYPES, RBAC_CEDAR_NAMESPACE, RBAC_SCHEMA, TOKEN_SCOPE_INCLUDES, TOKEN_SCOPES, type OrgRole, type RbacAction, type RbacResourceType, type TokenScope } from './schema.js';

/** What a request is about. Names are the org's own (slugs); every resource names its org. */
export type RbacResource =
  | { readonly type: 'Org'; readonly org: string }
  | { readonly type: 'Team'; readonly org: string; readonly team: string }
  /** `team`: the owning team. `visibility: 'team'` (only that team sees it) needs one. */
  | { readonly type: 'Package'; readonly org: string; readonly name: string; readonly team?: string; readonly visibility: 'org' | 'team' }
  /** The org profile, or with `team` that team's profile. */
  | { readonly type: 'Profile'; readonly org: string; readonly team?: string }
  | { readonly type: 'Catalogue'; readonly org: string }
  /** A membership of the org, or with `team` of that team: `role` the user's present role there, `grants` the role being given. */
  | { readonly type: 'Member'; readonly org: string; readonly team?: string; readonly user: string; readonly role?: OrgRole; readonly grants?: OrgRole }
  /** A token being created (no `id` yet), listed or revoked: its owner and its scopes. */
  | { readonly type: 'Token'; readonly org: string; readonly id?: string; readonly owner: string; readonly scopes: readonly TokenScope[] };

export interface RbacRequest {
  readonly user: string;
  readonly orgRole: OrgRole;
  /**
   * The caller's role in the team the resource is in (a package's owning team, a team
   * profile, a team membership, the team itself); absent when the caller is not in that
   * team. Giving one for a resource in no team is a malformed request.
   */
  readonly teamRole?: OrgRole;
  /** The scopes of the token the request came with (Cedar sees them with the scopes they include). */
  readonly scopes: readonly TokenScope[];
  readonly action: RbacAction;
  readonly resource: RbacResource;
}

export interface RbacEngineOptions {
  /** An org's own policy files, added to rbac.cedar and validated against the org schema. */
  readonly policies?: readonly PolicyFile[];
  /** Decisions kept in the LRU cache (default 10 000; 0 disables it). */
  readonly cacheSize?: number;
  /** Also validate every request against the schema in Cedar (slower; the engine builds requests that fit it). */
  readonly validateRequests?: boolean;
}

export interface RbacEngine {
  /** `sha256:<hex>` of the schema, rbac.cedar, the org's policy files and the Cedar version: record it with each decision. */
  readonly version: string;
  readonly policyIds: readonly string[];
  /** Validation warnings (policies that can never apply); errors refuse the engine instead. */
  readonly warnings: readonly PolicyFinding[];
  /** Synchronous and total: never throws; a malformed request or a failing policy is a deny with `errors`. */
  authorize(request: RbacRequest): AuthorizationDecision;
  clearCache(): void;
}

/**
 * Builds the org server's decision engine: rbac.cedar plus the org's own policies, all
 * validated against the org schema (any error throws POLICY_INVALID, as for the gateway's
 * engine). The cache key is the whole Cedar request the engine builds (scopes sorted), so
 * two requests share a decision exactly when Cedar would see the same thing; malformed
 * requests are never cached.
 */
export function createRbacEngine(options: RbacEngineOptions = {}): RbacEngine {
  const prepared = preparePolicySet({
    schema: RBAC_SCHEMA,
    policies: [RBAC_POLICY_FILE, ...(options.policies ?? [])],
    validateRequests: options.validateRequests,
  });
  const { authorize, clearCache } = createAuthorizer<RbacRequest>({
    cacheSize: options.cacheSize,
    cacheKey: (request) => {
      const cedarRequest = toCedarRequest(request);
      return typeof cedarRequest === 'string' ? undefined : JSON.stringify(cedarRequest);
    },
    evaluate: (request) => prepared.decide(toCedarRequest(request)),
  });
  return { version: prepared.version, policyIds: prepared.policyIds, warnings: prepared.warnings, authorize, clearCache };
}

interface ResourceEntities {
  readonly uid: EntityJson['uid'];
  readonly entities: EntityJson[];
  /** The team the resource is in, for `teamRole`. */
  readonly team?: string;
}

/** The Cedar request, or why the request is malformed. Checks every field: requests come from code, but a wrong one must deny, not slip through. */
function toCedarRequest(request: RbacRequest): CedarRequest | string {
  if (!isRecord(request)) return 'invalid request: not an object';
  const { user, orgRole, teamRole, scopes, action, resource } = request as unknown as Record<string, unknown>;
  if (!isName(user)) return 'invalid request: user must be a non-empty string';
  if (!isOneOf(ORG_ROLES, orgRole)) return `invalid request: unknown org role ${show(orgRole)} (${ORG_ROLES.join(', ')})`;
  if (teamRole !== undefined && !isOneOf(ORG_ROLES, teamRole)) return `invalid request: unknown team role ${show(teamRole)} (${ORG_ROLES.join(', ')})`;
  const tokenScopes = scopeList(scopes);
  if (tokenScopes === undefined) return `invalid request: scopes must be a list of ${TOKEN_SCOPES.join(', ')}`;
  if (typeof action !== 'string' || !Object.hasOwn(RBAC_ACTION_RESOURCE_TYPES, action)) return `invalid request: unknown action ${show(action)}`;
  const types: readonly RbacResourceType[] = RBAC_ACTION_RESOURCE_TYPES[action as RbacAction];
  const type = isRecord(resource) ? resource.type : undefined;
  if (!isRecord(resource) || !types.includes(type as RbacResourceType)) return `invalid request: ${action} applies to ${types.join(', ')}, not ${show(type)}`;
  const target = resourceEntities(resource);
  if (typeof target === 'string') return `invalid request: ${String(type)}: ${target}`;
  if (teamRole !== undefined && target.team === undefined) return `invalid request: teamRole is for a resource in a team, and this ${String(type)} is in none`;

  return {
    principal: uid('User', user),
    action: uid('Action', action),
    resource: target.uid,
    context: { orgRole, ...(teamRole === undefined ? {} : { teamRole }), scopes: tokenScopes },
    entities: target.entities,
  };
}

/** The resource's entity, its team's and their parents; or what is wrong with the resource. */
function resourceEntities(resource: Record<string, unknown>): ResourceEntities | string {
  const { org, team } = resource;
  if (!isName(org)) return 'org must be a non-empty string';
  if (team !== undefined && !isName(team)) return 'team must be a non-empty string when given';
  const orgUid = uid('Org', org);
  const entity = (type: string, id: string, attrs: EntityJson['attrs'] = {}): ResourceEntities => {
    if (team === undefined) return { uid: uid(type, id), entities: [{ uid: uid(type, id), attrs, parents: [orgUid] }] };
    const teamUid = uid('Team', team);
    return {
      uid: uid(type, id),
      entities: [
        { uid: uid(type, id), attrs, parents: [orgUid, teamUid] },
        { uid: teamUid, attrs: {}, parents: [orgUid] },
      ],
      team,
    };
  };

  switch (resource.type) {
    case 'Org':
      return { uid: orgUid, entities: [] };
    case 'Team':
      if (!isName(team)) return 'team must be a non-empty string';
      return { uid: uid('Team', team), entities: [{ uid: uid('Team', team), attrs: {}, parents: [orgUid] }], team };
    case 'Package': {
      const { name, visibility } = resource;
      if (!isName(name)) return 'name must be a non-empty string';
      if (visibility !== 'org' && visibility !== 'team') return `visibility must be "org" or "team", not ${show(visibility)}`;
      if (visibility === 'team' && team === undefined) return 'visibility "team" needs the owning team';
      return entity('Package', name, { visibility });
    }
    case 'Profile':
      return entity('Profile', team === undefined ? 'org' : `team:${team}`);
    case 'Catalogue':
      return entity('Catalogue', 'catalogue');
    case 'Member': {
      const { user, role, grants } = resource;
      if (!isName(user)) return 'user must be a non-empty string';
      if (role !== undefined && !isOneOf(ORG_ROLES, role)) return `unknown role ${show(role)}`;
      if (grants !== undefined && !isOneOf(ORG_ROLES, grants)) return `unknown role to grant ${show(grants)}`;
      return entity('Member', team === undefined ? user : `${team}/${user}`, {
        user: { __entity: uid('User', user) },
        ...(role === undefined ? {} : { role }),
        ...(grants === undefined ? {} : { grants }),
      });
    }
    case 'Token': {
      const { id, owner } = resource;
      const scopes = scopeList(resource.scopes);
      if (id !== undefined && !isName(id)) return 'id must be a non-empty string when given';
      if (!isName(owner)) return 'owner must be a non-empty string';
      if (scopes === undefined) return `scopes must be a list of ${TOKEN_SCOPES.join(', ')}`;
      if (team !== undefined) return 'a token is in no team';
      return entity('Token', id ?? '', { owner: { __entity: uid('User', owner) }, scopes });
    }
    default:
      return `unknown resource type ${show(resource.type)}`;
  }
}

/**
 * Known scopes with those they include, sorted and without repeats (a set to Cedar, and a
 * stable cache key); undefined for anything else.
 */
function scopeList(value: unknown): TokenScope[] | undefined {
  if (!Array.isArray(value) || !value.every((scope) => isOneOf(TOKEN_SCOPES, scope))) return undefined;
  return [...new Set(value.flatMap((scope: TokenScope) => TOKEN_SCOPE_INCLUDES[scope]))].sort();
}

function uid(type: string, id: string): { type: string; id: string } {
  return entityUid(RBAC_CEDAR_NAMESPACE, type, id);
}

function isOneOf<T extends string>(values: readonly T[], value: unknown): value is T {
  return typeof value === 'string' && (values as readonly string[]).includes(value);
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function show(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}
