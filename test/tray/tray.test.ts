import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createEnv, SkillsyncError, type Env } from '@skillsync/core';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { DriftedItem } from '../../apps/cli/src/daemon/contract.js';
import { startTray } from '../../apps/cli/src/daemon/tray/index.js';
import { renderTrayIcon, type TrayIconName } from '../../apps/cli/src/daemon/tray/tray-icons.js';
import { repoRoot } from '../support/corpus.js';
import { childProcesses, findProgram, isRunning, startDesktopSession, type DesktopSession } from './desktop.js';
import { createFakeController } from './fake-controller.js';

/*
 * The real tray binary (systray2's Go program, GTK + libayatana-appindicator) on an Xvfb
 * display with a private D-Bus session bus. What a person's tray host would see is read
 * over D-Bus: the StatusNotifierItem's title and icon file, and the dbusmenu layout; menu
 * clicks are the dbusmenu `Event` calls a tray host sends. Not exercised: drawing by a
 * real tray host (no panel runs here), and macOS / Windows.
 */

const BINARY = 'tray_linux_release';
const xvfb = await findProgram('Xvfb');
const skipped = xvfb === undefined ? ' (skipped: Xvfb is not installed; on Debian `apt-get install xvfb libayatana-appindicator3-1`)' : '';

/** Generous: a loaded 2-core box may take seconds to start GTK; nothing here measures speed. */
const eventually = <T>(check: () => Promise<T> | T): Promise<T> => vi.waitFor(check, { timeout: 10_000, interval: 100 });

const drifted: DriftedItem = {
  scope: 'user',
  client: 'cursor',
  kind: 'connector',
  name: 'github',
  path: '/home/ada/.cursor/mcp.json',
  status: 'modified',
  handling: 'notified',
};

