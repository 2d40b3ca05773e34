import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths, type Env } from '@skillsync/core';
import type { EffectiveProfile, FetchFunction } from '@skillsync/registry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOrgProfiles } from './org-profile-refresh.js';
import { describeAge, loadOrgProfiles, NO_ORG_PROFILES, orgProfileCacheFile, readOrgProfiles, reportingRegistries } from './org-profiles.js';

const ACME = 'https://skills.example.com/v0.1/orgs/acme';
const BETA = 'http://127.0.0.1:4873/v0.1/orgs/beta';
const TOKEN = `ssk_${'T'.repeat(43)}`;

const profile: EffectiveProfile = {
  revision: 'sha256:1',
  sources: ['org', 'team:platform'],
  required: [{ name: 'triage', version: '^1.0.0' }],
  blockedSkills: ['old-skill'],
  blockedConnectors: ['shell'],
  allowedConnectors: ['github'],
  policies: [{ id: 'team:platform/no-delete', text: 'forbid (principal, action, resource);' }],
  instructions: 'Be kind.',
  conflicts: [],
};

let root: string;
let env: Env;
let now = new Date('2026-03-01T12:00:00.000Z');

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-org-profiles-'));
  now = new Date('2026-03-01T12:00:00.000Z');
  env = createEnv({ home: root, cwd: root, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync'), SKILLSYNC_REGISTRY_TOKEN: TOKEN }, now: () => now });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function logins(entries: readonly { address: string; profile?: boolean }[]): Promise<void> {
  const file = path.join(skillsyncPaths(env).config, 'registries.json');
  await mkdir(path.dirname(file), { recursive: true });
  const registries = entries.map(({ address, profile: on }) => ({ address, secret: 'registry.x', user: 'ada', savedAt: '2026-01-01T00:00:00.000Z', ...(on === undefined ? {} : { profile: on }) }));
  await writeFile(file, JSON.stringify({ registries }));
}

async function cache(address: string, body: unknown): Promise<void> {
  const file = orgProfileCacheFile(env, address);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify(body));
}

/** A registry that answers GET …/profile with `answer`, counting the requests. */
/** A registry answering the profile route with `answer` (counted) and the org route with `reporting`, or 404 without it. */
function registry(answer: () => Response, reporting?: boolean): { fetch: FetchFunction; count: () => number } {
  let count = 0;
  return {
    count: () => count,
    fetch: (input, init) => {
      expect(new Headers(init.headers).get('authorization')).toBe(`Bearer ${TOKEN}`);
      const { pathname } = new URL(input);
      if (/\/v0\.1\/orgs\/[a-z]+$/.test(pathname)) {
        const org = pathname.slice(pathname.lastIndexOf('/') + 1);
        return Promise.resolve(
          reporting === undefined
            ? Response.json({ error: { code: 'SERVER_NOT_FOUND', message: 'no' } }, { status: 404 })
            : Response.json({ org, settings: { requireSignatures: false, reporting, trustedKeys: [] } }),
        );
      }
      count += 1;
      expect(pathname).toMatch(/\/v0\.1\/orgs\/[a-z]+\/profile$/);
      return Promise.resolve(answer());
    },
  };
}

