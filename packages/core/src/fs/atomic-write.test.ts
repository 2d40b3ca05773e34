import { mkdtemp, readdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileAtomic, writeFileAtomic } from './atomic-write.js';

describe('writeFileAtomic', () => {
  it('creates parent folders, replaces content and leaves no temp files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-atomic-'));
    const file = path.join(dir, 'a', 'b.txt');
    await writeFileAtomic(file, 'one');
    await writeFileAtomic(file, 'two', { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('two');
    expect(await readdir(path.dirname(file))).toEqual(['b.txt']);
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('throws a coded error and leaves nothing behind when the target is a directory', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-atomic-'));
    await expect(writeFileAtomic(dir, 'x')).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    expect(await readdir(dir)).toEqual([]);
  });
});


describe('createFileAtomic', () => {
  it('creates a file whole, and refuses a name that is taken without touching it or leaving a temp file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'skillsync-create-atomic-'));
    const file = path.join(dir, 'claim.json');
    await createFileAtomic(file, '{"pid":1}\n', { mode: 0o600 });
    expect(await readFile(file, 'utf8')).toBe('{"pid":1}\n');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);

    const refused = createFileAtomic(file, '{"pid":2}\n');
    await expect(refused).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED', cause: expect.objectContaining({ code: 'EEXIST' }) as unknown });
    expect(await readFile(file, 'utf8')).toBe('{"pid":1}\n');
    expect(await readdir(dir)).toEqual(['claim.json']);
  });
});
