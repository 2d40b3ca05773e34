import { unwatchFile, watchFile } from 'node:fs';
import { open } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { SkillsyncError, type Env } from '@skillsync/core';
import type { daemonInstallOptions, daemonLogsOptions, daemonStatusOptions, daemonStopOptions, daemonUninstallOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { displayPath, plural, renderPairs, shortPath } from '../format.js';
import { cliInvocation } from '../daemon/cli-invocation.js';
import type { DaemonInstanceInfo, DaemonStatus } from '../daemon/contract.js';
import { readLogTail } from '../daemon/daemon-log.js';
import { activeDrift } from '../daemon/drift-summary.js';
import { daemonFiles, isInstanceAlive, isProcessAlive, readInstance, readStatusFile, runningInstance } from '../daemon/instance.js';
import { SERVICE_ARGS, serviceEnvironment } from '../daemon/service-files.js';
import { installService, uninstallService, type ServiceChange } from '../daemon/service-install.js';
import { renderViolation } from '../org-violations.js';
import type { Ui } from '../ui.js';

/** The instance file without the dashboard token, which no command prints unasked. */
export type PublicInstanceInfo = Omit<DaemonInstanceInfo, 'token'>;

export interface DaemonStatusData {
  readonly running: boolean;
  readonly instance: PublicInstanceInfo | null;
  /** What the running daemon last reported; null when none runs. */
  readonly status: DaemonStatus | null;
  /** An instance file left by a daemon that is gone (the next `up` takes it over). */
  readonly stale: boolean;
  readonly instanceFile: string;
  readonly logFile: string;
}

/** `skillsync daemon status`: whether the daemon runs, and what it last said about every client. Exit 1 when none runs. */
export const daemonStatusHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<typeof daemonStatusOptions>): Promise<CommandResult<DaemonStatusData>> => {
    const files = daemonFiles(env, paths);
    const info = await readInstance(files.instance);
    const running = info !== undefined && (await isInstanceAlive(info));
    const status = running ? ((await readStatusFile(files.status)) ?? null) : null;
    const data: DaemonStatusData = {
      running,
      instance: running ? withoutToken(info) : null,
      status,
      stale: info !== undefined && !running,
      instanceFile: files.instance,
      logFile: files.log,
    };
    return { ok: running, data };
  },
  render: (data: DaemonStatusData, ui, env) => renderStatus(data, ui, env),
});

export interface DaemonStopData {
  readonly wasRunning: boolean;
  readonly pid: number | null;
}

/** How long `daemon stop` waits for the daemon to finish a repair under way and exit. */
const STOP_TIMEOUT_MS = 15_000;

/** `skillsync daemon stop`: asks the daemon to stop (SIGTERM) and waits until it has. Not running is not an error. */
export const daemonStopHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<typeof daemonStopOptions>): Promise<CommandResult<DaemonStopData>> => {
    const files = daemonFiles(env, paths);
    const info = await runningInstance(files.instance);
    if (info === undefined) return { ok: true, data: { wasRunning: false, pid: null } };
    process.kill(info.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    // Its instance file goes last, once everything else is closed: from then on it only exits
    // (and a process nobody has reaped yet still answers to its pid).
    while (isProcessAlive(info.pid) && (await readInstance(files.instance))?.pid === info.pid) {
      if (Date.now() > deadline) {
        throw new SkillsyncError('DAEMON_STOP_FAILED', `The daemon (pid ${info.pid}) did not stop within ${STOP_TIMEOUT_MS / 1000} s of SIGTERM.`, {
          details: { pid: info.pid, instanceFile: files.instance },
        });
      }
      await delay(50);
    }
    return { ok: true, data: { wasRunning: true, pid: info.pid } };
  },
  render: (data: DaemonStopData, ui) => (data.wasRunning ? `${ui.green('✓')} stopped the daemon (pid ${data.pid ?? ''})` : ui.dim('No daemon is running.')),
});

/** One line of the daemon's log: pino's `level`, `time` and `msg`, and the details beside them. */
export type LogRecord = Readonly<Record<string, unknown>>;

export interface DaemonLogsData {
  readonly file: string;
  readonly records: readonly LogRecord[];
}

const DEFAULT_LOG_LINES = 50;

/**
 * `skillsync daemon logs`: the last records of the daemon's log. With --follow it goes
 * on printing records as they are written (one document per batch, a JSON line each
 * with --json) until Ctrl-C; a log rotated meanwhile (a daemon restarted) is read anew.
 */
