import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isSkillsyncError } from '@skillsync/core';
import { integrityToHex, packSkill, type PackedSkill } from '@skillsync/store';
import { makeTempDir, validSkillMd, writeTree } from '@skillsync/store/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTransaction } from '../db/server-transaction.js';
import { registryRoutes } from '../registry/index.js';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';
import { createDatabaseBlobStore } from './database-blob-store.js';
import { createDirectoryBlobStore } from './directory-blob-store.js';

async function packed(files: Record<string, string> = {}): Promise<PackedSkill> {
  const dir = await makeTempDir('skillsync-blobs-');
  await writeTree(dir, { 'SKILL.md': validSkillMd, ...files });
  return packSkill(dir);
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return isSkillsyncError(error) ? error.code : undefined;
}

describe.each(SERVER_ENGINES)('the database blob store on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('stores bytes once per integrity, inside the transaction it is given', async () => {
    const store = createDatabaseBlobStore(server.context.db);
    const pkg = await packed({ 'notes.md': `database ${engine}\n` });
    expect(await store.get(pkg.integrity)).toBeUndefined();

    const rolledBack = writeTransaction(server.context, async (db) => {
      await store.put(db, pkg.integrity, pkg.tarball);
      throw new Error('publish failed after the blob was written');
    });
    await expect(rolledBack).rejects.toThrow('publish failed');
    expect(await store.get(pkg.integrity)).toBeUndefined();

    expect(await writeTransaction(server.context, (db) => store.put(db, pkg.integrity, pkg.tarball))).toBe(pkg.tarball.byteLength);
    // The same files gzipped otherwise: the first bytes are kept, and their size is what put tells.
    const uncompressed = gzipSync(gunzipSync(pkg.tarball), { level: 0 });
    expect(await writeTransaction(server.context, (db) => store.put(db, pkg.integrity, uncompressed))).toBe(pkg.tarball.byteLength);
    const bytes = await store.get(pkg.integrity);
    expect(Buffer.from(bytes!).equals(Buffer.from(pkg.tarball))).toBe(true);
    const rows = await server.context.db.selectFrom('blobs').select(['size']).where('integrity', '=', pkg.integrity).execute();
    expect(rows).toEqual([{ size: pkg.tarball.byteLength }]);
  });
});

describe('the directory blob store', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer('sqlite', { modules: [] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('writes <dir>/<hex of the integrity>, idempotently, and reads it back checked', async () => {
    const dir = path.join(await makeTempDir('skillsync-blobs-'), 'blobs');
    const store = createDirectoryBlobStore(dir);
    const pkg = await packed();
    expect(await store.get(pkg.integrity)).toBeUndefined();
    expect(await store.put(server.context.db, pkg.integrity, pkg.tarball)).toBe(pkg.tarball.byteLength);
    expect(await store.put(server.context.db, pkg.integrity, gzipSync(gunzipSync(pkg.tarball), { level: 0 }))).toBe(pkg.tarball.byteLength);
    expect(await readdir(dir)).toEqual([integrityToHex(pkg.integrity)]);
    expect(Buffer.from((await store.get(pkg.integrity))!).equals(Buffer.from(pkg.tarball))).toBe(true);
  });

  it('never serves a damaged file, and a put replaces it', async () => {
    const dir = await makeTempDir('skillsync-blobs-');
    const store = createDirectoryBlobStore(dir);
    const pkg = await packed();
    const other = await packed({ 'extra.md': 'not the same package\n' });
    const file = path.join(dir, integrityToHex(pkg.integrity));
    await store.put(server.context.db, pkg.integrity, pkg.tarball);

    // Another package's bytes under this name, then bytes that are not a package at all.
    for (const damage of [other.tarball, Buffer.from('garbage')]) {
      await writeFile(file, damage);
      expect(await codeOf(store.get(pkg.integrity))).toBe('STORE_CORRUPT');
    }
    await store.put(server.context.db, pkg.integrity, pkg.tarball);
    expect(Buffer.from(await readFile(file)).equals(Buffer.from(pkg.tarball))).toBe(true);
    expect((await readdir(dir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('backs publish and download, and a damaged blob is a server fault, not a download', async () => {
    const dir = await makeTempDir('skillsync-blobs-');
    const routed = await openTestServer('sqlite', { modules: [registryRoutes], blobs: { directory: dir } });
    try {
      const org = await routed.newOrg();
      const pkg = await packed();
      const url = `/v0.1/orgs/${org.org}/skills/${pkg.name}/versions/${pkg.version}`;
      const put = await routed.app.request(url, {
        method: 'PUT',
        headers: { authorization: `Bearer ${org.ownerToken}`, 'x-skillsync-integrity': pkg.integrity },
        body: pkg.tarball,
      });
      expect(put.status).toBe(201);
      expect(await routed.context.db.selectFrom('blobs').select('integrity').execute()).toEqual([]);
      const download = await routed.call('GET', `${url}/package`, { token: org.ownerToken });
      expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(pkg.tarball))).toBe(true);

      await writeFile(path.join(dir, integrityToHex(pkg.integrity)), 'damaged');
      const damaged = await routed.call('GET', `${url}/package`, { token: org.ownerToken });
      expect(damaged.status).toBe(500);
      expect(await damaged.text()).not.toContain('damaged');
    } finally {
      await routed.close();
    }
  });
});
