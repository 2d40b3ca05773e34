import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';

/**
 * Found by test/server/api-fuzz.test.ts: a refused request with a NUL in its path (%00) or
 * in a body field the record names (a report's device) was recorded with the NUL, which
 * PostgreSQL cannot store; the log kept retrying that batch, so no record after it was
 * written and every audit read failed (500).
 */
describe.each(SERVER_ENGINES)('an audited request carrying a NUL character on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine);
  });
  afterAll(async () => {
    await server.close();
  });

  it('is recorded with the NUL as %00, and the records after it are too', async () => {
    const org = await server.newOrg();
    const base = `/v0.1/orgs/${org.org}`;
    expect((await server.call('PATCH', base, { token: org.ownerToken, body: { reporting: true } })).status).toBe(200);
    expect((await server.call('PATCH', `${base}/members/%00`, { body: { role: 'member' } })).status).toBe(401);
    expect((await server.call('DELETE', `${base}/teams/a%00b`, { token: org.ownerToken })).status).toBe(400);
    expect((await server.call('POST', `${base}/reports`, { token: org.ownerToken, body: { device: 'pc\u0000', clients: [], skills: [], drift: {} } })).status).toBe(400);
    expect((await server.call('POST', `${base}/teams`, { token: org.ownerToken, body: { team: 'after' } })).status).toBe(201);
    await server.context.audit.flush();
    const response = await server.call('GET', `${base}/audit`, { token: org.ownerToken });
    expect(response.status).toBe(200);
    const { records } = (await response.json()) as { records: { target?: string }[] };
    expect(records.map((record) => record.target)).toEqual([`org:${org.org}`, 'member:%00', 'team:a%00b', 'device:pc%00', 'team:after']);
  });
});
