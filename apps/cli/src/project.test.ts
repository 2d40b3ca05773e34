import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serializeLockfile, type Lockfile } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { readLockfile } from './project.js';

const integrity = `sha512-${'A'.repeat(86)}==`;
const lockfile: Lockfile = {
  lockfileVersion: 1,
  skills: { review: { specifier: 'review@^1.0.0', version: '1.2.0' } },
  packages: { 'review@1.2.0': { resolved: 'registry+https://registry.example.com/', integrity, dependencies: { lint: '2.0.0' } }, 'lint@2.0.0': { resolved: 'path:./skills/lint', integrity } },
};

async function setup() {
  const root = await mkdtemp(path.join(tmpdir(), 'ss-lockfile-'));
  const file = path.join(root, 'skillsync.lock');
  await writeFile(file, serializeLockfile(lockfile));
  const cache = { dir: path.join(root, 'cache', 'lockfiles'), key: 'build-1' };
  const entries = async () => (await readdir(cache.dir).catch(() => [])).map((name) => path.join(cache.dir, name));
  return { file, cache, entries };
}

describe('readLockfile with a cache of parsed lockfiles', () => {
  it('parses once, then answers from the cache what the parser gives', async () => {
    const { file, cache, entries } = await setup();
    const parsed = await readLockfile(file);
    expect(await readLockfile(file, cache)).toEqual(parsed);
    const [entry] = await entries();
    if (entry === undefined) throw new Error('no cache entry written');
    // The entry is what a hit returns: plant a value in it, keeping its digest, and the hit gives it back.
    const saved = JSON.parse(await readFile(entry, 'utf8')) as { digest: string; lockfile: Lockfile };
    await writeFile(entry, JSON.stringify({ ...saved, lockfile: { ...saved.lockfile, skills: {} } }));
    expect(await readLockfile(file, cache)).toMatchObject({ skills: {} });
  });

  it('parses again when the text, the file or the build changed; a bad lockfile fails every time', async () => {
    const { file, cache, entries } = await setup();
    await readLockfile(file, cache);
    const [entry] = await entries();
    if (entry === undefined) throw new Error('no cache entry written');
    // A wrong value under the old digest: served only if the digest were not checked.
    const saved = JSON.parse(await readFile(entry, 'utf8')) as { digest: string; lockfile: Lockfile };
    await writeFile(entry, JSON.stringify({ ...saved, lockfile: { ...saved.lockfile, skills: {} } }));

    expect(await readLockfile(file, { ...cache, key: 'build-2' })).toEqual(lockfile);
    expect(await readLockfile(file, { ...cache, dir: path.join(cache.dir, 'elsewhere') })).toEqual(lockfile);
    const changed = { ...lockfile, skills: { ...lockfile.skills, lint: { specifier: 'lint@2', version: '2.0.0' } } };
    await writeFile(file, serializeLockfile(changed));
    expect(await readLockfile(file, cache)).toEqual(changed);

    await writeFile(file, '{"lockfileVersion": 1, "skills": {"x": {}}}');
    for (let run = 0; run < 2; run += 1) await expect(readLockfile(file, cache)).rejects.toMatchObject({ code: 'LOCKFILE_INVALID' });
  });

  it('is undefined when there is no lockfile', async () => {
    const { file, cache } = await setup();
    expect(await readLockfile(`${file}.absent`, cache)).toBeUndefined();
  });
});
