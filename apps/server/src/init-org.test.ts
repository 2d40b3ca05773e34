import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initOrg, issueOwnerToken } from './init-org.js';
import { openTestServer, SERVER_ENGINES, type TestServer } from './test-support/test-server.js';

describe.each(SERVER_ENGINES)('initOrg on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  it('creates the org, its owner and an admin token that works once returned', async () => {
    const org = `init-${engine}`;
    const now = server.context.now();
    const result = await initOrg(server.context, { org, owner: 'alice' });
    expect(result).toMatchObject({ org, owner: 'alice', token: { user: 'alice', scopes: ['admin'] } });
    expect(Date.parse(result.token.expiresAt) - now.getTime()).toBeGreaterThanOrEqual(90 * 24 * 3600 * 1000 - 1000);
    const settings = await server.call('GET', `/v0.1/orgs/${org}`, { token: result.token.token });
    expect(await settings.json()).toEqual({ org, settings: { requireSignatures: false, reporting: false, trustedKeys: [] } });
    const members = await server.call('GET', `/v0.1/orgs/${org}/members`, { token: result.token.token });
    expect(await members.json()).toEqual({ members: [{ user: 'alice', role: 'owner' }], metadata: { count: 1 } });
  });

  it('refuses an org that exists, and leaves it as it was', async () => {
    const org = `dup-${engine}`;
    await initOrg(server.context, { org, owner: 'alice' });
    await expect(initOrg(server.context, { org, owner: 'mallory' })).rejects.toMatchObject({ code: 'SERVER_CONFLICT' });
    const owners = await server.context.db.selectFrom('org_members').select('user').where('org', '=', org).execute();
    expect(owners).toEqual([{ user: 'alice' }]);
    expect(await server.context.db.selectFrom('users').select('user').where('user', '=', 'mallory').execute()).toEqual([]);
  });

  it('refuses names that are not slugs', async () => {
    await expect(initOrg(server.context, { org: 'Acme Corp', owner: 'alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(initOrg(server.context, { org: 'acme2', owner: '../root' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('issues a new owner token offline, for an owner only, leaving the other tokens as they are', async () => {
    const org = `recover-${engine}`;
    const created = await initOrg(server.context, { org, owner: 'alice' });
    await server.context.db.insertInto('users').values({ user: 'adam', created_at: new Date().toISOString() }).execute();
    await server.context.db.insertInto('org_members').values({ org, user: 'adam', role: 'admin', created_at: new Date().toISOString() }).execute();

    const issued = await issueOwnerToken(server.context, { org, user: 'alice' });
    expect(issued).toMatchObject({ user: 'alice', scopes: ['admin'] });
    expect(await (await server.call('GET', '/v0.1/whoami', { token: issued.token })).json()).toMatchObject({ user: 'alice', org, role: 'owner' });
    expect((await server.call('GET', '/v0.1/whoami', { token: created.token.token })).status).toBe(200);

    await expect(issueOwnerToken(server.context, { org, user: 'adam' })).rejects.toMatchObject({ code: 'SERVER_FORBIDDEN' });
    await expect(issueOwnerToken(server.context, { org, user: 'nobody' })).rejects.toMatchObject({ code: 'SERVER_NOT_FOUND' });
    await expect(issueOwnerToken(server.context, { org: 'no-such-org', user: 'alice' })).rejects.toMatchObject({ code: 'SERVER_NOT_FOUND' });
    await expect(issueOwnerToken(server.context, { org, user: 'Alice' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await server.context.db.selectFrom('tokens').select('user').where('org', '=', org).execute()).toHaveLength(2);
  });
});
