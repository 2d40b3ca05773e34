import { parity, type ParityRow } from '@skillsync/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityRoutes } from '../identity/index.js';
import { profileRoutes } from '../profiles/index.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { parityRoutes } from './index.js';

const NO_DRIFT = { modified: 0, missing: 0, outdated: 0, conflict: 0 };

function report(device: string, skills: Record<string, string>, drift: Partial<typeof NO_DRIFT> = {}): Record<string, unknown> {
  return {
    device,
    clients: ['claude-code', 'cursor'],
    skills: Object.entries(skills).map(([name, version]) => ({ name, version, integrity: `sha512-${name}${version}` })),
    drift: { ...NO_DRIFT, ...drift },
  };
}

describe.each(SERVER_ENGINES)('parity routes on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [identityRoutes, profileRoutes, parityRoutes] });
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (org: TestOrg, token: string, body: unknown): Promise<Response> => server.call('POST', `/v0.1/orgs/${org.org}/reports`, { token, body });
  const enableReporting = async (org: TestOrg): Promise<void> => {
    expect((await server.call('PATCH', `/v0.1/orgs/${org.org}`, { token: org.ownerToken, body: { reporting: true } })).status).toBe(200);
  };
  const readParity = async (org: TestOrg, token: string, query = ''): Promise<ReturnType<typeof parity.parse>> => {
    const response = await server.call('GET', `/v0.1/orgs/${org.org}/parity${query}`, { token });
    expect(response.status).toBe(200);
    return parity.parse(await response.json());
  };

  describe('reports', () => {
    it('are refused while the org does not collect them', async () => {
      const org = await server.newOrg();
      const member = await org.member('mo', 'member', { scopes: ['report'] });
      const refused = await post(org, member, report('laptop', {}));
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: 'SERVER_FORBIDDEN', message: expect.stringContaining('does not collect') as string } });
    });

    it('hold minimal data only: anything more is refused', async () => {
      const org = await server.newOrg();
      await enableReporting(org);
      const member = await org.member('mo', 'member', { scopes: ['report'] });
      const extra = await post(org, member, { ...report('laptop', {}), files: [{ path: '~/.claude/settings.json', text: '{}' }] });
      expect(extra.status).toBe(400);
      expect(await extra.json()).toMatchObject({ error: { code: 'INVALID_INPUT' } });
      const skillExtra = await post(org, member, { ...report('laptop', {}), skills: [{ name: 'lint', version: '1.0.0', integrity: 'sha512-x', contents: 'secret' }] });
      expect(skillExtra.status).toBe(400);
      expect((await post(org, member, report('laptop', { lint: '1.0.0' }))).status).toBe(204);
    });

    it('need the reportStatus action and the report scope', async () => {
      const org = await server.newOrg();
      await enableReporting(org);
      const auditor = await org.member('ada', 'auditor');
      const readOnly = await org.member('rob', 'member', { scopes: ['read'] });
      for (const token of [auditor, readOnly]) {
        const refused = await post(org, token, report('laptop', {}));
        expect(refused.status).toBe(403);
      }
    });
  });

  describe('parity', () => {
    it('compares every member with their effective profile, a page at a time', async () => {
      const org = await server.newOrg();
      await enableReporting(org);
      const alice = await org.member('alice', 'member', { scopes: ['report'] });
      const bob = await org.member('bob', 'member', { teams: { web: 'member' }, scopes: ['report'] });
      const carol = await org.member('carol', 'publisher', { scopes: ['report'] });
      const dan = await org.member('dan', 'member', { teams: { web: 'member' }, scopes: ['report'] });
      const auditor = await org.member('ada', 'auditor');
      const put = async (scope: string, body: unknown): Promise<void> => {
        expect((await server.call('PUT', `/v0.1/orgs/${org.org}/profiles/${scope}`, { token: org.ownerToken, body })).status).toBe(200);
      };
      await put('org', { required: [{ name: 'lint', version: '>=1.2.0' }] });
      await put('team:web', { required: [{ name: 'deploy', version: '^2.0.0' }], blockedSkills: ['legacy'] });

      await post(org, alice, report('laptop', { lint: '1.0.0' }));
      // The same device again: its report replaces the last one. Legacy is blocked for team web only.
      expect((await post(org, alice, report('laptop', { lint: '1.3.0', legacy: '1.0.0' }))).status).toBe(204);
      await post(org, bob, report('laptop', { lint: '1.3.0' }));
      await post(org, bob, report('desktop', { lint: '1.1.0', deploy: '2.1.0' }));
      await post(org, carol, report('laptop', { lint: '1.2.0' }, { modified: 2 }));
      await post(org, dan, report('laptop', { lint: '1.3.0', deploy: '2.1.0', legacy: '0.9.0' }));

      const rows: ParityRow[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await readParity(org, auditor, `?limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`);
        expect(page.members.length).toBeLessThanOrEqual(2);
        rows.push(...page.members);
        cursor = page.metadata.nextCursor;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(3);

      const byUser = Object.fromEntries(rows.map((row) => [row.user, row]));
      expect(rows.map((row) => row.user)).toEqual(['ada', 'alice', 'bob', 'carol', 'dan', 'olivia']);
      expect(byUser.alice).toMatchObject({ state: 'current', devices: 1, missing: [], behind: [], blocked: [], drift: 0 });
      expect(byUser.alice?.reportedAt).toEqual(expect.any(String));
      expect(byUser.bob).toMatchObject({ state: 'behind', devices: 2, missing: ['deploy'], behind: [{ name: 'lint', version: '1.1.0', required: '>=1.2.0' }] });
      expect(byUser.carol).toMatchObject({ state: 'drifted', drift: 2 });
      expect(byUser.dan).toMatchObject({ state: 'blocked', missing: [], behind: [], blocked: [{ name: 'legacy', version: '0.9.0' }] });
      expect(byUser.ada).toMatchObject({ state: 'unknown', devices: 0 });
      expect(byUser.olivia).toMatchObject({ state: 'unknown' });
    });

    it('is for owners, admins and auditors only', async () => {
      const org = await server.newOrg();
      expect((await readParity(org, org.ownerToken)).members).toHaveLength(1);
      expect((await readParity(org, await org.member('adam', 'admin'))).members).toHaveLength(2);
      for (const role of ['member', 'publisher'] as const) {
        const refused = await server.call('GET', `/v0.1/orgs/${org.org}/parity`, { token: await org.member(`${role}-user`, role) });
        expect(refused.status).toBe(403);
      }
      const teamAdmin = await org.member('tina', 'member', { teams: { web: 'admin' } });
      expect((await server.call('GET', `/v0.1/orgs/${org.org}/parity`, { token: teamAdmin })).status).toBe(403);
      const badCursor = await server.call('GET', `/v0.1/orgs/${org.org}/parity?cursor=nope`, { token: org.ownerToken });
      expect(badCursor.status).toBe(400);
      const since = await server.call('GET', `/v0.1/orgs/${org.org}/parity?updated_since=2026-01-01T00:00:00Z`, { token: org.ownerToken });
      expect(since.status).toBe(400);
    });
  });
});

describe.each(SERVER_ENGINES)('the device limit of reports on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [identityRoutes, parityRoutes], limits: { devicesPerMember: 2 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("refuses a member's device beyond the limit (409), and keeps taking reports of the devices it knows", async () => {
    const org = await server.newOrg();
    expect((await server.call('PATCH', `/v0.1/orgs/${org.org}`, { token: org.ownerToken, body: { reporting: true } })).status).toBe(200);
    const mo = await org.member('mo', 'member', { scopes: ['report'] });
    const post = (token: string, device: string): Promise<Response> => server.call('POST', `/v0.1/orgs/${org.org}/reports`, { token, body: report(device, {}) });
    for (const device of ['laptop', 'desktop']) expect((await post(mo, device)).status).toBe(204);
    const refused = await post(mo, 'third');
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'SERVER_CONFLICT', hint: expect.stringContaining('device name') as string } });
    expect((await post(mo, 'laptop')).status).toBe(204);
    expect((await post(org.ownerToken, 'third')).status).toBe(204);
  });
});
