import { readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { integrityToHex, packSkill, type PackedSkill } from '@skillsync/store';
import { makeTempDir, validSkillMd, writeTree } from '@skillsync/store/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { writeTransaction } from '../db/server-transaction.js';
import { registryRoutes } from '../registry/index.js';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';
import { BLOB_PRUNE_MIN_AGE_MS, pruneBlobs } from './prune-blobs.js';

async function packed(note: string): Promise<PackedSkill> {
  const dir = await makeTempDir('skillsync-prune-blobs-');
  await writeTree(dir, { 'SKILL.md': validSkillMd, 'notes.md': `${note}\n` });
  return packSkill(dir);
}

/** Sets a file's times to `ms` before now. */
async function age(file: string, ms: number): Promise<void> {
  const then = new Date(Date.now() - ms);
  await utimes(file, then, then);
}

const OLD = BLOB_PRUNE_MIN_AGE_MS + 60_000;

describe.each(SERVER_ENGINES)('pruneBlobs on %s', (engine) => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });

  async function withBlobDirectory(): Promise<{ server: TestServer; dir: string }> {
    const dir = await makeTempDir('skillsync-prune-blobs-');
    const server = await openTestServer(engine, { modules: [registryRoutes], blobs: { directory: dir } });
    servers.push(server);
    return { server, dir };
  }

  it('removes the blob of a publish that failed and old temp files; keeps referenced blobs, recent files and what is not its own', async () => {
    const { server, dir } = await withBlobDirectory();
    const org = await server.newOrg();
    const [published, failed, inFlight] = await Promise.all([packed(`published ${engine}`), packed(`failed ${engine}`), packed(`in flight ${engine}`)]);
    const url = `/v0.1/orgs/${org.org}/skills/${published.name}/versions/${published.version}`;
    const put = await server.app.request(url, { method: 'PUT', headers: { authorization: `Bearer ${org.ownerToken}`, 'x-skillsync-integrity': published.integrity }, body: published.tarball });
    expect(put.status).toBe(201);
    const publishFails = writeTransaction(server.context, async (db) => {
      await server.context.blobs.put(db, failed.integrity, failed.tarball);
      throw new Error('the version insert failed after the blob was written');
    });
    await expect(publishFails).rejects.toThrow('version insert failed');
    await server.context.blobs.put(server.context.db, inFlight.integrity, inFlight.tarball);
    const [publishedHex, failedHex, inFlightHex] = [published, failed, inFlight].map((pkg) => integrityToHex(pkg.integrity)) as [string, string, string];
    const oldTemp = `.${failedHex}.skillsync-0123456789ab.tmp`;
    const newTemp = `.${inFlightHex}.skillsync-abcdef012345.tmp`;
    await writeFile(path.join(dir, oldTemp), 'half a package');
    await writeFile(path.join(dir, newTemp), 'a package being written');
    await writeFile(path.join(dir, 'README'), 'not a blob');
    for (const name of [publishedHex, failedHex, oldTemp, 'README']) await age(path.join(dir, name), OLD);
    const before = (await readdir(dir)).sort();

    const expected = { removed: [{ integrity: failed.integrity, size: failed.tarball.byteLength }], leftovers: 1, bytes: failed.tarball.byteLength + 'half a package'.length, referenced: 1, recent: 2 };
    expect(await pruneBlobs(server.context, { dryRun: true })).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual(before);

    expect(await pruneBlobs(server.context)).toEqual(expected);
    expect((await readdir(dir)).sort()).toEqual([publishedHex, inFlightHex, newTemp, 'README'].sort());
    const download = await server.call('GET', `${url}/package`, { token: org.ownerToken });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(Buffer.from(published.tarball))).toBe(true);
    expect(await pruneBlobs(server.context)).toEqual({ removed: [], leftovers: 0, bytes: 0, referenced: 1, recent: 2 });
  });

  it('keeps an old orphan that a publish takes up again: the put marks it new', async () => {
    const { server, dir } = await withBlobDirectory();
    const pkg = await packed(`taken up again ${engine}`);
    const hex = integrityToHex(pkg.integrity);
    await server.context.blobs.put(server.context.db, pkg.integrity, pkg.tarball);
    await age(path.join(dir, hex), OLD);
    // The next publish of the same package, between its put and its commit.
    expect(await server.context.blobs.put(server.context.db, pkg.integrity, pkg.tarball)).toBe(pkg.tarball.byteLength);
    expect(await pruneBlobs(server.context)).toMatchObject({ removed: [], recent: 1 });
    expect(await readdir(dir)).toEqual([hex]);
    expect(Buffer.from((await server.context.blobs.get(pkg.integrity))!).equals(Buffer.from(pkg.tarball))).toBe(true);
  });
});

describe('pruneBlobs with blobs in the database', () => {
  it('has nothing to sweep: a publish writes its blob in its own transaction', async () => {
    const server = await openTestServer('sqlite', { modules: [] });
    try {
      expect(await pruneBlobs(server.context)).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
