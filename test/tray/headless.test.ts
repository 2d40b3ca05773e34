import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTray } from '../../apps/cli/src/daemon/tray/index.js';
import { createFakeController } from './fake-controller.js';

// No Xvfb needed: these are the ways the daemon ends up without a tray.
describe('startTray without a tray to show', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-tray-headless-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const env = (vars: Record<string, string>): Env =>
    createEnv({ home: root, cwd: root, platform: 'linux', vars: { PATH: process.env.PATH ?? '/usr/bin:/bin', SKILLSYNC_HOME: path.join(root, 'skillsync'), ...vars } });

  it('runs headless without a desktop session, and says why once', async () => {
    const controller = createFakeController();
    const log = vi.fn();
    expect(await startTray({ controller, env: env({}), dashboardUrl: 'http://127.0.0.1:4000/?token=t', log })).toBeUndefined();
    expect(log.mock.calls).toEqual([['No tray icon: no desktop session (neither DISPLAY nor WAYLAND_DISPLAY is set); the daemon runs headless.']]);
    expect(controller.subscribers).toBe(0);
  });

  it('runs headless when the tray binary cannot open the display, leaving nothing behind', async () => {
    const controller = createFakeController();
    const log = vi.fn();
    // A display number no X server uses: GTK gives up at once.
    expect(await startTray({ controller, env: env({ DISPLAY: ':31999' }), dashboardUrl: undefined, log })).toBeUndefined();
    expect(log).toHaveBeenCalledOnce();
    const [message, details] = log.mock.calls[0] as [string, Record<string, unknown>];
    expect(message).toMatch(/^No tray icon: The tray binary exited before it was ready \(code \d+\)\. The daemon runs headless\.$/);
    expect(details).toMatchObject({ code: 'TRAY_UNAVAILABLE', hint: expect.stringContaining('desktop session') as unknown });
    expect(controller.subscribers).toBe(0);
    expect(await readdir(path.join(root, 'skillsync', 'cache', 'tray'))).not.toContain('icons');
  });
});
