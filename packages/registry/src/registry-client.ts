import { SkillsyncError } from '@skillsync/core';
import { serializeSignature, type PackageSignature } from '@skillsync/store';
import type { z } from 'zod';
import {
  auditList,
  auditVerify,
  catalogue,
  catalogueEntry,
  effectiveProfile,
  health,
  members,
  member,
  orgInfo,
  parity,
  publishHeaders,
  runtimeAuditUploaded,
  skillDetail,
  skillList,
  storedProfile,
  team,
  teamMembers,
  teams,
  tokenCreated,
  tokens,
  versionDetail,
  versionList,
  whoami,
  type OrgSettings,
  type Role,
  type RuntimeAuditUpload,
  type ServerJson,
  type StatusReport,
  type VersionStatus,
} from './api-schemas.js';
import type { profile, tokenCreate } from './api-schemas.js';
import { subscribeEvents, type RegistryEvent, type SubscribeOptions } from './event-stream.js';
import { parseRegistryAddress, type RegistryAddress } from './registry-address.js';
import { createRegistryHttp, readBytes, type FetchFunction, type RegistryRequest, type RetryOptions } from './registry-http.js';

export interface RegistryClientOptions {
  /** The org's registry address, as text or parsed. */
  readonly address: string | RegistryAddress;
  readonly token?: string | undefined;
  readonly fetch?: FetchFunction | undefined;
  readonly retry?: RetryOptions | undefined;
  /** Per attempt. Default 60 000 ms. */
  readonly timeoutMs?: number | undefined;
}

/** A list page's query (docs/server-api.md "Conventions"). */
export interface PageQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

/** A page of a list whose items carry an update time (skills, versions, the catalogue): only those changed since. */
export interface ChangedSinceQuery extends PageQuery {
  readonly updated_since?: string | undefined;
}

/** `GET /orgs/{org}/audit`'s query: a page, and filters (`since`/`until` RFC 3339). */
export interface AuditQuery {
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly action?: string | undefined;
  readonly principal?: string | undefined;
}

export interface PublishInput {
  readonly name: string;
  readonly version: string;
  /** The `.tgz`. */
  readonly tarball: Uint8Array;
  /** Its integrity as `packSkill` computed it (the digest of the canonical tar): the server recomputes it and refuses a mismatch. */
  readonly integrity: string;
  readonly signature?: PackageSignature | undefined;
  /** Default `latest` (the server's default). */
  readonly tag?: string | undefined;
  /** A new skill visible to this team only. */
  readonly team?: string | undefined;
}

export interface PublishResult {
  readonly version: z.infer<typeof versionDetail>;
  /**
   * True when an attempt's answer was lost and a retry found the version already there
   * with our integrity: the first attempt had published it.
   */
  readonly reconciled: boolean;
}

export interface DownloadedPackage {
  readonly tarball: Uint8Array;
  /** `x-skillsync-integrity` of the answer, when it has one. */
  readonly integrity: string | undefined;
}

type Output<S extends z.ZodType> = z.infer<S>;

/** What a background sender (the daemon) passes so that its stop ends a request at once. */
export interface SendOptions {
  readonly signal?: AbortSignal | undefined;
}

/** One typed method per route of docs/server-api.md, every answer validated against api-schemas. */
export interface RegistryClient {
  readonly address: RegistryAddress;

  health(): Promise<Output<typeof health>>;
  whoami(): Promise<Output<typeof whoami>>;

  getOrg(): Promise<Output<typeof orgInfo>>;
  updateOrgSettings(patch: Partial<OrgSettings>): Promise<Output<typeof orgInfo>>;
  listMembers(query?: PageQuery): Promise<Output<typeof members>>;
  addMember(input: { user: string; role: Role }): Promise<Output<typeof member>>;
  setMemberRole(user: string, role: Role): Promise<Output<typeof member>>;
  removeMember(user: string): Promise<void>;
  listTeams(query?: PageQuery): Promise<Output<typeof teams>>;
  createTeam(input: { team: string; description?: string }): Promise<Output<typeof team>>;
  deleteTeam(team: string): Promise<void>;
  listTeamMembers(team: string, query?: PageQuery): Promise<Output<typeof teamMembers>>;
  setTeamMember(team: string, user: string, role: Role): Promise<Output<typeof member>>;
  removeTeamMember(team: string, user: string): Promise<void>;
  createToken(input: z.input<typeof tokenCreate>): Promise<Output<typeof tokenCreated>>;
  listTokens(query?: PageQuery): Promise<Output<typeof tokens>>;
  revokeToken(id: string): Promise<void>;