export const daemonLogsHandler = defineHandler({
  run: async ({ env, paths, options, emit }: CommandInput<typeof daemonLogsOptions>): Promise<CommandResult<DaemonLogsData>> => {
    const count = parseCount(options.lines);
    const file = daemonFiles(env, paths).log;
    const tail = await readLogTail(file, count).catch((error: unknown) => {
      throw new SkillsyncError('FILE_READ_FAILED', `Cannot read the daemon log ${file}: ${(error as Error).message}`, { details: { path: file }, cause: error });
    });
    const data: DaemonLogsData = { file, records: tail.lines.map(parseRecord) };
    if (!options.follow || emit === undefined) return { ok: true, data };
    emit({ ok: true, data, render: (ui) => renderRecords(data.records, ui) });
    await followLog(file, tail.end, (records) => {
      emit({ ok: true, data: { file, records }, render: (ui) => renderRecords(records, ui) });
    });
    return { ok: true, data, streamed: true };
  },
  render: (data: DaemonLogsData, ui, env) => (data.records.length === 0 ? ui.dim(`The daemon has not logged anything yet (${displayPath(env, data.file)}).`) : renderRecords(data.records, ui)),
});

export interface DaemonServiceData extends ServiceChange {
  readonly action: 'install' | 'uninstall';
  /** What the service runs (install only). */
  readonly command?: readonly string[];
}

/** `skillsync daemon install`: the per-user login service that runs `skillsync up --no-open --quiet`. */
export const daemonInstallHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<typeof daemonInstallOptions>): Promise<CommandResult<DaemonServiceData>> => {
    const { node, script } = cliInvocation();
    const change = await installService(env, { node, script, args: SERVICE_ARGS, cwd: env.home, environment: serviceEnvironment(env), outputFile: daemonFiles(env, paths).output });
    return { ok: change.steps.every((step) => step.ok), data: { action: 'install', ...change, command: [node, script, ...SERVICE_ARGS] } };
  },
  render: (data: DaemonServiceData, ui, env) => renderService(data, ui, env),
});

/** `skillsync daemon uninstall`: stops and removes the login service. */
export const daemonUninstallHandler = defineHandler({
  run: async ({ env }: CommandInput<typeof daemonUninstallOptions>): Promise<CommandResult<DaemonServiceData>> => {
    const change = await uninstallService(env);
    return { ok: change.steps.every((step) => step.ok), data: { action: 'uninstall', ...change } };
  },
  render: (data: DaemonServiceData, ui, env) => renderService(data, ui, env),
});

function withoutToken(info: DaemonInstanceInfo): PublicInstanceInfo {
  const { pid, startedAt, url, logFile, version } = info;
  return { pid, startedAt, url, logFile, version };
}

function parseCount(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LOG_LINES;
  if (!/^\d+$/.test(value)) {
    throw new SkillsyncError('USAGE', `--lines ${value}: not a number of lines.`, { hint: 'Pass -n 100, say (0 with --follow shows only new lines).', details: { option: '--lines', value } });
  }
  return Number(value);
}

/** The lines of `text` that are complete (a line being written has no newline yet). */
function completeLines(text: string): string[] {
  const lines = text.split('\n');
  lines.pop();
  return lines.filter((line) => line !== '');
}

function parseRecord(line: string): LogRecord {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as LogRecord;
  } catch {
    // Not a record of ours (an older format, a hand edit): shown as it is.
  }
  return { msg: line };
}

/**
 * Calls `onRecords` with every complete line appended to `file` after `offset`, until
 * SIGINT or SIGTERM. The file is polled (its size, four times a second): unlike a
 * change notification, that survives the file being rotated or created anew.
 */
async function followLog(file: string, offset: number, onRecords: (records: LogRecord[]) => void): Promise<void> {
  let position = offset;
  let reading = Promise.resolve();
  const readNew = async (): Promise<void> => {
    const handle = await open(file, 'r').catch(() => undefined);
    if (handle === undefined) return;
    try {
      const { size } = await handle.stat();
      if (size < position) position = 0;
      if (size === position) return;
      const buffer = Buffer.alloc(size - position);
      await handle.read(buffer, 0, buffer.length, position);
      const text = buffer.toString('utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      position += Buffer.byteLength(complete);
      const records = completeLines(complete).map(parseRecord);
      if (records.length > 0) onRecords(records);
    } finally {
      await handle.close();
    }
  };
  const poll = (): void => {
    reading = reading.then(readNew).catch(() => undefined);
  };
  watchFile(file, { interval: 250 }, poll);
  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await stopped;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    unwatchFile(file, poll);
    await reading;
  }
}

