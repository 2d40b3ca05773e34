import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths, type Env } from '@skillsync/core';
import { createRegistryClient, parseRegistryAddress, type RegistryClient, type RegistryLogin } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { packSkill } from '@skillsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryCredentials } from '../../registry-session.js';
import type { DaemonController } from '../contract.js';
import type { OrgAuditReply, OrgAuditVerifyReply, OrgParityReply, OrgReply, OrgSkillReply, OrgSkillsReply, OrgTeamsReply, OrgTokenCreated, OrgTokensReply, OrgVersionStatusReply } from './api-types.js';
import { startDashboardServer, type DashboardServer } from './index.js';
import { chooseLogin } from './org-routes.js';

/*
 * The daemon's /api/org routes against a real org server (SQLite in memory, on a
 * loopback port): the dashboard user is the owner of `acme` and a plain member of
 * `beta`, logged in to both the way `skillsync login` leaves it (the token in the
 * secret store of a temporary home).
 */

const DASHBOARD_TOKEN = 'org-test-token-0123456789abcdefghijklmnopq';

/** The org routes touch no daemon state: every controller method is a failure here. */
const noController: DaemonController = {
  status: () => {
    throw new Error('not in this test');
  },
  subscribe: () => {
    throw new Error('not in this test');
  },
  syncNow: () => Promise.reject(new Error('not in this test')),
  pause: () => undefined,
  resume: () => undefined,
  exclusive: () => Promise.reject(new Error('not in this test')),
  stop: () => Promise.resolve(),
};

interface Reply<T> {
  readonly status: number;
  readonly body: T & { readonly error?: { readonly code: string; readonly message: string } };
}

interface Daemon {
  readonly env: Env;
  readonly server: DashboardServer;
  get<T>(route: string): Promise<Reply<T>>;
  post<T>(route: string, body: unknown, headers?: Record<string, string>): Promise<Reply<T>>;
}