  /** The skills the caller may see; `search` matches names and descriptions. */
  listSkills(query?: ChangedSinceQuery & { readonly search?: string | undefined }): Promise<Output<typeof skillList>>;
  getSkill(name: string): Promise<Output<typeof skillDetail>>;
  listVersions(name: string, query?: ChangedSinceQuery): Promise<Output<typeof versionList>>;
  /** `version` is exact or `latest`. */
  getVersion(name: string, version: string): Promise<Output<typeof versionDetail>>;
  downloadPackage(name: string, version: string): Promise<DownloadedPackage>;
  publish(input: PublishInput): Promise<PublishResult>;
  setVersionStatus(name: string, version: string, input: { status: VersionStatus; statusMessage?: string | undefined }): Promise<Output<typeof versionDetail>>;
  setDistTag(name: string, tag: string, version: string): Promise<Output<typeof skillDetail>>;
  removeDistTag(name: string, tag: string): Promise<void>;

  listCatalogue(query?: ChangedSinceQuery): Promise<Output<typeof catalogue>>;
  getCatalogueEntry(serverName: string): Promise<Output<typeof catalogueEntry>>;
  putCatalogueEntry(server: ServerJson): Promise<Output<typeof catalogueEntry>>;
  removeCatalogueEntry(serverName: string): Promise<void>;

  /** The caller's effective profile. */
  getProfile(): Promise<Output<typeof effectiveProfile>>;
  /** `org` or `team:<team>`. */
  getScopeProfile(scope: string): Promise<Output<typeof storedProfile>>;
  putScopeProfile(scope: string, body: z.input<typeof profile>): Promise<Output<typeof storedProfile>>;
  postReport(report: StatusReport, options?: SendOptions): Promise<void>;
  getParity(query?: PageQuery): Promise<Output<typeof parity>>;
  /** Uploads a batch of this device's runtime audit log; the answer's `head` is where the next batch chains from. */
  uploadRuntimeAudit(upload: RuntimeAuditUpload, options?: SendOptions): Promise<Output<typeof runtimeAuditUploaded>>;

  /** The org's admin audit records, in seq order. */
  listAudit(query?: AuditQuery): Promise<Output<typeof auditList>>;
  /** The server's whole audit chain, verified. */
  verifyAudit(): Promise<Output<typeof auditVerify>>;

  /** The org's event stream; see subscribeEvents. */
  events(options?: SubscribeOptions): AsyncGenerator<RegistryEvent>;
}

/** The most bytes a package download may take: more than any package within the package limits. */
const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;