function renderRecords(records: readonly LogRecord[], ui: Ui): string {
  return records
    .map((record) => {
      const { time, level, msg, pid: _pid, ...details } = record;
      const label = typeof level === 'string' ? level : 'info';
      const paint = label === 'error' ? ui.red : label === 'warn' ? ui.yellow : ui.dim;
      const extra = Object.keys(details).length === 0 ? '' : ` ${ui.dim(JSON.stringify(details))}`;
      return `${ui.dim(typeof time === 'string' ? time : '')} ${paint(label.padEnd(5))} ${typeof msg === 'string' ? msg : ''}${extra}`;
    })
    .join('\n');
}

function renderStatus(data: DaemonStatusData, ui: Ui, env: Env): string {
  if (!data.running || data.instance === null) {
    const stale = data.stale ? ` ${ui.dim(`(${displayPath(env, data.instanceFile)} names a process that is gone)`)}` : '';
    return `No daemon is running${stale}. Start it with \`skillsync up\`.`;
  }
  const { instance, status } = data;
  const pairs: [string, string][] = [
    ['pid', `${instance.pid} · skillsync ${instance.version} · since ${instance.startedAt}`],
    ['dashboard', instance.url ?? ui.dim('none')],
  ];
  if (status !== null) {
    pairs.unshift(['health', healthText(status, ui)]);
    pairs.push(['watching', plural(status.watching, 'path')]);
    pairs.push(['on drift', `connectors ${status.settings.onDrift.connector}, skills ${status.settings.onDrift.skill}, instructions ${status.settings.onDrift.instructions} · settle ${status.settings.settleMs} ms`]);
    pairs.push(['AI clients', status.detected.length === 0 ? ui.dim('none found') : status.detected.join(', ')]);
    if (status.lastSync !== undefined) {
      const run = status.lastSync;
      pairs.push(['last sync', `${run.at} (${run.trigger}): ${run.ok ? ui.green('ok') : ui.yellow('incomplete')}, ${plural(run.written, 'path')} written${run.message === undefined ? '' : ` · ${run.message}`}`]);
    }
    for (const profile of status.org?.profiles ?? []) {
      pairs.push(['org profile', profile.source === 'none' ? `${profile.registry} ${ui.yellow('not fetched yet')}` : `${profile.registry} · revision ${profile.revision?.slice(0, 19) ?? '?'} · fetched ${profile.fetchedAt ?? '?'}`]);
    }
  }
  pairs.push(['log', `${displayPath(env, instance.logFile)} ${ui.dim('(skillsync daemon logs)')}`]);
  const lines = [ui.bold('skillsync daemon'), ...renderPairs(pairs, ui)];
  if (status?.error !== undefined) lines.push(`  ${ui.red('✗')} ${status.error.code}: ${status.error.message}${status.error.hint === undefined ? '' : `\n    ${ui.dim('hint:')} ${status.error.hint}`}`);
  for (const item of status?.drift ?? []) {
    lines.push(`  ${item.handling === 'ignored' ? ui.dim('·') : ui.yellow('~')} ${item.client} ${item.scope} ${item.kind} ${ui.bold(item.name)}: ${item.status} ${ui.dim(`(${shortPath(env, item.path)}; ${item.handling})`)}`);
  }
  for (const warning of status?.org?.warnings ?? []) lines.push(`  ${ui.yellow('warning:')} ${warning}`);
  for (const violation of status?.org?.violations ?? []) lines.push(...renderViolation(violation, ui, (file) => shortPath(env, file)));
  return lines.join('\n');
}

function healthText(status: DaemonStatus, ui: Ui): string {
  switch (status.health) {
    case 'in-sync':
      return ui.green('in sync');
    case 'drift':
      return ui.yellow(`${plural(activeDrift(status.drift).length, 'item')} drifted`);
    case 'error':
      return ui.red('error');
    case 'unconfigured':
      return `${ui.yellow('nothing configured yet')} ${ui.dim('(skillsync import adopts what your clients have)')}`;
    case 'paused':
      return ui.yellow('paused');
    case 'starting':
      return ui.dim('starting');
  }
}

function renderService(data: DaemonServiceData, ui: Ui, env: Env): string {
  const file = displayPath(env, data.file);
  const lines = [
    data.action === 'install'
      ? `${ui.green('✓')} ${data.changed ? 'wrote' : 'already there:'} ${file}`
      : data.changed
        ? `${ui.green('✓')} removed ${file}`
        : ui.dim(`No login service to remove (${file}).`),
  ];
  if (data.command !== undefined) lines.push(`  ${ui.dim('runs:')} ${data.command.join(' ')}`);
  for (const step of data.steps) lines.push(`  ${step.ok ? ui.green('✓') : ui.red('✗')} ${step.command}${step.ok || step.output === '' ? '' : `\n    ${step.output.split('\n').join('\n    ')}`}`);
  if (data.next !== undefined) lines.push(`  ${ui.dim('next:')} ${data.next}`);
  return lines.join('\n');
}
