import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pathFor, readTextIfExists, writeFileAtomic, type Env, type Platform } from '@skillsync/core';
import { LAUNCHD_LABEL, renderServiceFile, serviceFilePath, type ServiceCommand } from './service-files.js';

/** One command `install` or `uninstall` ran, and how it went. */
export interface ServiceStep {
  readonly command: string;
  readonly ok: boolean;
  /** What it printed (stdout and stderr), trimmed. */
  readonly output: string;
}

export interface ServiceChange {
  readonly platform: Platform;
  readonly file: string;
  /** False when the file already held exactly this (install) or was not there (uninstall). */
  readonly changed: boolean;
  readonly steps: readonly ServiceStep[];
  /** What the person still has to do, when skillsync could not do it here. */
  readonly next: string | undefined;
}

const SYSTEMD_UNIT = 'skillsync.service';

/**
 * Writes the login service file for `env.platform` and, where the service manager is
 * reachable, loads it: `systemctl --user daemon-reload`, `enable` and `start` when
 * systemctl and a user bus exist (Linux), `launchctl load -w` (macOS). A file that
 * changed is loaded anew, so a daemon running from the old one is restarted from the
 * new one (`systemctl restart`; launchctl `unload` first when the job is loaded).
 * Windows runs the Startup script at the next login.
 */
export async function installService(env: Env, command: ServiceCommand): Promise<ServiceChange> {
  const file = serviceFilePath(env);
  const text = renderServiceFile(env.platform, command);
  const changed = (await readTextIfExists(file)) !== text;
  if (changed) await writeFileAtomic(file, text);
  switch (env.platform) {
    case 'linux': {
      if (!systemdUserBus(env)) {
        return { platform: 'linux', file, changed, steps: [], next: `systemctl --user daemon-reload && systemctl --user enable ${SYSTEMD_UNIT} && systemctl --user restart ${SYSTEMD_UNIT}` };
      }
      const steps = await runSteps(env, [
        ['systemctl', ['--user', 'daemon-reload']],
        ['systemctl', ['--user', 'enable', SYSTEMD_UNIT]],
        // `start` leaves a running unit as it is, on the ExecStart it started with.
        ['systemctl', ['--user', changed ? 'restart' : 'start', SYSTEMD_UNIT]],
      ]);
      return { platform: 'linux', file, changed, steps, next: undefined };
    }
    case 'darwin': {
      // `load` does nothing to a job already loaded: it keeps running what the old file said.
      const loaded = changed && (await runSteps(env, [['launchctl', ['list', LAUNCHD_LABEL]]]))[0]?.ok === true;
      const steps = await runSteps(env, [...(loaded ? [['launchctl', ['unload', file]] as const] : []), ['launchctl', ['load', '-w', file]]]);
      return { platform: 'darwin', file, changed, steps, next: undefined };
    }
    case 'win32':
      return { platform: 'win32', file, changed, steps: [], next: 'It starts at your next login; `skillsync up` starts it now.' };
  }
}

/** Stops and removes the login service `installService` wrote (on Linux and macOS the daemon it runs stops with it). */
export async function uninstallService(env: Env): Promise<ServiceChange> {
  const file = serviceFilePath(env);
  if (!existsSync(file)) return { platform: env.platform, file, changed: false, steps: [], next: undefined };
  const remove = () => rm(file, { force: true });
  switch (env.platform) {
    case 'linux': {
      if (!systemdUserBus(env)) {
        await remove();
        return { platform: 'linux', file, changed: true, steps: [], next: `systemctl --user disable --now ${SYSTEMD_UNIT} (or \`skillsync daemon stop\`)` };
      }
      const stopped = await runSteps(env, [['systemctl', ['--user', 'disable', '--now', SYSTEMD_UNIT]]]);
      await remove();
      return { platform: 'linux', file, changed: true, steps: [...stopped, ...(await runSteps(env, [['systemctl', ['--user', 'daemon-reload']]]))], next: undefined };
    }
    case 'darwin': {
      const steps = await runSteps(env, [['launchctl', ['unload', '-w', file]]]);
      await remove();
      return { platform: 'darwin', file, changed: true, steps, next: undefined };
    }
    case 'win32':
      await remove();
      return { platform: 'win32', file, changed: true, steps: [], next: 'A daemon already started keeps running until `skillsync daemon stop`.' };
  }
}

/** `systemctl` on the PATH and a user session bus to reach the user's systemd through (none in a container or an ssh session without lingering). */
function systemdUserBus(env: Env): boolean {
  const p = pathFor(env);
  const onPath = (env.vars.PATH ?? '').split(p.delimiter).some((dir) => dir !== '' && isExecutable(p.join(dir, 'systemctl')));
  const runtime = env.vars.XDG_RUNTIME_DIR;
  const bus = (env.vars.DBUS_SESSION_BUS_ADDRESS ?? '') !== '' || (runtime !== undefined && runtime !== '' && existsSync(p.join(runtime, 'bus')));
  return onPath && bus;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs each command in turn, stopping at the first that fails. */
async function runSteps(env: Env, commands: readonly (readonly [string, readonly string[]])[]): Promise<ServiceStep[]> {
  const steps: ServiceStep[] = [];
  for (const [command, args] of commands) {
    const step = await new Promise<ServiceStep>((resolve) => {
      execFile(command, args, { env: { ...env.vars }, timeout: 30_000, windowsHide: true }, (error, stdout, stderr) => {
        resolve({ command: [command, ...args].join(' '), ok: error === null, output: `${stdout}${stderr}`.trim() || (error?.message ?? '') });
      });
    });
    steps.push(step);
    if (!step.ok) break;
  }
  return steps;
}

