import { chmod, mkdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packSkill } from '../pack/pack-skill.js';
import { makeTempDir, validSkillMd, writeTree } from '../test-support/tar-fixtures.js';
import { RACY_WINDOW_MS, stampsSettled } from './folder-stamps.js';
import {
  hashSkillFolder,
  loadSkillFolderHasher,
  readSkillFolderState,
  readSkillFolderStateSync,
  settleFingerprint,
  type SkillFolderFingerprint,
  type SkillFolderState,
} from './hash-skill-folder.js';
import { openStore } from './open-store.js';

describe('hashSkillFolder', () => {
  it('gives a folder the integrity of its package, and of its store entry', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, 'scripts/run.sh': '#!/bin/sh\n' });
    await chmod(path.join(dir, 'scripts/run.sh'), 0o755);
    const packed = await packSkill(dir);
    expect(await hashSkillFolder(dir)).toBe(packed.integrity);
    const entry = await openStore(await makeTempDir()).addPackage(packed.tarball);
    expect(await hashSkillFolder(entry.dir)).toBe(packed.integrity);

    await writeFile(path.join(dir, 'extra.md'), 'x');
    expect(await hashSkillFolder(dir)).not.toBe(packed.integrity);
  });

  it('is undefined for no folder and refuses links and non-folders', async () => {
    const dir = await makeTempDir();
    expect(await hashSkillFolder(path.join(dir, 'absent'))).toBeUndefined();
    await writeFile(path.join(dir, 'file'), 'x');
    await expect(hashSkillFolder(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'PACKAGE_UNSAFE_ENTRY' });
    await mkdir(path.join(dir, 'linked'));
    await symlink('/etc/hostname', path.join(dir, 'linked', 'host'));
    await expect(hashSkillFolder(path.join(dir, 'linked'))).rejects.toMatchObject({ code: 'PACKAGE_UNSAFE_ENTRY' });
  });
});

describe('readSkillFolderState with a fingerprint', () => {
  const skillFolder = async (): Promise<string> => {
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, 'references/guide.md': '# Guide\n' });
    return dir;
  };
  /** A clock far enough ahead that stamps written just now count as settled (older than the racy window). */
  const later = () => Date.now() + 10 * RACY_WINDOW_MS;
  const hashed = (state: SkillFolderState) => {
    if (state.kind !== 'hashed') throw new Error(`expected a hashed folder, got ${state.kind}`);
    return state;
  };
  /** The fingerprint of a folder just hashed (with its stamps), not a settled one reused. */
  const taken = (state: SkillFolderState): SkillFolderFingerprint => {
    const { fingerprint } = hashed(state);
    if (!('stamps' in fingerprint)) throw new Error('expected a fresh fingerprint');
    return fingerprint;
  };

  it('answers from a settled fingerprint whose stamps all match, without reading a file', async () => {
    const dir = await skillFolder();
    const state = await readSkillFolderState(dir, { now: later });
    expect(hashed(state).reused).toBe(false);
    const first = taken(state);
    expect(first.integrity).toBe(await hashSkillFolder(dir));
    expect(first.stamps.map((stamp) => stamp.path).sort()).toEqual(['', 'SKILL.md', 'references', 'references/guide.md']);

    // The fingerprint is trusted as it stands: a wrong integrity in it comes back, which proves no byte was read.
    const planted = { ...first, integrity: 'sha512-planted' };
    expect(hashed(await readSkillFolderState(dir, { known: planted, now: later }))).toMatchObject({ reused: true, fingerprint: { integrity: 'sha512-planted' } });
    // So does its settled, compact form (what a sync keeps between runs).
    const settled = settleFingerprint(planted);
    expect(settled).toMatchObject({ integrity: 'sha512-planted', paths: ['', 'SKILL.md', 'references', 'references/guide.md'] });
    expect(hashed(await readSkillFolderState(dir, { known: settled }))).toMatchObject({ reused: true, fingerprint: settled });
  });

  it('synchronously, without a hasher, says which folders must be hashed instead of hashing them', async () => {
    const dir = await skillFolder();
    const known = hashed(await readSkillFolderState(dir, { now: later })).fingerprint;
    expect(readSkillFolderStateSync(dir, { known, now: later })).toMatchObject({ kind: 'hashed', reused: true });
    expect(readSkillFolderStateSync(path.join(dir, 'absent'))).toEqual({ kind: 'absent' });
    await writeFile(path.join(dir, 'extra.md'), 'x');
    expect(readSkillFolderStateSync(dir, { known, now: later })).toEqual({ kind: 'unhashed' });
    const rehashed = readSkillFolderStateSync(dir, { known, now: later, hasher: await loadSkillFolderHasher() });
    expect(hashed(rehashed).fingerprint.integrity).toBe(await hashSkillFolder(dir));
  });

  it('never trusts stamps younger than the racy window, even when they all match', async () => {
    const dir = await skillFolder();
    // Hashed with the real clock right after the files were written: every stamp is within the window.
    const racy = taken(await readSkillFolderState(dir));
    expect(stampsSettled(racy.stamps, racy.verifiedAt)).toBe(false);
    expect(settleFingerprint(racy)).toBeUndefined();
    // A same-size edit within the same clock tick would leave every stamp as it was: model it as
    // a fingerprint whose stamps match but whose integrity is not the bytes'. It must be re-hashed.
    const planted = { ...racy, integrity: 'sha512-planted' };
    const again = hashed(await readSkillFolderState(dir, { known: planted }));
    expect(again.reused).toBe(false);
    expect(again.fingerprint.integrity).toBe(racy.integrity);
  });

  it('sees an edit, a same-size edit with its mtime put back, an added and a removed file', async () => {
    const dir = await skillFolder();
    const guide = path.join(dir, 'references', 'guide.md');
    const fresh = async () => taken(await readSkillFolderState(dir, { now: later }));
    // Past the coarsest file clock tick, so every change below lands on a new timestamp.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 30));
    // A whole second, so that putting it back is exact (no sub-millisecond part lost on the way).
    const second = new Date('2020-01-01T00:00:00Z');
    const cases: [string, () => Promise<void>][] = [
      ['edit', async () => writeFile(guide, '# Guide, longer now\n')],
      [
        // Only the ctime tells this one: size, mtime, inode and mode are all as they were.
        'same-size edit, mtime restored',
        async () => {
          const text = await readFile(guide, 'utf8');
          await writeFile(guide, `X${text.slice(1)}`);
          await utimes(guide, second, second);
        },
      ],
      ['added file', async () => writeFile(path.join(dir, 'references', 'extra.md'), 'x')],
      ['removed file', async () => rm(guide)],
      ['chmod +x', async () => chmod(path.join(dir, 'SKILL.md'), 0o755)],
    ];
    for (const [label, change] of cases) {
      await utimes(guide, second, second).catch(() => undefined);
      const known = await fresh();
      const { mtimeMs, size } = await stat(guide).catch(() => ({ mtimeMs: 0, size: 0 }));
      await tick();
      await change();
      if (label === 'same-size edit, mtime restored') expect(await stat(guide)).toMatchObject({ mtimeMs, size });
      const now = hashed(await readSkillFolderState(dir, { known, now: later }));
      expect(now.reused, label).toBe(false);
      expect(now.fingerprint.integrity, label).toBe(await hashSkillFolder(dir));
      expect(now.fingerprint.integrity, label).not.toBe(known.integrity);
    }
    // A folder gone is absent, whatever was known of it.
    const known = await fresh();
    await rm(dir, { recursive: true });
    expect(await readSkillFolderState(dir, { known, now: later })).toEqual({ kind: 'absent' });
  });
});
