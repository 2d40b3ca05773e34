import type * as FsPromises from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { syncDirectory } from './atomic-write.js';

/** Every fsync of a folder, in order: `start <n>` / `end <n>`, among the callers' own events. */
const events = vi.hoisted(() => [] as string[]);

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  let count = 0;
  const open: typeof actual.open = async (...args) => {
    const handle = await actual.open(...args);
    const sync = handle.sync.bind(handle);
    handle.sync = async () => {
      const n = (count += 1);
      events.push(`start ${n}`);
      await sync();
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`end ${n}`);
    };
    return handle;
  };
  return { ...actual, default: { ...actual, open }, open };
});

describe('syncDirectory', () => {
  it('lets concurrent callers share fsyncs, each covered by one that started after its call', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-dirsync-'));
    events.length = 0;
    const calls: Promise<void>[] = [];
    for (let index = 0; index < 40; index += 1) {
      events.push(`call ${index}`);
      calls.push(syncDirectory(dir).then(() => void events.push(`done ${index}`)));
      // Some callers arrive while an fsync is running, some while the next one is queued.
      if (index % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await Promise.all(calls);
    const starts = events.filter((event) => event.startsWith('start'));
    expect(starts.length).toBeGreaterThan(1);
    expect(starts.length).toBeLessThan(20);
    for (let index = 0; index < 40; index += 1) {
      const called = events.indexOf(`call ${index}`);
      const done = events.indexOf(`done ${index}`);
      // Some fsync started after the call and ended before the caller was told it is done.
      const covered = events.some((event, at) => event.startsWith('start') && at > called && events.indexOf(event.replace('start', 'end')) < done);
      expect(covered, `call ${index}`).toBe(true);
    }
  });

  it('is best effort: a folder that cannot be opened resolves', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-dirsync-'));
    await expect(syncDirectory(path.join(dir, 'missing'))).resolves.toBeUndefined();
  });
});
