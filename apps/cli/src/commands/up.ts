import { spawn } from 'node:child_process';
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { isSkillsyncError, SkillsyncError, type Env, type SkillsyncPaths } from '@skillsync/core';
import type { upOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult, type OptionValues } from '../define-command.js';
import { displayPath } from '../format.js';
import { cliInvocation } from '../daemon/cli-invocation.js';
import type { DaemonHealth, DaemonInstanceInfo } from '../daemon/contract.js';
import { startDaemon } from '../daemon/daemon.js';
import { daemonFiles, instanceDashboardLink, readInstance, readStatusFile, runningInstance, type DaemonFiles } from '../daemon/instance.js';
import { loadDaemonSettings } from '../daemon/settings.js';
import { openUrl } from '../daemon/tray/open-url.js';
import type { Ui } from '../ui.js';
import { stopSignals } from '../stop-signals.js';

/** Injected by scripts/build.mjs from apps/cli/package.json. */
declare const SKILLSYNC_VERSION: string;

export interface UpData {
  /**
   * `stopped`: this process ran the daemon until it was stopped; `detached`: it runs in
   * the background now; `already-running`: one was running for this user already.
   */
  readonly outcome: 'stopped' | 'detached' | 'already-running';
  readonly pid: number;
  readonly startedAt: string;
  /** The dashboard's address (no token), or null without a dashboard. */
  readonly url: string | null;
  /** The address to open: the dashboard's, with this start's token. */
  readonly dashboard: string | null;
  readonly logFile: string;
  /** What the daemon said about itself when this command last looked (undefined once it stopped). */
  readonly health?: DaemonHealth;
  /** The AI clients found on this machine. */
  readonly detected?: readonly string[];
}

/** How long `up --detach` waits for the daemon it started to write its instance file. */
const START_TIMEOUT_MS = 30_000;

/**
 * `skillsync up`: runs the daemon in the foreground until Ctrl-C (or the tray's Quit),
 * or with --detach starts it in the background and returns once it runs. A daemon
 * already running is not an error: `up` says where it is, opens its dashboard, and
 * exits 0.
 */
export const upHandler = defineHandler({
  run: async ({ env, paths, options, flags }: CommandInput<typeof upOptions>): Promise<CommandResult<UpData>> => {
    const settings = await loadDaemonSettings(env, paths, { onDrift: options['on-drift'], settle: options.settle });
    const port = parsePort(options.port);
    const files = daemonFiles(env, paths);
    // A browser is opened for a person at a terminal, never for a script or a service.
    const openBrowser = !options['no-open'] && process.stdout.isTTY;
    const show = (link: string | null): Promise<void> => (openBrowser && link !== null ? openDashboard(env, link) : Promise.resolve());

    const existing = await runningInstance(files.instance);
    if (existing !== undefined) return alreadyRunning(existing, files, show);
    if (options.detach) {
      const started = await detach(env, paths, options, files);
      if (started.outcome === 'detached') await show(started.dashboard);
      return { ok: true, data: started };
    }

    // Listening from before the start: a Ctrl-C while it starts stops it cleanly once started.
    const signals = stopSignals(['SIGINT', 'SIGTERM', 'SIGHUP']);
    let daemon;
    try {
      daemon = await startDaemon({
        env,
        paths,
        settings,
        version: typeof SKILLSYNC_VERSION === 'string' ? SKILLSYNC_VERSION : '0.0.0',
        dashboard: { port },
        tray: !options.headless,
        echo: flags.quiet ? undefined : (line) => process.stderr.write(line),
      });
    } catch (error) {
      signals.dispose();
      const running = isSkillsyncError(error) && error.code === 'DAEMON_ALREADY_RUNNING' ? await runningInstance(files.instance) : undefined;
      if (running === undefined) throw error;
      return alreadyRunning(running, files, show);
    }
    const link = instanceDashboardLink(daemon.instance);
    // On stderr: stdout gets the one result document when the daemon stops.
    if (!flags.quiet) process.stderr.write(`skillsync is running (pid ${daemon.instance.pid}); Ctrl-C stops it.${dashboardLine(daemon.instance, files, process.stderr.isTTY)}\n`);
    await show(link);
    // Stopped by a signal, or by itself (the tray's Quit).
    await Promise.race([signals.received, daemon.stopped]);
    signals.dispose();
    await daemon.stop();
    const { pid, startedAt, url, logFile } = daemon.instance;
    return { ok: true, data: { outcome: 'stopped', pid, startedAt, url: url ?? null, dashboard: link, logFile } };
  },
  render: (data: UpData, ui, env) => renderUp(data, ui, env),
});

async function alreadyRunning(info: DaemonInstanceInfo, files: DaemonFiles, show: (link: string | null) => Promise<void>): Promise<CommandResult<UpData>> {
  const status = await readStatusFile(files.status);
  const link = instanceDashboardLink(info);
  await show(link);
  return {
    ok: true,
    data: {
      outcome: 'already-running',
      pid: info.pid,
      startedAt: info.startedAt,
      url: info.url ?? null,
      dashboard: link,
      logFile: info.logFile,
      ...(status === undefined ? {} : { health: status.health, detected: status.detected }),
    },
  };
}

/**
 * Starts `skillsync up` again as a detached process (its output going to the daemon's
 * output file) and waits until its instance file names it. The child never opens a
 * browser (this process does) and prints only problems.
 */