export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const address = typeof options.address === 'string' ? parseRegistryAddress(options.address) : options.address;
  const http = createRegistryHttp({ address, token: options.token, fetch: options.fetch, retry: options.retry, timeoutMs: options.timeoutMs });
  const org = `/orgs/${segment(address.org)}`;

  const call = async <S extends z.ZodType>(schema: S, request: RegistryRequest): Promise<z.infer<S>> => http.json(await http.send(request), schema, request);
  const get = <S extends z.ZodType>(schema: S, path: string, query?: RegistryRequest['query']): Promise<z.infer<S>> =>
    call(schema, { method: 'GET', path, query, retry: true });
  const write = <S extends z.ZodType>(schema: S, method: 'POST' | 'PUT' | 'PATCH', path: string, json: unknown): Promise<z.infer<S>> =>
    call(schema, { method, path, json, retry: false });
  const remove = async (path: string): Promise<void> => {
    const response = await http.send({ method: 'DELETE', path, retry: false });
    await response.body?.cancel().catch(() => undefined);
  };
  const page = (query: ChangedSinceQuery | undefined): RegistryRequest['query'] => ({ limit: query?.limit, cursor: query?.cursor, updated_since: query?.updated_since });
  const skill = (name: string): string => `${org}/skills/${segment(name)}`;
  const version = (name: string, value: string): string => `${skill(name)}/versions/${segment(value)}`;

  const publish = async (input: PublishInput): Promise<PublishResult> => {
    const { integrity } = input;
    // Set from the retry callback, which the compiler cannot see run.
    let retried = false as boolean;
    const request: RegistryRequest = {
      method: 'PUT',
      path: version(input.name, input.version),
      query: { tag: input.tag, team: input.team },
      bytes: { data: input.tarball, contentType: 'application/gzip' },
      headers: {
        [publishHeaders.integrity]: integrity,
        ...(input.signature === undefined ? {} : { [publishHeaders.signature]: Buffer.from(serializeSignature(input.signature), 'utf8').toString('base64') }),
      },
      // Safe to repeat: a version is published whole or not at all, and a repeat that finds it is reconciled below.
      retry: true,
      onRetry: () => {
        retried = true;
      },
    };
    try {
      return { version: await call(versionDetail, request), reconciled: false };
    } catch (error) {
      if (!(retried && error instanceof SkillsyncError && error.code === 'VERSION_ALREADY_PUBLISHED')) throw error;
      // An earlier attempt may have landed with its answer lost: ours if the bytes are.
      const existing = await get(versionDetail, request.path);
      if (existing.integrity !== integrity) throw error;
      return { version: existing, reconciled: true };
    }
  };

  return {
    address,
    health: () => call(health, { method: 'GET', path: '/health', retry: true, authenticated: false }),
    whoami: () => get(whoami, '/whoami'),

    getOrg: () => get(orgInfo, org),
    updateOrgSettings: (patch) => write(orgInfo, 'PATCH', org, patch),
    listMembers: (query) => get(members, `${org}/members`, page(query)),
    addMember: (input) => write(member, 'POST', `${org}/members`, input),
    setMemberRole: (user, role) => write(member, 'PATCH', `${org}/members/${segment(user)}`, { role }),
    removeMember: (user) => remove(`${org}/members/${segment(user)}`),
    listTeams: (query) => get(teams, `${org}/teams`, page(query)),
    createTeam: (input) => write(team, 'POST', `${org}/teams`, input),
    deleteTeam: (name) => remove(`${org}/teams/${segment(name)}`),
    listTeamMembers: (name, query) => get(teamMembers, `${org}/teams/${segment(name)}/members`, page(query)),
    setTeamMember: (name, user, role) => write(member, 'PUT', `${org}/teams/${segment(name)}/members/${segment(user)}`, { role }),
    removeTeamMember: (name, user) => remove(`${org}/teams/${segment(name)}/members/${segment(user)}`),
    createToken: (input) => write(tokenCreated, 'POST', `${org}/tokens`, input),
    listTokens: (query) => get(tokens, `${org}/tokens`, page(query)),
    revokeToken: (id) => remove(`${org}/tokens/${segment(id)}`),

    listSkills: (query) => get(skillList, `${org}/skills`, { ...page(query), search: query?.search }),
    getSkill: (name) => get(skillDetail, skill(name)),
    listVersions: (name, query) => get(versionList, `${skill(name)}/versions`, page(query)),
    getVersion: (name, value) => get(versionDetail, version(name, value)),
    downloadPackage: async (name, value) => {
      const request: RegistryRequest = { method: 'GET', path: `${version(name, value)}/package`, accept: 'application/gzip', retry: true };
      const response = await http.send(request);
      const tarball = await readBytes(response, MAX_PACKAGE_BYTES, () =>
        new SkillsyncError('PACKAGE_TOO_LARGE', `${name}@${value} from ${address.address} is larger than ${MAX_PACKAGE_BYTES} bytes.`, {
          details: { name, version: value, registry: address.address },
        }),
      );
      return { tarball, integrity: response.headers.get(publishHeaders.integrity) ?? undefined };
    },
    publish,
    setVersionStatus: (name, value, input) => write(versionDetail, 'PATCH', version(name, value), input),
    setDistTag: (name, tag, value) => write(skillDetail, 'PUT', `${skill(name)}/tags/${segment(tag)}`, { version: value }),
    removeDistTag: (name, tag) => remove(`${skill(name)}/tags/${segment(tag)}`),

    listCatalogue: (query) => get(catalogue, `${org}/servers`, page(query)),
    getCatalogueEntry: (serverName) => get(catalogueEntry, `${org}/servers/${segment(serverName)}/versions/latest`),
    putCatalogueEntry: (server) => write(catalogueEntry, 'PUT', `${org}/servers`, server),
    removeCatalogueEntry: (serverName) => remove(`${org}/servers/${segment(serverName)}`),

    getProfile: () => get(effectiveProfile, `${org}/profile`),
    getScopeProfile: (scope) => get(storedProfile, `${org}/profiles/${segment(scope)}`),
    putScopeProfile: (scope, body) => write(storedProfile, 'PUT', `${org}/profiles/${segment(scope)}`, body),
    postReport: async (report, options) => {
      const response = await http.send({ method: 'POST', path: `${org}/reports`, json: report, retry: false, signal: options?.signal });
      await response.body?.cancel().catch(() => undefined);
    },
    getParity: (query) => get(parity, `${org}/parity`, page(query)),
    // A retry of records the server holds is accepted as such, so a lost answer may be sent again.
    uploadRuntimeAudit: (upload, options) => call(runtimeAuditUploaded, { method: 'POST', path: `${org}/audit/runtime`, json: upload, retry: true, signal: options?.signal }),

    listAudit: (query) =>
      get(auditList, `${org}/audit`, { limit: query?.limit, cursor: query?.cursor, since: query?.since, until: query?.until, action: query?.action, principal: query?.principal }),
    verifyAudit: () => get(auditVerify, `${org}/audit/verify`),

    events: (subscribe) => subscribeEvents(http, `${org}/events`, subscribe),
  };
}

/** A path segment from a name the caller gave: encoded, so `../x` or `a/b` can never change the route. */
function segment(value: string): string {
  if (value === '' || value === '.' || value === '..') throw new SkillsyncError('INVALID_INPUT', `\`${value}\` is not a valid name here.`, { details: { value } });
  return encodeURIComponent(value);
}
