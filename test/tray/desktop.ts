import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';

/*
 * A throw-away desktop session for the tray test: an Xvfb display and a private D-Bus
 * session bus, and a reader of what the tray binary publishes on that bus (the
 * StatusNotifierItem and its com.canonical.dbusmenu menu), through `busctl --json`.
 */

const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 10_000;

/** Where `name` is on PATH, or undefined. */
export async function findProgram(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    try {
      await access(file);
      return file;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface DesktopSession {
  readonly display: string;
  readonly busAddress: string;
  readonly bus: SessionBus;
  stop(): Promise<void>;
}

/** Starts Xvfb on a display it picks itself (-displayfd), and a D-Bus session bus of our own. */
export async function startDesktopSession(): Promise<DesktopSession> {
  const started: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.map((child) => endProcess(child)));
  };
  try {
    const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '800x600x24', '-nolisten', 'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    started.push(xvfb);
    const display = `:${await firstLine(xvfb.stdio[3] as Readable, 'Xvfb')}`;
    const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address'], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(bus);
    const busAddress = await firstLine(bus.stdout, 'dbus-daemon');
    return { display, busAddress, bus: sessionBus(busAddress), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function firstLine(stream: Readable, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${what} said nothing within ${STARTUP_TIMEOUT_MS} ms`));
    }, STARTUP_TIMEOUT_MS);
    const lines = createInterface({ input: stream });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line.trim());
    });
  });
}

async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve(); }));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
}

/** One line of a dbusmenu layout, as a tray host would draw it. */
export interface MenuLine {
  readonly id: number;
  /** `---` for a separator. */
  readonly label: string;
  readonly enabled: boolean;
}

export interface SessionBus {
  /** The unique bus name of the connection the process `pid` holds, if any. */
  connectionOf(pid: number): Promise<string | undefined>;
  /** A StatusNotifierItem property of the tray at `name` (libappindicator's object path). */
  itemProperty(name: string, property: string): Promise<unknown>;
  menu(name: string): Promise<MenuLine[]>;
  /** What a tray host sends when a person clicks a menu line. */
  click(name: string, id: number): Promise<void>;
}

const ITEM_PATH = '/org/ayatana/NotificationItem/systray';
const MENU_PATH = `${ITEM_PATH}/Menu`;

interface Variant {
  readonly type: string;
  readonly data: unknown;
}

type LayoutNode = [number, Record<string, Variant>, Variant[]];

function sessionBus(address: string): SessionBus {
  const busctl = async (...args: string[]): Promise<Variant | undefined> => {
    const { stdout } = await run('busctl', [`--address=${address}`, '--json=short', '--', ...args], { timeout: 5_000 });
    // A method that returns nothing prints nothing.
    return stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Variant);
  };
  const busDaemon = ['org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus'];
  return {
    connectionOf: async (pid) => {
      const [names] = (await busctl('call', ...busDaemon, 'ListNames'))?.data as [string[]];
      for (const name of names.filter((candidate) => candidate.startsWith(':'))) {
        const owner = await busctl('call', ...busDaemon, 'GetConnectionUnixProcessID', 's', name).catch(() => undefined);
        if ((owner?.data as number[] | undefined)?.[0] === pid) return name;
      }
      return undefined;
    },
    itemProperty: async (name, property) => (await busctl('get-property', name, ITEM_PATH, 'org.kde.StatusNotifierItem', property))?.data,
    menu: async (name) => {
      const [, root] = (await busctl('call', name, MENU_PATH, 'com.canonical.dbusmenu', 'GetLayout', 'iias', '0', '-1', '0'))?.data as [number, LayoutNode];
      return root[2].map((child) => {
        const [id, properties] = child.data as LayoutNode;
        const label = properties.label?.data;
        return {
          id,
          label: properties.type?.data === 'separator' ? '---' : typeof label === 'string' ? label : '',
          // dbusmenu leaves out properties at their defaults: enabled unless it says false.
          enabled: properties.enabled?.data !== false,
        };
      });
    },
    click: async (name, id) => {
      await busctl('call', name, MENU_PATH, 'com.canonical.dbusmenu', 'Event', 'isvu', String(id), 'clicked', 'i', '0', '0');
    },
  };
}

/** The processes whose parent is `parent` and whose executable file is named `executable`. */
export async function childProcesses(parent: number, executable: string): Promise<number[]> {
  const { stdout } = await run('ps', ['-o', 'pid=', '--ppid', String(parent)]).catch(() => ({ stdout: '' }));
  const found: number[] = [];
  for (const pid of stdout.split('\n').map((line) => Number(line.trim())).filter((pid) => pid > 0)) {
    const file = await readlink(`/proc/${pid}/exe`).catch(() => '');
    if (path.basename(file) === executable) found.push(pid);
  }
  return found;
}

/** Whether the process runs (a zombie, dead but not yet reaped by its new parent, does not). */
export async function isRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The state follows the parenthesised command name: `123 (name) S ...`.
  return stat !== undefined && !/\) Z /.test(stat);
}
