import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packSkill } from '../pack/pack-skill.js';
import { makeTempDir, validSkillMd, writeTree } from '../test-support/tar-fixtures.js';
import { hashSkillFolder } from './hash-skill-folder.js';
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
