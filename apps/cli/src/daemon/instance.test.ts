import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isSkillsyncError } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonInstanceInfo } from './contract.js';
import { claimInstance, instanceDashboardLink, isInstanceAlive, processStart, readInstance, releaseInstance, runningInstance } from './instance.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-instance-'));
  file = path.join(dir, 'daemon.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** This process as a daemon would record itself (exactly when it started, where the OS says). */
function info(pid: number): DaemonInstanceInfo {
  const started = processStart(pid);
  return {
    pid,
    startedAt: new Date().toISOString(),
    url: 'http://127.0.0.1:4100/',
    token: 'secret-token',
    logFile: path.join(dir, 'daemon.log'),
    version: '1.2.3',
    ...(started === undefined ? {} : { processStart: started }),
  };
}

/** The pid of a process that has just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

const claim = (pid: number) =>
  claimInstance(file, async (record) => {
    await record(info(pid));
    return pid;
  });

describe('claimInstance', () => {
  it('creates the instance file with mode 0600 once start has run', async () => {
    const written = info(process.pid);
    let seenDuringStart: DaemonInstanceInfo | undefined = info(0);
    await claimInstance(file, async (record) => {
      seenDuringStart = await readInstance(file);
      await record(written);
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
      return Promise.resolve();
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

  it('takes over a file whose pid is now another process’s (a reboot after a power cut), whatever the clock says', async () => {
    // Where the OS says exactly when a process started, another start is another process.
    await writeFile(file, JSON.stringify({ ...info(process.pid), startedAt: new Date(Date.now() + 3_600_000).toISOString(), processStart: 'another-boot/42' }));
    const outcome = await claim(process.pid).then(
      () => 'claimed',
      (error: unknown) => (isSkillsyncError(error) ? error.code : 'other'),
    );
    expect(outcome).toBe(processStart(process.pid) === undefined ? 'DAEMON_ALREADY_RUNNING' : 'claimed');
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

  it('lets start see that its instance file could not be written, so it can undo what it started', async () => {
    let seen: unknown;
    const outcome = claimInstance(file, async (record) => {
      await mkdir(file);
      await record(info(process.pid)).catch((error: unknown) => {
        seen = error;
        throw error;
      });
    });
    await expect(outcome).rejects.toMatchObject({ code: 'FILE_WRITE_FAILED' });
    expect(isSkillsyncError(seen) && seen.code).toBe('FILE_WRITE_FAILED');
  });
});

describe('isInstanceAlive without the OS start time (macOS, Windows, an older file)', () => {
  let server: Server | undefined;

  afterEach(async () => {
    const open = server;
    server = undefined;
    if (open !== undefined) await new Promise((resolve) => open.close(resolve));
  });

  /** A dashboard stand-in that answers its status, to the right token only, as `pid`. */
  async function dashboardAnswering(pid: number): Promise<string> {
    server = createServer((request, response) => {
      const mine = request.url === '/api/daemon' && request.headers.authorization === 'Bearer secret-token';
      response.writeHead(mine ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(mine ? { pid } : { error: 'no' }));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }

  const withoutStart = (url: string | undefined): DaemonInstanceInfo => {
    const { processStart: _ignored, ...rest } = info(process.pid);
    return { ...rest, url };
  };

  it('is the daemon when its dashboard answers to its token with its pid', async () => {
    expect(await isInstanceAlive(withoutStart(await dashboardAnswering(process.pid)))).toBe(true);
  });

  it('is not when the dashboard answers with another pid, or nothing listens there (the pid is someone else’s now)', async () => {
    const url = await dashboardAnswering(process.pid + 1);
    expect(await isInstanceAlive(withoutStart(url))).toBe(false);
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
    expect(await isInstanceAlive(withoutStart(url))).toBe(false);
  });

  it('takes a live pid for the daemon when it has no dashboard to ask', async () => {
    expect(await isInstanceAlive(withoutStart(undefined))).toBe(true);
  });
});

describe('instanceDashboardLink', () => {
  it('gives the address with its token for a loopback http dashboard only', () => {
    expect(instanceDashboardLink(info(process.pid))).toBe('http://127.0.0.1:4100/#token=secret-token');
    expect(instanceDashboardLink({ ...info(process.pid), url: 'https://evil.example/' })).toBeNull();
    expect(instanceDashboardLink({ ...info(process.pid), url: 'file:///etc/passwd' })).toBeNull();
    expect(instanceDashboardLink({ ...info(process.pid), url: undefined })).toBeNull();
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
