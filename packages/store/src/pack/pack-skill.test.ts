import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { isSkillsyncError } from '@skillsync/core';
import { list } from 'tar';
import { describe, expect, it } from 'vitest';
import { makeTempDir, validSkillMd, writeTree } from '../test-support/tar-fixtures.js';
import { computeIntegrity } from '../integrity/integrity.js';
import { readPackage } from '../unpack/read-package.js';
import { readSkillIdentity } from '../format/skill-identity.js';
import { packSkill } from './pack-skill.js';

const skillFiles: Record<string, string> = {
  'SKILL.md': validSkillMd,
  'references/guide.md': '# Guide\n',
  'scripts/run.sh': '#!/bin/sh\necho hi\n',
  'assets/data.json': '{"a":1}\n',
};

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isSkillsyncError(error), `expected ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
}

describe('packSkill', () => {
  it('reads name and version from SKILL.md and lists files with normalised modes', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, skillFiles);
    await chmod(path.join(dir, 'scripts/run.sh'), 0o700);
    await chmod(path.join(dir, 'assets/data.json'), 0o600);
    const packed = await packSkill(dir);
    expect(packed).toMatchObject({ name: 'demo-skill', version: '1.2.3' });
    expect(packed.files).toEqual([
      { path: 'SKILL.md', size: validSkillMd.length, mode: 0o644 },
      { path: 'assets/data.json', size: 8, mode: 0o644 },
      { path: 'references/guide.md', size: 8, mode: 0o644 },
      { path: 'scripts/run.sh', size: 18, mode: 0o755 },
    ]);
    expect(packed.unpackedSize).toBe(packed.files.reduce((sum, file) => sum + file.size, 0));
    expect(packed.integrity).toBe(computeIntegrity(gunzipSync(packed.tarball)));
  });

  it('is deterministic across runs, mtimes, non-execute permissions and creation order', async () => {
    const a = await makeTempDir();
    await writeTree(a, skillFiles);
    const first = await packSkill(a);
    const second = await packSkill(a);
    expect(Buffer.from(second.tarball).equals(Buffer.from(first.tarball))).toBe(true);

    const b = await makeTempDir();
    for (const name of Object.keys(skillFiles).reverse()) await writeTree(b, { [name]: skillFiles[name]! });
    await utimes(path.join(b, 'SKILL.md'), new Date('2001-02-03'), new Date('2001-02-03'));
    await utimes(path.join(b, 'references/guide.md'), new Date('2030-01-01'), new Date('2030-01-01'));
    await chmod(path.join(b, 'references/guide.md'), 0o600);
    await chmod(path.join(b, 'assets/data.json'), 0o664);
    const copy = await packSkill(b);
    expect(copy.integrity).toBe(first.integrity);
    expect(Buffer.from(copy.tarball).equals(Buffer.from(first.tarball))).toBe(true);

    await chmod(path.join(b, 'references/guide.md'), 0o744);
    expect((await packSkill(b)).integrity).not.toBe(first.integrity);
  });

  it('writes a fixed gzip header: no mtime, OS byte 255', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, skillFiles);
    const { tarball } = await packSkill(dir);
    expect([...tarball.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
  });

  it('orders entries by the UTF-8 bytes of their path, not by locale', async () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(70)}.md`;
    const names = ['B.md', 'a-b/x.md', 'a/b.md', 'a.md', 'é.md', 'z.md', 'Ä.md', '中.md', long, '_x.md'];
    const dir = await makeTempDir();
    await writeTree(dir, Object.fromEntries<string>([['SKILL.md', validSkillMd], ...names.map((n) => [n, n] as const)]));
    const packed = await packSkill(dir);
    const expected = ['SKILL.md', ...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(packed.files.map((file) => file.path)).toEqual(expected);
    // 'B' < 'SKILL.md' < '_' < 'a-b' < 'a.md' < 'a/b' < 'd…' < 'z' < 'Ä' < 'é' < '中'
    expect(expected).toEqual(['B.md', 'SKILL.md', '_x.md', 'a-b/x.md', 'a.md', 'a/b.md', long, 'z.md', 'Ä.md', 'é.md', '中.md']);
  });

  it('is read back by node-tar and GNU tar with the same paths, including long and non-ASCII names', async () => {
    const long = `${'x'.repeat(120)}/${'y'.repeat(110)}.md`;
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, [long]: 'long', 'ünï/cödé.md': 'u' });
    const packed = await packSkill(dir);
    const tgz = path.join(await makeTempDir(), 'demo.tgz');
    await writeFile(tgz, packed.tarball);
    const seen: string[] = [];
    await list({ file: tgz, onReadEntry: (entry) => seen.push(entry.path) });
    const expected = packed.files.map((file) => `package/${file.path}`);
    expect(seen).toEqual(expected);
    let gnu: string | undefined;
    try {
      gnu = execFileSync('tar', ['-tzf', tgz], { encoding: 'utf8' });
    } catch {
      gnu = undefined; // no system tar: node-tar above is the reference reader
    }
    if (gnu !== undefined) expect(gnu.trim().split('\n')).toEqual(expected);
    expect((await readPackage(packed.tarball)).integrity).toBe(packed.integrity);
  });

  it('leaves out version-control data, dependencies, caches, OS litter and editor files', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, {
      'SKILL.md': validSkillMd,
      'keep.md': 'k',
      '.git/config': 'x',
      'sub/.git': 'gitdir: ../x',
      '.hg/store': 'x',
      '.svn/entries': 'x',
      'node_modules/a/index.js': 'x',
      'scripts/__pycache__/m.cpython-312.pyc': 'x',
      'scripts/m.pyc': 'x',
      'scripts/m.py': 'print(1)',
      '.DS_Store': 'x',
      'assets/Thumbs.db': 'x',
      'desktop.ini': 'x',
      '.SKILL.md.swp': 'x',
      'notes.md.swo': 'x',
      'notes.md~': 'x',
      '.#notes.md': 'x',
      '#notes.md#': 'x',
      '.gitignore': 'kept',
    });
    const packed = await packSkill(dir);
    expect(packed.files.map((file) => file.path)).toEqual(['.gitignore', 'SKILL.md', 'keep.md', 'scripts/m.py']);
  });

  it('stores a link to a file inside the skill as that file', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, 'real/a.sh': '#!/bin/sh\n' });
    await chmod(path.join(dir, 'real/a.sh'), 0o755);
    await symlink('real/a.sh', path.join(dir, 'alias.sh'));
    const packed = await packSkill(dir);
    expect(packed.files).toContainEqual({ path: 'alias.sh', size: 10, mode: 0o755 });
    const contents = await readPackage(packed.tarball);
    expect(Buffer.from(contents.files.find((f) => f.path === 'alias.sh')!.content).toString()).toBe('#!/bin/sh\n');
  });

  it('refuses links that leave the skill, dangle, or point to a folder', async () => {
    const outside = await makeTempDir();
    await writeTree(outside, { 'secret.txt': 'key' });
    for (const [target, kind] of [
      [path.join(outside, 'secret.txt'), 'symlink-outside'],
      ['../../etc/passwd', 'symlink-outside'],
      ['missing.md', 'dangling-symlink'],
      ['real', 'symlink-to-directory'],
    ] as const) {
      const dir = await makeTempDir();
      await writeTree(dir, { 'SKILL.md': validSkillMd, 'real/a.md': 'a' });
      await symlink(target, path.join(dir, 'link'));
      const error: unknown = await packSkill(dir).catch((thrown: unknown) => thrown);
      expect(error).toMatchObject({ code: 'PACKAGE_UNSAFE_ENTRY', details: { kind } });
    }
  });

  it('refuses FIFOs and sockets', async () => {
    if (process.platform === 'win32') return; // no mkfifo: nothing to refuse there
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd });
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    await expectCode(packSkill(dir), 'PACKAGE_UNSAFE_ENTRY');
  });

  it('refuses a skill without a valid name or semver version', async () => {
    const cases: [string, string][] = [
      ['---\nname: Bad_Name\nmetadata:\n  version: "1.0.0"\n---\n', 'SKILL_NAME_INVALID'],
      ['---\nname: -bad\nmetadata:\n  version: "1.0.0"\n---\n', 'SKILL_NAME_INVALID'],
      ['---\ndescription: x\nmetadata:\n  version: "1.0.0"\n---\n', 'SKILL_NAME_MISSING'],
      ['---\nname: good\ndescription: x\n---\n', 'SKILL_VERSION_MISSING'],
      ['---\nname: good\nmetadata:\n  author: me\n---\n', 'SKILL_VERSION_MISSING'],
      ['---\nname: good\nmetadata:\n  version: "1.0"\n---\n', 'SKILL_VERSION_INVALID'],
      ['---\nname: good\nmetadata:\n  version: v1.0.0\n---\n', 'SKILL_VERSION_INVALID'],
      ['no frontmatter', 'SKILL_FRONTMATTER_MISSING'],
    ];
    for (const [skillMd, code] of cases) {
      const dir = await makeTempDir();
      await writeTree(dir, { 'SKILL.md': skillMd });
      await expectCode(packSkill(dir), code);
    }
    const flow = await makeTempDir();
    await writeTree(flow, { 'SKILL.md': "---\nname: 'flow'\nmetadata: { author: x, version: '2.0.0-rc.1' }\n---\n" });
    expect(await packSkill(flow)).toMatchObject({ name: 'flow', version: '2.0.0-rc.1' });
    await expectCode(packSkill(await makeTempDir()), 'SKILL_MD_MISSING');
  });

  it('refuses names that would unpack differently on another platform', async () => {
    for (const name of ['a\\b.md', 'con.txt', 'what?.md', 'trailing.']) {
      const dir = await makeTempDir();
      await writeTree(dir, { 'SKILL.md': validSkillMd, [name]: 'x' });
      await expectCode(packSkill(dir), 'PACKAGE_UNSAFE_PATH');
    }
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, 'Readme.md': 'a', 'README.md': 'b' });
    await expectCode(packSkill(dir), 'PACKAGE_UNSAFE_PATH');
  });

  it('enforces the package limits', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, { 'SKILL.md': validSkillMd, 'big.bin': new Uint8Array(2048), 'a.md': 'a', 'b.md': 'b' });
    await expectCode(packSkill(dir, { limits: { maxFileSize: 1024 } }), 'PACKAGE_TOO_LARGE');
    await expectCode(packSkill(dir, { limits: { maxTotalSize: 2100 } }), 'PACKAGE_TOO_LARGE');
    await expectCode(packSkill(dir, { limits: { maxFiles: 3 } }), 'PACKAGE_TOO_LARGE');
    await mkdir(path.join(dir, 'empty'));
    expect((await packSkill(dir)).files).toHaveLength(4);
  });

  it('reads the identity of a folder through core', async () => {
    const dir = await makeTempDir();
    await writeTree(dir, skillFiles);
    expect(await readSkillIdentity(dir)).toEqual({ name: 'demo-skill', version: '1.2.3' });
    await expectCode(readSkillIdentity(await makeTempDir()), 'SKILL_MD_MISSING');
  });

  it('refuses a folder that does not exist', async () => {
    await expectCode(packSkill(path.join(await makeTempDir(), 'nope')), 'FILE_NOT_FOUND');
  });
});
