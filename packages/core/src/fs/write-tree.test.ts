import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTreeDurably } from './write-tree.js';

describe('writeTreeDurably', () => {
  const tree = {
    mode: 0o755,
    dirs: [
      { path: 'scripts', mode: 0o755 },
      { path: 'scripts/lib', mode: 0o750 },
    ],
    files: [
      { path: 'SKILL.md', mode: 0o644, content: Buffer.from('# Skill\n') },
      { path: 'scripts/run.sh', mode: 0o755, content: Buffer.from('#!/bin/sh\n') },
      { path: 'scripts/lib/big.bin', mode: 0o600, content: Buffer.alloc(300 * 1024, 7) },
      { path: 'empty.txt', mode: 0o644, content: Buffer.alloc(0) },
    ],
  };

  it('writes exactly the folders and files given, with exactly their modes', async () => {
    const dir = path.join(await mkdtemp(path.join(tmpdir(), 'ss-tree-')), 'copy');
    await writeTreeDurably(dir, tree);
    expect((await readdir(dir, { recursive: true })).sort()).toEqual(['SKILL.md', 'empty.txt', 'scripts', 'scripts/lib', 'scripts/lib/big.bin', 'scripts/run.sh']);
    for (const file of tree.files) {
      expect(await readFile(path.join(dir, file.path))).toEqual(file.content);
      expect((await stat(path.join(dir, file.path))).mode & 0o7777).toBe(file.mode);
    }
    for (const sub of tree.dirs) expect((await stat(path.join(dir, sub.path))).mode & 0o7777).toBe(sub.mode);
    expect((await stat(dir)).mode & 0o7777).toBe(0o755);
  });

  it('refuses a folder that exists, and a file in the way, with a coded error', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'ss-tree-'));
    await expect(writeTreeDurably(parent, tree)).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    const dir = path.join(parent, 'copy');
    const clash = { ...tree, files: [...tree.files, { path: 'scripts', mode: 0o644, content: Buffer.from('x') }] };
    await expect(writeTreeDurably(dir, clash)).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    await writeFile(path.join(parent, 'marker'), '');
  });
});
