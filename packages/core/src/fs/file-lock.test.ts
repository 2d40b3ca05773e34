import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleForChild, runChild, writeChildScript } from '../../../../test/support/child-process.js';
import { LOCK_HOLDER_FILE, readLockHolder, withFileLock } from './file-lock.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pid that certainly belonged to a process on this host and no longer does. */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => proc.on('exit', resolve));
  return proc.pid!;
}

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

  it('records its holder (pid, hostname) inside the lock while held, and leaves nothing once released', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-'));
    const target = path.join(dir, 'sync');
    const seen = await withFileLock(target, () => Promise.resolve(readLockHolder(`${target}.lock`)));
    expect(seen).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(await readdir(dir)).toEqual([]);
  });

  it('does not take over a lock whose holder is alive, nor one held on another host', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-'));
    const alive = path.join(dir, 'alive');
    await mkdir(`${alive}.lock`);
    // Our parent (the test runner) is alive, and not us.
    await writeFile(path.join(`${alive}.lock`, LOCK_HOLDER_FILE), JSON.stringify({ pid: process.ppid, hostname: hostname(), token: 'a' }));
    await expect(withFileLock(alive, () => Promise.resolve(), { waitMs: 200 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });

    const remote = path.join(dir, 'remote');
    await mkdir(`${remote}.lock`);
    await writeFile(path.join(`${remote}.lock`, LOCK_HOLDER_FILE), JSON.stringify({ pid: await deadPid(), hostname: `not-${hostname()}`, token: 'b' }));
    await expect(withFileLock(remote, () => Promise.resolve(), { waitMs: 200 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  });

  it('still takes over a lock gone stale (another host, or no holder file), and clears a killed taker\'s debris', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-'));
    const remote = path.join(dir, 'remote');
    await mkdir(`${remote}.lock`);
    await writeFile(path.join(`${remote}.lock`, LOCK_HOLDER_FILE), JSON.stringify({ pid: 1, hostname: `not-${hostname()}`, token: 'c' }));
    const legacy = path.join(dir, 'legacy');
    await mkdir(`${legacy}.lock`);
    await mkdir(`${legacy}.lock.0123456789ab.tmp`);
    await mkdir(`${legacy}.lock.0123456789ab.dead`);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await utimes(`${remote}.lock`, hourAgo, hourAgo);
    await utimes(`${legacy}.lock`, hourAgo, hourAgo);
    expect(await withFileLock(remote, () => Promise.resolve(1), { waitMs: 200 })).toBe(1);
    expect(await withFileLock(legacy, () => Promise.resolve(2), { waitMs: 200 })).toBe(2);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('withFileLock after its holder was SIGKILLed', () => {
  let child: string;
  let bundle: string;

  beforeAll(async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-child-'));
    bundle = await bundleForChild(path.join(import.meta.dirname, 'file-lock.ts'), path.join(dir, 'file-lock.mjs'));
    child = await writeChildScript(
      path.join(dir, 'hold.mjs'),
      `const { withFileLock } = await import(process.argv[2]);
await withFileLock(process.argv[3], async () => {
  process.stdout.write('locked\\n');
  setInterval(() => undefined, 1000);
  await new Promise(() => undefined);
});
`,
    );
  });

  it('takes the lock over at once: the holder is gone from this host', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-'));
    const target = path.join(dir, 'sync');
    const run = await runChild(child, [bundle, target], { readyLine: 'locked', killAfterMs: 0 });
    expect(run.killed).toBe(true);
    // The killed holder's lock is still there and fresh: only its holder file says it is dead.
    expect(readLockHolder(`${target}.lock`)).toMatchObject({ hostname: hostname() });

    // Far less than the 10 s stale time: two retries of 100 ms.
    expect(await withFileLock(target, () => Promise.resolve('mine'), { waitMs: 200 })).toBe('mine');
    expect(await readdir(dir)).toEqual([]);
  });

  it('two takers of the same dead lock at once still exclude each other', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ss-lock-'));
    const target = path.join(dir, 'sync');
    await runChild(child, [bundle, target], { readyLine: 'locked', killAfterMs: 0 });
    let inside = 0;
    let overlap = false;
    const task = async (): Promise<void> => {
      inside += 1;
      if (inside > 1) overlap = true;
      await sleep(100);
      inside -= 1;
    };
    await Promise.all([withFileLock(target, task, { waitMs: 2000 }), withFileLock(target, task, { waitMs: 2000 })]);
    expect(overlap).toBe(false);
  });
});
