import { describe, expect, it, vi } from 'vitest';
import type { DaemonController, DaemonHealth, DaemonStatus, DriftedItem } from '../contract.js';
import { performTrayAction, trayActionFor, trayView, type TrayMenuEntry, type TrayView } from './tray-menu.js';

function statusOf(health: DaemonHealth, more: Partial<DaemonStatus> = {}): DaemonStatus {
  return {
    health,
    pid: 4242,
    startedAt: '2026-01-01T00:00:00.000Z',
    url: 'http://127.0.0.1:4000/',
    paused: health === 'paused',
    watching: 12,
    settings: { onDrift: { skill: 'repair', connector: 'repair', instructions: 'notify' }, settleMs: 300 },
    drift: [],
    lastSync: undefined,
    error: undefined,
    detected: [],
    ...more,
  };
}

const drifted: DriftedItem = {
  scope: 'user',
  client: 'claude-code',
  kind: 'skill',
  name: 'pdf',
  path: '/home/ada/.claude/skills/pdf/SKILL.md',
  status: 'modified',
  handling: 'repairing',
};

function entry(view: TrayView, key: TrayMenuEntry['key']): TrayMenuEntry {
  const found = view.menu.find((line): line is TrayMenuEntry => line !== 'separator' && line.key === key);
  if (found === undefined) throw new Error(`no ${key} line`);
  return found;
}

describe('trayView', () => {
  it.each([
    ['starting', {}, 'idle', 'skillsync: starting'],
    ['in-sync', {}, 'in-sync', 'skillsync: in sync'],
    ['drift', { drift: [drifted] }, 'drift', 'skillsync: drift in 1 item'],
    ['drift', { drift: [drifted, { ...drifted, client: 'cursor' }] }, 'drift', 'skillsync: drift in 2 items'],
    // An ignored item (its kind's drift is off) is listed, not counted: as the daemon's health and `daemon status` count.
    ['drift', { drift: [drifted, { ...drifted, client: 'cursor', handling: 'ignored' }] }, 'drift', 'skillsync: drift in 1 item'],
    ['error', { error: { code: 'CLIENT_FILE_INVALID', message: 'Cannot parse ~/.cursor/mcp.json' } }, 'error', 'skillsync: error: Cannot parse ~/.cursor/mcp.json'],
    ['error', {}, 'error', 'skillsync: error'],
    ['paused', {}, 'paused', 'skillsync: paused'],
    // A held file is said whatever the health: the person may want to look.
    ['drift', { drift: [{ ...drifted, handling: 'held' }, { ...drifted, client: 'cursor', handling: 'held' }] }, 'drift', 'skillsync: drift in 2 items · 1 file held (a client keeps rewriting it)'],
    ['unconfigured', {}, 'idle', 'skillsync: nothing configured yet'],
  ] as const)('shows %s as the %s icon and says it in words', (health, more, icon, tooltip) => {
    const view = trayView({ status: statusOf(health, more), dashboard: true, syncing: false });
    expect(view.icon).toBe(icon);
    expect(view.tooltip).toBe(tooltip);
    // Linux trays show no tooltip: the first, disabled line of the menu says the same.
    expect(view.menu[0]).toEqual({ key: 'status', title: tooltip, enabled: false });
  });

  it('lays out the menu: state, Open dashboard, Sync now, Pause watching, Quit', () => {
    const view = trayView({ status: statusOf('in-sync'), dashboard: true, syncing: false });
    expect(view.menu).toEqual([
      { key: 'status', title: 'skillsync: in sync', enabled: false },
      'separator',
      { key: 'open-dashboard', title: 'Open dashboard', enabled: true },
      { key: 'sync-now', title: 'Sync now', enabled: true },
      { key: 'pause-resume', title: 'Pause watching', enabled: true },
      'separator',
      { key: 'quit', title: 'Quit', enabled: true },
    ]);
  });

  it('keeps the same lines in every state, so a line is known by its position', () => {
    const shapes = (['starting', 'in-sync', 'drift', 'error', 'paused', 'unconfigured'] as const).flatMap((health) =>
      [true, false].map((flag) =>
        trayView({ status: statusOf(health), dashboard: flag, syncing: !flag }).menu.map((line) => (line === 'separator' ? line : line.key)),
      ),
    );
    for (const shape of shapes) expect(shape).toEqual(shapes[0]);
  });

  it('labels Pause/Resume by the paused flag', () => {
    expect(entry(trayView({ status: statusOf('paused'), dashboard: true, syncing: false }), 'pause-resume').title).toBe('Resume watching');
    // Paused shows even when the health is about something else (an error found before pausing).
    expect(entry(trayView({ status: statusOf('error', { paused: true }), dashboard: true, syncing: false }), 'pause-resume').title).toBe('Resume watching');
    expect(entry(trayView({ status: statusOf('drift'), dashboard: true, syncing: false }), 'pause-resume').title).toBe('Pause watching');
  });

  it('greys out Sync now while the tray\'s sync runs, and Open dashboard when there is none', () => {
    const view = trayView({ status: statusOf('in-sync'), dashboard: false, syncing: true });
    expect(entry(view, 'sync-now')).toEqual({ key: 'sync-now', title: 'Syncing…', enabled: false });
    expect(entry(view, 'open-dashboard').enabled).toBe(false);
  });

  it('puts an error on one short line', () => {
    const message = `Cannot parse /home/ada/.codex/config.toml:\n  line 3: ${'x'.repeat(200)}`;
    const { tooltip } = trayView({ status: statusOf('error', { error: { code: 'CLIENT_FILE_INVALID', message } }), dashboard: true, syncing: false });
    expect(tooltip).toMatch(/^skillsync: error: Cannot parse \/home\/ada\/\.codex\/config\.toml: line 3: x+…$/);
    expect(tooltip).not.toContain('\n');
    expect(tooltip.length).toBeLessThanOrEqual('skillsync: error: '.length + 80);
  });
});

