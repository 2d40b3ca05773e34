import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ServerJson } from '@skillsync/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusAvailable, corpusDir, corpusSkipReason } from '../../../../test/support/corpus.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { catalogueRoutes } from './index.js';

interface Entry {
  readonly server: ServerJson;
  readonly _meta: Record<string, unknown>;
}
interface Page {
  readonly servers: Entry[];
  readonly metadata: { readonly count: number; readonly nextCursor?: string };
}

/**
 * The verdict on every server.json of ../shared/corpus/registry (the JSON Schemas beside
 * them are not entries): the official valid examples and real servers are taken, the
 * official invalid examples and the pre-GA legacy formats refused. A new file fails here
 * until its verdict is added.
 */
const corpusVerdicts: Record<string, 'accepted' | 'refused'> = {
  'example-invalid__modelcontextprotocol-registry__bad-name-pattern.json': 'refused',
  'example-invalid__modelcontextprotocol-registry__package-version-latest.json': 'refused',
  'example-valid__modelcontextprotocol-registry__with-package.json': 'accepted',
  'example-valid__modelcontextprotocol-registry__with-remote.json': 'accepted',
  'github-github-mcp-server__server.json': 'accepted',
  'legacy__docker-mcp-gateway__server_filesystem.json': 'refused',
  'legacy__modelcontextprotocol-registry__tools-publisher__server.json': 'refused',
  'microsoft-playwright-mcp__server.json': 'accepted',
  'supabase-community-supabase-mcp__server.json': 'accepted',
  'upstash-context7__server.json': 'accepted',
};

const registryCorpus = path.join(corpusDir, 'registry');
const corpusEntries = (): string[] => readdirSync(registryCorpus).filter((file) => file.endsWith('.json') && !file.startsWith('schema__')).sort();
const readCorpus = (file: string): unknown => JSON.parse(readFileSync(path.join(registryCorpus, file), 'utf8'));

const weather: ServerJson = {
  name: 'io.github.acme/weather',
  version: '1.2.0',
  description: 'Weather forecasts.',
  packages: [{ registryType: 'npm', identifier: '@acme/weather-mcp', version: '1.2.0', transport: { type: 'stdio' } }],
};

describe.each(SERVER_ENGINES)('the connector catalogue on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [catalogueRoutes] });
  });
  afterAll(async () => {
    await server.close();
  });

  const servers = (org: TestOrg): string => `/v0.1/orgs/${org.org}/servers`;
  const latest = (org: TestOrg, name: string): string => `${servers(org)}/${encodeURIComponent(name)}/versions/latest`;
  const errorCode = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

  it('adds, replaces, reads (the name %2F-encoded in the path) and deletes an entry', async () => {
    const org = await server.newOrg();
    const created = await server.call('PUT', servers(org), { token: org.ownerToken, body: weather });
    expect(created.status).toBe(201);
    const entry = (await created.json()) as Entry;
    expect(entry.server).toEqual(weather);
    expect(entry._meta).toEqual({ 'dev.skillsync/catalogue': { updatedAt: expect.any(String) as string, updatedBy: 'olivia' } });

    const replaced = await server.call('PUT', servers(org), { token: org.ownerToken, body: { ...weather, version: '1.3.0', title: 'Weather' } });
    expect(replaced.status).toBe(200);
    const read = await server.call('GET', latest(org, weather.name), { token: org.ownerToken });
    expect(read.status).toBe(200);
    expect(((await read.json()) as Entry).server).toEqual({ ...weather, version: '1.3.0', title: 'Weather' });

    expect((await server.call('DELETE', `${servers(org)}/${encodeURIComponent(weather.name)}`, { token: org.ownerToken })).status).toBe(204);
    expect(await errorCode(await server.call('GET', latest(org, weather.name), { token: org.ownerToken }))).toBe('SERVER_NOT_FOUND');
    expect((await server.call('DELETE', `${servers(org)}/${encodeURIComponent(weather.name)}`, { token: org.ownerToken })).status).toBe(404);
    expect(await errorCode(await server.call('GET', latest(org, 'no-slash'), { token: org.ownerToken }))).toBe('INVALID_INPUT');
  });

  it('is read by every member and edited only by owners and admins', async () => {
    const org = await server.newOrg();
    const member = await org.member('mo', 'member');
    const publisher = await org.member('pia', 'publisher');
    const admin = await org.member('adam', 'admin');
    const adminReadOnly = await org.member('ari', 'admin', { scopes: ['read'] });
    for (const token of [member, publisher, adminReadOnly]) {
      const refused = await server.call('PUT', servers(org), { token, body: weather });
      expect(refused.status).toBe(403);
    }
    expect((await server.call('PUT', servers(org), { token: admin, body: weather })).status).toBe(201);
    expect((await server.call('DELETE', `${servers(org)}/${encodeURIComponent(weather.name)}`, { token: member })).status).toBe(403);
    const list = (await (await server.call('GET', servers(org), { token: member })).json()) as Page;
    expect(list.servers.map((entry) => entry.server.name)).toEqual([weather.name]);
    expect((await server.call('GET', latest(org, weather.name), { token: member })).status).toBe(200);

    const elsewhere = await server.newOrg();
    expect((await server.call('GET', servers(org), { token: elsewhere.ownerToken })).status).toBe(404);
  });

  describe.skipIf(!corpusAvailable)(`with the real server.json files of the corpus${corpusAvailable ? '' : ` (skipped: ${corpusSkipReason})`}`, () => {
    it('takes the valid ones and refuses the invalid and legacy ones', async () => {
      const org = await server.newOrg();
      expect(corpusEntries()).toEqual(Object.keys(corpusVerdicts).sort());
      for (const file of corpusEntries()) {
        const response = await server.call('PUT', servers(org), { token: org.ownerToken, body: readCorpus(file) });
        expect(response.status, file).toBe(corpusVerdicts[file] === 'accepted' ? 201 : 400);
        if (response.status === 400) expect(await errorCode(response)).toBe('INVALID_INPUT');
      }
    });

    it('pages through them, searches names, and serves each back as sent', async () => {
      const org = await server.newOrg();
      const accepted = corpusEntries().filter((file) => corpusVerdicts[file] === 'accepted');
      for (const file of accepted) await server.call('PUT', servers(org), { token: org.ownerToken, body: readCorpus(file) });

      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const response = await server.call('GET', `${servers(org)}?limit=4${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`, { token: org.ownerToken });
        const page = (await response.json()) as Page;
        expect(page.metadata.count).toBe(page.servers.length);
        names.push(...page.servers.map((entry) => entry.server.name));
        cursor = page.metadata.nextCursor;
      } while (cursor !== undefined);
      const expected = accepted.map((file) => (readCorpus(file) as ServerJson).name).sort();
      expect(names).toEqual(expected);

      const search = (await (await server.call('GET', `${servers(org)}?search=WEATHER`, { token: org.ownerToken })).json()) as Page;
      expect(search.servers.map((entry) => entry.server.name)).toEqual(expected.filter((name) => name.includes('weather')));
      expect(search.servers.length).toBeGreaterThan(0);

      for (const file of accepted) {
        const body = readCorpus(file) as ServerJson;
        const response = await server.call('GET', latest(org, body.name), { token: org.ownerToken });
        expect(((await response.json()) as Entry).server, file).toEqual(body);
      }
    });
  });
});
