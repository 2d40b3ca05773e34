import { readFileSync, unlinkSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { get } from 'node:http';
import { createFileAtomic, parseJsonRecord, pathFor, SkillsyncError, withFileLock, writeFileAtomic, type Env, type SkillsyncPaths } from '@skillsync/core';
import type { DaemonInstanceInfo, DaemonStatus } from './contract.js';
import { isDashboardUrl } from './tray/open-url.js';

/** Where the daemon of one user keeps its files, all in the skillsync state folder. */
export interface DaemonFiles {
  /** The single-instance claim: `DaemonInstanceInfo`, mode 0600 (it holds the dashboard token). */
  readonly instance: string;
  /** The latest `DaemonStatus`, rewritten when it changes, so `skillsync daemon status` can read it. */
  readonly status: string;
  /** Structured JSON lines (pino). */
  readonly log: string;
  /** Whatever a detached or service-run daemon prints (Node's own warnings, a crash's stack). */
  readonly output: string;
}

export function daemonFiles(env: Env, paths: SkillsyncPaths): DaemonFiles {
  const p = pathFor(env);
  return {
    instance: p.join(paths.state, 'daemon.json'),
    status: p.join(paths.state, 'daemon-status.json'),
    log: p.join(paths.state, 'daemon.log'),
    output: p.join(paths.state, 'daemon-output.log'),
  };
}

/** The address the browser opens: the dashboard reads its token from the fragment, which is never sent to a server. */
export function dashboardLink(url: string, token: string): string {
  return `${url}#token=${token}`;
}

/**
 * The dashboard address of an instance, token included, for a person to open; null when
 * it has no dashboard, or when its file names anything but http on a loopback address
 * (a file someone else wrote: never opened, never printed).
 */
export function instanceDashboardLink(info: DaemonInstanceInfo): string | null {
  return info.url === undefined || info.token === undefined || !isDashboardUrl(info.url) ? null : dashboardLink(info.url, info.token);
}

/** True while a process with this pid exists (one of another user counts: it exists). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The instance file's content, or undefined when there is none or it is not one (a stray file is treated as no claim). */
export async function readInstance(file: string): Promise<DaemonInstanceInfo | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseInstance(text);
}

/** The daemon running for this user, or undefined (no instance file, or one left by a process that is gone). */
export async function runningInstance(file: string): Promise<DaemonInstanceInfo | undefined> {
  const info = await readInstance(file);
  return info !== undefined && (await isInstanceAlive(info)) ? info : undefined;
}

/** How long a daemon's dashboard is given to say which daemon it is. */
const IDENTITY_TIMEOUT_MS = 3000;

/**
 * True while the daemon an instance file names still runs. Its pid alone does not say
 * so: after a crash or a reboot the pid may be another process's. Where the OS says
 * exactly when a process started (Linux), that must be when the daemon did; elsewhere
 * the daemon's dashboard must answer, to the file's token, with its pid. Only a daemon
 * with neither to tell it by is taken to be whatever holds its pid.
 */
export async function isInstanceAlive(info: DaemonInstanceInfo): Promise<boolean> {
  if (!isProcessAlive(info.pid)) return false;
  const started = info.processStart === undefined ? undefined : processStart(info.pid);
  if (started !== undefined) return started === info.processStart;
  if (info.url !== undefined && info.token !== undefined) return dashboardAnswers(info.url, info.token, info.pid);
  return true;
}

/**
 * When the OS started a process, exactly, as `DaemonInstanceInfo.processStart` records
 * it: on Linux the boot's id and field 22 of /proc/<pid>/stat (clock ticks since boot,
 * which no clock change moves); undefined elsewhere or when unreadable.
 */
export function processStart(pid: number): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Counted after the command name, which may hold spaces and parentheses.
    const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return ticks === undefined || !/^\d+$/.test(ticks) ? undefined : `${boot}/${ticks}`;
  } catch {
    return undefined;
  }
}

/**
 * Whether the dashboard at `url` is the daemon with this pid: its status, asked with
 * its token. Nothing listening, another answer or another pid: it is not. No answer in
 * time: a daemon busy with a long sync, still alive.
 */
function dashboardAnswers(url: string, token: string, pid: number): Promise<boolean> {
  if (!isDashboardUrl(url)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const request = get(new URL('api/daemon', url), { headers: { authorization: `Bearer ${token}` }, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => {
        resolve(response.statusCode === 200 && answeredPid(body) === pid);
      });
      response.on('error', () => {
        resolve(false);
      });
    });
    request.setTimeout(IDENTITY_TIMEOUT_MS, () => {
      request.destroy();
      resolve(true);
    });
    request.on('error', () => {
      resolve(false);
    });
  });
}

function answeredPid(body: string): unknown {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as { pid?: unknown }).pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Claims the user's one daemon instance: under a lock (so two starting at once cannot
 * both take over a stale file), a live instance is refused with DAEMON_ALREADY_RUNNING
 * naming its pid and dashboard; a file whose process is gone is removed. `start` then
 * runs, still under the lock, and calls `record` once it runs: that creates the instance
 * file exclusively (never overwriting), whole and with mode 0600 (whoever sees it may
 * use its url and token). When `record` fails, `start` must undo what it started.
 */
export async function claimInstance<T>(file: string, start: (record: (info: DaemonInstanceInfo) => Promise<void>) => Promise<T>): Promise<T> {
  return withFileLock(file, async () => {
    const existing = await readInstance(file);
    if (existing !== undefined && (await isInstanceAlive(existing))) {
      throw new SkillsyncError('DAEMON_ALREADY_RUNNING', `skillsync is already running for this user (pid ${existing.pid}${existing.url === undefined ? ', no dashboard' : `, dashboard ${existing.url}`}).`, {
        details: { pid: existing.pid, url: existing.url ?? null, startedAt: existing.startedAt, instanceFile: file },
      });
    }
    await rm(file, { force: true });
    return start((info) => createFileAtomic(file, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 }));
  });
}

/** Removes the instance file if it is still this process's (a daemon started after us may have taken a stale one over). */
export function releaseInstance(file: string, pid: number): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  if (parseInstance(text)?.pid === pid) unlinkSync(file);
}

/** The status file: rewritten whole (atomically) on every change of the status. */
export function writeStatusFile(file: string, status: DaemonStatus): Promise<void> {
  return writeFileAtomic(file, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o600 });
}

export async function readStatusFile(file: string): Promise<DaemonStatus | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as DaemonStatus;
  } catch {
    return undefined;
  }
}

function parseInstance(text: string): DaemonInstanceInfo | undefined {
  const info: Partial<Record<keyof DaemonInstanceInfo, unknown>> | undefined = parseJsonRecord(text);
  if (info === undefined) return undefined;
  if (typeof info.pid !== 'number' || typeof info.startedAt !== 'string' || typeof info.logFile !== 'string' || typeof info.version !== 'string') return undefined;
  return {
    pid: info.pid,
    startedAt: info.startedAt,
    url: typeof info.url === 'string' ? info.url : undefined,
    token: typeof info.token === 'string' ? info.token : undefined,
    logFile: info.logFile,
    version: info.version,
    ...(typeof info.processStart === 'string' ? { processStart: info.processStart } : {}),
  };
}

