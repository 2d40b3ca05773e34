import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, type Sandbox } from './cli-sandbox.js';
import { eventually } from '../support/eventually.js';

const manifest = `version: 1
clients: [claude-code, cursor]
connectors:
  github:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-github"]
`;

const foreignOnly = '{\n  "mcpServers": {\n    "foreign": { "command": "foreign-mcp" }\n  }\n}\n';

/** How long the daemon waits after the last change before it acts, in these tests. */
const SETTLE_MS = 200;

interface DaemonStatusJson {
  running: boolean;
  instance: { pid: number; url: string } | null;
  status: {
    health: string;
    drift: { client: string; name: string; status: string; handling: string; path: string }[];
    lastSync?: { trigger: string; ok: boolean; written: number; afterSettleMs?: number; sinceChangeMs?: number };
    settings: { settleMs: number; onDrift: Record<string, string> };
  } | null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Issue #5 item 1 through the built CLI: `skillsync up --detach` runs a real daemon
 * over a sandboxed HOME and project, which repairs a hand-edited client file (or only
 * reports it), refuses a second instance, logs what it does, and stops cleanly.
 */
describe('skillsync up and skillsync daemon (built CLI, real daemon, temp HOME)', () => {
  let sandbox: Sandbox;
  let mcpJson: string;
  let instanceFile: string;

  const status = async (): Promise<DaemonStatusJson> => (await sandbox.runJson(['daemon', 'status'])).json as unknown as DaemonStatusJson;

  /** Each test that needs a daemon starts one if an earlier test left none: a failure does not cascade. */
  const ensureRunning = async (): Promise<void> => {
    if ((await status()).running) return;
    expect((await sandbox.runJson(['up', '--detach', '--no-open', '--headless', '--port', '0', '--settle', String(SETTLE_MS)])).code).toBe(0);
  };
  const ensureStopped = async (): Promise<void> => {
    expect((await sandbox.run(['daemon', 'stop'])).code).toBe(0);
  };

  /** Edits .mcp.json as a person would (our entry gone) and waits for the daemon's repair to be in its status. */
  const editAndAwaitRepair = async (): Promise<NonNullable<DaemonStatusJson['status']>> => {
    const before = (await status()).status?.lastSync;
    await writeFile(mcpJson, foreignOnly);
    const repaired = await eventually(async () => {
      const text = await readFile(mcpJson, 'utf8');
      return text.includes('"github"') ? text : undefined;
    }, 'the repair');
    expect(repaired).toContain('"foreign": { "command": "foreign-mcp" }');
    const reported = await eventually(async () => {
      const current = (await status()).status;
      return current?.lastSync?.trigger === 'watch' && JSON.stringify(current.lastSync) !== JSON.stringify(before) ? current : undefined;
    }, 'the run in the status');
    await eventually(async () => ((await status()).status?.health === 'in-sync' ? true : undefined), 'in sync again');
    return reported;
  };

  beforeAll(async () => {
    sandbox = await createSandbox();
    mcpJson = path.join(sandbox.work, '.mcp.json');
    instanceFile = path.join(sandbox.skillsyncHome, 'state', 'daemon.json');
    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest);
    await writeFile(mcpJson, foreignOnly);
    expect((await sandbox.run(['sync'])).code).toBe(0);
  });

  afterAll(async () => {
    // A failed test must not leave a daemon running.
    const info = await readFile(instanceFile, 'utf8').then((text) => JSON.parse(text) as { pid: number }, () => undefined);
    if (info !== undefined && isAlive(info.pid)) process.kill(info.pid);
    await sandbox.cleanup();
  });

  it('says no daemon runs yet (exit 1)', async () => {
    const { code, json } = await sandbox.runJson(['daemon', 'status']);
    expect(code).toBe(1);
    expect(json).toMatchObject({ ok: false, running: false, instance: null, status: null });
  });

  it('up --detach starts it in the background and returns once it runs, in sync', async () => {
    const { code, json } = await sandbox.runJson(['up', '--detach', '--no-open', '--headless', '--port', '0', '--settle', String(SETTLE_MS)]);
    expect(code).toBe(0);
    expect(json).toMatchObject({ ok: true, outcome: 'detached', health: 'in-sync', detected: [] });
    const pid = json.pid as number;
    expect(isAlive(pid)).toBe(true);
    const info = JSON.parse(await readFile(instanceFile, 'utf8')) as { pid: number; url?: string; token?: string };
    expect(info.pid).toBe(pid);
    if (info.url !== undefined) {
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(json.dashboard).toBe(`${info.url}#token=${info.token ?? ''}`);
    }
    const { running, status: reported } = await status();
    expect(running).toBe(true);
    expect(reported).toMatchObject({ health: 'in-sync', drift: [], settings: { settleMs: SETTLE_MS } });
  });

  it('repairs a hand-edited .mcp.json within the settle time plus 500 ms, keeping the foreign server', async () => {
    await ensureRunning();
    // The first repair of a fresh process pays for loading and compiling its code: the requirement is about a running daemon.
    await editAndAwaitRepair();
    const reported = await editAndAwaitRepair();
    expect(reported.lastSync).toMatchObject({ ok: true, written: 1 });
    // The daemon's own measure: from the end of the settle time to the repair written and read back.
    console.info(`repair after the settle time: ${reported.lastSync?.afterSettleMs} ms (${reported.lastSync?.sinceChangeMs} ms since the change)`);
    expect(reported.lastSync?.afterSettleMs).toBeLessThan(500);
    expect(reported.lastSync?.sinceChangeMs).toBeGreaterThanOrEqual(SETTLE_MS);
  });

  it('a second up says where the first one is, and exits 0', async () => {
    await ensureRunning();
    const first = JSON.parse(await readFile(instanceFile, 'utf8')) as { pid: number };
    const again = await sandbox.runJson(['up', '--detach', '--no-open', '--headless']);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ ok: true, outcome: 'already-running', pid: first.pid });
    const foreground = await sandbox.run(['up', '--no-open', '--headless']);
    expect(foreground.code).toBe(0);
    expect(foreground.stdout).toContain(`skillsync is already running (pid ${first.pid}`);
  });

  it('daemon logs shows its records as text and as JSON', async () => {
    await ensureRunning();
    const { code, json } = await sandbox.runJson(['daemon', 'logs', '-n', '100']);
    expect(code).toBe(0);
    const records = json.records as { level: string; msg: string; time: string }[];
    expect(records.some((record) => record.msg.startsWith('starting skillsync'))).toBe(true);
    expect(records.some((record) => record.level === 'info' && record.msg.startsWith('running (pid'))).toBe(true);
    const text = await sandbox.run(['daemon', 'logs', '-n', '1']);
    expect(text.stdout.trim().split('\n')).toHaveLength(1);
    // The dashboard token is in the instance file, never in the log.
    const info = JSON.parse(await readFile(instanceFile, 'utf8')) as { token?: string };
    if (info.token !== undefined) expect(await readFile(path.join(sandbox.skillsyncHome, 'state', 'daemon.log'), 'utf8')).not.toContain(info.token);
  });

  it('daemon logs --follow prints records as they are written, until Ctrl-C', async () => {
    await ensureRunning();
    const follower = spawn(process.execPath, [cliBin, 'daemon', 'logs', '-n', '0', '--follow', '--json'], {
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    follower.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => follower.once('exit', resolve));
    const documents = () => stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { ok: boolean; records: { msg: string }[] });
    // The first document is the tail asked for (none), on one line.
    await eventually(async () => (documents().length > 0 ? Promise.resolve(true) : undefined), 'the follower to start');
    expect(documents()[0]).toMatchObject({ ok: true, records: [] });
    await writeFile(mcpJson, foreignOnly);
    const repairedLine = await eventually(
      async () => Promise.resolve(documents().flatMap((document) => document.records).find((record) => record.msg.startsWith('repaired claude-code'))),
      'the repair record',
    );
    expect(repairedLine).toBeDefined();
    follower.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('daemon stop ends it and removes its instance file', async () => {
    await ensureRunning();
    const { pid } = JSON.parse(await readFile(instanceFile, 'utf8')) as { pid: number };
    const stopped = await sandbox.runJson(['daemon', 'stop']);
    expect(stopped.code).toBe(0);
    expect(stopped.json).toMatchObject({ ok: true, wasRunning: true, pid });
    expect(existsSync(instanceFile)).toBe(false);
    await eventually(async () => (isAlive(pid) ? undefined : Promise.resolve(true)), 'the process to end');
    expect((await sandbox.runJson(['daemon', 'stop'])).json).toMatchObject({ ok: true, wasRunning: false });
  });

  it('in the foreground prints the dashboard without its token where stderr is no terminal (a service journal), and stops on SIGTERM', async () => {
    await ensureStopped();
    const foreground = spawn(process.execPath, [cliBin, 'up', '--no-open', '--headless', '--port', '0'], {
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    foreground.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => foreground.once('exit', resolve));
    try {
      const line = await eventually(async () => Promise.resolve(/^ {2}dashboard: .*$/m.exec(stderr)?.[0]), 'the dashboard line', 15_000);
      expect(line).toMatch(/^ {2}dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(with its token, which is in /);
      const { token } = JSON.parse(await readFile(instanceFile, 'utf8')) as { token: string };
      expect(stderr).not.toContain(token);
    } finally {
      foreground.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(existsSync(instanceFile)).toBe(false);
  });

  it('in notify mode leaves the edit as it is and reports it', async () => {
    await ensureStopped();
    expect((await sandbox.runJson(['up', '--detach', '--no-open', '--headless', '--on-drift', 'notify', '--settle', String(SETTLE_MS)])).code).toBe(0);
    await writeFile(mcpJson, foreignOnly);
    const reported = await eventually(async () => {
      const current = (await status()).status;
      return current?.health === 'drift' ? current : undefined;
    }, 'the drift in the status');
    expect(reported.drift).toEqual([expect.objectContaining({ client: 'claude-code', name: 'github', status: 'missing', handling: 'notified', path: mcpJson })]);
    expect(await readFile(mcpJson, 'utf8')).toBe(foreignOnly);
    const logs = (await sandbox.runJson(['daemon', 'logs'])).json.records as { msg: string }[];
    expect(logs.some((record) => record.msg.startsWith('drift: claude-code connector github is missing'))).toBe(true);
    expect((await sandbox.run(['daemon', 'stop'])).code).toBe(0);
  });

  it('refuses settings it cannot read, naming the file and line', async () => {
    await ensureStopped();
    const settingsFile = path.join(sandbox.skillsyncHome, 'config', 'daemon.yaml');
    await mkdir(path.dirname(settingsFile), { recursive: true });
    await writeFile(settingsFile, 'onDrift:\n  skills: notify\n');
    const refused = await sandbox.run(['up', '--detach', '--no-open', '--headless']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`DAEMON_SETTINGS_INVALID: ${settingsFile}:2:3: unknown key \`onDrift.skills\`; did you mean \`skill\`?`);
    expect(existsSync(instanceFile)).toBe(false);
    await writeFile(settingsFile, 'onDrift:\n  connector: notify\nsettleMs: 250\n');
    expect((await sandbox.runJson(['up', '--detach', '--no-open', '--headless'])).code).toBe(0);
    expect((await status()).status?.settings).toEqual({ onDrift: { connector: 'notify', skill: 'repair', instructions: 'repair' }, settleMs: 250 });
    expect((await sandbox.run(['daemon', 'stop'])).code).toBe(0);
  });

  it('daemon install writes a systemd user unit running `up --no-open`, and says what to run without a user bus; uninstall removes it', async () => {
    const unit = path.join(sandbox.home, '.config', 'systemd', 'user', 'skillsync.service');
    const installed = await sandbox.runJson(['daemon', 'install']);
    expect(installed.code).toBe(0);
    expect(installed.json).toMatchObject({ action: 'install', platform: 'linux', file: unit, changed: true, steps: [], next: expect.stringContaining('systemctl --user restart skillsync.service') as unknown });
    const text = await readFile(unit, 'utf8');
    expect(text).toContain(`ExecStart="${process.execPath}" "${cliBin}" "up" "--no-open" "--quiet"`);
    expect(text).toContain(`Environment="SKILLSYNC_HOME=${sandbox.skillsyncHome}"`);
    expect((await sandbox.runJson(['daemon', 'install'])).json).toMatchObject({ changed: false });
    const removed = await sandbox.runJson(['daemon', 'uninstall']);
    expect(removed.json).toMatchObject({ action: 'uninstall', changed: true });
    expect(existsSync(unit)).toBe(false);
  });
});
