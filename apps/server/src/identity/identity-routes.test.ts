import { createHash } from 'node:crypto';
import { generateSigningKeyPair } from '@skillsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { identityRoutes } from './index.js';

const json = async (response: Response): Promise<Record<string, unknown>> => (await response.json()) as Record<string, unknown>;

describe.each(SERVER_ENGINES)('the token limit on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [identityRoutes], limits: { tokensPerMember: 3 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("caps a member's active tokens, whoever creates them, and counts neither revoked nor expired ones", async () => {
    const org = await server.newOrg();
    const member = await org.member('max', 'member');
    const tokensUrl = `/v0.1/orgs/${org.org}/tokens`;
    const create = (token: string, body: Record<string, unknown> = {}): Promise<Response> => server.call('POST', tokensUrl, { token, body: { name: 'more', scopes: ['read'], ...body } });
    for (let i = 0; i < 2; i += 1) expect((await create(member)).status).toBe(201);
    const refused = await create(member);
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({ code: 'SERVER_CONFLICT', hint: expect.stringContaining('Revoke') as string });
    expect((await create(org.ownerToken, { user: 'max' })).status).toBe(409);
    expect((await create(org.ownerToken)).status).toBe(201);

    const memberTokenId = ((await json(await server.call('GET', '/v0.1/whoami', { token: member }))).token as { id: string }).id;
    const [revoke, expire] = await server.context.db.selectFrom('tokens').select('id').where('org', '=', org.org).where('user', '=', 'max').where('id', '!=', memberTokenId).execute();
    expect((await server.call('DELETE', `${tokensUrl}/${revoke?.id ?? ''}`, { token: member })).status).toBe(204);
    expect((await create(member)).status).toBe(201);
    await server.context.db.updateTable('tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('id', '=', expire?.id ?? '').execute();
    expect((await create(org.ownerToken, { user: 'max' })).status).toBe(201);
    expect((await create(org.ownerToken, { user: 'max' })).status).toBe(409);
  });
});

