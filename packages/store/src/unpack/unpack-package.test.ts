import { chmod, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { isSkillsyncError } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { packSkill } from '../pack/pack-skill.js';
import {
  buildPackage,
  buildRawTar,
  gzipTar,
  listTree,
  makeTempDir,
  validSkillMd,
  writeTree,
  type RawEntry,
} from '../test-support/tar-fixtures.js';
import { readPackage } from './read-package.js';
import { unpackPackage } from './unpack-package.js';

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  const error: unknown = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSkillsyncError(error)) throw new Error(`expected a SkillsyncError, got ${String(error)}`);
  return error;
}

/** Unpacks into a fresh parent and proves the refusal left nothing behind. */
async function expectRefused(tarball: Uint8Array, code: string, limits?: Record<string, number>): Promise<void> {
  const parent = await makeTempDir();
  const error = await errorOf(unpackPackage(tarball, path.join(parent, 'dest'), { limits }));
  expect(error.code).toBe(code);
  expect(await readdir(parent)).toEqual([]);
}

const skill: RawEntry = { path: 'package/SKILL.md', content: validSkillMd };

describe('readPackage and unpackPackage', () => {
  it('round-trips a packed skill to the same files, modes and integrity', async () => {
    const src = await makeTempDir();
    await writeTree(src, { 'SKILL.md': validSkillMd, 'scripts/run.sh': '#!/bin/sh\n', 'a/b/c.md': 'deep' });
    await chmod(path.join(src, 'scripts/run.sh'), 0o755);
    const packed = await packSkill(src);
    const contents = await readPackage(packed.tarball, { expectedIntegrity: packed.integrity });
    expect(contents.integrity).toBe(packed.integrity);
    const dest = path.join(await makeTempDir(), 'out');
    const result = await unpackPackage(packed.tarball, dest, { expectedIntegrity: packed.integrity });
    expect(result.files).toEqual(packed.files);
    expect(await listTree(dest)).toEqual(['SKILL.md', 'a', 'a/b', 'a/b/c.md', 'scripts', 'scripts/run.sh']);
    expect((await stat(path.join(dest, 'scripts/run.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(path.join(dest, 'a/b/c.md'))).mode & 0o777).toBe(0o644);
    expect(await listTree(path.dirname(dest))).toEqual(['out', ...(await listTree(dest)).map((p) => `out/${p}`)]);
  });

  it('accepts a tar made by other tools (directory entries, owners, mtimes, odd modes) with the canonical integrity', async () => {
    const src = await makeTempDir();
    await writeTree(src, { 'SKILL.md': validSkillMd, 'ref/x.md': 'x' });
    const packed = await packSkill(src);
    const foreign = gzipTar(
      buildRawTar([
        { path: 'package/', type: 'Directory', mode: 0o775 },
        { path: 'package/ref/', type: 'Directory' },
        { path: 'package/ref/x.md', content: 'x', mode: 0o600 },
        { path: 'package/SKILL.md', content: validSkillMd, mode: 0o664 },
      ]),
    );
    expect((await readPackage(foreign)).integrity).toBe(packed.integrity);
  });

  it.each<[string, RawEntry[]]>([
    ['absolute path', [{ path: '/etc/evil', content: 'x' }]],
    ['absolute path under package', [{ path: '/package/evil', content: 'x' }]],
    ['parent segment', [{ path: 'package/../evil', content: 'x' }]],
    ['parent segment deep', [{ path: 'package/a/../../evil', content: 'x' }]],
    ['backslash', [{ path: 'package\\..\\evil', content: 'x' }]],
    ['backslash inside package', [{ path: 'package/a\\b', content: 'x' }]],
    ['drive letter', [{ path: 'C:/evil', content: 'x' }]],
    ['outside package/', [{ path: 'other/evil', content: 'x' }]],
    ['dot segment', [{ path: 'package/./x', content: 'x' }]],
    ['empty segment', [{ path: 'package/a//x', content: 'x' }]],
    ['pax path escaping', [{ path: 'package/ok', paxPath: '../../evil', content: 'x' }]],
    ['long pax path escaping', [{ path: 'package/ok', paxPath: `package/${'../'.repeat(60)}evil`, content: 'x' }]],
    ['duplicate path', [{ path: 'package/a.md', content: '1' }, { path: 'package/a.md', content: '2' }]],
    ['duplicate SKILL.md', [{ path: 'package/SKILL.md', content: validSkillMd }]],
    ['case collision', [{ path: 'package/Read.md', content: '1' }, { path: 'package/READ.md', content: '2' }]],
    ['unicode normalisation collision', [{ path: 'package/caf\u00e9', content: '1' }, { path: 'package/cafe\u0301', content: '2' }]],
    ['directory case collision', [{ path: 'package/Dir/a', content: '1' }, { path: 'package/dir/b', content: '2' }]],
    ['file where a directory is needed', [{ path: 'package/a', content: '1' }, { path: 'package/a/b', content: '2' }]],
    ['windows device name', [{ path: 'package/nul.txt', content: 'x' }]],
    ['colon (alternate data stream)', [{ path: 'package/a.md:hidden', content: 'x' }]],
    ['control character', [{ path: 'package/a\nb', content: 'x' }]],
  ])('refuses %s with PACKAGE_UNSAFE_PATH and writes nothing', async (_name, entries) => {
    await expectRefused(gzipTar(buildRawTar([skill, ...entries])), 'PACKAGE_UNSAFE_PATH');
  });

  it.each<[string, RawEntry]>([
    ['symlink', { path: 'package/link', type: 'SymbolicLink', linkpath: '/etc/passwd' }],
    ['relative symlink', { path: 'package/link', type: 'SymbolicLink', linkpath: 'SKILL.md' }],
    ['hardlink', { path: 'package/hard', type: 'Link', linkpath: 'package/SKILL.md' }],
    ['character device', { path: 'package/dev', type: 'CharacterDevice' }],
    ['block device', { path: 'package/blk', type: 'BlockDevice' }],
    ['fifo', { path: 'package/fifo', type: 'FIFO' }],
    ['sparse file', { path: 'package/sparse', type: 'SparseFile' }],
    ['GNU dump dir', { path: 'package/dump', type: 'GNUDumpDir' }],
  ])('refuses a %s with PACKAGE_UNSAFE_ENTRY and writes nothing', async (_name, entry) => {
    await expectRefused(gzipTar(buildRawTar([skill, entry])), 'PACKAGE_UNSAFE_ENTRY');
  });

  it('refuses packages over the size and count limits', async () => {
    const big: RawEntry = { path: 'package/big.bin', content: new Uint8Array(5000) };
    await expectRefused(buildPackage([big]), 'PACKAGE_TOO_LARGE', { maxFileSize: 4096 });
    await expectRefused(buildPackage([big]), 'PACKAGE_TOO_LARGE', { maxTotalSize: 5000 });
    const many = Array.from({ length: 20 }, (_, i) => ({ path: `package/f${i}.md`, content: 'x' }));
    await expectRefused(buildPackage(many), 'PACKAGE_TOO_LARGE', { maxFiles: 20 });
    expect((await readPackage(buildPackage(many), { limits: { maxFiles: 21 } })).files).toHaveLength(21);
  });

  it('stops inflating a gzip bomb at the budget, fast', async () => {
    // 1 GiB of zeros behind a tar header that claims a small file: ~1 MB of gzip.
    const header = buildRawTar([skill, { path: 'package/bomb', content: '', size: 1 }], { end: false });
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const chunks = [gzipSync(header)];
    const member = gzipSync(zeros, { level: 9 });
    for (let i = 0; i < 16; i++) chunks.push(member);
    const bomb = Buffer.concat(chunks);
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = performance.now();
    await expectRefused(bomb, 'PACKAGE_TOO_LARGE', { maxTotalSize: 1024 * 1024, maxFiles: 10 });
    expect(performance.now() - started).toBeLessThan(2000);

    // With the default limits (100 MiB) the budget is passed after ~141 MiB, never the full 1 GiB.
    const atDefault = performance.now();
    await expectRefused(bomb, 'PACKAGE_TOO_LARGE');
    expect(performance.now() - atDefault).toBeLessThan(5000);
  });

  it('refuses a file that claims more bytes than the limit before reading them', async () => {
    const lying = gzipTar(buildRawTar([skill, { path: 'package/huge', content: '', size: 2 ** 33 }], { end: false }));
    expect((await errorOf(readPackage(lying))).code).toBe('PACKAGE_TOO_LARGE');
  });

  it.each<[string, () => Uint8Array]>([
    ['empty input', () => new Uint8Array()],
    ['plain text', () => Buffer.from('hello, this is not a package at all')],
    ['an uncompressed tar', () => buildRawTar([skill])],
    ['raw deflate', () => deflateRawSync(buildRawTar([skill]))],
    ['gzip of text', () => gzipSync('not a tar archive, just some text that is long enough')],
    ['gzip truncated', () => buildPackage().subarray(0, 40)],
    ['tar truncated inside a body', () => gzipTar(buildRawTar([skill]).subarray(0, 700))],
    ['tar without end-of-archive', () => gzipTar(buildRawTar([skill], { end: false }))],
    ['bad header checksum', () => {
      const tar = buildRawTar([skill]);
      tar[0] = 'q'.charCodeAt(0);
      return gzipTar(tar);
    }],
    ['no SKILL.md', () => gzipTar(buildRawTar([{ path: 'package/README.md', content: 'x' }]))],
    ['SKILL.md only in a subfolder', () => gzipTar(buildRawTar([{ path: 'package/x/SKILL.md', content: validSkillMd }]))],
    ['empty archive', () => gzipTar(Buffer.alloc(1024))],
  ])('refuses %s with PACKAGE_INVALID and writes nothing', async (_name, make) => {
    await expectRefused(make(), 'PACKAGE_INVALID');
  });

  it('refuses a tampered package with INTEGRITY_MISMATCH', async () => {
    const src = await makeTempDir();
    await writeTree(src, { 'SKILL.md': validSkillMd, 'notes.md': 'original notes\n' });
    const packed = await packSkill(src);
    const expectedIntegrity = packed.integrity;

    // A re-gzipped tar with one content byte changed: gzip is valid, content is not.
    const tar = gunzipSync(packed.tarball);
    const at = tar.indexOf('original');
    tar[at] = 'O'.charCodeAt(0);
    const parent = await makeTempDir();
    const regzipped = gzipSync(tar);
    expect((await errorOf(unpackPackage(regzipped, path.join(parent, 'd'), { expectedIntegrity }))).code).toBe(
      'INTEGRITY_MISMATCH',
    );

    // One byte flipped inside the stored .tgz body: whatever it decodes to, it is not the package.
    for (const offset of [20, Math.floor(packed.tarball.length / 2), packed.tarball.length - 10]) {
      const flipped = Buffer.from(packed.tarball);
      flipped[offset] = flipped[offset]! ^ 0x01;
      const error = await errorOf(unpackPackage(flipped, path.join(parent, 'd'), { expectedIntegrity }));
      expect(error.code).toBe('INTEGRITY_MISMATCH');
    }
    expect(await readdir(parent)).toEqual([]);
    expect((await errorOf(readPackage(packed.tarball, { expectedIntegrity: 'sha512-nope' }))).code).toBe('INTEGRITY_INVALID');
  });

  it('refuses to unpack over an existing folder', async () => {
    const parent = await makeTempDir();
    await writeTree(parent, { 'dest/keep.md': 'mine' });
    expect((await errorOf(unpackPackage(buildPackage(), path.join(parent, 'dest')))).code).toBe('FILE_WRITE_FAILED');
    expect(await listTree(parent)).toEqual(['dest', 'dest/keep.md']);
  });
});
