import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { OrgSettings, SkillDetail, SkillSummary, VersionDetail } from '@skillsync/registry';
import { computeIntegrity, generateSigningKeyPair, packSkill, serializeSignature, signIntegrity, type PackageSignature, type PackedSkill } from '@skillsync/store';
import { buildPackage, buildRawTar, gzipTar, makeTempDir, writeTree, type RawEntry } from '@skillsync/store/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import type { Caller } from '../server-context.js';
import { catalogueRoutes, registryRoutes } from './index.js';
import { publishPackage } from './publish-package.js';

/** What a publish sends: bytes and what the publisher claims about them. */
interface Upload {
  readonly name: string;
  readonly version: string;
  readonly tarball: Uint8Array;
  readonly integrity: string;
}

interface PublishOptions {
  /** `?tag=…&team=…`, without the `?`. */
  readonly query?: string;
  /** Overrides the integrity header; null leaves it out. */
  readonly integrity?: string | null;
  readonly signature?: PackageSignature;
  /** Publish to this address instead of the package's own. */
  readonly as?: { readonly name: string; readonly version: string };
}

const skillMd = (name: string, version: string, description: string): string =>
  `---\nname: ${name}\ndescription: ${description}\nmetadata:\n  version: "${version}"\n---\n\nDo the thing.\n`;

async function pack(name: string, version: string, options: { description?: string; files?: Record<string, string> } = {}): Promise<PackedSkill> {
  const dir = path.join(await makeTempDir('skillsync-registry-'), name);
  await writeTree(dir, { 'SKILL.md': skillMd(name, version, options.description ?? `The ${name} skill.`), ...options.files });
  return packSkill(dir);
}

const errorCode = async (response: Response): Promise<string> => ((await response.json()) as { error: { code: string } }).error.code;

