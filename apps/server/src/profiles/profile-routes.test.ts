import { effectiveProfile, storedProfile } from '@skillsync/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityRoutes } from '../identity/index.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { profileRoutes } from './index.js';

const json = async (response: Response): Promise<Record<string, unknown>> => (await response.json()) as Record<string, unknown>;
const errorOf = async (response: Response): Promise<unknown> => (await json(response)).error;

const FORBID_SHELL = 'forbid (principal, action == Skillsync::Action::"callTool", resource in Skillsync::Connector::"shell");';

describe.each(SERVER_ENGINES)('profile routes on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [identityRoutes, profileRoutes] });
  });
  afterAll(async () => {
    await server.close();
  });

  const scopeUrl = (org: TestOrg, scope: string): string => `/v0.1/orgs/${org.org}/profiles/${encodeURIComponent(scope)}`;
  const put = (org: TestOrg, scope: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    server.call('PUT', scopeUrl(org, scope), { token, body, headers });

  describe('one scope', () => {
    it('bumps the revision on every write and refuses a stale If-Match', async () => {
      const org = await server.newOrg();
      const first = await put(org, 'org', org.ownerToken, { required: [{ name: 'lint', version: '^1.2.0' }] });
      expect(first.status).toBe(200);
      expect(first.headers.get('etag')).toBe('"1"');
      const stored = storedProfile.parse(await first.json());
      expect(stored).toMatchObject({ scope: 'org', revision: 1, updatedBy: 'olivia', profile: { required: [{ name: 'lint', version: '^1.2.0' }], blockedSkills: [] } });

      expect(storedProfile.parse(await json(await put(org, 'org', org.ownerToken, { blockedSkills: ['old'] }))).revision).toBe(2);
      const stale = await put(org, 'org', org.ownerToken, { blockedSkills: ['older'] }, { 'if-match': '"1"' });
      expect(stale.status).toBe(409);
      expect(await errorOf(stale)).toMatchObject({ code: 'SERVER_CONFLICT' });
      const fresh = await put(org, 'org', org.ownerToken, { blockedSkills: ['oldest'] }, { 'if-match': '2' });
      expect(storedProfile.parse(await fresh.json()).revision).toBe(3);

      const read = await server.call('GET', scopeUrl(org, 'org'), { token: org.ownerToken });
      expect(read.status).toBe(200);
      expect(read.headers.get('etag')).toBe('"3"');
      expect(storedProfile.parse(await read.json()).profile.blockedSkills).toEqual(['oldest']);
    });

    it('creates a scope only from revision 0 when If-Match says so, and reads a scope never set as not found', async () => {
      const org = await server.newOrg();
      const missing = await server.call('GET', scopeUrl(org, 'org'), { token: org.ownerToken });
      expect(missing.status).toBe(404);
      expect((await put(org, 'org', org.ownerToken, {}, { 'if-match': '*' })).status).toBe(409);
      expect((await put(org, 'org', org.ownerToken, {}, { 'if-match': '0' })).status).toBe(200);
      expect((await put(org, 'org', org.ownerToken, {}, { 'if-match': '0' })).status).toBe(409);
      const malformed = await put(org, 'org', org.ownerToken, {}, { 'if-match': 'yesterday' });
      expect(malformed.status).toBe(400);
      expect(await errorOf(malformed)).toMatchObject({ code: 'INVALID_INPUT' });
    });

    it('needs an existing team for a team scope', async () => {
      const org = await server.newOrg();
      const absent = await put(org, 'team:nope', org.ownerToken, {});
      expect(absent.status).toBe(404);
      expect(await errorOf(absent)).toMatchObject({ code: 'SERVER_NOT_FOUND' });
      expect((await server.call('GET', scopeUrl(org, 'team:nope'), { token: org.ownerToken })).status).toBe(404);
      expect((await put(org, 'team:Bad_Name', org.ownerToken, {})).status).toBe(400);
    });

    it('refuses a body that is not a profile, and versions that are not requirements', async () => {
      const org = await server.newOrg();
      const extra = await put(org, 'org', org.ownerToken, { required: [], files: ['~/.ssh/id_ed25519'] });
      expect(extra.status).toBe(400);
      expect(await errorOf(extra)).toMatchObject({ code: 'INVALID_INPUT' });
      const version = await put(org, 'org', org.ownerToken, { required: [{ name: 'lint', version: 'newest please' }] });
      expect(version.status).toBe(400);
      expect(await errorOf(version)).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('required.0.version') as string });
    });

    it('refuses a policy the gateway could not load, naming the policy and its line', async () => {
      const org = await server.newOrg();
      const good = await put(org, 'org', org.ownerToken, { policies: [{ id: 'no-shell', text: FORBID_SHELL }] });
      expect(good.status).toBe(200);
      const bad = await put(org, 'org', org.ownerToken, {
        policies: [
          { id: 'no-shell', text: FORBID_SHELL },
          { id: 'broken', text: `// first line\n${FORBID_SHELL}\npermit (principal, action == Skillsync::Action::"callTool", resource) when { resource.nosuch == 1 };` },
        ],
      });
      expect(bad.status).toBe(400);
      expect(await errorOf(bad)).toMatchObject({ code: 'POLICY_INVALID', message: expect.stringMatching(/^Policy broken line 3/) as string });
      const syntax = await put(org, 'org', org.ownerToken, { policies: [{ id: 'typo', text: 'permit (principal, action, resource' }] });
      expect(await errorOf(syntax)).toMatchObject({ code: 'POLICY_INVALID', message: expect.stringContaining('Policy typo line 1') as string });
      const read = storedProfile.parse(await json(await server.call('GET', scopeUrl(org, 'org'), { token: org.ownerToken })));
      expect(read.revision).toBe(1);
    });

    it('lets org owners and admins write any scope, team admins their team only, members none', async () => {
      const org = await server.newOrg();
      const admin = await org.member('adam', 'admin');
      const teamAdmin = await org.member('tina', 'member', { teams: { web: 'admin' } });
      await org.member('pat', 'member', { teams: { api: 'member' } });
      const member = await org.member('mo', 'member', { teams: { web: 'member' } });
      const readOnly = await org.member('rob', 'admin', { scopes: ['read'] });

      expect((await put(org, 'org', admin, {})).status).toBe(200);
      expect((await put(org, 'team:api', admin, {})).status).toBe(200);
      expect((await put(org, 'team:web', teamAdmin, {})).status).toBe(200);
      for (const [token, scope] of [
        [teamAdmin, 'team:api'],
        [teamAdmin, 'org'],
        [member, 'team:web'],
        [member, 'org'],
        [readOnly, 'org'],
      ] as const) {
        const refused = await put(org, scope, token, {});
        expect(refused.status, scope).toBe(403);
        expect(await errorOf(refused)).toMatchObject({ code: 'SERVER_FORBIDDEN' });
      }
      expect((await server.call('GET', scopeUrl(org, 'team:api'), { token: member })).status).toBe(200);
    });

    it('answers not found for another org', async () => {
      const org = await server.newOrg();
      const other = await server.newOrg();
      expect((await put(other, 'org', org.ownerToken, {})).status).toBe(404);
      expect((await server.call('GET', `/v0.1/orgs/${other.org}/profile`, { token: org.ownerToken })).status).toBe(404);
    });
  });

  describe('the effective profile', () => {
    it('merges the org profile with the profiles of the caller teams only', async () => {
      const org = await server.newOrg();
      const member = await org.member('mo', 'member', { teams: { web: 'member' }, scopes: ['read'] });
      await org.member('pat', 'member', { teams: { api: 'member' } });
      await put(org, 'org', org.ownerToken, { required: [{ name: 'lint', version: '>=1.2.0' }], instructions: 'Be kind.' });
      await put(org, 'team:web', org.ownerToken, { required: [{ name: 'lint', version: '>=1.4.0' }], blockedConnectors: ['shell'] });
      await put(org, 'team:api', org.ownerToken, { required: [{ name: 'deploy', version: '^2.0.0' }] });

      const response = await server.call('GET', `/v0.1/orgs/${org.org}/profile`, { token: member });
      expect(response.status).toBe(200);
      const merged = effectiveProfile.parse(await response.json());
      expect(merged).toMatchObject({
        sources: ['org', 'team:web'],
        required: [{ name: 'lint', version: '>=1.4.0' }],
        blockedConnectors: ['shell'],
        instructions: '## Org profile\n\nBe kind.',
        conflicts: [],
      });
      expect(response.headers.get('etag')).toBe(`"${merged.revision}"`);

      await put(org, 'team:api', org.ownerToken, {});
      const unchanged = effectiveProfile.parse(await json(await server.call('GET', `/v0.1/orgs/${org.org}/profile`, { token: member })));
      expect(unchanged.revision).toBe(merged.revision);
      await put(org, 'team:web', org.ownerToken, {});
      const changed = effectiveProfile.parse(await json(await server.call('GET', `/v0.1/orgs/${org.org}/profile`, { token: member })));
      expect(changed.revision).not.toBe(merged.revision);
      expect(changed.required).toEqual([{ name: 'lint', version: '>=1.2.0' }]);
    });

    it('is the empty profile before any scope has one', async () => {
      const org = await server.newOrg();
      const merged = effectiveProfile.parse(await json(await server.call('GET', `/v0.1/orgs/${org.org}/profile`, { token: org.ownerToken })));
      expect(merged).toMatchObject({ sources: [], required: [], policies: [] });
    });
  });
});
