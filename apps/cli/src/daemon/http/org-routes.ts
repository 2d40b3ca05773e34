import { mapConcurrent, registerSecret, SkillsyncError, toSkillsyncError, type Env } from '@skillsync/core';
import {
  auditQuery,
  createRegistryClient,
  exactVersion,
  loginRequired,
  parseRegistryAddress,
  skillName,
  tokenCreate,
  TOKEN_SCOPES,
  versionStatusPatch,
  type ListMetadata,
  type RegistryAddress,
  type RegistryClient,
  type RegistryLogin,
  type VersionStatus,
} from '@skillsync/registry';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { changeVersionStatus } from '../../commands/yank.js';
import { registryCredentials } from '../../registry-session.js';
import { silentProgress } from '../../ui.js';
import type {
  ErrorReply,
  OrgAuditReply,
  OrgAuditVerifyReply,
  OrgMembersReply,
  OrgParityReply,
  OrgRegistry,
  OrgReply,
  OrgSkillReply,
  OrgSkillsReply,
  OrgTeamsReply,
  OrgTokenCreated,
  OrgTokenRequest,
  OrgTokenRevoked,
  OrgTokensReply,
  OrgVersionStatusReply,
  OrgVersionStatusRequest,
} from './api-types.js';
import { readBody, readParam, readQuery } from './http-errors.js';

/** A page waits this long for one answer of the registry, and retries (a GET) within this budget. */
const REQUEST_TIMEOUT_MS = 10_000;
const RETRY_BUDGET_MS = 5_000;

/** A list is read page by page up to this many pages of the largest size the API gives (1000 rows). */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

/** Teams whose members are read at once. */
const TEAM_READS = 8;

const registryQuery = z.strictObject({ registry: z.string().min(1).max(2048).optional() });
const orgAuditQuery = registryQuery.extend(auditQuery.shape);
// Held to the request types of api-types.ts, which the page sends; the field schemas are the API's own.
const tokenRequest: z.ZodType<OrgTokenRequest> = z.strictObject({
  name: tokenCreate.shape.name,
  scopes: tokenCreate.shape.scopes.max(TOKEN_SCOPES.length),
  days: tokenCreate.shape.expiresInDays.unwrap().optional(),
});
const versionStatusRequest: z.ZodType<OrgVersionStatusRequest> = z.strictObject({ message: versionStatusPatch.shape.statusMessage });
const tokenId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * `/api/org/*`: the org registries this user is logged in to, for the dashboard's Org
 * pages. Every call goes out with the token `skillsync login` stored, which never
 * reaches the page; `?registry=` names one of the logins (default: the only one), and no
 * other address ever gets a token. A refusal of the registry keeps its status and code
 * (a 403 SERVER_FORBIDDEN stays one), so the page tells "your role does not allow this"
 * from a failure here. Writes (tokens, yank, deprecate) are POSTs with checked bodies,
 * behind the same guards as every /api route.
 */
export function createOrgRoutes(env: Env): Hono {
  const routes = new Hono();
  const loginOf = async (c: Context): Promise<RegistryAddress> => chooseLogin(await registryCredentials(env).logins(), readQuery(c, registryQuery).registry);
  const connect = async (c: Context): Promise<RegistryClient> => clientFor(env, await loginOf(c));
  // The CLI's yank and deprecate, so the page and the commands change a version alike.
  const setStatus = (status: Extract<VersionStatus, 'yanked' | 'deprecated'>) => async (c: Context) => {
    const target = `${readParam(c, 'name', skillName)}@${readParam(c, 'version', exactVersion)}`;
    const { message } = await readBody(c, versionStatusRequest);
    const registry = (await loginOf(c)).address;
    return answer(c, async (): Promise<OrgVersionStatusReply> => (await changeVersionStatus(env, target, { registry, status, from: undefined, message, progress: silentProgress })).data);
  };

  routes
    .get('/', async (c) => c.json(await orgRegistries(env)))
    .get('/parity', async (c) => {
      const client = await connect(c);
      return answer(c, async (): Promise<OrgParityReply> => {
        const { items, more } = await readAll((cursor) => client.getParity({ limit: PAGE_SIZE, cursor }).then((page) => [page.members, page.metadata]));
        return { members: items, more };
      });
    })
    .get('/skills', async (c) => {
      const client = await connect(c);
      return answer(c, async (): Promise<OrgSkillsReply> => {
        const { items, more } = await readAll((cursor) => client.listSkills({ limit: PAGE_SIZE, cursor }).then((page) => [page.skills, page.metadata]));
        return { skills: items, more };
      });
    })
    .get('/skills/:name', async (c) => {
      const name = readParam(c, 'name', skillName);
      const client = await connect(c);
      return answer(c, (): Promise<OrgSkillReply> => client.getSkill(name));
    })
    .post('/skills/:name/versions/:version/yank', setStatus('yanked'))
    .post('/skills/:name/versions/:version/deprecate', setStatus('deprecated'))
    .get('/teams', async (c) => {
      const client = await connect(c);
      return answer(c, async (): Promise<OrgTeamsReply> => {
        const teams = await readAll((cursor) => client.listTeams({ limit: PAGE_SIZE, cursor }).then((page) => [page.teams, page.metadata]));
        const withMembers = await mapConcurrent(teams.items, TEAM_READS, async (team) => {
          const members = await readAll((cursor) => client.listTeamMembers(team.team, { limit: PAGE_SIZE, cursor }).then((page) => [page.members, page.metadata]));
          return { ...team, members: members.items, more: members.more };
        });
        return { teams: withMembers, more: teams.more };
      });
    })
    .get('/members', async (c) => {
      const client = await connect(c);
      return answer(c, async (): Promise<OrgMembersReply> => {
        const { items, more } = await readAll((cursor) => client.listMembers({ limit: PAGE_SIZE, cursor }).then((page) => [page.members, page.metadata]));
        return { members: items, more };
      });
    })
    .get('/tokens', async (c) => {
      const client = await connect(c);
      return answer(c, async (): Promise<OrgTokensReply> => {
        const [tokens, who] = await Promise.all([readAll((cursor) => client.listTokens({ limit: PAGE_SIZE, cursor }).then((page) => [page.tokens, page.metadata])), client.whoami()]);
        return { tokens: tokens.items, current: who.token.id, more: tokens.more };
      });
    })
    .post('/tokens', async (c) => {
      const request = await readBody(c, tokenRequest);
      const client = await connect(c);
      return answer(c, async (): Promise<OrgTokenCreated> => {
        const created = await client.createToken({ name: request.name, scopes: [...request.scopes], ...(request.days === undefined ? {} : { expiresInDays: request.days }) });
        // Shown once on the page; should it ever reach a message or a log line here, it is masked.
        registerSecret(created.token);
        return created;
      });
    })
    .post('/tokens/:id/revoke', async (c) => {
      const id = readParam(c, 'id', tokenId);
      await readBody(c, z.strictObject({}));
      const client = await connect(c);
      return answer(c, async (): Promise<OrgTokenRevoked> => {
        await client.revokeToken(id);
        return { revoked: id };
      });
    })
    .get('/audit', async (c) => {
      const { registry, ...query } = readQuery(c, orgAuditQuery);
      const client = await clientFor(env, chooseLogin(await registryCredentials(env).logins(), registry));
      return answer(c, async (): Promise<OrgAuditReply> => {
        const page = await client.listAudit(query);
        return { records: page.records, nextCursor: page.metadata.nextCursor };
      });
    })
    .get('/audit/verify', async (c) => {
      const client = await connect(c);
      return answer(c, (): Promise<OrgAuditVerifyReply> => client.verifyAudit());
    });
  return routes;
}