describe.each(SERVER_ENGINES)('registry routes on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [registryRoutes, catalogueRoutes] });
  });
  afterAll(async () => {
    await server.close();
  });

  const skillsPath = (org: TestOrg): string => `/v0.1/orgs/${org.org}/skills`;

  const publish = (org: TestOrg, token: string, upload: Upload, options: PublishOptions = {}): Promise<Response> => {
    const { name, version } = options.as ?? upload;
    const integrity = options.integrity === undefined ? upload.integrity : options.integrity;
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/gzip' };
    if (integrity !== null) headers['x-skillsync-integrity'] = integrity;
    if (options.signature !== undefined) headers['x-skillsync-signature'] = Buffer.from(serializeSignature(options.signature)).toString('base64');
    const query = options.query === undefined ? '' : `?${options.query}`;
    return Promise.resolve(server.app.request(`${skillsPath(org)}/${name}/versions/${version}${query}`, { method: 'PUT', headers, body: upload.tarball }));
  };

  const published = async (org: TestOrg, token: string, upload: Upload, options?: PublishOptions): Promise<VersionDetail> => {
    const response = await publish(org, token, upload, options);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as VersionDetail;
  };

  const getJson = async <T>(token: string, url: string): Promise<T> => {
    const response = await server.call('GET', url, { token });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  };

  const skillDetail = (org: TestOrg, token: string, name: string): Promise<SkillDetail> => getJson(token, `${skillsPath(org)}/${name}`);

  const listNames = async (org: TestOrg, token: string, query = ''): Promise<string[]> =>
    (await getJson<{ skills: SkillSummary[] }>(token, `${skillsPath(org)}${query}`)).skills.map((skill) => skill.name);

  const patchStatus = (org: TestOrg, token: string, name: string, version: string, body: unknown): Promise<Response> =>
    server.call('PATCH', `${skillsPath(org)}/${name}/versions/${version}`, { token, body });

  /** What the org's registry holds, and how many blobs the server holds: to prove a refusal wrote nothing. */
  const footprint = async (org: TestOrg): Promise<Record<string, number>> => {
    const db = server.context.db;
    const count = async (table: 'skills' | 'skill_versions' | 'dist_tags'): Promise<number> =>
      (await db.selectFrom(table).select('org').where('org', '=', org.org).execute()).length;
    return {
      skills: await count('skills'),
      versions: await count('skill_versions'),
      tags: await count('dist_tags'),
      blobs: (await db.selectFrom('blobs').select('integrity').execute()).length,
    };
  };

  const setSettings = async (org: TestOrg, settings: OrgSettings): Promise<void> => {
    await server.context.db.updateTable('orgs').set({ settings: JSON.stringify(settings) }).where('org', '=', org.org).execute();
  };

  describe('publish and read back', () => {
    it('serves what was published: detail, version, and the identical bytes with their integrity', async () => {
      const org = await server.newOrg();
      const upload = await pack('pdf-tools', '1.0.0', { description: 'Reads PDFs.', files: { 'scripts/run.sh': '#!/bin/sh\necho hi\n' } });
      const detail = await published(org, org.ownerToken, upload);
      expect(detail).toMatchObject({
        name: 'pdf-tools',
        version: '1.0.0',
        description: 'Reads PDFs.',
        integrity: upload.integrity,
        size: upload.tarball.byteLength,
        status: 'active',
        publishedBy: 'olivia',
        signed: false,
      });

      const skill = await skillDetail(org, org.ownerToken, 'pdf-tools');
      expect(skill).toMatchObject({ name: 'pdf-tools', description: 'Reads PDFs.', visibility: 'org', latest: '1.0.0', distTags: { latest: '1.0.0' } });
      expect(skill.versions.map((version) => version.version)).toEqual(['1.0.0']);
      expect(await getJson(org.ownerToken, `${skillsPath(org)}/pdf-tools/versions/latest`)).toEqual(detail);
      expect(await getJson(org.ownerToken, `${skillsPath(org)}/pdf-tools/versions/1.0.0`)).toEqual(detail);

      const download = await server.call('GET', `${skillsPath(org)}/pdf-tools/versions/1.0.0/package`, { token: org.ownerToken });
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/gzip');
      expect(download.headers.get('x-skillsync-integrity')).toBe(upload.integrity);
      expect(download.headers.get('etag')).toBe(`"${upload.integrity}"`);
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(upload.tarball))).toBe(true);

      const cached = await server.call('GET', `${skillsPath(org)}/pdf-tools/versions/latest/package`, {
        token: org.ownerToken,
        headers: { 'if-none-match': `W/"other", "${upload.integrity}"` },
      });
      expect(cached.status).toBe(304);
      expect(await cached.text()).toBe('');
    });

    it('records the size of the bytes it keeps when the package is stored already (another gzip of the same files)', async () => {
      const first = await server.newOrg();
      const second = await server.newOrg();
      const upload = await pack('same-files', '1.0.0', { description: `Stored once on ${engine}.` });
      const uncompressed = { ...upload, tarball: gzipSync(gunzipSync(upload.tarball), { level: 0 }) };
      expect(uncompressed.tarball.byteLength).toBeGreaterThan(upload.tarball.byteLength);
      await published(first, first.ownerToken, upload);
      const detail = await published(second, second.ownerToken, uncompressed);
      expect(detail).toMatchObject({ integrity: upload.integrity, size: upload.tarball.byteLength });
      const download = await server.call('GET', `${skillsPath(second)}/same-files/versions/1.0.0/package`, { token: second.ownerToken });
      expect(Buffer.from(await download.arrayBuffer()).byteLength).toBe(detail.size);
    });

    it('refuses to publish a version again (409) and changes nothing', async () => {
      const org = await server.newOrg();
      const first = await pack('notes', '1.0.0');
      await published(org, org.ownerToken, first);
      const before = await footprint(org);
      const other = await pack('notes', '1.0.0', { description: 'Different bytes, same version.' });
      const response = await publish(org, org.ownerToken, other);
      expect(response.status).toBe(409);
      expect(await errorCode(response)).toBe('VERSION_ALREADY_PUBLISHED');
      expect(await footprint(org)).toEqual(before);
      const version = await getJson<VersionDetail>(org.ownerToken, `${skillsPath(org)}/notes/versions/1.0.0`);
      expect(version.integrity).toBe(first.integrity);
    });

    it('lets exactly one of two concurrent publishes of one version win', async () => {
      const org = await server.newOrg();
      const a = await pack('racer', '1.0.0', { description: 'First.' });
      const b = await pack('racer', '1.0.0', { description: 'Second.' });
      const responses = await Promise.all([publish(org, org.ownerToken, a), publish(org, org.ownerToken, b)]);
      expect(responses.map((response) => response.status).sort()).toEqual([201, 409]);
      const loser = responses.find((response) => response.status === 409);
      expect(await errorCode(loser!)).toBe('VERSION_ALREADY_PUBLISHED');
      const winner = responses[0].status === 201 ? a : b;
      const download = await server.call('GET', `${skillsPath(org)}/racer/versions/1.0.0/package`, { token: org.ownerToken });
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(winner.tarball))).toBe(true);
      expect((await footprint(org)).versions).toBe(1);
    });
  });

  describe('the publish checks, before anything is written', () => {
    it('refuses an integrity header that does not match the package', async () => {
      const org = await server.newOrg();
      const upload = await pack('checked', '1.0.0');
      const other = await pack('checked', '1.0.1');
      const before = await footprint(org);
      const response = await publish(org, org.ownerToken, upload, { integrity: other.integrity });
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe('INTEGRITY_MISMATCH');
      // The digest of the gzip bytes is not the package's integrity either.
      const gzipDigest = await publish(org, org.ownerToken, upload, { integrity: computeIntegrity(upload.tarball) });
      expect(await errorCode(gzipDigest)).toBe('INTEGRITY_MISMATCH');
      const missing = await publish(org, org.ownerToken, upload, { integrity: null });
      expect(missing.status).toBe(400);
      expect(await errorCode(missing)).toBe('INVALID_INPUT');
      expect(await footprint(org)).toEqual(before);
    });

    it('refuses a package whose SKILL.md names another skill or version than the address', async () => {
      const org = await server.newOrg();
      const upload = await pack('named', '1.0.0');
      for (const as of [
        { name: 'named', version: '1.0.1' },
        { name: 'renamed', version: '1.0.0' },
      ]) {
        const response = await publish(org, org.ownerToken, upload, { as });
        expect(response.status).toBe(400);
        expect(await errorCode(response)).toBe('INVALID_INPUT');
      }
      expect((await footprint(org)).skills).toBe(0);
    });

    it('refuses build metadata, in the address or in SKILL.md, so no version is published twice under two spellings', async () => {
      const org = await server.newOrg();
      const first = await published(org, org.ownerToken, await pack('meta', '1.0.0'));
      for (const version of ['1.0.0+evil', '01.0.0', 'v1.0.0']) {
        const response = await publish(org, org.ownerToken, await pack('meta', '1.0.0'), { as: { name: 'meta', version: encodeURIComponent(version) } });
        expect(response.status, version).toBe(400);
        expect(await errorCode(response)).toBe('INVALID_INPUT');
      }
      const evil = await pack('other-meta', '1.0.0+evil');
      const inSkillMd = await publish(org, org.ownerToken, evil, { as: { name: 'other-meta', version: '1.0.0' } });
      expect(inSkillMd.status).toBe(400);
      expect(await inSkillMd.json()).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('build metadata') as string, hint: expect.stringContaining('metadata.version') as string } });

      // Past the schema (belt and braces): the version check compares versions, not their text.
      const caller: Caller = { user: 'olivia', org: org.org, orgRole: 'owner', teams: new Map(), token: { id: 'direct', name: 'direct', scopes: ['admin'], expiresAt: '2099-01-01T00:00:00.000Z' } };
      const again = publishPackage(server.context, { caller, name: 'meta', version: '1.0.0+evil', tag: 'latest', tagRequested: false, team: undefined, tarball: evil.tarball, integrity: evil.integrity, signature: undefined });
      await expect(again).rejects.toMatchObject({ code: 'VERSION_ALREADY_PUBLISHED' });
      expect((await skillDetail(org, org.ownerToken, 'meta')).versions).toEqual([expect.objectContaining({ version: '1.0.0', integrity: first.integrity })]);
      expect((await footprint(org)).versions).toBe(1);
    });

    const skillEntry: RawEntry = { path: 'package/SKILL.md', content: skillMd('hostile', '1.0.0', 'Hostile.') };
    const hostile: [string, () => Buffer, string][] = [
      ['a ../ path', () => gzipTar(buildRawTar([skillEntry, { path: 'package/../../evil.sh', content: 'x' }])), 'PACKAGE_UNSAFE_PATH'],
      ['an absolute path', () => gzipTar(buildRawTar([skillEntry, { path: '/etc/cron.d/evil', content: 'x' }])), 'PACKAGE_UNSAFE_PATH'],
      ['a symlink', () => gzipTar(buildRawTar([skillEntry, { path: 'package/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }])), 'PACKAGE_UNSAFE_ENTRY'],
      [
        'too many entries',
        () => buildPackage(Array.from({ length: 10_001 }, (_, index) => ({ path: `package/f/${index}.md`, content: '' })), skillEntry.content as string),
        'PACKAGE_TOO_LARGE',
      ],
      [
        'a gzip bomb',
        () => {
          // A tar header claiming a tiny file, then 192 MiB of zeros in three gzip members (~200 KB): past the inflate budget (~141 MiB).
          const head = buildRawTar([skillEntry, { path: 'package/bomb', content: '', size: 1 }], { end: false });
          const zeros = gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
          return Buffer.concat([gzipTar(head), zeros, zeros, zeros]);
        },
        'PACKAGE_TOO_LARGE',
      ],
      ['bytes that are not gzip', () => Buffer.from('not a package at all, just text'), 'PACKAGE_INVALID'],
    ];
    it.each(hostile)('refuses %s with the store code and writes nothing', async (_what, build, code) => {
      const org = await server.newOrg();
      const tarball = build();
      const before = await footprint(org);
      const response = await publish(org, org.ownerToken, { name: 'hostile', version: '1.0.0', tarball, integrity: computeIntegrity(tarball) });
      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe(code);
      expect(await footprint(org)).toEqual(before);
    });
  });

  describe('signatures', () => {
    const trusted = generateSigningKeyPair();
    const stranger = generateSigningKeyPair();
    const settings = (requireSignatures: boolean): OrgSettings => ({ requireSignatures, reporting: false, trustedKeys: [{ name: 'release', publicKey: trusted.publicKey }] });

    it('in an org that requires them: refuses none, an untrusted key and a bad signature; takes a valid one', async () => {
      const org = await server.newOrg();
      await setSettings(org, settings(true));
      const upload = await pack('signed', '1.0.0');
      const other = await pack('signed', '9.9.9');
      const refusals: [PackageSignature | undefined, string][] = [
        [undefined, 'SIGNATURE_MISSING'],
        [signIntegrity(upload.integrity, stranger.privateKeyPem), 'SIGNATURE_UNTRUSTED_KEY'],
        [signIntegrity(other.integrity, trusted.privateKeyPem), 'SIGNATURE_INVALID'],
      ];
      for (const [signature, code] of refusals) {
        const response = await publish(org, org.ownerToken, upload, signature === undefined ? {} : { signature });
        expect(response.status).toBe(400);
        expect(await errorCode(response)).toBe(code);
      }
      const garbled = await server.app.request(`${skillsPath(org)}/signed/versions/1.0.0`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${org.ownerToken}`, 'x-skillsync-integrity': upload.integrity, 'x-skillsync-signature': 'not base64 !' },
        body: upload.tarball,
      });
      expect(await errorCode(garbled)).toBe('SIGNATURE_INVALID');
      expect((await footprint(org)).versions).toBe(0);

      const signature = signIntegrity(upload.integrity, trusted.privateKeyPem);
      const detail = await published(org, org.ownerToken, upload, { signature });
      expect(detail).toMatchObject({ signed: true, signature });
    });

    it('in an org that does not: checks a trusted key’s signature, keeps an unknown key’s for installers to check', async () => {
      const org = await server.newOrg();
      await setSettings(org, settings(false));
      const upload = await pack('optional', '1.0.0');
      const forged = await publish(org, org.ownerToken, upload, { signature: signIntegrity((await pack('optional', '2.0.0')).integrity, trusted.privateKeyPem) });
      expect(await errorCode(forged)).toBe('SIGNATURE_INVALID');
      const byStranger = signIntegrity(upload.integrity, stranger.privateKeyPem);
      expect(await published(org, org.ownerToken, upload, { signature: byStranger })).toMatchObject({ signed: true, signature: byStranger });
      expect(await published(org, org.ownerToken, await pack('optional', '1.0.1'))).toMatchObject({ signed: false });
    });
  });

  describe('dist-tags and the version lifecycle', () => {
    it('keeps latest on releases, moves it for a prerelease only when asked, and yanking moves it down', async () => {
      const org = await server.newOrg();
      await published(org, org.ownerToken, await pack('cycle', '1.0.0'));
      await published(org, org.ownerToken, await pack('cycle', '1.1.0'));
      await published(org, org.ownerToken, await pack('cycle', '2.0.0-beta.1'));
      expect((await skillDetail(org, org.ownerToken, 'cycle')).distTags).toEqual({ latest: '1.1.0' });
      await published(org, org.ownerToken, await pack('cycle', '2.0.0-beta.2'), { query: 'tag=next' });
      expect((await skillDetail(org, org.ownerToken, 'cycle')).distTags).toEqual({ latest: '1.1.0', next: '2.0.0-beta.2' });

      const yank = await patchStatus(org, org.ownerToken, 'cycle', '1.1.0', { status: 'yanked', statusMessage: 'leaks tokens' });
      expect(yank.status).toBe(200);
      expect(await yank.json()).toMatchObject({ version: '1.1.0', status: 'yanked', statusMessage: 'leaks tokens' });
      expect((await skillDetail(org, org.ownerToken, 'cycle')).distTags.latest).toBe('1.0.0');

      // Yanked, it still downloads by exact version (a lockfile may pin it), never as latest.
      const pinned = await server.call('GET', `${skillsPath(org)}/cycle/versions/1.1.0/package`, { token: org.ownerToken });
      expect(pinned.status).toBe(200);
      expect(pinned.headers.get('cache-control')).toContain('immutable');
      expect((await getJson<VersionDetail>(org.ownerToken, `${skillsPath(org)}/cycle/versions/latest`)).version).toBe('1.0.0');

      // With no release left (prereleases do not count), latest goes away.
      expect((await patchStatus(org, org.ownerToken, 'cycle', '1.0.0', { status: 'yanked' })).status).toBe(200);
      const detail = await skillDetail(org, org.ownerToken, 'cycle');
      expect(detail.distTags).toEqual({ next: '2.0.0-beta.2' });
      expect(detail.latest).toBeUndefined();
      expect((await server.call('GET', `${skillsPath(org)}/cycle/versions/latest`, { token: org.ownerToken })).status).toBe(404);

      await published(org, org.ownerToken, await pack('cycle', '2.0.0-rc.1'), { query: 'tag=latest' });
      expect((await skillDetail(org, org.ownerToken, 'cycle')).distTags.latest).toBe('2.0.0-rc.1');
    });

    it('yanking removes every tag that names the version, and moves latest to a deprecated release when no active one is left', async () => {
      const org = await server.newOrg();
      await published(org, org.ownerToken, await pack('tagged', '1.0.0'));
      await published(org, org.ownerToken, await pack('tagged', '1.1.0'));
      for (const [tag, version] of [['stable', '1.1.0'], ['old', '1.0.0']] as const) {
        expect((await server.call('PUT', `${skillsPath(org)}/tagged/tags/${tag}`, { token: org.ownerToken, body: { version } })).status).toBe(200);
      }
      expect((await patchStatus(org, org.ownerToken, 'tagged', '1.0.0', { status: 'deprecated' })).status).toBe(200);

      expect((await patchStatus(org, org.ownerToken, 'tagged', '1.1.0', { status: 'yanked' })).status).toBe(200);
      expect((await skillDetail(org, org.ownerToken, 'tagged')).distTags).toEqual({ latest: '1.0.0', old: '1.0.0' });
      expect((await patchStatus(org, org.ownerToken, 'tagged', '1.0.0', { status: 'yanked' })).status).toBe(200);
      expect((await skillDetail(org, org.ownerToken, 'tagged')).distTags).toEqual({});
    });

    it('deprecates and undeprecates; a yank is final', async () => {
      const org = await server.newOrg();
      await published(org, org.ownerToken, await pack('aging', '1.0.0'));
      const deprecated = await patchStatus(org, org.ownerToken, 'aging', '1.0.0', { status: 'deprecated', statusMessage: 'use 2.x' });
      expect(await deprecated.json()).toMatchObject({ status: 'deprecated', statusMessage: 'use 2.x' });
      expect((await skillDetail(org, org.ownerToken, 'aging')).distTags.latest).toBe('1.0.0');
      const restored = (await (await patchStatus(org, org.ownerToken, 'aging', '1.0.0', { status: 'active' })).json()) as VersionDetail;
      expect(restored.status).toBe('active');
      expect(restored.statusMessage).toBeUndefined();
      await patchStatus(org, org.ownerToken, 'aging', '1.0.0', { status: 'yanked' });
      const unyank = await patchStatus(org, org.ownerToken, 'aging', '1.0.0', { status: 'active' });
      expect(unyank.status).toBe(409);
      expect(await errorCode(unyank)).toBe('SERVER_CONFLICT');
      expect((await patchStatus(org, org.ownerToken, 'aging', '9.0.0', { status: 'yanked' })).status).toBe(404);
      expect(await errorCode(await patchStatus(org, org.ownerToken, 'aging', '1.0.0', { status: 'gone' }))).toBe('INVALID_INPUT');
    });

    it('sets and removes tags, never latest, never onto a yanked version', async () => {
      const org = await server.newOrg();
      await published(org, org.ownerToken, await pack('tagged', '1.0.0'));
      await published(org, org.ownerToken, await pack('tagged', '1.1.0'));
      const tag = (name: string, method: 'PUT' | 'DELETE', body?: unknown): Promise<Response> =>
        server.call(method, `${skillsPath(org)}/tagged/tags/${name}`, { token: org.ownerToken, ...(body === undefined ? {} : { body }) });

      const set = await tag('stable', 'PUT', { version: '1.0.0' });
      expect(set.status).toBe(200);
      expect(((await set.json()) as SkillDetail).distTags).toEqual({ latest: '1.1.0', stable: '1.0.0' });
      const back = await tag('latest', 'PUT', { version: '1.0.0' });
      expect((await back.json()) as SkillDetail).toMatchObject({ latest: '1.0.0', distTags: { latest: '1.0.0' } });

      expect(await errorCode(await tag('latest', 'DELETE'))).toBe('INVALID_INPUT');
      expect((await tag('stable', 'DELETE')).status).toBe(200);
      expect((await tag('stable', 'DELETE')).status).toBe(404);
      expect((await tag('beta', 'PUT', { version: '3.0.0' })).status).toBe(404);
      await patchStatus(org, org.ownerToken, 'tagged', '1.1.0', { status: 'yanked' });
      expect(await errorCode(await tag('beta', 'PUT', { version: '1.1.0' }))).toBe('SERVER_CONFLICT');
      expect(await errorCode(await tag('Bad_Tag', 'PUT', { version: '1.0.0' }))).toBe('INVALID_INPUT');
    });
  });

  describe('roles and visibility', () => {
    it('lets members read but not publish or manage', async () => {
      const org = await server.newOrg();
      await published(org, org.ownerToken, await pack('shared', '1.0.0'));
      const member = await org.member('mia', 'member');
      expect(await listNames(org, member)).toEqual(['shared']);
      const refused = await publish(org, member, await pack('shared', '1.0.1'));
      expect(refused.status).toBe(403);
      expect(await errorCode(refused)).toBe('SERVER_FORBIDDEN');
      expect((await patchStatus(org, member, 'shared', '1.0.0', { status: 'yanked' })).status).toBe(403);
      const publisher = await org.member('pat', 'publisher', { scopes: ['read'] });
      expect((await publish(org, publisher, await pack('shared', '1.0.1'))).status).toBe(403);
    });

    it('keeps a team’s skill from everyone outside the team, both ways, and from other orgs', async () => {
      const org = await server.newOrg();
      const alpha = await org.member('amy', 'member', { teams: { alpha: 'publisher' } });
      const beta = await org.member('ben', 'member', { teams: { beta: 'publisher' } });
      const outsider = await org.member('oscar', 'member');
      const auditor = await org.member('aud', 'auditor', { scopes: ['read'] });

      const mine = await pack('alpha-only', '1.0.0');
      const forbidden = await publish(org, alpha, mine);
      expect(forbidden.status).toBe(403);
      expect(((await forbidden.json()) as { error: { hint: string } }).error.hint).toContain('?team=alpha');
      expect(await errorCode(await publish(org, alpha, mine, { query: 'team=nowhere' }))).toBe('SERVER_NOT_FOUND');
      expect(await errorCode(await publish(org, alpha, mine, { query: 'team=beta' }))).toBe('SERVER_FORBIDDEN');
      await published(org, alpha, mine, { query: 'team=alpha' });
      await published(org, beta, await pack('beta-only', '1.0.0'), { query: 'team=beta' });
      await published(org, org.ownerToken, await pack('everyone', '1.0.0'));

      expect(await listNames(org, alpha)).toEqual(['alpha-only', 'everyone']);
      expect(await listNames(org, beta)).toEqual(['beta-only', 'everyone']);
      expect(await listNames(org, outsider)).toEqual(['everyone']);
      expect(await listNames(org, auditor)).toEqual(['alpha-only', 'beta-only', 'everyone']);
      expect(await listNames(org, org.ownerToken)).toEqual(['alpha-only', 'beta-only', 'everyone']);
      expect((await skillDetail(org, alpha, 'alpha-only')).visibility).toBe('team:alpha');

      for (const [token, name] of [
        [beta, 'alpha-only'],
        [outsider, 'alpha-only'],
        [alpha, 'beta-only'],
      ] as const) {
        for (const url of [`${skillsPath(org)}/${name}`, `${skillsPath(org)}/${name}/versions`, `${skillsPath(org)}/${name}/versions/1.0.0`, `${skillsPath(org)}/${name}/versions/1.0.0/package`]) {
          const response = await server.call('GET', url, { token });
          expect(response.status, `${url} as a non-member`).toBe(404);
          expect(await errorCode(response)).toBe('SERVER_NOT_FOUND');
        }
        expect((await patchStatus(org, token, name, '1.0.0', { status: 'yanked' })).status).toBe(404);
        // Who may publish somewhere learns no more than a read tells; who may not publish at all is refused alike for every name.
        expect((await publish(org, token, await pack(name, '1.0.1'))).status).toBe(token === outsider ? 403 : 404);
      }
      const hidden = await publish(org, outsider, await pack('alpha-only', '1.0.1'), { query: 'team=alpha' });
      const fresh = await publish(org, outsider, await pack('never-published', '1.0.0'));
      expect([hidden.status, fresh.status]).toEqual([403, 403]);
      expect(await hidden.json()).toEqual(await fresh.json());
      // A team publisher manages the team's skill; the team of a skill is fixed at its first publish.
      expect((await patchStatus(org, alpha, 'alpha-only', '1.0.0', { status: 'deprecated' })).status).toBe(200);
      expect(await errorCode(await publish(org, alpha, await pack('alpha-only', '1.1.0'), { query: 'team=beta' }))).toBe('SERVER_CONFLICT');
      await published(org, alpha, await pack('alpha-only', '1.1.0'));

      const elsewhere = await server.newOrg();
      const response = await server.call('GET', `${skillsPath(org)}/everyone`, { token: elsewhere.ownerToken });
      expect(response.status).toBe(404);
    });
  });

  describe('listing', () => {
    it('pages through every skill exactly once, and searches names and descriptions ignoring case', async () => {
      const org = await server.newOrg();
      const names = ['echo', 'alpha', 'delta', 'charlie', 'bravo'];
      for (const name of names) await published(org, org.ownerToken, await pack(name, '1.0.0', { description: name === 'delta' ? 'Handles 100% of ALPHA_CASES.' : `The ${name} skill.` }));

      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await getJson<{ skills: SkillSummary[]; metadata: { count: number; nextCursor?: string } }>(
          org.ownerToken,
          `${skillsPath(org)}?limit=2${cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        expect(page.metadata.count).toBe(page.skills.length);
        seen.push(...page.skills.map((skill) => skill.name));
        cursor = page.metadata.nextCursor;
        pages += 1;
      } while (cursor !== undefined);
      expect(pages).toBe(3);
      expect(seen).toEqual([...names].sort());

      expect(await listNames(org, org.ownerToken, '?search=ALPHA')).toEqual(['alpha', 'delta']);
      expect(await listNames(org, org.ownerToken, '?search=100%25')).toEqual(['delta']);
      expect(await listNames(org, org.ownerToken, '?search=a_c')).toEqual(['delta']);
      expect(await listNames(org, org.ownerToken, '?search=%25')).toEqual(['delta']);
      expect(await errorCode(await server.call('GET', `${skillsPath(org)}?cursor=forged`, { token: org.ownerToken }))).toBe('INVALID_INPUT');
      expect(await errorCode(await server.call('GET', `${skillsPath(org)}?limit=1000`, { token: org.ownerToken }))).toBe('INVALID_INPUT');
    });

    it('lists versions newest first across pages, and filters by updated_since', async () => {
      const org = await server.newOrg();
      for (const version of ['1.0.0', '1.1.0', '1.2.0']) {
        await published(org, org.ownerToken, await pack('versioned', version));
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const first = await getJson<{ versions: VersionDetail[]; metadata: { nextCursor?: string } }>(org.ownerToken, `${skillsPath(org)}/versioned/versions?limit=2`);
      expect(first.versions.map((version) => version.version)).toEqual(['1.2.0', '1.1.0']);
      const second = await getJson<{ versions: VersionDetail[]; metadata: { nextCursor?: string } }>(
        org.ownerToken,
        `${skillsPath(org)}/versioned/versions?limit=2&cursor=${encodeURIComponent(first.metadata.nextCursor ?? '')}`,
      );
      expect(second.versions.map((version) => version.version)).toEqual(['1.0.0']);
      expect(second.metadata.nextCursor).toBeUndefined();

      const since = first.versions[0]!.publishedAt;
      const recent = await getJson<{ versions: VersionDetail[] }>(org.ownerToken, `${skillsPath(org)}/versioned/versions?updated_since=${encodeURIComponent(since)}`);
      expect(recent.versions.map((version) => version.version)).toEqual(['1.2.0']);
      expect(await listNames(org, org.ownerToken, `?updated_since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).toEqual([]);
    });
  });
});
