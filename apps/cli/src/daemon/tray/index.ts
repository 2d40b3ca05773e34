import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { skillsyncPaths, toSkillsyncError, type Env } from '@skillsync/core';
import type { DaemonController } from '../contract.js';
import { missingDesktopSession } from './desktop-session.js';
import { isDashboardUrl, openUrl } from './open-url.js';
import { runnableTrayBinary, locateTrayBinary } from './tray-binary.js';
import { renderTrayIcon, type TrayIconName } from './tray-icons.js';
import { performTrayAction, trayActionFor, trayView } from './tray-menu.js';
import { startTrayProcess, type TrayFrame, type TrayProcess } from './tray-process.js';

export interface TrayOptions {
  readonly controller: DaemonController;
  readonly env: Env;
  /** The dashboard address with its token, opened by "Open dashboard"; undefined when headless. */
  readonly dashboardUrl: string | undefined;
  readonly log: (message: string, details?: Record<string, unknown>) => void;
}

export interface Tray {
  /** Removes the icon and ends the tray binary; safe to call more than once. */
  close(): Promise<void>;
}

/**
 * Starts the tray icon, or answers undefined (after logging why) when there is no
 * desktop session to show it in or the tray binary cannot run: the daemon then runs
 * headless. The icon and menu follow the controller's status events.
 */
export async function startTray(options: TrayOptions): Promise<Tray | undefined> {
  const missing = missingDesktopSession(options.env);
  if (missing !== undefined) {
    options.log(`No tray icon: ${missing}; the daemon runs headless.`);
    return undefined;
  }
  try {
    return await showTray(options);
  } catch (error) {
    const failure = toSkillsyncError(error);
    options.log(`No tray icon: ${failure.message} The daemon runs headless.`, { code: failure.code, hint: failure.hint, ...failure.details });
    return undefined;
  }
}

async function showTray({ controller, env, dashboardUrl, log }: TrayOptions): Promise<Tray> {
  const trayCache = path.join(skillsyncPaths(env).cache, 'tray');
  const binary = await runnableTrayBinary({ source: await locateTrayBinary(env.platform), platform: env.platform, cacheDir: trayCache });
  // On Linux the binary hands libappindicator each icon as a file in TMPDIR: a folder of
  // our own keeps them out of /tmp, and is emptied here after a crash left some behind.
  const iconFiles = path.join(trayCache, 'icons');
  await rm(iconFiles, { recursive: true, force: true });
  await mkdir(iconFiles, { recursive: true, mode: 0o700 });

  const dashboard = dashboardUrl !== undefined && isDashboardUrl(dashboardUrl) ? dashboardUrl : undefined;
  if (dashboardUrl !== undefined && dashboard === undefined) {
    log('The tray\'s "Open dashboard" is off: the dashboard address is not an http address on this computer (127.0.0.1, localhost or ::1).');
  }
  const iconFormat = env.platform === 'win32' ? 'ico' : 'png';
  const icons = new Map<TrayIconName, string>();
  const iconData = (name: TrayIconName): string => {
    let data = icons.get(name);
    if (data === undefined) {
      data = renderTrayIcon(name, iconFormat).toString('base64');
      icons.set(name, data);
    }
    return data;
  };

  let status = controller.status();
  let syncing = false;
  let tray: TrayProcess | undefined;
  let closed = false;
  const view = (): ReturnType<typeof trayView> => trayView({ status, dashboard: dashboard !== undefined, syncing });
  const frame = (): TrayFrame => {
    const { icon, tooltip, menu } = view();
    return { icon: iconData(icon), tooltip, items: menu };
  };
  const refresh = (): void => {
    tray?.show(frame());
  };
  const cleanUp = async (): Promise<void> => {
    closed = true;
    unsubscribe();
    // A folder left behind is harmless: the next start empties it.
    await rm(iconFiles, { recursive: true, force: true }).catch(() => undefined);
  };

  const click = async (index: number): Promise<void> => {
    const line = view().menu[index];
    if (line === undefined || line === 'separator' || !line.enabled) return;
    const action = trayActionFor(line.key, controller.status());
    if (action === undefined) return;
    if (action === 'sync-now') {
      syncing = true;
      refresh();
    }
    try {
      await performTrayAction(action, {
        controller,
        openDashboard: () =>
          dashboard === undefined
            ? Promise.resolve()
            : openUrl(env, dashboard, (reason) => {
                log(`The tray could not open the dashboard: ${reason}.`);
              }),
      });
    } finally {
      if (action === 'sync-now') syncing = false;
      // Pause and resume may change the status without an event reaching us first.
      if (!closed) {
        status = controller.status();
        refresh();
      }
    }
  };

  const unsubscribe = controller.subscribe((event) => {
    if (event.type !== 'status') return;
    status = event.status;
    refresh();
  });
  try {
    tray = await startTrayProcess({
      binary,
      argv0: 'skillsync',
      env: env.platform === 'linux' ? { ...env.vars, TMPDIR: iconFiles } : env.vars,
      frame: frame(),
      onClick: (index) => {
        click(index).catch((error: unknown) => {
          const failure = toSkillsyncError(error);
          log(`A tray menu action failed: ${failure.message}`, { code: failure.code, hint: failure.hint });
        });
      },
      onExit: (reason) => {
        log(`The tray icon closed (${reason}); the daemon runs on without it.`);
        void cleanUp();
      },
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  // Status events that came while the binary started.
  refresh();
  const running = tray;
  let closing: Promise<void> | undefined;
  return {
    close: () => {
      closing ??= closed ? Promise.resolve() : running.close().then(cleanUp);
      return closing;
    },
  };
}
