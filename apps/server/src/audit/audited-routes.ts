import {
  distTag,
  exactVersion,
  orgSettings,
  role,
  runtimeAuditUploaded,
  serverJson,
  slug,
  statusReport,
  storedProfile,
  tokenCreated,
  tokenScope,
  versionStatus,
} from '@skillsync/registry';
import { z } from 'zod';

/** What the middleware knows of a finished request; every part is read only where the route's entry asks for it. */
export interface RequestFacts {
  /** The route's path parameters, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** The JSON body, when the route read one (never read here for a route that did not). */
  readonly body: unknown;
  /** The JSON response, for the entries that set `readsResponse` and only on success. */
  readonly response: unknown;
  /** The caller's user, or undefined when the request was not authenticated. */
  readonly user: string | undefined;
}

/**
 * How one mutating route is recorded. `target` names the resource (from the path, which
 * the route itself checks); `details` adds `key=value` facts. From a body or a response
 * they take only names, enums and counts that pass the shared schema: never free text,
 * a token or a token hash.
 */
export interface AuditedRoute {
  readonly action: string;
  readonly target?: (facts: RequestFacts) => string | undefined;
  readonly details?: (facts: RequestFacts) => readonly (readonly [string, string | undefined])[];
  /** The entry reads the response (a new token's id, a profile's revision): small JSON bodies only. */
  readonly readsResponse?: boolean;
}

/** A field of a JSON object that passes `schema`, else undefined. */
function field<S extends z.ZodType>(value: unknown, key: string, schema: S): z.output<S> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const parsed = schema.safeParse((value as Record<string, unknown>)[key]);
  return parsed.success ? parsed.data : undefined;
}

const prefixed = (kind: string, name: string | undefined): string | undefined => (name === undefined ? undefined : `${kind}:${name}`);
/** `token/<id>`: the secret redactor the log applies to targets masks whatever follows `token:`. */
const tokenTarget = (id: string | undefined): string | undefined => (id === undefined ? undefined : `token/${id}`);
const scopeList = z.array(tokenScope).min(1);
const profileScope = storedProfile.shape.scope;

/**
 * Every mutating route under `/v0.1/orgs/{org}`, by `METHOD pattern` (the pattern as the
 * route registered it, without `/v0.1`), and how it is recorded. A mutating route missing
 * here is still recorded, as `METHOD pattern`; a test holds the table to the routes.
 */
