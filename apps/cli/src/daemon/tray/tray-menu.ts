import type { DaemonController, DaemonHealth, DaemonStatus } from '../contract.js';
import { activeDrift } from '../drift-summary.js';
import type { TrayIconName } from './tray-icons.js';

export type TrayItemKey = 'status' | 'open-dashboard' | 'sync-now' | 'pause-resume' | 'quit';

export interface TrayMenuEntry {
  readonly key: TrayItemKey;
  readonly title: string;
  readonly enabled: boolean;
}

export type TrayMenuLine = TrayMenuEntry | 'separator';

export interface TrayView {
  readonly icon: TrayIconName;
  /** The state in words: the tooltip, and the menu's first line (Linux trays show no tooltip). */
  readonly tooltip: string;
  /** Always the same lines in the same order: only titles and `enabled` change, so a line's position identifies it. */
  readonly menu: readonly TrayMenuLine[];
}

export interface TrayViewInput {
  readonly status: DaemonStatus;
  /** Whether there is a dashboard to open. */
  readonly dashboard: boolean;
  /** Whether a sync the tray asked for is running. */
  readonly syncing: boolean;
}

export type TrayAction = 'open-dashboard' | 'sync-now' | 'pause' | 'resume' | 'quit';

const ICONS: Readonly<Record<DaemonHealth, TrayIconName>> = {
  starting: 'idle',
  'in-sync': 'in-sync',
  drift: 'drift',
  error: 'error',
  paused: 'paused',
  unconfigured: 'idle',
};

/** Long enough for a file name and a reason, short enough for a menu line. */
const MAX_ERROR_CHARS = 80;

/** What the tray shows for a daemon status. */
export function trayView({ status, dashboard, syncing }: TrayViewInput): TrayView {
  const tooltip = `skillsync: ${describeHealth(status)}${describeHolds(status)}`;
  return {
    icon: ICONS[status.health],
    tooltip,
    menu: [
      { key: 'status', title: tooltip, enabled: false },
      'separator',
      { key: 'open-dashboard', title: 'Open dashboard', enabled: dashboard },
      { key: 'sync-now', title: syncing ? 'Syncing…' : 'Sync now', enabled: !syncing },
      { key: 'pause-resume', title: status.paused ? 'Resume watching' : 'Pause watching', enabled: true },
      'separator',
      { key: 'quit', title: 'Quit', enabled: true },
    ],
  };
}

function describeHealth(status: DaemonStatus): string {
  switch (status.health) {
    case 'starting':
      return 'starting';
    case 'in-sync':
      return 'in sync';
    case 'drift': {
      const count = activeDrift(status.drift).length;
      return `drift in ${count} ${count === 1 ? 'item' : 'items'}`;
    }
    case 'error':
      return status.error === undefined ? 'error' : `error: ${oneLine(status.error.message, MAX_ERROR_CHARS)}`;
    case 'paused':
      // Changes are still seen while paused; they are acted on after Resume.
      return 'paused';
    case 'unconfigured':
      return 'nothing configured yet';
  }
}

/** Held files, whatever the health says: the person may want to look (they are released once left alone, or by Sync now). */
function describeHolds(status: DaemonStatus): string {
  const held = new Set(status.drift.filter((item) => item.handling === 'held').map((item) => item.path)).size;
  return held === 0 ? '' : ` · ${held} ${held === 1 ? 'file' : 'files'} held (a client keeps rewriting ${held === 1 ? 'it' : 'them'})`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** What clicking a menu line asks for; Pause/Resume goes by the daemon's state at the click, not by the label shown. */
export function trayActionFor(key: TrayItemKey, status: DaemonStatus): TrayAction | undefined {
  switch (key) {
    case 'status':
      return undefined;
    case 'pause-resume':
      return status.paused ? 'resume' : 'pause';
    default:
      return key;
  }
}

export interface TrayActionTarget {
  readonly controller: DaemonController;
  readonly openDashboard: () => Promise<void>;
}

export async function performTrayAction(action: TrayAction, { controller, openDashboard }: TrayActionTarget): Promise<void> {
  switch (action) {
    case 'open-dashboard':
      await openDashboard();
      return;
    case 'sync-now':
      await controller.syncNow('tray');
      return;
    case 'pause':
      controller.pause();
      return;
    case 'resume':
      controller.resume();
      return;
    case 'quit':
      await controller.stop();
      return;
  }
}