describe.each(SERVER_ENGINES)('identity routes on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  const base = (org: TestOrg): string => `/v0.1/orgs/${org.org}`;

  describe('the role matrix', () => {
    const managers = new Set(['owner', 'admin']);
    it.each(['owner', 'admin', 'publisher', 'member', 'auditor'] as const)('role %s: what the roles table gives, and nothing more', async (role) => {
      const org = await server.newOrg('boss');
      const token = role === 'owner' ? org.ownerToken : await org.member('me', role);
      await org.member('target', 'member', { teams: { web: 'member' } });
      await org.member('leaver', 'member');
      await server.call('POST', `${base(org)}/teams`, { token: org.ownerToken, body: { team: 'doomed' } });

      const manage = managers.has(role);
      const cases: [string, string, unknown, number][] = [
        ['GET', '/v0.1/whoami', undefined, 200],
        ['GET', base(org), undefined, 200],
        ['PATCH', base(org), { reporting: true }, role === 'owner' ? 200 : 403],
        ['GET', `${base(org)}/members`, undefined, 200],
        ['POST', `${base(org)}/members`, { user: 'newcomer', role: 'member' }, manage ? 201 : 403],
        ['PATCH', `${base(org)}/members/target`, { role: 'publisher' }, manage ? 200 : 403],
        ['DELETE', `${base(org)}/members/leaver`, undefined, manage ? 204 : 403],
        ['GET', `${base(org)}/teams`, undefined, 200],
        ['POST', `${base(org)}/teams`, { team: 'fresh' }, manage ? 201 : 403],
        ['DELETE', `${base(org)}/teams/doomed`, undefined, manage ? 204 : 403],
        ['GET', `${base(org)}/teams/web/members`, undefined, 200],
        ['PUT', `${base(org)}/teams/web/members/target`, { role: 'publisher' }, manage ? 200 : 403],
        ['DELETE', `${base(org)}/teams/web/members/target`, undefined, manage ? 204 : 403],
        ['POST', `${base(org)}/tokens`, { name: 'mine', scopes: ['read'] }, 201],
        ['GET', `${base(org)}/tokens`, undefined, 200],
        ['POST', `${base(org)}/tokens`, { name: 'theirs', user: 'target', scopes: ['read'] }, manage ? 201 : 403],
      ];
      const outcomes = [];
      for (const [method, url, body] of cases) outcomes.push(`${method} ${url} → ${(await server.call(method, url, { token, body })).status}`);
      expect(outcomes).toEqual(cases.map(([method, url, , status]) => `${method} ${url} → ${status}`));
    });
  });

  describe('whoami', () => {
    it('says who the token speaks for, with its teams and token, never the token itself', async () => {
      const org = await server.newOrg();
      const token = await org.member('tom', 'member', { teams: { web: 'publisher', api: 'admin' }, scopes: ['read', 'report'] });
      const response = await server.call('GET', '/v0.1/whoami', { token });
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body).toMatchObject({ user: 'tom', org: org.org, role: 'member', teams: [{ team: 'api', role: 'admin' }, { team: 'web', role: 'publisher' }] });
      expect(body.token).toMatchObject({ name: 'tom (test)', scopes: ['read', 'report'] });
      expect(JSON.stringify(body)).not.toContain(token);
    });
  });

  describe('org settings', () => {
    it('shows the default settings to every member', async () => {
      const org = await server.newOrg();
      const auditor = await org.member('ada', 'auditor', { scopes: ['read'] });
      const response = await server.call('GET', base(org), { token: auditor });
      expect(response.status).toBe(200);
      expect(await json(response)).toEqual({ org: org.org, settings: { requireSignatures: false, reporting: false, trustedKeys: [] } });
    });

    it('lets owners change them, with every trusted key checked', async () => {
      const org = await server.newOrg();
      const { publicKey } = generateSigningKeyPair();
      const changed = await server.call('PATCH', base(org), { token: org.ownerToken, body: { requireSignatures: true, trustedKeys: [{ name: 'ci', publicKey }] } });
      expect(changed.status).toBe(200);
      expect(await json(changed)).toEqual({ org: org.org, settings: { requireSignatures: true, reporting: false, trustedKeys: [{ name: 'ci', publicKey }] } });

      const bad = await server.call('PATCH', base(org), { token: org.ownerToken, body: { trustedKeys: [{ publicKey }, { name: 'typo', publicKey: 'ed25519:AAAA' }] } });
      expect(bad.status).toBe(400);
      expect((await json(bad)).error).toMatchObject({ code: 'KEY_INVALID', message: expect.stringContaining('trustedKeys.1 (typo)') as string });
      const after = await json(await server.call('GET', base(org), { token: org.ownerToken }));
      expect(after.settings).toMatchObject({ trustedKeys: [{ name: 'ci', publicKey }] });
    });

    it.each(['admin', 'publisher', 'member', 'auditor'] as const)('refuses a %s', async (role) => {
      const org = await server.newOrg();
      const token = await org.member('rita', role);
      const response = await server.call('PATCH', base(org), { token, body: { reporting: true } });
      expect(response.status).toBe(403);
      expect((await json(response)).error).toMatchObject({ code: 'SERVER_FORBIDDEN' });
    });

    it('refuses unknown fields and says where, without echoing values', async () => {
      const org = await server.newOrg();
      const response = await server.call('PATCH', base(org), { token: org.ownerToken, body: { reporting: 'sk-live-1234567890abcdef' } });
      expect(response.status).toBe(400);
      const body = await json(response);
      expect(body.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('body.reporting') as string });
      expect(JSON.stringify(body)).not.toContain('sk-live');
    });

    it("answers another org's path with 404, whatever the role", async () => {
      const mine = await server.newOrg();
      const theirs = await server.newOrg();
      for (const [method, body] of [['GET', undefined], ['PATCH', { reporting: true }]] as const) {
        const response = await server.call(method, base(theirs), { token: mine.ownerToken, body });
        expect(response.status).toBe(404);
        expect((await json(response)).error).toMatchObject({ code: 'SERVER_NOT_FOUND' });
      }
    });
  });

  describe('members', () => {
    it('lists members page by page', async () => {
      const org = await server.newOrg('owen');
      for (const user of ['bea', 'cal', 'dan']) await org.member(user, 'member');
      const seen: unknown[] = [];
      let cursor: string | undefined;
      do {
        const response = await server.call('GET', `${base(org)}/members?limit=2${cursor === undefined ? '' : `&cursor=${cursor}`}`, { token: org.ownerToken });
        expect(response.status).toBe(200);
        const page = (await response.json()) as { members: unknown[]; metadata: { count: number; nextCursor?: string } };
        expect(page.metadata.count).toBe(page.members.length);
        seen.push(...page.members);
        cursor = page.metadata.nextCursor;
      } while (cursor !== undefined);
      expect(seen).toEqual([
        { user: 'bea', role: 'member' },
        { user: 'cal', role: 'member' },
        { user: 'dan', role: 'member' },
        { user: 'owen', role: 'owner' },
      ]);
      const bad = await server.call('GET', `${base(org)}/members?cursor=not-ours`, { token: org.ownerToken });
      expect(bad.status).toBe(400);
    });

    it('lets owners and admins add members (a new user is created), and nobody else', async () => {
      const org = await server.newOrg();
      const admin = await org.member('ann', 'admin');
      const added = await server.call('POST', `${base(org)}/members`, { token: admin, body: { user: 'newbie', role: 'publisher' } });
      expect(added.status).toBe(201);
      expect(await json(added)).toEqual({ user: 'newbie', role: 'publisher' });
      expect(await server.context.db.selectFrom('users').select('user').where('user', '=', 'newbie').executeTakeFirst()).toEqual({ user: 'newbie' });

      const again = await server.call('POST', `${base(org)}/members`, { token: org.ownerToken, body: { user: 'newbie', role: 'member' } });
      expect(again.status).toBe(409);
      expect((await json(again)).error).toMatchObject({ code: 'SERVER_CONFLICT' });

      for (const role of ['publisher', 'member', 'auditor'] as const) {
        const token = await org.member(`x-${role}`, role);
        const refused = await server.call('POST', `${base(org)}/members`, { token, body: { user: `y-${role}`, role: 'member' } });
        expect(refused.status, role).toBe(403);
      }
    });

    it('keeps the owner role to owners: granting, changing and removing', async () => {
      const org = await server.newOrg('olga');
      const admin = await org.member('ann', 'admin');
      expect((await server.call('POST', `${base(org)}/members`, { token: admin, body: { user: 'pat', role: 'owner' } })).status).toBe(403);
      expect((await server.call('PATCH', `${base(org)}/members/ann`, { token: admin, body: { role: 'owner' } })).status).toBe(403);
      expect((await server.call('PATCH', `${base(org)}/members/olga`, { token: admin, body: { role: 'member' } })).status).toBe(403);
      expect((await server.call('DELETE', `${base(org)}/members/olga`, { token: admin })).status).toBe(403);

      expect((await server.call('POST', `${base(org)}/members`, { token: org.ownerToken, body: { user: 'pat', role: 'owner' } })).status).toBe(201);
      const demoted = await server.call('PATCH', `${base(org)}/members/pat`, { token: org.ownerToken, body: { role: 'admin' } });
      expect(demoted.status).toBe(200);
      expect(await json(demoted)).toEqual({ user: 'pat', role: 'admin' });
      expect((await server.call('PATCH', `${base(org)}/members/ann`, { token: admin, body: { role: 'publisher' } })).status).toBe(200);
    });

    it('never leaves an org without an owner', async () => {
      const org = await server.newOrg('solo');
      const demote = await server.call('PATCH', `${base(org)}/members/solo`, { token: org.ownerToken, body: { role: 'admin' } });
      expect(demote.status).toBe(409);
      expect((await json(demote)).error).toMatchObject({ code: 'SERVER_CONFLICT', message: expect.stringContaining('last owner') as string });
      expect((await server.call('DELETE', `${base(org)}/members/solo`, { token: org.ownerToken })).status).toBe(409);

      const second = await org.member('duo', 'owner');
      expect((await server.call('DELETE', `${base(org)}/members/solo`, { token: second })).status).toBe(204);
      expect((await server.call('DELETE', `${base(org)}/members/duo`, { token: second })).status).toBe(409);
    });

    it('removes a member with their tokens and team seats', async () => {
      const org = await server.newOrg();
      const token = await org.member('gone', 'publisher', { teams: { web: 'publisher' } });
      expect((await server.call('GET', '/v0.1/whoami', { token })).status).toBe(200);
      expect((await server.call('DELETE', `${base(org)}/members/gone`, { token: org.ownerToken })).status).toBe(204);
      expect((await server.call('GET', '/v0.1/whoami', { token })).status).toBe(401);
      const seats = await server.context.db.selectFrom('team_members').select('user').where('org', '=', org.org).execute();
      expect(seats).toEqual([]);
      expect((await server.call('DELETE', `${base(org)}/members/gone`, { token: org.ownerToken })).status).toBe(404);
      expect((await server.call('PATCH', `${base(org)}/members/nobody`, { token: org.ownerToken, body: { role: 'member' } })).status).toBe(404);
    });
  });

  describe('teams', () => {
    it('lets owners and admins create and delete teams, and nobody else', async () => {
      const org = await server.newOrg();
      const admin = await org.member('ann', 'admin');
      const created = await server.call('POST', `${base(org)}/teams`, { token: admin, body: { team: 'web', description: 'The web team' } });
      expect(created.status).toBe(201);
      expect(await json(created)).toEqual({ team: 'web', description: 'The web team' });
      expect((await server.call('POST', `${base(org)}/teams`, { token: org.ownerToken, body: { team: 'web' } })).status).toBe(409);
      expect((await server.call('POST', `${base(org)}/teams`, { token: org.ownerToken, body: { team: 'api' } })).status).toBe(201);

      const member = await org.member('mo', 'member', { teams: { web: 'admin' } });
      const list = await server.call('GET', `${base(org)}/teams`, { token: member });
      expect(await json(list)).toEqual({ teams: [{ team: 'api' }, { team: 'web', description: 'The web team' }], metadata: { count: 2 } });

      for (const role of ['publisher', 'member', 'auditor'] as const) {
        const token = await org.member(`t-${role}`, role);
        expect((await server.call('POST', `${base(org)}/teams`, { token, body: { team: `t-${role}` } })).status, role).toBe(403);
        expect((await server.call('DELETE', `${base(org)}/teams/api`, { token })).status, role).toBe(403);
      }
      // A team admin runs the team's members, not the team itself.
      expect((await server.call('DELETE', `${base(org)}/teams/web`, { token: member })).status).toBe(403);
      expect((await server.call('DELETE', `${base(org)}/teams/web`, { token: admin })).status).toBe(204);
      expect((await server.call('DELETE', `${base(org)}/teams/web`, { token: admin })).status).toBe(404);
    });

    it('refuses to delete a team that still owns skills, and deletes its profile with it', async () => {
      const org = await server.newOrg();
      await server.call('POST', `${base(org)}/teams`, { token: org.ownerToken, body: { team: 'web' } });
      const now = new Date().toISOString();
      const { db } = server.context;
      await db.insertInto('skills').values({ org: org.org, name: 'web-only', description: 'x', visibility: 'team:web', created_at: now, updated_at: now }).execute();
      await db.insertInto('profiles').values({ org: org.org, scope: 'team:web', revision: 1, profile: '{}', updated_at: now, updated_by: 'owner' }).execute();
      const refused = await server.call('DELETE', `${base(org)}/teams/web`, { token: org.ownerToken });
      expect(refused.status).toBe(409);
      expect((await json(refused)).error).toMatchObject({ code: 'SERVER_CONFLICT', message: expect.stringContaining('web-only') as string });
      expect(await db.selectFrom('teams').select('team').where('org', '=', org.org).execute()).toEqual([{ team: 'web' }]);

      await db.deleteFrom('skills').where('org', '=', org.org).execute();
      expect((await server.call('DELETE', `${base(org)}/teams/web`, { token: org.ownerToken })).status).toBe(204);
      expect(await db.selectFrom('profiles').select('scope').where('org', '=', org.org).execute()).toEqual([]);
    });

    it('lets a team admin manage their team members, and not another team', async () => {
      const org = await server.newOrg();
      const lead = await org.member('lead', 'member', { teams: { web: 'admin' } });
      await org.member('dev', 'member');
      await org.member('ops', 'member', { teams: { api: 'member' } });

      const seated = await server.call('PUT', `${base(org)}/teams/web/members/dev`, { token: lead, body: { role: 'publisher' } });
      expect(seated.status).toBe(200);
      expect(await json(seated)).toEqual({ user: 'dev', role: 'publisher' });
      const listed = await json(await server.call('GET', `${base(org)}/teams/web/members`, { token: lead }));
      expect(listed).toEqual({ members: [{ user: 'dev', role: 'publisher' }, { user: 'lead', role: 'admin' }], metadata: { count: 2 } });

      expect((await server.call('PUT', `${base(org)}/teams/api/members/dev`, { token: lead, body: { role: 'member' } })).status).toBe(403);
      expect((await server.call('DELETE', `${base(org)}/teams/api/members/ops`, { token: lead })).status).toBe(403);
      // A team owner seat is the org owners' to give.
      expect((await server.call('PUT', `${base(org)}/teams/web/members/dev`, { token: lead, body: { role: 'owner' } })).status).toBe(403);

      expect((await server.call('DELETE', `${base(org)}/teams/web/members/dev`, { token: lead })).status).toBe(204);
      expect((await server.call('DELETE', `${base(org)}/teams/web/members/dev`, { token: lead })).status).toBe(404);

      const dev = await org.member('dev2', 'publisher');
      expect((await server.call('PUT', `${base(org)}/teams/web/members/dev`, { token: dev, body: { role: 'member' } })).status).toBe(403);
    });

    it('seats only org members, in teams that exist', async () => {
      const org = await server.newOrg();
      await server.call('POST', `${base(org)}/teams`, { token: org.ownerToken, body: { team: 'web' } });
      const stranger = await server.call('PUT', `${base(org)}/teams/web/members/stranger`, { token: org.ownerToken, body: { role: 'member' } });
      expect(stranger.status).toBe(404);
      await org.member('kim', 'member');
      expect((await server.call('PUT', `${base(org)}/teams/nope/members/kim`, { token: org.ownerToken, body: { role: 'member' } })).status).toBe(404);
      expect((await server.call('GET', `${base(org)}/teams/nope/members`, { token: org.ownerToken })).status).toBe(404);
      expect((await server.call('PUT', `${base(org)}/teams/web/members/kim`, { token: org.ownerToken, body: { role: 'chief' } })).status).toBe(400);
    });
  });

  describe('tokens', () => {
    it('lets anyone create their own token, shown once, stored only as its hash', async () => {
      const org = await server.newOrg();
      const member = await org.member('mia', 'member');
      const created = await server.call('POST', `${base(org)}/tokens`, { token: member, body: { name: 'laptop', scopes: ['read'], expiresInDays: 7 } });
      expect(created.status).toBe(201);
      const body = (await created.json()) as { token: string; id: string; user: string; scopes: string[]; expiresAt: string; createdAt: string };
      expect(body).toMatchObject({ name: 'laptop', user: 'mia', scopes: ['read'] });
      expect(body.token).toMatch(/^ssk_[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBe(7 * 24 * 3600 * 1000);

      const row = await server.context.db.selectFrom('tokens').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
      expect(row.hash).toBe(createHash('sha256').update(body.token).digest('hex'));
      expect(JSON.stringify(row)).not.toContain(body.token.slice(4));

      const whoami = await json(await server.call('GET', '/v0.1/whoami', { token: body.token }));
      expect(whoami).toMatchObject({ user: 'mia', token: { id: body.id, scopes: ['read'] } });
    });

    it('never mints a token stronger than the one asking', async () => {
      const org = await server.newOrg();
      const readOnly = await org.member('rob', 'admin', { scopes: ['read'] });
      const refused = await server.call('POST', `${base(org)}/tokens`, { token: readOnly, body: { name: 'more', scopes: ['admin'] } });
      expect(refused.status).toBe(403);
      expect((await server.call('POST', `${base(org)}/tokens`, { token: readOnly, body: { name: 'same', scopes: ['read'] } })).status).toBe(201);
    });

    it("keeps others' tokens to admins, and an owner's to owners", async () => {
      const org = await server.newOrg('own');
      const admin = await org.member('ann', 'admin');
      const member = await org.member('mel', 'member');
      await org.member('pub', 'publisher');

      expect((await server.call('POST', `${base(org)}/tokens`, { token: member, body: { name: 'x', user: 'pub', scopes: ['read'] } })).status).toBe(403);
      const forPub = await server.call('POST', `${base(org)}/tokens`, { token: admin, body: { name: 'ci', user: 'pub', scopes: ['publish'] } });
      expect(forPub.status).toBe(201);
      expect(await json(forPub)).toMatchObject({ user: 'pub', scopes: ['publish'] });
      expect((await server.call('POST', `${base(org)}/tokens`, { token: admin, body: { name: 'x', user: 'own', scopes: ['read'] } })).status).toBe(403);
      expect((await server.call('POST', `${base(org)}/tokens`, { token: admin, body: { name: 'x', user: 'ghost', scopes: ['read'] } })).status).toBe(404);
      expect((await server.call('POST', `${base(org)}/tokens`, { token: org.ownerToken, body: { name: 'x', user: 'ann', scopes: ['read'] } })).status).toBe(201);
    });

    it('lists own tokens (all with manageTokens), never a token or hash', async () => {
      const org = await server.newOrg('own');
      const member = await org.member('mel', 'member');
      await org.member('ann', 'admin');
      const mine = (await (await server.call('GET', `${base(org)}/tokens`, { token: member })).json()) as { tokens: { user: string }[] };
      expect(mine.tokens.map((token) => token.user)).toEqual(['mel']);
      const response = await server.call('GET', `${base(org)}/tokens?limit=100`, { token: org.ownerToken });
      const all = (await response.json()) as { tokens: Record<string, unknown>[] };
      expect(all.tokens.map((token) => token.user).sort()).toEqual(['ann', 'mel', 'own']);
      for (const token of all.tokens) {
        expect(Object.keys(token).sort()).toEqual(expect.arrayContaining(['createdAt', 'expiresAt', 'id', 'name', 'scopes', 'user']));
        expect(token).not.toHaveProperty('token');
        expect(token).not.toHaveProperty('hash');
      }
      const hashes = await server.context.db.selectFrom('tokens').select('hash').where('org', '=', org.org).execute();
      const text = JSON.stringify(all);
      for (const { hash } of hashes) expect(text).not.toContain(hash);
      expect(text).not.toContain(org.ownerToken);
    });

    it('revokes: own tokens always, others only with manageTokens (else not found)', async () => {
      const org = await server.newOrg();
      const member = await org.member('mel', 'member');
      const other = await org.member('max', 'member');
      const ids = async (token: string): Promise<string> => ((await json(await server.call('GET', '/v0.1/whoami', { token }))).token as { id: string }).id;
      const otherId = await ids(other);

      expect((await server.call('DELETE', `${base(org)}/tokens/${otherId}`, { token: member })).status).toBe(404);
      expect((await server.call('DELETE', `${base(org)}/tokens/${await ids(member)}`, { token: member })).status).toBe(204);
      expect((await server.call('GET', '/v0.1/whoami', { token: member })).status).toBe(401);
      expect((await server.call('DELETE', `${base(org)}/tokens/${otherId}`, { token: org.ownerToken })).status).toBe(204);
      expect((await server.call('DELETE', `${base(org)}/tokens/${otherId}`, { token: org.ownerToken })).status).toBe(404);
      const listed = (await (await server.call('GET', `${base(org)}/tokens`, { token: org.ownerToken })).json()) as { tokens: { id: string }[] };
      expect(listed.tokens.map((token) => token.id)).not.toContain(otherId);
    });
  });

  describe("an owner's tokens", () => {
    it('are neither listed to nor revocable by an admin, only by owners', async () => {
      const org = await server.newOrg('own');
      const admin = await org.member('ann', 'admin');
      await org.member('mel', 'member');
      const coOwner = await org.member('duo', 'owner');
      const ownerTokenId = ((await json(await server.call('GET', '/v0.1/whoami', { token: org.ownerToken }))).token as { id: string }).id;
      const users = async (token: string): Promise<string[]> =>
        ((await json(await server.call('GET', `${base(org)}/tokens?limit=100`, { token }))).tokens as { user: string }[]).map((token) => token.user).sort();

      expect(await users(admin)).toEqual(['ann', 'mel']);
      expect(await users(coOwner)).toEqual(['ann', 'duo', 'mel', 'own']);
      const refused = await server.call('DELETE', `${base(org)}/tokens/${ownerTokenId}`, { token: admin });
      expect(refused.status).toBe(404);
      expect((await server.call('GET', '/v0.1/whoami', { token: org.ownerToken })).status).toBe(200);
      expect((await server.call('DELETE', `${base(org)}/tokens/${ownerTokenId}`, { token: coOwner })).status).toBe(204);
      expect((await server.call('GET', '/v0.1/whoami', { token: org.ownerToken })).status).toBe(401);
    });
  });

  describe('lists without an update time', () => {
    it('refuse updated_since rather than ignore it', async () => {
      const org = await server.newOrg();
      await org.member('tia', 'member', { teams: { web: 'member' } });
      for (const list of ['members', 'teams', 'teams/web/members', 'tokens']) {
        const response = await server.call('GET', `${base(org)}/${list}?updated_since=2026-01-01T00:00:00Z`, { token: org.ownerToken });
        expect(response.status, list).toBe(400);
        expect((await json(response)).error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('updated_since') as string });
        expect((await server.call('GET', `${base(org)}/${list}?limit=5`, { token: org.ownerToken })).status, list).toBe(200);
      }
    });
  });

  describe('authentication', () => {
    it('answers every bad token with the same 401', async () => {
      const org = await server.newOrg();
      const expired = await org.member('exp', 'member', { expiresInDays: 1 });
      const revoked = await org.member('rev', 'member');
      await server.context.db.updateTable('tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('user', '=', 'exp').where('org', '=', org.org).execute();
      await server.context.db.updateTable('tokens').set({ revoked_at: new Date().toISOString() }).where('user', '=', 'rev').where('org', '=', org.org).execute();
      const unknown = `ssk_${'A'.repeat(43)}`;

      const bodies = new Set<string>();
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer garbage' }, { authorization: `Bearer ${unknown}` }, { authorization: `Bearer ${expired}` }, { authorization: `Bearer ${revoked}` }, { authorization: `Basic ${org.ownerToken}` }];
      for (const headers of attempts) {
        const response = await server.call('GET', '/v0.1/whoami', { headers });
        expect(response.status).toBe(401);
        bodies.add(await response.text());
      }
      expect(bodies.size).toBe(1);
      expect(JSON.parse([...bodies][0] ?? '')).toEqual({ error: { code: 'SERVER_UNAUTHENTICATED', message: 'Missing or invalid token.', hint: expect.any(String) as string } });
    });

    it('records when a token was last used', async () => {
      const org = await server.newOrg();
      const token = await org.member('use', 'member');
      await server.call('GET', '/v0.1/whoami', { token });
      const row = await server.context.db.selectFrom('tokens').select('last_used_at').where('user', '=', 'use').where('org', '=', org.org).executeTakeFirstOrThrow();
      expect(row.last_used_at).not.toBeNull();
    });
  });
});
