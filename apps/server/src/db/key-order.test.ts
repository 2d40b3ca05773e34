import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertApiToken } from '../identity/api-tokens.js';
import { identityRoutes } from '../identity/index.js';
import { catalogueRoutes } from '../registry/index.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';

/** Byte order, as SQLite compares text (these are all ASCII): `-` < `.` < digits < capitals < `_` < lowercase. */
const byteOrder = (values: readonly string[]): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/**
 * Lists page by page in byte order on both engines. On PostgreSQL the server runs in a
 * database whose default collation is ICU English, which orders text as en_US does
 * (`Zeta` after `alpha`, `a_b` before `a-b`): the key columns are collated "C" so that
 * the database's collation does not matter.
 */
describe.each(SERVER_ENGINES)('the order of keys on %s', (engine) => {
  let helper: TestServer | undefined;
  let database: string | undefined;
  let server: TestServer;

  beforeAll(async () => {
    if (engine === 'postgres') {
      helper = await openTestServer('postgres', { modules: [] });
      database = `sstest_english_${process.pid}_${Date.now()}`;
      await sql`create database ${sql.id(database)} template template0 locale_provider icu icu_locale 'en' locale 'C.UTF-8'`.execute(helper.context.db);
    }
    server = await openTestServer(engine, { modules: [identityRoutes, catalogueRoutes], ...(database === undefined ? {} : { postgresUrl: `postgres://postgres@127.0.0.1:5432/${database}` }) });
  });
  afterAll(async () => {
    await server.close();
    if (helper !== undefined && database !== undefined) await sql`drop database if exists ${sql.id(database)}`.execute(helper.context.db);
    await helper?.close();
  });

  /** Every item of a list, three at a time, by `field`. */
  async function listAll(org: TestOrg, list: string, items: string, field: (item: Record<string, unknown>) => unknown): Promise<unknown[]> {
    const seen: unknown[] = [];
    let cursor: string | undefined;
    do {
      const response = await server.call('GET', `/v0.1/orgs/${org.org}/${list}?limit=3${cursor === undefined ? '' : `&cursor=${cursor}`}`, { token: org.ownerToken });
      expect(response.status).toBe(200);
      const page = (await response.json()) as Record<string, Record<string, unknown>[]> & { metadata: { nextCursor?: string } };
      seen.push(...(page[items] ?? []).map(field));
      cursor = page.metadata.nextCursor;
    } while (cursor !== undefined);
    return seen;
  }

  it('lists names with -, _, digits and capitals in byte order, page by page', async () => {
    const org = await server.newOrg('owner');
    const servers = ['a_b', 'a-b', 'a.b', 'a1', 'A2', 'aB', 'ab', 'Zeta', 'alpha', 'zulu'].map((name) => `io.example/${name}`);
    for (const name of servers) {
      expect((await server.call('PUT', `/v0.1/orgs/${org.org}/servers`, { token: org.ownerToken, body: { name, version: '1.0.0', description: name } })).status).toBe(201);
    }
    expect(await listAll(org, 'servers', 'servers', (item) => (item.server as { name: string }).name)).toEqual(byteOrder(servers));

    const users = ['a-b', 'a1', 'ab', 'a-1', 'b0', 'a'];
    for (const user of users) await org.member(user, 'member');
    expect(await listAll(org, 'members', 'members', (item) => item.user)).toEqual(byteOrder([...users, 'owner']));

    // Token ids are base64url: capitals, lowercase, digits, - and _.
    for (let index = 0; index < 12; index += 1) await insertApiToken(server.context.db, { org: org.org, user: 'owner', name: `t${index}`, scopes: ['read'], expiresInDays: 1, now: new Date() });
    const ids = await listAll(org, 'tokens', 'tokens', (item) => item.id);
    expect(ids).toEqual(byteOrder(ids as string[]));
    expect(ids).toHaveLength(19);
  });
});
