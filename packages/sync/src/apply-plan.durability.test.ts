import type * as Fs from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { applyFor, createSyncFixture, desiredFor, planFor } from './test-support/sync-fixture.js';

/*
 * What a power cut right after a skill folder is renamed into place would find
 * depends on what was fsynced before the rename: every file copied from the store
 * and every folder holding them must be. Node's fs is wrapped to log fsyncs and
 * renames in order: through `fs/promises` file handles, and through descriptors
 * opened with `node:fs` (the copy writes and fsyncs each file through its own).
 */

const events = vi.hoisted(() => [] as string[]);

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  const opened = new Map<number, string>();
  const openSync = ((file: Fs.PathLike, ...rest: never[]) => {
    const fd = (actual.openSync as (...args: unknown[]) => number)(file, ...rest);
    opened.set(fd, String(file));
    return fd;
  }) as typeof actual.openSync;
  const closeSync: typeof actual.closeSync = (fd) => {
    opened.delete(fd);
    actual.closeSync(fd);
  };
  const fsync = ((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) => {
    events.push(`sync ${opened.get(fd) ?? `fd ${fd}`}`);
    actual.fsync(fd, callback);
  }) as typeof actual.fsync;
  const renameSync: typeof actual.renameSync = (from, to) => {
    events.push(`rename ${String(from)} -> ${String(to)}`);
    actual.renameSync(from, to);
  };
  const wrapped = { openSync, closeSync, fsync, renameSync };
  return { ...actual, ...wrapped, default: { ...actual, ...wrapped } };
});

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    const sync = handle.sync.bind(handle);
    handle.sync = () => {
      events.push(`sync ${String(args[0])}`);
      return sync();
    };
    return handle;
  };
  const rename: typeof actual.rename = (from, to) => {
    events.push(`rename ${String(from)} -> ${String(to)}`);
    return actual.rename(from, to);
  };
  return { ...actual, default: { ...actual, open, rename }, open, rename };
});

/** Every file and folder under `dir`, relative to it ('' for `dir` itself). */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return ['', ...entries.map(String)];
}

describe('applyPlan durability', () => {
  it('fsyncs every copied file and folder of a skill before renaming it into place', async () => {
    const fixture = await createSyncFixture();
    const plan = await planFor(fixture, desiredFor(fixture, ['docs']));
    expect(plan.skills.length).toBeGreaterThan(0);
    events.length = 0;
    const result = await applyFor(fixture, plan);
    expect(result.skillsWritten.length).toBe(plan.skills.length);

    for (const dir of result.skillsWritten) {
      const renamed = events.findIndex((event) => event.startsWith('rename ') && event.endsWith(` -> ${dir}`) && event.includes('.tmp'));
      expect(renamed).toBeGreaterThan(-1);
      const temp = /^rename (.*) -> /.exec(events[renamed]!)![1]!;
      const before = new Set(events.slice(0, renamed));
      const entries = await tree(dir);
      expect(entries).toEqual(expect.arrayContaining(['SKILL.md', 'references', path.join('references', 'checklist.md')]));
      for (const entry of entries) expect(before, `fsync of ${entry || '.'} before the rename`).toContain(`sync ${path.join(temp, entry)}`);
    }
  });
});