describe('trayActionFor', () => {
  it('maps each line to what it asks the daemon, and the state line to nothing', () => {
    const running = statusOf('in-sync');
    expect(trayActionFor('status', running)).toBeUndefined();
    expect(trayActionFor('open-dashboard', running)).toBe('open-dashboard');
    expect(trayActionFor('sync-now', running)).toBe('sync-now');
    expect(trayActionFor('quit', running)).toBe('quit');
  });

  it('pauses or resumes by the state at the click, whatever the label said', () => {
    expect(trayActionFor('pause-resume', statusOf('in-sync'))).toBe('pause');
    expect(trayActionFor('pause-resume', statusOf('paused'))).toBe('resume');
  });
});

describe('performTrayAction', () => {
  function fakeController(): DaemonController & { calls: string[] } {
    const calls: string[] = [];
    return {
      calls,
      status: () => statusOf('in-sync'),
      subscribe: () => () => undefined,
      syncNow: (trigger, clients) => {
        calls.push(`syncNow:${trigger}:${clients === undefined ? 'all' : clients.join(',')}`);
        return Promise.resolve({ at: '2026-01-01T00:00:00.000Z', trigger, ok: true, written: 0, runIds: [] });
      },
      exclusive: (task) => {
        calls.push('exclusive');
        return task(() => Promise.reject(new Error('the tray never runs a dashboard change')));
      },
      pause: () => calls.push('pause'),
      resume: () => calls.push('resume'),
      stop: () => {
        calls.push('stop');
        return Promise.resolve();
      },
    };
  }

  it.each([
    ['sync-now', 'syncNow:tray:all'],
    ['pause', 'pause'],
    ['resume', 'resume'],
    ['quit', 'stop'],
  ] as const)('%s reaches the controller as %s', async (action, call) => {
    const controller = fakeController();
    const openDashboard = vi.fn(() => Promise.resolve());
    await performTrayAction(action, { controller, openDashboard });
    expect(controller.calls).toEqual([call]);
    expect(openDashboard).not.toHaveBeenCalled();
  });

  it('opens the dashboard without asking the daemon anything', async () => {
    const controller = fakeController();
    const openDashboard = vi.fn(() => Promise.resolve());
    await performTrayAction('open-dashboard', { controller, openDashboard });
    expect(openDashboard).toHaveBeenCalledOnce();
    expect(controller.calls).toEqual([]);
  });

  it('passes a failed sync on to the caller', async () => {
    const controller = { ...fakeController(), syncNow: () => Promise.reject(new Error('locked')) };
    await expect(performTrayAction('sync-now', { controller, openDashboard: () => Promise.resolve() })).rejects.toThrow('locked');
  });
});