describe('readOrgProfiles (the cache only)', () => {
  it('applies nothing without a login', async () => {
    expect(await readOrgProfiles(env)).toEqual(NO_ORG_PROFILES);
  });

  it('turns each cached profile into a layer, and its policies into gateway policy files', async () => {
    await logins([{ address: ACME }]);
    await cache(ACME, { address: ACME, fetchedAt: '2026-03-01T11:00:00.000Z', profile });
    const org = await readOrgProfiles(env);
    expect(org.layers).toEqual([
      { address: ACME, org: 'acme', required: profile.required, blockedSkills: ['old-skill'], blockedConnectors: ['shell'], allowedConnectors: ['github'], instructions: 'Be kind.' },
    ]);
    expect(org.policies).toEqual([{ id: 'org:acme/team:platform/no-delete', text: 'forbid (principal, action, resource);' }]);
    expect(org.profiles).toEqual([{ registry: ACME, org: 'acme', source: 'cached', revision: 'sha256:1', fetchedAt: '2026-03-01T11:00:00.000Z' }]);
    expect(org.warnings).toEqual([]);
  });

  it('warns, and applies no layer, for a login whose profile was never fetched or whose cache is damaged', async () => {
    await logins([{ address: ACME }, { address: BETA }]);
    await cache(BETA, { address: BETA, fetchedAt: 'x', profile: { ...profile, required: 'everything' } });
    const org = await readOrgProfiles(env);
    expect(org.layers).toEqual([]);
    expect(org.profiles.map((state) => [state.org, state.source])).toEqual([
      ['beta', 'none'],
      ['acme', 'none'],
    ]);
    expect(org.warnings).toHaveLength(2);
    expect(org.warnings[0]).toContain(`no profile of ${BETA} is cached yet`);
  });

  it('applies nothing, with a warning naming the file, when the login index is damaged', async () => {
    const file = path.join(skillsyncPaths(env).config, 'registries.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, '{"registries": 3}');
    for (const org of [await readOrgProfiles(env), await loadOrgProfiles(env, { refresh: true })]) {
      expect(org.layers).toEqual([]);
      expect(org.warnings).toEqual([expect.stringContaining(`${file} is not a registry login index. No org profile is applied.`)]);
    }
  });

  it('leaves out a login made with --no-profile, and a cache file written for another address', async () => {
    await logins([{ address: ACME, profile: false }, { address: BETA }]);
    await cache(ACME, { address: ACME, fetchedAt: now.toISOString(), profile });
    await cache(BETA, { address: ACME, fetchedAt: now.toISOString(), profile });
    const org = await readOrgProfiles(env);
    expect(org.layers).toEqual([]);
    expect(org.profiles).toEqual([{ registry: BETA, org: 'beta', source: 'none' }]);
  });
});

describe('refreshOrgProfiles', () => {
  it('fetches each profile once and caches it, with whether the org collects reports, readable by the owner only', async () => {
    await logins([{ address: ACME }]);
    const server = registry(() => Response.json(profile), true);
    const org = await refreshOrgProfiles(env, { fetch: server.fetch });
    expect(server.count()).toBe(1);
    expect(org.profiles).toEqual([{ registry: ACME, org: 'acme', source: 'fetched', revision: 'sha256:1', fetchedAt: now.toISOString(), reporting: true }]);
    expect(reportingRegistries(org.profiles)).toEqual([ACME]);
    const file = orgProfileCacheFile(env, ACME);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ address: ACME, fetchedAt: now.toISOString(), profile, reporting: true });
    expect((await readOrgProfiles(env)).profiles[0]?.reporting).toBe(true);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
    // What a later `status` reads is what was fetched.
    expect((await readOrgProfiles(env)).layers).toEqual(org.layers);
  });

  it('keeps the cached reporting setting when the org route goes unanswered', async () => {
    await logins([{ address: ACME }]);
    await refreshOrgProfiles(env, { fetch: registry(() => Response.json(profile), true).fetch });
    now = new Date('2026-03-01T13:00:00.000Z');
    const org = await refreshOrgProfiles(env, { fetch: registry(() => Response.json(profile)).fetch });
    expect(org.profiles[0]).toMatchObject({ source: 'fetched', fetchedAt: now.toISOString(), reporting: true });
    expect(JSON.parse(await readFile(orgProfileCacheFile(env, ACME), 'utf8'))).toMatchObject({ reporting: true });
  });

  it('keeps the cached profile, saying how old it is, when the server cannot be reached or refuses', async () => {
    await logins([{ address: ACME }]);
    await cache(ACME, { address: ACME, fetchedAt: '2026-03-01T09:00:00.000Z', profile });
    const down: FetchFunction = () => Promise.reject(new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }));
    const offline = await refreshOrgProfiles(env, { fetch: down });
    expect(offline.layers).toHaveLength(1);
    expect(offline.profiles[0]).toMatchObject({ source: 'cached', revision: 'sha256:1' });
    expect(offline.warnings).toEqual([expect.stringMatching(/could not get the profile of .*SOURCE_UNREACHABLE.*ECONNREFUSED.*using the cached one, 3 h old$/)]);

    const refused = await refreshOrgProfiles(env, { fetch: registry(() => Response.json({ error: { code: 'SERVER_UNAUTHENTICATED', message: 'no' } }, { status: 401 })).fetch });
    expect(refused.layers).toHaveLength(1);
    expect(refused.warnings[0]).toContain('SERVER_UNAUTHENTICATED');
  });

  it('applies no layer when the server cannot be reached and nothing is cached', async () => {
    await logins([{ address: ACME }]);
    const org = await refreshOrgProfiles(env, { fetch: () => Promise.reject(new TypeError('fetch failed')) });
    expect(org.layers).toEqual([]);
    expect(org.warnings).toEqual([expect.stringContaining('none is cached, so it is not applied')]);
  });

  it('gives up on a slow server after the timeout', async () => {
    await logins([{ address: ACME }]);
    const slow: FetchFunction = (_input, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => { reject(init.signal?.reason as Error); });
      });
    const started = Date.now();
    const org = await refreshOrgProfiles(env, { fetch: slow, timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(org.warnings[0]).toContain('no answer in time');
  });
});

describe('loadOrgProfiles', () => {
  it('asks no server without a login, and only reads the cache unless told to refresh', async () => {
    expect(await loadOrgProfiles(env, { refresh: true })).toEqual(NO_ORG_PROFILES);
    await logins([{ address: ACME }]);
    await cache(ACME, { address: ACME, fetchedAt: now.toISOString(), profile });
    expect((await loadOrgProfiles(env, { refresh: false })).profiles[0]?.source).toBe('cached');
  });
});

describe('describeAge', () => {
  it('says how old, in the unit a person reads best', () => {
    const at = new Date('2026-03-01T12:00:00.000Z');
    expect(describeAge('2026-03-01T11:59:30.000Z', at)).toBe('30 s old');
    expect(describeAge('2026-03-01T11:30:00.000Z', at)).toBe('30 min old');
    expect(describeAge('2026-03-01T07:00:00.000Z', at)).toBe('5 h old');
    expect(describeAge('2026-02-25T12:00:00.000Z', at)).toBe('4 days old');
  });
});
