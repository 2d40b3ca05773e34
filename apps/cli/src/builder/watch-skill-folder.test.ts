import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
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

  it('runs once at the start, then once per burst of saves', async () => {
    let runs = 0;
    watcher = await watchSkillFolder(dir, { settleMs: 300, onSettled: () => Promise.resolve(void (runs += 1)), onError: (error) => { throw error; } });
    await until(() => runs === 1);
    // An editor's save: several events in a row.
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await writeFile(path.join(dir, 'SKILL.md'), 'three');
    await mkdir(path.join(dir, 'references'));
    await writeFile(path.join(dir, 'references', 'guide.md'), 'four');
    await until(() => runs === 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs).toBe(2);
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

  it('never runs twice at once: a save during a run makes one more run after it', async () => {
    let active = 0;
    let overlapped = false;
    let runs = 0;
    let release: () => void = () => undefined;
    watcher = await watchSkillFolder(dir, {
      settleMs: 60,
      onSettled: async () => {
        active += 1;
        overlapped ||= active > 1;
        runs += 1;
        if (runs === 2) await new Promise<void>((resolve) => (release = resolve));
        active -= 1;
      },
      onError: (error) => { throw error; },
    });
    await until(() => runs === 1 && active === 0);
    await writeFile(path.join(dir, 'SKILL.md'), 'two');
    await until(() => runs === 2);
    // Past chokidar's 50 ms change throttle, so the save is seen while the run is under way.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await writeFile(path.join(dir, 'SKILL.md'), 'three');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toBe(2);
    release();
    await until(() => runs === 3);
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
