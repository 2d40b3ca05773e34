import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonInstanceInfo } from './contract.js';
import { claimInstance, readInstance, releaseInstance, runningInstance } from './instance.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-instance-'));
  file = path.join(dir, 'daemon.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function info(pid: number): DaemonInstanceInfo {
  return { pid, startedAt: new Date().toISOString(), url: 'http://127.0.0.1:4100/', token: 'secret-token', logFile: path.join(dir, 'daemon.log'), version: '1.2.3' };
}

/** The pid of a process that has just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const claim = (pid: number) => claimInstance(file, () => Promise.resolve({ info: info(pid), value: pid }));

describe('claimInstance', () => {
  it('creates the instance file with mode 0600 once start has run', async () => {
    const written = info(process.pid);
    let seenDuringStart: DaemonInstanceInfo | undefined = info(0);
    await claimInstance(file, async () => {
      seenDuringStart = await readInstance(file);
      return { info: written, value: undefined };
    });
    expect(seenDuringStart).toBeUndefined();
    expect(await readInstance(file)).toEqual(written);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('refuses while the instance it names is alive, naming its pid and dashboard, and leaves its file alone', async () => {
    await writeFile(file, JSON.stringify(info(process.pid)));
    const before = await readFile(file, 'utf8');
    let started = false;
    const refused = await claimInstance(file, () => {
      started = true;
      return Promise.resolve({ info: info(1), value: undefined });
    }).catch((error: unknown) => error);
    expect(isSkillsyncError(refused) && refused.code).toBe('DAEMON_ALREADY_RUNNING');
    expect((refused as Error).message).toContain(`pid ${process.pid}`);
    expect((refused as Error).message).toContain('http://127.0.0.1:4100/');
    expect((refused as Error).message).not.toContain('secret-token');
    expect(started).toBe(false);
    expect(await readFile(file, 'utf8')).toBe(before);
  });

  it('takes over a file whose process is gone', async () => {
    const gone = deadPid();
    await writeFile(file, JSON.stringify(info(gone)));
    expect(await runningInstance(file)).toBeUndefined();
    await claim(process.pid);
    expect((await readInstance(file))?.pid).toBe(process.pid);
  });

  it('takes over a file whose pid is now another process’s, one started after that daemon (a reboot after a power cut)', async () => {
    // This test process started long after 2001: on Linux, where /proc says when a process started, it is not that daemon.
    await writeFile(file, JSON.stringify({ ...info(process.pid), startedAt: '2001-01-01T00:00:00.000Z' }));
    const outcome = await claim(process.pid).then(
      () => 'claimed',
      (error: unknown) => (isSkillsyncError(error) ? error.code : 'other'),
    );
    expect(outcome).toBe(process.platform === 'linux' ? 'claimed' : 'DAEMON_ALREADY_RUNNING');
  });

  it('lets exactly one of two claims at once win, even over a stale file', async () => {
    await writeFile(file, JSON.stringify(info(deadPid())));
    const results = await Promise.allSettled([claim(process.pid), claim(process.pid)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(isSkillsyncError(rejected?.reason) && rejected.reason.code).toBe('DAEMON_ALREADY_RUNNING');
  });

  it('leaves no file when start fails', async () => {
    await expect(claimInstance(file, () => Promise.reject(new Error('port taken')))).rejects.toThrow('port taken');
    expect(await readInstance(file)).toBeUndefined();
  });
});

describe('releaseInstance', () => {
  it('removes the file only while it is still this process’s', async () => {
    await writeFile(file, JSON.stringify(info(4242)));
    releaseInstance(file, process.pid);
    expect((await readInstance(file))?.pid).toBe(4242);
    releaseInstance(file, 4242);
    expect(await readInstance(file)).toBeUndefined();
  });
});
