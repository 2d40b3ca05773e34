import { mkdtemp, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileWatcher } from './file-watcher.js';

let dir: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-watcher-')));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileWatcher', () => {
  it('closed while a new set gets ready, closes that set too; an update after close watches nothing', async () => {
    const seen: string[] = [];
    const watcher = createFileWatcher({ env: createEnv({ home: dir, cwd: dir }), onChange: (file) => seen.push(file), onError: () => undefined });
    const file = path.join(dir, 'watched.json');
    const updating = watcher.update({ paths: [file], trees: [] });
    await watcher.close();
    expect(await updating).toBe(false);
    expect(await watcher.update({ paths: [file], trees: [] })).toBe(false);
    // A chokidar watcher left running would count its paths (and keep the process alive).
    expect(watcher.count()).toBe(0);
    expect(seen).toEqual([]);
  });
});