/** Every login, with who its token speaks for and the org's settings; a registry that cannot be asked says why. */
async function orgRegistries(env: Env): Promise<OrgReply> {
  const credentials = registryCredentials(env);
  const logins = await credentials.logins();
  const registries = await Promise.all(
    logins.map(async (login): Promise<OrgRegistry> => {
      const address = parseRegistryAddress(login.address);
      const known = { address: address.address, org: address.org, user: login.user };
      try {
        const client = await clientFor(env, address);
        const [whoami, org] = await Promise.all([client.whoami(), client.getOrg()]);
        return { ...known, whoami, settings: org.settings, error: undefined };
      } catch (error) {
        return { ...known, whoami: undefined, settings: undefined, error: toSkillsyncError(error).toJSON() };
      }
    }),
  );
  return { registries };
}

async function clientFor(env: Env, address: RegistryAddress): Promise<RegistryClient> {
  const token = await registryCredentials(env).token(address);
  if (token === undefined) throw loginRequired(address);
  return createRegistryClient({ address, token, timeoutMs: REQUEST_TIMEOUT_MS, retry: { maxElapsedMs: RETRY_BUDGET_MS } });
}

/**
 * The login a request names, or the only one. Only a login's address qualifies: a token
 * given for every registry (SKILLSYNC_REGISTRY_TOKEN) must not go to an address the page makes up.
 */
export function chooseLogin(logins: readonly RegistryLogin[], requested: string | undefined): RegistryAddress {
  if (requested !== undefined) {
    const address = parseRegistryAddress(requested);
    if (!logins.some((login) => login.address === address.address)) throw loginRequired(address);
    return address;
  }
  const [only, ...others] = logins;
  if (only !== undefined && others.length === 0) return parseRegistryAddress(only.address);
  if (only === undefined) {
    throw new SkillsyncError('REGISTRY_LOGIN_REQUIRED', 'You are not logged in to any org registry.', {
      hint: 'Run `skillsync login --registry <address>` (the address ends in /v0.1/orgs/<org>) with a token from your org admin.',
    });
  }
  throw new SkillsyncError('INVALID_INPUT', `You are logged in to ${logins.length} registries: name one with ?registry=.`, {
    details: { registries: logins.map((login) => login.address) },
  });
}

/** A list read page by page, up to MAX_PAGES; `more` when the registry has pages left. */
async function readAll<T>(readPage: (cursor: string | undefined) => Promise<readonly [readonly T[], ListMetadata]>): Promise<{ items: T[]; more: boolean }> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const [rows, metadata] = await readPage(cursor);
    items.push(...rows);
    cursor = metadata.nextCursor;
    if (cursor === undefined) return { items, more: false };
  }
  return { items, more: true };
}

/** The task's result as JSON; a refusal of the registry with the registry's status. Other failures go on to the API's error handler. */
async function answer<T>(c: Context, task: () => Promise<T>): Promise<Response> {
  try {
    return c.json(await task());
  } catch (error) {
    const status = registryStatusOf(error);
    if (status === undefined) throw error;
    return c.json({ error: toSkillsyncError(error).toJSON() } satisfies ErrorReply, status);
  }
}

/** The HTTP status a registry answered a failed request with, when the failure is one. */
function registryStatusOf(error: unknown): ContentfulStatusCode | undefined {
  if (!(error instanceof SkillsyncError) || typeof error.details.registry !== 'string') return undefined;
  const { status } = error.details;
  return typeof status === 'number' && status >= 400 && status <= 599 ? (status as ContentfulStatusCode) : undefined;
}
