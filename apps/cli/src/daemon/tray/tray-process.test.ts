import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { frameChanges, startTrayProcess, type TrayFrame, type TrayProcessOptions } from './tray-process.js';

const frame: TrayFrame = {
  icon: Buffer.from('in-sync icon').toString('base64'),
  tooltip: 'skillsync: in sync',
  items: [{ title: 'skillsync: in sync', enabled: false }, 'separator', { title: 'Sync now', enabled: true }, { title: 'Quit', enabled: true }],
};

describe('frameChanges', () => {
  it('sends nothing for an unchanged frame', () => {
    expect(frameChanges(frame, { ...frame, items: [...frame.items] })).toEqual([]);
  });

  it('sends the icon and tooltip as one menu update, and each changed line by its id', () => {
    const after: TrayFrame = {
      icon: Buffer.from('drift icon').toString('base64'),
      tooltip: 'skillsync: drift in 1 item',
      items: [{ title: 'skillsync: drift in 1 item', enabled: false }, 'separator', { title: 'Syncing…', enabled: false }, { title: 'Quit', enabled: true }],
    };
    expect(frameChanges(frame, after)).toEqual([
      { type: 'update-menu', menu: { icon: after.icon, title: '', tooltip: 'skillsync: drift in 1 item', items: [], isTemplateIcon: false } },
      {
        type: 'update-item',
        item: { title: 'skillsync: drift in 1 item', tooltip: '', enabled: false, checked: false, hidden: false, items: [], icon: '', isTemplateIcon: false, __id: 1 },
        seq_id: -1,
      },
      {
        type: 'update-item',
        item: { title: 'Syncing…', tooltip: '', enabled: false, checked: false, hidden: false, items: [], icon: '', isTemplateIcon: false, __id: 3 },
        seq_id: -1,
      },
    ]);
  });

  it('refuses a menu whose lines changed: the ids are positions', () => {
    expect(() => frameChanges(frame, { ...frame, items: frame.items.slice(1) })).toThrow(/keeps its lines/);
  });
});

/**
 * A stand-in for systray2's Go binary speaking its protocol, so the driver is tested
 * without a desktop (test/tray runs the real binary under Xvfb). FAKE_TRAY picks how it
 * behaves; every line it reads is appended to FAKE_TRAY_LOG.
 */
const FAKE_TRAY = `
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const mode = process.env.FAKE_TRAY;
const log = (line) => appendFileSync(process.env.FAKE_TRAY_LOG, line + '\\n');
log('pid=' + process.pid);
if (mode === 'no-display') {
  process.stderr.write('Gtk-WARNING: cannot open display: :99\\n');
  process.exit(1);
}
if (mode === 'stubborn') setInterval(() => undefined, 1000);
if (mode !== 'silent') console.log('{"type": "ready"}');
let lines = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  log(line);
  lines += 1;
  if (lines === 1) {
    console.log('Gdk-Message: not a protocol line');
    console.log('{"type":"clicked","item":{"title":"Sync now"},"seq_id":2,"__id":3}');
    if (mode === 'dies') setTimeout(() => process.exit(3), 50);
  }
  if (JSON.parse(line).type === 'exit' && mode !== 'stubborn') process.exit(0);
}).on('close', () => { if (mode !== 'stubborn') process.exit(0); });
`;

