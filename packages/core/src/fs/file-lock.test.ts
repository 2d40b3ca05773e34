import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withFileLock } from './file-lock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withFileLock', () => {
  it('serialises holders: the second waits until the first releases', async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), 'ss-lock-')), 'store');
    const events: string[] = [];
    const first = withFileLock(target, async () => {
      events.push('first:start');
      await sleep(150);
      events.push('first:end');
    });
    await sleep(20);
    const second = withFileLock(target, () => {
      events.push('second');
      return Promise.resolve(42);
    });
    await first;
    expect(await second).toBe(42);
    expect(events).toEqual(['first:start', 'first:end', 'second']);
  });

  it('gives up with LOCK_TIMEOUT when the holder does not finish in time', async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), 'ss-lock-')), 'store');
    const holder = withFileLock(target, () => sleep(600));
    await sleep(20);
    await expect(withFileLock(target, () => Promise.resolve(), { waitMs: 200 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    await holder;
  });

  it('releases the lock when the task throws', async () => {
    const target = path.join(await mkdtemp(path.join(tmpdir(), 'ss-lock-')), 'store');
    await expect(withFileLock(target, () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withFileLock(target, () => Promise.resolve('again'))).toBe('again');
  });
});
