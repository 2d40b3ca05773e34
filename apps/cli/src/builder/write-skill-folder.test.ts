import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSkillFolder } from './write-skill-folder.js';

describe('writeSkillFolder', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-write-skill-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('writes every file, nested folders included, and returns the paths in byte order', async () => {
    const dir = path.join(root, 'skills', 'triage-bug');
    const written = await writeSkillFolder(dir, { 'SKILL.md': 'a', 'references/deep/guide.md': 'b', 'evals/evals.json': 'c' });
    expect(written).toEqual(['SKILL.md', 'evals/evals.json', 'references/deep/guide.md']);
    expect(await readFile(path.join(dir, 'references', 'deep', 'guide.md'), 'utf8')).toBe('b');
    expect((await stat(path.join(dir, 'SKILL.md'))).mode & 0o777).toBe(0o644);
    // Nothing but the folder itself is left beside it.
    expect(await readdir(path.join(root, 'skills'))).toEqual(['triage-bug']);
  });

  it('fills an empty folder', async () => {
    const dir = path.join(root, 'empty');
    await mkdir(dir);
    await writeSkillFolder(dir, { 'SKILL.md': 'a' });
    expect(await readdir(dir)).toEqual(['SKILL.md']);
  });

  it('refuses a folder that has anything in it, and leaves it exactly as it was', async () => {
    const dir = path.join(root, 'taken');
    await mkdir(dir);
    await writeFile(path.join(dir, 'notes.txt'), 'mine');
    await expect(writeSkillFolder(dir, { 'SKILL.md': 'a' })).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED', message: expect.stringContaining('already exists') as unknown });
    expect(await readdir(dir)).toEqual(['notes.txt']);
    expect(await readdir(root)).toEqual(['taken']);
  });

  it('leaves nothing behind when a file cannot be written', async () => {
    const dir = path.join(root, 'broken');
    // A file and a folder of the same name: the second write fails after the first succeeded.
    await expect(writeSkillFolder(dir, { 'SKILL.md': 'a', 'SKILL.md/inner': 'b' })).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    expect(await readdir(root)).toEqual([]);
  });
});