export const AUDITED_ROUTES: Readonly<Record<string, AuditedRoute>> = {
  'PUT /orgs/:org/skills/:name/versions/:version': {
    action: 'publishPackage',
    target: ({ params }) => `skill:${params.name}@${params.version}`,
    details: ({ query }) => [
      ['tag', field(query, 'tag', distTag)],
      ['team', field(query, 'team', slug)],
    ],
  },
  'PATCH /orgs/:org/skills/:name/versions/:version': {
    action: 'setVersionStatus',
    target: ({ params }) => `skill:${params.name}@${params.version}`,
    details: ({ body }) => [['status', field(body, 'status', versionStatus)]],
  },
  'PUT /orgs/:org/skills/:name/tags/:tag': {
    action: 'setDistTag',
    target: ({ params }) => `skill:${params.name}`,
    details: ({ params, body }) => [
      ['tag', field(params, 'tag', distTag)],
      ['version', field(body, 'version', exactVersion)],
    ],
  },
  'DELETE /orgs/:org/skills/:name/tags/:tag': {
    action: 'removeDistTag',
    target: ({ params }) => `skill:${params.name}`,
    details: ({ params }) => [['tag', field(params, 'tag', distTag)]],
  },
  'POST /orgs/:org/members': {
    action: 'addMember',
    target: ({ body }) => prefixed('member', field(body, 'user', slug)),
    details: ({ body }) => [['role', field(body, 'role', role)]],
  },
  'PATCH /orgs/:org/members/:user': {
    action: 'changeRole',
    target: ({ params }) => `member:${params.user}`,
    details: ({ body }) => [['role', field(body, 'role', role)]],
  },
  'DELETE /orgs/:org/members/:user': { action: 'removeMember', target: ({ params }) => `member:${params.user}` },
  'POST /orgs/:org/teams': { action: 'createTeam', target: ({ body }) => prefixed('team', field(body, 'team', slug)) },
  'DELETE /orgs/:org/teams/:team': { action: 'deleteTeam', target: ({ params }) => `team:${params.team}` },
  'PUT /orgs/:org/teams/:team/members/:user': {
    action: 'setTeamMember',
    target: ({ params }) => `member:${params.user}`,
    details: ({ params, body }) => [
      ['team', params.team],
      ['role', field(body, 'role', role)],
    ],
  },
  'DELETE /orgs/:org/teams/:team/members/:user': {
    action: 'removeTeamMember',
    target: ({ params }) => `member:${params.user}`,
    details: ({ params }) => [['team', params.team]],
  },
  'POST /orgs/:org/tokens': {
    action: 'createToken',
    // The response holds the token itself: only its id is taken.
    readsResponse: true,
    target: ({ response }) => tokenTarget(field(response, 'id', tokenCreated.shape.id.max(64))),
    details: ({ body, user }) => [
      ['user', field(body, 'user', slug) ?? user],
      ['scopes', field(body, 'scopes', scopeList)?.join(',')],
    ],
  },
  'DELETE /orgs/:org/tokens/:id': { action: 'revokeToken', target: ({ params }) => tokenTarget(params.id) },
  'PATCH /orgs/:org': {
    action: 'updateSettings',
    target: ({ params }) => `org:${params.org}`,
    details: ({ body }) => [
      ['requireSignatures', field(body, 'requireSignatures', orgSettings.shape.requireSignatures)?.toString()],
      ['reporting', field(body, 'reporting', orgSettings.shape.reporting)?.toString()],
      ['trustedKeys', field(body, 'trustedKeys', z.array(z.unknown()))?.length.toString()],
    ],
  },
  'PUT /orgs/:org/profiles/:scope': {
    action: 'putProfile',
    readsResponse: true,
    target: ({ params }) => prefixed('profile', field(params, 'scope', profileScope)),
    details: ({ response }) => [['revision', field(response, 'revision', storedProfile.shape.revision)?.toString()]],
  },
  'PUT /orgs/:org/servers': {
    action: 'putCatalogue',
    target: ({ body }) => prefixed('server', field(body, 'name', serverJson.shape.name)),
    details: ({ body }) => [['version', field(body, 'version', serverJson.shape.version)]],
  },
  'DELETE /orgs/:org/servers/:serverName': { action: 'deleteCatalogue', target: ({ params }) => `server:${params.serverName}` },
  'POST /orgs/:org/reports': { action: 'postReport', target: ({ body }) => prefixed('device', field(body, 'device', statusReport.shape.device)) },
  'POST /orgs/:org/audit/runtime': {
    action: 'uploadRuntimeAudit',
    readsResponse: true,
    target: ({ body }) => prefixed('device', field(body, 'device', statusReport.shape.device)),
    details: ({ response }) => [
      ['stored', field(response, 'stored', runtimeAuditUploaded.shape.stored)?.toString()],
      ['head', field(response, 'head', runtimeAuditUploaded.shape.head)?.seq.toString()],
    ],
  },
};

/** `key=value …` of the facts that are present. */
export function detailsText(details: readonly (readonly [string, string | undefined])[]): string | undefined {
  const text = details
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
  return text === '' ? undefined : text;
}

/**
 * The parameters of `pattern` (`/v0.1/orgs/:org/members/:user`) in `path`, decoded.
 * Patterns here are plain `:name` segments; a path that does not fit gives what matched.
 */
export function routeParams(pattern: string, path: string): Record<string, string> {
  const names = pattern.split('/');
  const values = path.split('/');
  const params: Record<string, string> = {};
  names.forEach((name, index) => {
    const value = values[index];
    if (!name.startsWith(':') || value === undefined) return;
    try {
      params[name.slice(1)] = decodeURIComponent(value);
    } catch {
      params[name.slice(1)] = value;
    }
  });
  return params;
}