async function startDaemon(root: string, name: string): Promise<Daemon> {
  const home = path.join(root, name);
  await mkdir(path.join(home, 'dashboard'), { recursive: true });
  await writeFile(path.join(home, 'dashboard', 'index.html'), '<!doctype html><title>skillsync</title>');
  const env = createEnv({ home, cwd: home, vars: { SKILLSYNC_HOME: path.join(home, '.skillsync'), SKILLSYNC_SECRETS_BACKEND: 'file' } });
  const server = await startDashboardServer({ controller: noController, env, paths: skillsyncPaths(env), token: DASHBOARD_TOKEN, assetsDir: path.join(home, 'dashboard') });
  const call = async <T,>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply<T>> => {
    const response = await fetch(new URL(route, server.url), {
      method,
      headers: { authorization: `Bearer ${DASHBOARD_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Reply<T>['body'] };
  };
  return { env, server, get: (route) => call('GET', route), post: (route, body, headers) => call('POST', route, body, headers) };
}

async function publishSkill(client: RegistryClient, root: string, name: string, version: string): Promise<void> {
  const dir = path.join(root, 'skills', `${name}-${version}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'SKILL.md'), `---\nname: ${name}\ndescription: The ${name} skill.\nmetadata:\n  version: "${version}"\n---\n\nDo the thing.\n`);
  const packed = await packSkill(dir);
  await client.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('the /api/org routes, against a real org server', () => {
  let root: string;
  let registry: RunningServer;
  let acme: string;
  let beta: string;
  let owner: RegistryClient;
  let daemon: Daemon;
  let stranger: Daemon;
  const q = (address: string): string => `registry=${encodeURIComponent(address)}`;

  beforeAll(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-org-routes-')));
    registry = await startServer({ env: createEnv({ home: root, cwd: root }), database: ':memory:', listen: { host: '127.0.0.1', port: 0 } });
    const acmeOrg = await initOrg(registry.context, { org: 'acme', owner: 'olivia' });
    const betaOrg = await initOrg(registry.context, { org: 'beta', owner: 'bea' });
    acme = `${registry.url}/v0.1/orgs/acme`;
    beta = `${registry.url}/v0.1/orgs/beta`;
    owner = createRegistryClient({ address: acme, token: acmeOrg.token.token });
    await owner.updateOrgSettings({ reporting: true });
    await owner.addMember({ user: 'mo', role: 'member' });
    await owner.createTeam({ team: 'platform', description: 'The platform team' });
    await owner.setTeamMember('platform', 'mo', 'publisher');
    const mo = createRegistryClient({ address: acme, token: (await owner.createToken({ name: 'mo laptop', user: 'mo', scopes: ['admin'] })).token });
    await publishSkill(owner, root, 'triage-bug', '1.0.0');
    await publishSkill(owner, root, 'triage-bug', '1.1.0');
    await mo.postReport({ device: 'mo-laptop', clients: ['cursor'], skills: [], drift: {} });

    const betaOwner = createRegistryClient({ address: beta, token: betaOrg.token.token });
    await betaOwner.addMember({ user: 'olivia', role: 'member' });
    const oliviaInBeta = await betaOwner.createToken({ name: 'olivia', user: 'olivia', scopes: ['admin'] });

    daemon = await startDaemon(root, 'olivia');
    const credentials = registryCredentials(daemon.env);
    await credentials.save(parseRegistryAddress(acme), acmeOrg.token.token, { user: 'olivia' });
    await credentials.save(parseRegistryAddress(beta), oliviaInBeta.token, { user: 'olivia' });
    stranger = await startDaemon(root, 'stranger');
  });

  afterAll(async () => {
    await Promise.all([daemon.server.close(), stranger.server.close()]);
    await registry.close();
    await rm(root, { recursive: true, force: true });
  });

  it('lists each login with who its token speaks for and the org settings, and no token', async () => {
    const reply = await daemon.get<OrgReply>('/api/org');
    expect(reply.status).toBe(200);
    expect(reply.body.registries.map((entry) => [entry.org, entry.user, entry.whoami?.role, entry.settings?.reporting])).toEqual([
      ['acme', 'olivia', 'owner', true],
      ['beta', 'olivia', 'member', false],
    ]);
    expect(JSON.stringify(reply.body)).not.toMatch(/ssk_/);
  });

  it('says when there is no login, and refuses the org routes with REGISTRY_LOGIN_REQUIRED', async () => {
    expect((await stranger.get<OrgReply>('/api/org')).body).toEqual({ registries: [] });
    const parity = await stranger.get('/api/org/parity');
    expect(parity.body.error?.code).toBe('REGISTRY_LOGIN_REQUIRED');
  });

  it('needs ?registry= among several logins, and never sends a token to an address that is not one', async () => {
    expect((await daemon.get('/api/org/skills')).body.error?.code).toBe('INVALID_INPUT');
    const elsewhere = await daemon.get(`/api/org/skills?${q(`http://127.0.0.1:${await closedPort()}/v0.1/orgs/acme`)}`);
    expect(elsewhere.body.error?.code).toBe('REGISTRY_LOGIN_REQUIRED');
  });

  it('shows each member’s parity, with the report time', async () => {
    const reply = await daemon.get<OrgParityReply>(`/api/org/parity?${q(acme)}`);
    expect(reply.status).toBe(200);
    expect(reply.body.more).toBe(false);
    const mo = reply.body.members.find((row) => row.user === 'mo');
    expect(mo).toMatchObject({ state: 'current', devices: 1 });
    expect(mo?.reportedAt).toEqual(expect.any(String));
    expect(reply.body.members.find((row) => row.user === 'olivia')).toMatchObject({ state: 'unknown', devices: 0 });
  });

  it('keeps the registry’s refusal: a member may not read parity (403 SERVER_FORBIDDEN)', async () => {
    const reply = await daemon.get(`/api/org/parity?${q(beta)}`);
    expect(reply.status).toBe(403);
    expect(reply.body.error?.code).toBe('SERVER_FORBIDDEN');
  });

  it('lists skills, and a skill with its versions', async () => {
    const skills = await daemon.get<OrgSkillsReply>(`/api/org/skills?${q(acme)}`);
    expect(skills.body.skills).toEqual([expect.objectContaining({ name: 'triage-bug', latest: '1.1.0', visibility: 'org' })]);
    const skill = await daemon.get<OrgSkillReply>(`/api/org/skills/triage-bug?${q(acme)}`);
    expect(skill.body.versions.map((version) => [version.version, version.status])).toEqual([
      ['1.1.0', 'active'],
      ['1.0.0', 'active'],
    ]);
    expect((await daemon.get(`/api/org/skills/no-such-skill?${q(acme)}`)).status).toBe(404);
  });

  it('deprecates and yanks a version, with its message', async () => {
    const deprecated = await daemon.post<OrgVersionStatusReply>(`/api/org/skills/triage-bug/versions/1.0.0/deprecate?${q(acme)}`, { message: 'use 1.1.0' });
    expect(deprecated.body).toMatchObject({ name: 'triage-bug', version: '1.0.0', previous: 'active', status: 'deprecated', statusMessage: 'use 1.1.0' });
    const yanked = await daemon.post<OrgVersionStatusReply>(`/api/org/skills/triage-bug/versions/1.0.0/yank?${q(acme)}`, {});
    expect(yanked.body).toMatchObject({ previous: 'deprecated', status: 'yanked' });
    expect((await owner.getVersion('triage-bug', '1.0.0')).status).toBe('yanked');
    // A yank is final: the registry's conflict comes through as one.
    const again = await daemon.post(`/api/org/skills/triage-bug/versions/1.0.0/deprecate?${q(acme)}`, {});
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe('SERVER_CONFLICT');
  });

  it('lists teams with their members, and the org’s members', async () => {
    const teams = await daemon.get<OrgTeamsReply>(`/api/org/teams?${q(acme)}`);
    expect(teams.body.teams).toEqual([{ team: 'platform', description: 'The platform team', members: [{ user: 'mo', role: 'publisher' }], more: false }]);
    const members = await daemon.get<{ members: unknown[] }>(`/api/org/members?${q(acme)}`);
    expect(members.body.members).toEqual([
      { user: 'mo', role: 'member' },
      { user: 'olivia', role: 'owner' },
    ]);
  });

  it('creates a token (its text once, in that answer only), lists it and revokes it', async () => {
    const created = await daemon.post<OrgTokenCreated>(`/api/org/tokens?${q(acme)}`, { name: 'ci', scopes: ['read'], days: 7 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'ci', user: 'olivia', scopes: ['read'] });
    expect(created.body.token).toMatch(/^ssk_/);
    expect(Date.parse(created.body.expiresAt) - Date.parse(created.body.createdAt)).toBe(7 * 86_400_000);
    expect((await createRegistryClient({ address: acme, token: created.body.token }).whoami()).token.name).toBe('ci');

    const listed = await daemon.get<OrgTokensReply>(`/api/org/tokens?${q(acme)}`);
    expect(listed.body.tokens.map((token) => token.name)).toContain('ci');
    expect(listed.body.tokens.find((token) => token.id === listed.body.current)?.user).toBe('olivia');
    expect(JSON.stringify(listed.body)).not.toContain(created.body.token);

    const revoked = await daemon.post(`/api/org/tokens/${created.body.id}/revoke?${q(acme)}`, {});
    expect(revoked.body).toEqual({ revoked: created.body.id });
    expect((await daemon.get<OrgTokensReply>(`/api/org/tokens?${q(acme)}`)).body.tokens.map((token) => token.id)).not.toContain(created.body.id);
    await expect(createRegistryClient({ address: acme, token: created.body.token }).whoami()).rejects.toMatchObject({ code: 'SERVER_UNAUTHENTICATED' });
  });

  it('checks a token request against its schema, and keeps the dashboard’s guards on these POSTs', async () => {
    const unknownScope = await daemon.post(`/api/org/tokens?${q(acme)}`, { name: 'x', scopes: ['root'] });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body.error?.code).toBe('INVALID_INPUT');
    const forOthers = await daemon.post(`/api/org/tokens?${q(acme)}`, { name: 'x', scopes: ['read'], user: 'mo' });
    expect(forOthers.body.error?.code).toBe('INVALID_INPUT');
    const foreign = await daemon.post(`/api/org/tokens?${q(acme)}`, { name: 'x', scopes: ['read'] }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error?.code).toBe('DASHBOARD_HOST_REFUSED');
    const anonymous = await daemon.post(`/api/org/tokens?${q(acme)}`, { name: 'x', scopes: ['read'] }, { authorization: 'Bearer wrong' });
    expect(anonymous.status).toBe(401);
    expect((await owner.listTokens()).tokens.map((token) => token.name)).not.toContain('x');
  });

  it('reads the org’s admin audit records a page at a time, and verifies the chain', async () => {
    await expect
      .poll(async () => (await daemon.get<OrgAuditReply>(`/api/org/audit?${q(acme)}&action=createToken`)).body.records.length)
      .toBeGreaterThanOrEqual(2);
    const first = await daemon.get<OrgAuditReply>(`/api/org/audit?${q(acme)}&limit=1`);
    expect(first.body.records).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await daemon.get<OrgAuditReply>(`/api/org/audit?${q(acme)}&limit=1&cursor=${encodeURIComponent(first.body.nextCursor ?? '')}`);
    expect(second.body.records[0]?.seq).toBeGreaterThan(first.body.records[0]?.seq ?? Infinity);
    expect(JSON.stringify(first.body)).not.toMatch(/ssk_/);
    const verify = await daemon.get<OrgAuditVerifyReply>(`/api/org/audit/verify?${q(acme)}`);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checked).toBeGreaterThan(0);
    expect((await daemon.get(`/api/org/audit?${q(beta)}`)).status).toBe(403);
    for (const query of ['limit=101', 'since=yesterday', 'order=desc']) {
      expect((await daemon.get(`/api/org/audit?${q(acme)}&${query}`)).body.error?.code).toBe('INVALID_INPUT');
    }
  });

  it('says which registry cannot be reached, and still lists it', async () => {
    const gone = `http://127.0.0.1:${await closedPort()}/v0.1/orgs/gone`;
    await registryCredentials(stranger.env).save(parseRegistryAddress(gone), `ssk_${'a'.repeat(43)}`, { user: 'sam' });
    const reply = await stranger.get<OrgReply>('/api/org');
    expect(reply.body.registries.map((entry) => [entry.org, entry.user, entry.whoami, entry.error?.code])).toEqual([['gone', 'sam', undefined, 'SOURCE_UNREACHABLE']]);
  }, 20_000);
});

describe('chooseLogin', () => {
  const login = (address: string): RegistryLogin => ({ address, secret: 'registry.x', user: 'u', savedAt: '2026-01-01T00:00:00.000Z' });
  const a = 'https://a.example/v0.1/orgs/acme';
  const b = 'https://b.example/v0.1/orgs/beta';

  it('takes the only login, or the one named (in any spelling of its address)', () => {
    expect(chooseLogin([login(a)], undefined).address).toBe(a);
    expect(chooseLogin([login(a), login(b)], 'https://B.example/v0.1/orgs/beta/').address).toBe(b);
  });

  it('refuses an address that is not a login, none, or a choice left open', () => {
    expect(() => chooseLogin([login(a)], 'https://evil.example/v0.1/orgs/acme')).toThrow(expect.objectContaining({ code: 'REGISTRY_LOGIN_REQUIRED' }));
    expect(() => chooseLogin([], undefined)).toThrow(expect.objectContaining({ code: 'REGISTRY_LOGIN_REQUIRED' }));
    expect(() => chooseLogin([login(a), login(b)], undefined)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
