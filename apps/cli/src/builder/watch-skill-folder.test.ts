import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchSkillFolder, type SkillFolderWatcher } from './watch-skill-folder.js';

/** Resolves when `check` holds, polling; generous, for a loaded 2-core machine. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** What a run reads: SKILL.md, and references/guide.md when there is one. */
async function folderText(dir: string): Promise<string> {
  const guide = await readFile(path.join(dir, 'references', 'guide.md'), 'utf8').catch(() => undefined);
  return [await readFile(path.join(dir, 'SKILL.md'), 'utf8'), ...(guide === undefined ? [] : [guide])].join('|');
}

describe('watchSkillFolder', () => {
  let dir: string;
  let watcher: SkillFolderWatcher | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-watch-skill-'));
    await writeFile(path.join(dir, 'SKILL.md'), 'one');
  });

  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('runs once at the start, then after a burst of saves: never halfway through it', async () => {
    const seen: string[] = [];
    watcher = await watchSkillFolder(dir, { settleMs: 300, onSettled: async () => void seen.push(await folderText(dir)), onError: (error) => { throw error; } });
    await until(() => seen.length === 1);
    // An editor's save: several events in a row.
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await writeFile(path.join(dir, 'SKILL.md'), 'three');
    await mkdir(path.join(dir, 'references'));
    await writeFile(path.join(dir, 'references', 'guide.md'), 'four');
    await until(() => seen.length >= 2);
    expect(seen.slice(0, 2)).toEqual(['one', 'three|four']);
  });

  it('ignores what packing leaves out: editor swap files and VCS folders', async () => {
    let runs = 0;
    watcher = await watchSkillFolder(dir, { settleMs: 60, onSettled: () => Promise.resolve(void (runs += 1)), onError: (error) => { throw error; } });
    await until(() => runs === 1);
    await writeFile(path.join(dir, '.SKILL.md.swp'), 'x');
    await writeFile(path.join(dir, 'SKILL.md~'), 'x');
    await mkdir(path.join(dir, '.git'));
    await writeFile(path.join(dir, '.git', 'HEAD'), 'x');
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(runs).toBe(1);
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await until(() => runs === 2);
  });

  it('never runs twice at once: saves during a run make one more run after it', async () => {
    let active = 0;
    let overlapped = false;
    const seen: string[] = [];
    let release: () => void = () => undefined;
    watcher = await watchSkillFolder(dir, {
      settleMs: 60,
      onSettled: async () => {
        active += 1;
        overlapped ||= active > 1;
        seen.push(await folderText(dir));
        if (seen.length === 2) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
      onError: (error) => { throw error; },
    });
    await until(() => seen.length === 1 && active === 0);
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await until(() => seen.length === 2);
    // Two bursts while that run waits, each past chokidar's 50 ms change throttle and the settle time.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(path.join(dir, 'SKILL.md'), 'three');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await writeFile(path.join(dir, 'SKILL.md'), 'four');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(2);
    release();
    await until(() => seen.length >= 3);
    // The next run is the next save's: the second burst was seen by the run after the first.
    await writeFile(path.join(dir, 'SKILL.md'), 'five');
    await until(() => seen.length >= 4);
    expect(seen).toEqual(['one', 'two', 'four', 'five']);
    expect(overlapped).toBe(false);
  });

  it('reports a failed run and keeps watching', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    watcher = await watchSkillFolder(dir, {
      settleMs: 60,
      onSettled: () => (++runs === 1 ? Promise.reject(new Error('boom')) : Promise.resolve()),
      onError: (error) => errors.push(error),
    });
    await until(() => errors.length === 1);
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await until(() => runs === 2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('refuses a quiet time chokidar could swallow a save in', async () => {
    await expect(watchSkillFolder(dir, { settleMs: 50, onSettled: () => Promise.resolve(), onError: () => undefined })).rejects.toThrow('settleMs');
  });

  it('close waits for the run under way', async () => {
    let finished = false;
    watcher = await watchSkillFolder(dir, {
      settleMs: 60,
      onSettled: async () => {
        await new Promise((resolve) => setTimeout(resolve, 200));
        finished = true;
      },
      onError: (error) => { throw error; },
    });
    await watcher.close();
    watcher = undefined;
    expect(finished).toBe(true);
  });
});
