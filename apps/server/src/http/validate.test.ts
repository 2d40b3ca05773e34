import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { holdsNul } from './validate.js';

describe('holdsNul', () => {
  it('finds U+0000 in any string or key, at any depth, without recursing', () => {
    expect(holdsNul('a\u0000b')).toBe(true);
    expect(holdsNul({ a: [{ b: 'x' }, { c: ['\u0000'] }] })).toBe(true);
    expect(holdsNul({ 'k\u0000': 1 })).toBe(true);
    expect(holdsNul({ a: ['\\u0000', 'é', null, 1, true] })).toBe(false);
    let deep: unknown = 'x\u0000';
    for (let depth = 0; depth < 100_000; depth += 1) deep = [deep];
    expect(holdsNul(deep)).toBe(true);
  });
});

/** Found by test/server/api-fuzz.test.ts: PostgreSQL refuses NUL in text, so these were 500s there and stored on SQLite. */
describe.each(SERVER_ENGINES)('text with a NUL character on %s', (engine) => {
  let server: TestServer;
  let org: TestOrg;
  beforeAll(async () => {
    server = await openTestServer(engine);
    org = await server.newOrg();
  });
  afterAll(async () => {
    await server.close();
  });

  const codeOf = async (response: Response): Promise<unknown> => [response.status, ((await response.json()) as { error: { code: string } }).error.code];

  it('is refused in a body and in a query with 400 INVALID_INPUT, and nothing is written', async () => {
    const base = `/v0.1/orgs/${org.org}`;
    expect(await codeOf(await server.call('POST', `${base}/teams`, { token: org.ownerToken, body: { team: 'nul', description: 'a\u0000b' } }))).toEqual([400, 'INVALID_INPUT']);
    expect(await codeOf(await server.call('POST', `${base}/tokens`, { token: org.ownerToken, body: { name: '\u0000', scopes: ['read'] } }))).toEqual([400, 'INVALID_INPUT']);
    expect(await codeOf(await server.call('GET', `${base}/skills?search=%00`, { token: org.ownerToken }))).toEqual([400, 'INVALID_INPUT']);
    expect(await server.context.db.selectFrom('teams').select('team').where('org', '=', org.org).execute()).toEqual([]);
  });
});
