import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as Store from '@skillsync/store';
import { integrityToHex, packSkill, readPackage, type PackedSkill } from '@skillsync/store';
import { makeTempDir, validSkillMd, writeTree } from '@skillsync/store/test-support';
import type { Kysely } from 'kysely';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServerTables } from '../db/tables.js';
import { createDirectoryBlobStore } from './directory-blob-store.js';

// Counts the unpacking checks the store makes.
vi.mock('@skillsync/store', async (importOriginal) => {
  const actual = await importOriginal<typeof Store>();
  return { ...actual, readPackage: vi.fn(actual.readPackage) };
});

/** The directory store writes no database row. */
const noDatabase = undefined as unknown as Kysely<ServerTables>;

async function packed(note: string): Promise<PackedSkill> {
  const dir = await makeTempDir('skillsync-blobs-');
  await writeTree(dir, { 'SKILL.md': validSkillMd, 'notes.md': `${note}\n` });
  return packSkill(dir);
}

describe('the directory blob store', () => {
  beforeEach(() => {
    vi.mocked(readPackage).mockClear();
  });

  it('unpacks a blob to check it once, until the file changes', async () => {
    const dir = await makeTempDir('skillsync-blobs-');
    const store = createDirectoryBlobStore(dir);
    const pkg = await packed('checked once');
    vi.mocked(readPackage).mockClear();
    await store.put(noDatabase, pkg.integrity, pkg.tarball);
    for (let read = 0; read < 3; read += 1) expect(Buffer.from((await store.get(pkg.integrity))!).equals(Buffer.from(pkg.tarball))).toBe(true);
    expect(readPackage).toHaveBeenCalledTimes(1);

    await writeFile(path.join(dir, integrityToHex(pkg.integrity)), 'damaged');
    await expect(store.get(pkg.integrity)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    expect(readPackage).toHaveBeenCalledTimes(2);
    await store.put(noDatabase, pkg.integrity, pkg.tarball);
    await store.get(pkg.integrity);
    await store.get(pkg.integrity);
    expect(readPackage).toHaveBeenCalledTimes(4);
  });

  it('remembers at most verifiedMax blobs, the least recently read forgotten first', async () => {
    const dir = await makeTempDir('skillsync-blobs-');
    const store = createDirectoryBlobStore(dir, { verifiedMax: 1 });
    const [first, second] = [await packed('first'), await packed('second')];
    await store.put(noDatabase, first.integrity, first.tarball);
    await store.put(noDatabase, second.integrity, second.tarball);
    vi.mocked(readPackage).mockClear();
    for (const pkg of [first, first, second, first]) await store.get(pkg.integrity);
    expect(readPackage).toHaveBeenCalledTimes(3);
  });
});
