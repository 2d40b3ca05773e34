import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { parseJsonRecord, SkillsyncError } from '@skillsync/core';

/*
 * systray2 ships a Go binary (systray-portable) that owns the icon and speaks JSON lines
 * on its stdio: it prints {"type":"ready"}, reads the menu, then reads `update-menu`,
 * `update-item` and `exit` actions and prints {"type":"clicked","__id":N} per click.
 * skillsync speaks that protocol itself rather than through systray2's JavaScript class,
 * which runs `./traybin/<binary>` from the current folder when one exists (the daemon
 * would execute whatever a project folder provides), cannot make the binary executable
 * on current Node, throws from a stream listener on a line it cannot parse, and waits
 * forever in `kill()` for a binary that already died.
 */

/** One menu line: a titled item, or a separator. */
export type TrayFrameItem = { readonly title: string; readonly enabled: boolean } | 'separator';

/** Everything the tray shows. Between two frames of one tray only titles, `enabled`, the icon and the tooltip may change. */
export interface TrayFrame {
  /** The icon file's bytes, base64. */
  readonly icon: string;
  readonly tooltip: string;
  readonly items: readonly TrayFrameItem[];
}

export interface TrayProcessOptions {
  readonly binary: string;
  /** The name the binary runs under: Linux trays show it as the item's title. */
  readonly argv0: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly frame: TrayFrame;
  /** Called with the position in `frame.items` of the line a person clicked. */
  readonly onClick: (index: number) => void;
  /** Called once when the binary ends by itself after it was ready (not after `close`). */
  readonly onExit: (reason: string) => void;
  readonly readyTimeoutMs?: number;
}

export interface TrayProcess {
  readonly pid: number | undefined;
  /** Sends what changed since the last frame; nothing once closed. */
  show(frame: TrayFrame): void;
  /** Asks the binary to quit (it removes its icon files then), and ends it if it does not. */
  close(): Promise<void>;
}

/** The binary's own startup is GTK's, well under a second; a loaded CI box gets ample room. */
const READY_TIMEOUT_MS = 10_000;
const EXIT_GRACE_MS = 2_000;
/** Enough of the binary's stderr to say why it failed (GTK prints one line per problem). */
const STDERR_TAIL = 2_000;

/** Starts the tray binary and resolves once it shows `frame`; rejects with TRAY_UNAVAILABLE if it cannot. */
export async function startTrayProcess(options: TrayProcessOptions): Promise<TrayProcess> {
  const child = spawn(options.binary, [], {
    argv0: options.argv0,
    env: { ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => { resolve(); }));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL);
  });
  // A write after the binary died fails with EPIPE: its exit is reported instead.
  child.stdin.on('error', () => undefined);

  let shown = options.frame;
  let state: 'starting' | 'running' | 'closing' = 'starting';
  const write = (message: unknown): void => {
    // JSON.stringify escapes line breaks inside strings, so a title can never split a message.
    child.stdin.write(`${JSON.stringify(message)}\n`);
  };

  const ready = new Promise<void>((resolve, reject) => {
    const fail = (reason: string): void => {
      clearTimeout(timer);
      reject(new SkillsyncError('TRAY_UNAVAILABLE', `The tray binary ${reason}.`, { details: { binary: options.binary, stderr: stderr.trim() } }));
    };
    const timeoutMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const timer = setTimeout(() => {
      fail(`did not get ready within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    // `on`, not `once`: a failed kill emits `error` too, and an unheard one would throw.
    child.on('error', (error) => {
      if (state === 'starting') fail(`could not be started: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      const ended = signal ?? `code ${code}`;
      if (state === 'starting') fail(`exited before it was ready (${ended})`);
      else if (state === 'running') options.onExit(`the tray binary exited with ${ended}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`);
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const message = parseMessage(line);
      if (message?.type === 'ready' && state === 'starting') {
        clearTimeout(timer);
        state = 'running';
        write(wireMenu(shown));
        resolve();
      } else if (message?.type === 'clicked' && state === 'running') {
        options.onClick(message.id - 1);
      }
    });
  });

  const stop = async (): Promise<void> => {
    const wasRunning = state === 'running';
    state = 'closing';
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    // On `exit` the binary removes the icon files it wrote; on a closed stdin alone it does not.
    if (wasRunning) write({ type: 'exit' });
    child.stdin.end();
    for (const signal of [undefined, 'SIGTERM', 'SIGKILL'] as const) {
      if (signal !== undefined) child.kill(signal);
      // Unreferenced: a binary that exited at once must not hold the daemon's exit for the grace time.
      if (await Promise.race([exited.then(() => true), delay(EXIT_GRACE_MS, false, { ref: false })])) return;
    }
  };

  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    pid: child.pid,
    show: (frame) => {
      if (state !== 'running') return;
      for (const message of frameChanges(shown, frame)) write(message);
      shown = frame;
    },
    close: stop,
  };
}

type TrayMessage = { readonly type: 'ready' } | { readonly type: 'clicked'; readonly id: number };

/** The binary's lines, checked: anything else it prints is ignored. */
function parseMessage(line: string): TrayMessage | undefined {
  const { type, __id: id } = parseJsonRecord(line) ?? {};
  if (type === 'ready') return { type };
  if (type === 'clicked' && typeof id === 'number' && Number.isInteger(id)) return { type, id };
  return undefined;
}

/** The binary's menu: its separators are items titled `<SEPARATOR>`, and every item's id is its position + 1. */
function wireMenu(frame: TrayFrame): Record<string, unknown> {
  return {
    icon: frame.icon,
    // The title shows beside the icon (macOS menu bar, some Linux panels): the icon says enough there.
    title: '',
    tooltip: frame.tooltip,
    items: frame.items.map(wireItem),
    isTemplateIcon: false,
  };
}

function wireItem(item: TrayFrameItem, index: number): Record<string, unknown> {
  const { title, enabled } = item === 'separator' ? { title: '<SEPARATOR>', enabled: true } : item;
  return { title, tooltip: '', enabled, checked: false, hidden: false, items: [], icon: '', isTemplateIcon: false, __id: index + 1 };
}

/** The messages that turn `before` into `after`. */
export function frameChanges(before: TrayFrame, after: TrayFrame): readonly unknown[] {
  if (before.items.length !== after.items.length) throw new Error('A tray menu keeps its lines: only titles and enabled may change');
  const messages: unknown[] = [];
  if (before.icon !== after.icon || before.tooltip !== after.tooltip) {
    messages.push({ type: 'update-menu', menu: { ...wireMenu(after), items: [] } });
  }
  after.items.forEach((item, index) => {
    const previous = before.items[index];
    if (item === 'separator' || previous === 'separator') return;
    if (previous?.title === item.title && previous.enabled === item.enabled) return;
    // seq_id -1: the binary finds the item by __id.
    messages.push({ type: 'update-item', item: wireItem(item, index), seq_id: -1 });
  });
  return messages;
}
