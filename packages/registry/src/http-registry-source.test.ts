import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { packSkill } from '@skillsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpRegistrySource, httpRegistrySources } from './http-registry-source.js';
import { errorResponse, fakeFetch, jsonResponse, versionDetailBody } from './test-support/fake-fetch.js';

const address = 'https://skills.example.com/v0.1/orgs/acme';
const token = `ssk_${'D'.repeat(43)}`;
const resolved = `registry+${address}`;
let root: string;
let bytes: Uint8Array;
let integrity: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-http-source-'));
  const dir = path.join(root, 'pdf');
  await mkdir(dir);
  await writeFile(path.join(dir, 'SKILL.md'), '---\nname: pdf\ndescription: Reads PDFs.\nmetadata:\n  version: "1.1.0"\n---\nBody\n');
  const packed = await packSkill(dir);
  bytes = packed.tarball;
  integrity = packed.integrity;
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});
const summary = (version: string, status = 'active') => ({ version, integrity, status, publishedAt: '2026-01-02T03:04:05.000Z', publishedBy: 'alice', signed: false });

describe('createHttpRegistrySource', () => {
  it('lists every page of versions, leaving yanked ones out', async () => {
    const { fetch, requests } = fakeFetch((request) =>
      request.url.searchParams.get('cursor') === null
        ? jsonResponse(200, { versions: [summary('1.0.0'), summary('1.1.0', 'yanked')], metadata: { count: 2, nextCursor: 'page2' } })
        : jsonResponse(200, { versions: [summary('1.2.0', 'deprecated')], metadata: { count: 1 } }),
    );
    const source = createHttpRegistrySource(address, { resolved, token, fetch });
    expect(await source.listVersions('pdf')).toEqual(['1.0.0', '1.2.0']);
    expect(requests.map((request) => request.url.search)).toEqual(['?limit=100', '?limit=100&cursor=page2']);
    expect(source.describe()).toBe(resolved);
  });

  it('has no versions of a skill the registry does not have (or will not show)', async () => {
    const { fetch } = fakeFetch(() => errorResponse(404, 'SERVER_NOT_FOUND', 'no skill pdf'));
    expect(await createHttpRegistrySource(address, { resolved, token, fetch }).listVersions('pdf')).toEqual([]);
  });

  it('fetches an exact version, yanked too, with the signature of its detail', async () => {
    const signature = { algorithm: 'ed25519', keyId: '0123456789abcdef', signature: 'c2ln' } as const;
    const { fetch, requests } = fakeFetch((request) =>
      request.url.pathname.endsWith('/package')
        ? new Response(bytes, { status: 200 })
        : jsonResponse(200, versionDetailBody({ name: 'pdf', version: '1.1.0', integrity, status: 'yanked', signature })),
    );
    expect(await createHttpRegistrySource(address, { resolved, token, fetch }).fetch('pdf', '1.1.0')).toEqual({ tarball: new Uint8Array(bytes), signature });
    expect(requests.map((request) => request.url.pathname)).toEqual(['/v0.1/orgs/acme/skills/pdf/versions/1.1.0', '/v0.1/orgs/acme/skills/pdf/versions/1.1.0/package']);
  });

  it('refuses bytes that do not match the integrity the registry records', async () => {
    const { fetch } = fakeFetch((request) =>
      request.url.pathname.endsWith('/package') ? new Response(bytes, { status: 200 }) : jsonResponse(200, versionDetailBody({ name: 'pdf', version: '1.1.0', integrity: `sha512-${'A'.repeat(86)}==` })),
    );
    await expect(createHttpRegistrySource(address, { resolved, token, fetch }).fetch('pdf', '1.1.0')).rejects.toMatchObject({ code: 'INTEGRITY_MISMATCH' });
  });

  it('says VERSION_NOT_FOUND for a version the registry does not have', async () => {
    const { fetch } = fakeFetch(() => errorResponse(404, 'SERVER_NOT_FOUND', 'no such version'));
    await expect(createHttpRegistrySource(address, { resolved, token, fetch }).fetch('pdf', '9.0.0')).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND', details: { name: 'pdf', version: '9.0.0' } });
  });

  it('refuses what is not a skill name before asking', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
    await expect(createHttpRegistrySource(address, { resolved, token, fetch }).listVersions('../x')).rejects.toMatchObject({ code: 'SKILL_NAME_INVALID' });
    expect(requests).toHaveLength(0);
  });
});

describe('httpRegistrySources', () => {
  it('looks the token up for the address, once, when the registry is first called', async () => {
    const asked: string[] = [];
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, { versions: [summary('1.0.0')], metadata: { count: 1 } }));
    const factory = httpRegistrySources({ token: (found) => { asked.push(found.address); return Promise.resolve(token); } }, { fetch });
    const source = factory(`${address}/`, resolved);
    expect(asked).toEqual([]);
    await source.listVersions('pdf');
    await source.listVersions('docx');
    expect(asked).toEqual([address]);
    expect(requests.every((request) => request.headers.get('authorization') === `Bearer ${token}`)).toBe(true);
  });

  it('asks for a login when there is no token, before calling the registry', async () => {
    const { fetch, requests } = fakeFetch(() => jsonResponse(200, {}));
    const source = httpRegistrySources({ token: () => Promise.resolve(undefined) }, { fetch })(address, resolved);
    await expect(source.listVersions('pdf')).rejects.toMatchObject({ code: 'REGISTRY_LOGIN_REQUIRED', hint: expect.stringContaining(`skillsync login --registry ${address}`) as unknown });
    expect(requests).toHaveLength(0);
  });

  it('refuses a URL that is not a registry address', () => {
    expect(() => httpRegistrySources({ token: () => Promise.resolve(token) })('https://skills.example.com/registry', resolved)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