async function detach(env: Env, paths: SkillsyncPaths, options: OptionValues<typeof upOptions>, files: DaemonFiles): Promise<UpData> {
  const { node, script } = cliInvocation();
  const args = [
    script,
    'up',
    '--no-open',
    '--quiet',
    ...(options.headless ? ['--headless'] : []),
    ...(options.port === undefined ? [] : ['--port', options.port]),
    ...(options['on-drift'] === undefined ? [] : ['--on-drift', options['on-drift']]),
    ...(options.settle === undefined ? [] : ['--settle', options.settle]),
  ];
  await mkdir(paths.state, { recursive: true });
  const output = await open(files.output, 'a', 0o600);
  const outputFrom = (await output.stat()).size;
  let child;
  try {
    child = spawn(node, args, { cwd: env.cwd, env: { ...env.vars }, detached: true, stdio: ['ignore', output.fd, output.fd], windowsHide: true });
  } finally {
    await output.close();
  }
  const ended = new Promise<string>((resolve) => {
    child.once('error', (error) => {
      resolve(error.message);
    });
    child.once('exit', (code, signal) => {
      resolve(signal === null ? `it exited with code ${code ?? 0}` : `it was ended by ${signal}`);
    });
  });
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = await readInstance(files.instance);
    if (info !== undefined && info.pid === child.pid) {
      const status = await readStatusFile(files.status);
      const { pid, startedAt, url, logFile } = info;
      return { outcome: 'detached', pid, startedAt, url: url ?? null, dashboard: instanceDashboardLink(info), logFile, ...(status === undefined ? {} : { health: status.health, detected: status.detected }) };
    }
    const exit = await Promise.race([ended, delay(50).then(() => undefined)]);
    if (exit !== undefined) {
      // Another `up` may have won the race to start: then that one is the answer.
      const running = await runningInstance(files.instance);
      if (running !== undefined) {
        const status = await readStatusFile(files.status);
        return { outcome: 'already-running', pid: running.pid, startedAt: running.startedAt, url: running.url ?? null, dashboard: instanceDashboardLink(running), logFile: running.logFile, ...(status === undefined ? {} : { health: status.health, detected: status.detected }) };
      }
      throw startFailed(`The daemon did not start: ${exit}.`, await outputSince(files.output, outputFrom), files);
    }
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(child.pid);
      throw startFailed(`The daemon did not write ${files.instance} within ${START_TIMEOUT_MS / 1000} s; it was stopped.`, await outputSince(files.output, outputFrom), files);
    }
  }
}

function startFailed(message: string, output: string, files: DaemonFiles): SkillsyncError {
  return new SkillsyncError('DAEMON_START_FAILED', output === '' ? message : `${message}\n${output}`, { details: { output: files.output, log: files.log } });
}

/** What the detached daemon printed since it was started (the last 4 kB: the error is at the end). */
async function outputSince(file: string, offset: number): Promise<string> {
  const size = (await stat(file).catch(() => undefined))?.size ?? 0;
  const text = size <= offset ? '' : (await readFile(file)).subarray(Math.max(offset, size - 4096)).toString('utf8');
  return text.trim();
}

/**
 * The dashboard line of a foreground daemon's greeting. The token goes to a terminal
 * only: anywhere else (a login service's journal, launchd's output file) it would be
 * kept, readable, for as long as the daemon runs.
 */
function dashboardLine(info: DaemonInstanceInfo, files: DaemonFiles, terminal: boolean): string {
  const link = instanceDashboardLink(info);
  if (link === null || info.url === undefined) return '';
  return terminal ? `\n  dashboard: ${link}` : `\n  dashboard: ${info.url} (with its token, which is in ${files.instance}: \`skillsync up\` at a terminal prints it)`;
}

/** Opening a browser is a convenience: when it fails, the address printed beside it still works. */
async function openDashboard(env: Env, link: string): Promise<void> {
  const report = (reason: string): void => {
    process.stderr.write(`could not open a browser (${reason}); open the dashboard address yourself.\n`);
  };
  await openUrl(env, link, report).catch((error: unknown) => {
    report(isSkillsyncError(error) ? error.message : String(error));
  });
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new SkillsyncError('USAGE', `--port ${value}: not a port (0 to 65535; 0 picks a free one).`, { details: { option: '--port', value } });
  }
  return port;
}

function renderUp(data: UpData, ui: Ui, env: Env): string {
  const lines: string[] = [];
  if (data.outcome === 'stopped') return ui.dim(`skillsync stopped (it ran as pid ${data.pid}).`);
  lines.push(
    data.outcome === 'detached'
      ? `${ui.green('✓')} skillsync is running in the background (pid ${data.pid})${data.health === undefined ? '' : `: ${data.health}`}`
      : `skillsync is already running (pid ${data.pid}, since ${data.startedAt})${data.health === undefined ? '' : `: ${data.health}`}`,
  );
  lines.push(`  ${ui.dim('dashboard:')} ${data.dashboard ?? ui.dim('none (see the log)')}`);
  if (data.detected !== undefined) lines.push(`  ${ui.dim('AI clients:')} ${data.detected.length === 0 ? 'none found on this machine (it keeps watching for one)' : data.detected.join(', ')}`);
  lines.push(`  ${ui.dim('log:')} ${displayPath(env, data.logFile)} ${ui.dim('(skillsync daemon logs)')}`);
  lines.push(ui.dim(`  \`skillsync daemon status\` shows what it does; \`skillsync daemon stop\` stops it.`));
  if (data.health === 'unconfigured') {
    const found = data.detected ?? [];
    lines.push(
      found.length === 0
        ? '  Nothing is configured yet, and no AI client was found: install one, or write a manifest with `skillsync init`.'
        : `  Nothing is configured yet: \`skillsync import\` adopts what ${found.join(', ')} ${found.length === 1 ? 'has' : 'have'}.`,
    );
  }
  return lines.join('\n');
}