describe.skipIf(xvfb === undefined)(`the tray under Xvfb${skipped}`, () => {
  let session: DesktopSession;
  let root: string;
  let env: Env;
  let openedFile: string;

  beforeAll(async () => {
    session = await startDesktopSession();
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-tray-'));
    const bin = path.join(root, 'bin');
    openedFile = path.join(root, 'opened');
    await mkdir(bin);
    // The browser opener, replaced: records the address it was given.
    await writeFile(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${openedFile}'\n`);
    await chmod(path.join(bin, 'xdg-open'), 0o755);
    env = createEnv({
      home: path.join(root, 'home'),
      cwd: root,
      platform: 'linux',
      vars: {
        PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
        HOME: path.join(root, 'home'),
        SKILLSYNC_HOME: path.join(root, 'skillsync'),
        DISPLAY: session.display,
        DBUS_SESSION_BUS_ADDRESS: session.busAddress,
        // No accessibility bus to start on the private session bus.
        NO_AT_BRIDGE: '1',
      },
    });
  });

  afterAll(async () => {
    await session.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('shows the daemon\'s state, follows its status events, and passes menu clicks on to it', async () => {
    const { bus } = session;
    const controller = createFakeController();
    const logs: string[] = [];
    const dashboardUrl = 'http://127.0.0.1:4173/?token=f00dfeed&from=tray';
    const tray = await startTray({ controller, env, dashboardUrl, log: (message) => logs.push(message) });
    expect(tray, logs.join('\n')).toBeDefined();
    // As the daemon does: its stop() closes the tray.
    controller.onStop = () => tray!.close();
    onTestFinished(() => tray!.close());

    const started = await childProcesses(process.pid, BINARY);
    expect(started).toHaveLength(1);
    const pid = started[0]!;
    const name = await eventually(async () => {
      const found = await bus.connectionOf(pid);
      expect(found).toBeDefined();
      return found!;
    });
    const icon = async (): Promise<Buffer> => readFile(String(await bus.itemProperty(name, 'IconName')));
    const expectIcon = async (expected: TrayIconName): Promise<void> => {
      await eventually(async () => {
        expect((await icon()).equals(renderTrayIcon(expected, 'png')), `the ${expected} icon`).toBe(true);
      });
    };
    const menu = async (): Promise<string[]> => (await bus.menu(name)).map((line) => `${line.label}${line.enabled ? '' : ' (off)'}`);
    const click = async (label: string): Promise<void> => {
      const line = (await bus.menu(name)).find((candidate) => candidate.label === label);
      expect(line, `a menu line "${label}"`).toBeDefined();
      await bus.click(name, line!.id);
    };

    // What a tray host shows: the item's name, the in-sync icon, the state in words and the actions.
    expect(await bus.itemProperty(name, 'Title')).toBe('skillsync');
    await expectIcon('in-sync');
    await eventually(async () => {
      expect(await menu()).toEqual(['skillsync: in sync (off)', '---', 'Open dashboard', 'Sync now', 'Pause watching', '---', 'Quit']);
    });

    // A drift status event changes the icon and the words.
    controller.update({ health: 'drift', drift: [drifted] });
    await expectIcon('drift');
    await eventually(async () => {
      expect((await menu())[0]).toBe('skillsync: drift in 1 item (off)');
    });

    // Sync now: the daemon is asked, the line is off while it runs, and back after.
    await click('Sync now');
    await eventually(async () => {
      expect(controller.calls).toEqual(['syncNow:tray']);
      expect(await menu()).toContain('Syncing… (off)');
    });
    controller.update({ health: 'in-sync', drift: [] });
    controller.finishSync();
    await expectIcon('in-sync');
    await eventually(async () => {
      expect(await menu()).toEqual(['skillsync: in sync (off)', '---', 'Open dashboard', 'Sync now', 'Pause watching', '---', 'Quit']);
    });

    // A sync that fails is logged (with its code), and Sync now comes back.
    await click('Sync now');
    await eventually(async () => {
      expect(await menu()).toContain('Syncing… (off)');
    });
    controller.finishSync(new SkillsyncError('LOCK_TIMEOUT', 'Another skillsync process holds the lock.'));
    await eventually(async () => {
      expect(await menu()).toContain('Sync now');
    });
    expect(logs).toEqual(['A tray menu action failed: Another skillsync process holds the lock.']);

    // Pause, then Resume: the label follows the state.
    await click('Pause watching');
    await expectIcon('paused');
    await eventually(async () => {
      expect(await menu()).toEqual(['skillsync: paused (off)', '---', 'Open dashboard', 'Sync now', 'Resume watching', '---', 'Quit']);
    });
    await click('Resume watching');
    await expectIcon('in-sync');
    await eventually(async () => {
      expect(await menu()).toContain('Pause watching');
    });

    // Open dashboard hands the address, token and all, to the desktop's opener.
    await click('Open dashboard');
    await eventually(async () => {
      expect(await readFile(openedFile, 'utf8')).toBe(`${dashboardUrl}\n`);
    });

    // The state line is not an action.
    await click('skillsync: in sync');
    // The same binary ran all along.
    expect(await isRunning(pid)).toBe(true);
    expect(await childProcesses(process.pid, BINARY)).toEqual([pid]);

    // Quit stops the daemon, which closes the tray: no binary, no bus name, no icon files left.
    await click('Quit');
    await eventually(async () => {
      expect(await isRunning(pid)).toBe(false);
    });
    expect(controller.calls).toEqual(['syncNow:tray', 'syncNow:tray', 'pause', 'resume', 'stop']);
    expect(await bus.connectionOf(pid)).toBeUndefined();
    expect(controller.subscribers).toBe(0);
    expect(await readdir(path.join(root, 'skillsync', 'cache', 'tray'))).not.toContain('icons');
    expect(logs).toHaveLength(1);
  });

  it('leaves no tray binary running when the daemon dies without closing it', async () => {
    // Inside the repository, whose node_modules the tray finds systray2 in.
    const out = path.join(repoRoot, 'node_modules', '.cache', 'skillsync-tests', `tray-child-${process.pid}.mjs`);
    await build({
      entryPoints: [path.join(repoRoot, 'test', 'tray', 'tray-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: out,
      logLevel: 'silent',
      mainFields: ['module', 'main'],
      // Loaded from node_modules at run time: cedar-wasm reads its .wasm from its own folder.
      external: ['@cedar-policy/*'],
      // Under a name of its own (test/support's bundleForChild uses createRequire's, which the tray code imports too).
      banner: { js: "import { createRequire as __childRequire } from 'node:module'; const require = __childRequire(import.meta.url);" },
    });
    const daemon = spawn(process.execPath, [out], { env: { ...env.vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    daemon.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    try {
      const said = await new Promise<string>((resolve) => {
        createInterface({ input: daemon.stdout }).once('line', resolve);
        daemon.once('exit', () => {
          resolve('exited');
        });
      });
      expect(said, stderr).toBe('ready');
      const [pid] = await childProcesses(daemon.pid!, BINARY);
      expect(pid).toBeDefined();
      daemon.kill('SIGKILL');
      // Its stdin closed with the daemon: the binary quits by itself.
      await eventually(async () => {
        expect(await isRunning(pid!)).toBe(false);
      });
    } finally {
      daemon.kill('SIGKILL');
      await rm(out, { force: true });
    }
  });
});