describe('startTrayProcess', () => {
  let dir: string;
  let binary: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-tray-process-'));
    binary = path.join(dir, 'fake-tray.mjs');
    await writeFile(binary, `#!${process.execPath}\n${FAKE_TRAY}`);
    await chmod(binary, 0o755);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function options(mode: string, log: string, more: Partial<TrayProcessOptions> = {}): TrayProcessOptions {
    return {
      binary,
      argv0: 'skillsync',
      env: { PATH: process.env.PATH, FAKE_TRAY: mode, FAKE_TRAY_LOG: log },
      frame,
      onClick: () => undefined,
      onExit: () => undefined,
      ...more,
    };
  }

  async function received(log: string): Promise<string[]> {
    return (await readFile(log, 'utf8')).trim().split('\n');
  }

  function isRunning(pid: number | undefined): boolean {
    try {
      process.kill(pid!, 0);
      return true;
    } catch {
      return false;
    }
  }

  it('sends the menu on ready, passes clicks on by position, sends changes, and ends the binary with `exit`', async () => {
    const log = path.join(dir, 'normal.log');
    const onClick = vi.fn();
    const onExit = vi.fn();
    const tray = await startTrayProcess(options('normal', log, { onClick, onExit }));
    await vi.waitFor(() => {
      expect(onClick).toHaveBeenCalledWith(2);
    });
    // (argv0 is not visible through a script's interpreter: test/tray sees it as the item's D-Bus title.)
    const [pid, menu] = await received(log);
    expect(pid).toBe(`pid=${tray.pid}`);
    expect(JSON.parse(menu!)).toMatchObject({
      icon: frame.icon,
      tooltip: 'skillsync: in sync',
      items: [
        { title: 'skillsync: in sync', enabled: false, __id: 1 },
        { title: '<SEPARATOR>', __id: 2 },
        { title: 'Sync now', enabled: true, __id: 3 },
        { title: 'Quit', enabled: true, __id: 4 },
      ],
    });

    tray.show({ ...frame, items: [frame.items[0]!, 'separator', { title: 'Syncing…', enabled: false }, frame.items[3]!] });
    await vi.waitFor(async () => {
      expect((await received(log)).slice(2).map((line) => JSON.parse(line) as unknown)).toEqual([
        { type: 'update-item', item: expect.objectContaining({ title: 'Syncing…', enabled: false, __id: 3 }) as unknown, seq_id: -1 },
      ]);
    });

    await tray.close();
    expect((await received(log)).at(-1)).toBe('{"type":"exit"}');
    expect(isRunning(tray.pid)).toBe(false);
    expect(onExit).not.toHaveBeenCalled();
    // Closed: nothing more is sent, and closing again is harmless.
    tray.show({ ...frame, tooltip: 'skillsync: paused' });
    await tray.close();
  });

  it('reports a binary that dies after it was ready', async () => {
    const onExit = vi.fn();
    const tray = await startTrayProcess(options('dies', path.join(dir, 'dies.log'), { onExit }));
    await vi.waitFor(() => {
      expect(onExit).toHaveBeenCalledWith('the tray binary exited with code 3');
    });
    expect(isRunning(tray.pid)).toBe(false);
    await tray.close();
  });

  it('ends a binary that ignores `exit` with SIGTERM', async () => {
    const tray = await startTrayProcess(options('stubborn', path.join(dir, 'stubborn.log')));
    expect(isRunning(tray.pid)).toBe(true);
    await tray.close();
    expect(isRunning(tray.pid)).toBe(false);
  });

  it('fails with TRAY_UNAVAILABLE and the binary\'s own words when it exits before it is ready', async () => {
    await expect(startTrayProcess(options('no-display', path.join(dir, 'no-display.log')))).rejects.toMatchObject({
      code: 'TRAY_UNAVAILABLE',
      message: 'The tray binary exited before it was ready (code 1).',
      details: { binary, stderr: 'Gtk-WARNING: cannot open display: :99' },
    });
  });

  it('fails with TRAY_UNAVAILABLE, and leaves nothing running, when the binary never gets ready', async () => {
    const log = path.join(dir, 'silent.log');
    await expect(startTrayProcess(options('silent', log, { readyTimeoutMs: 300 }))).rejects.toMatchObject({
      code: 'TRAY_UNAVAILABLE',
      message: 'The tray binary did not get ready within 0.3 s.',
    });
    const [pid] = await received(log);
    expect(isRunning(Number(pid!.slice('pid='.length)))).toBe(false);
  });

  it('fails with TRAY_UNAVAILABLE when the binary cannot be started', async () => {
    await expect(startTrayProcess(options('normal', path.join(dir, 'none.log'), { binary: path.join(dir, 'missing') }))).rejects.toMatchObject({
      code: 'TRAY_UNAVAILABLE',
      message: expect.stringMatching(/^The tray binary could not be started: spawn .*missing ENOENT\.$/) as unknown,
    });
  });
});
