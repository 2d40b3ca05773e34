import { existsSync, mkdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, isSkillsyncError, skillsyncPaths, type Env, type SkillsyncPaths } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DaemonEvent, DaemonSettings, SyncRunSummary } from './contract.js';
import { startDaemon, type RunningDaemon } from './daemon.js';
import { daemonFiles } from './instance.js';
import { runSync } from '../run-sync.js';

const manifest = `version: 1
clients: [cursor]
connectors:
  github:
    command: npx
    args: ["-y", "@modelcontextprotocol/server-github"]
`;

/** What a person (or a client) leaves behind: our entry gone, their own kept. */
const edited = '{\n  "mcpServers": {\n    "theirs": { "command": "their-mcp" }\n  }\n}\n';

let root: string;
let env: Env;
let paths: SkillsyncPaths;
let cursorFile: string;
let daemon: RunningDaemon | undefined;
let events: DaemonEvent[];

beforeEach(async () => {
  root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-daemon-')));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  await mkdir(home);
  await mkdir(work);
  env = createEnv({ home, cwd: work, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync-home') } });
  paths = skillsyncPaths(env);
  cursorFile = path.join(work, '.cursor', 'mcp.json');
  events = [];
});

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await rm(root, { recursive: true, force: true });
});

async function start(settings: Partial<DaemonSettings> = {}, echo?: (line: string) => void): Promise<RunningDaemon> {
  daemon = await startDaemon({
    env,
    paths,
    settings: { onDrift: { connector: 'repair', skill: 'repair', instructions: 'repair' }, settleMs: 100, ...settings },
    version: '0.0.0-test',
    dashboard: false,
    tray: false,
    echo,
  });
  daemon.subscribe((event) => events.push(event));
  return daemon;
}

async function writeManifest(text = manifest): Promise<void> {
  await writeFile(path.join(env.cwd, 'skillsync.yaml'), text);
}

/** Long enough that no settled change is acted on while a test runs: what happens is only what the test asks for. */
const NEVER_SETTLES = { settleMs: 60_000 };

/** Polls until `check` holds; generous, since a loaded 2-core CI machine can be slow to deliver file events. */
async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const codeOf = (error: unknown): string => (isSkillsyncError(error) ? error.code : String(error));
const watchRuns = (): SyncRunSummary[] => events.flatMap((event) => (event.type === 'synced' && event.run.trigger === 'watch' ? [event.run] : []));
const hasOurEntry = async (): Promise<boolean> => (await readFile(cursorFile, 'utf8').catch(() => '')).includes('"github"');

describe('startDaemon', () => {
  it('syncs at start, repairs an edit once it settles, and its own write starts no second repair', async () => {
    await writeManifest();
    const running = await start();
    expect(await hasOurEntry()).toBe(true);
    expect(running.status()).toMatchObject({ health: 'in-sync', lastSync: { trigger: 'start', ok: true } });

    await writeFile(cursorFile, edited);
    await waitFor(() => watchRuns().length === 1, 'the repair');
    const [run] = watchRuns();
    expect(run).toMatchObject({ ok: true, written: 1 });
    expect(run?.afterSettleMs).toBeGreaterThanOrEqual(0);
    expect(run!.sinceChangeMs!).toBeGreaterThanOrEqual(50);
    const repaired = await readFile(cursorFile, 'utf8');
    expect(repaired).toContain('"github"');
    expect(repaired).toContain('"theirs"');

    // Its own write is seen as a change too; the look it causes finds nothing to do.
    const repairedAt = events.findIndex((event) => event.type === 'synced');
    await waitFor(() => events.slice(repairedAt).some((event) => event.type === 'changed' && event.paths.includes(cursorFile)), 'the change of its own write');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watchRuns()).toHaveLength(1);
    expect(running.status().health).toBe('in-sync');
  });

  it('holds a file that a client rewrites after every repair, instead of fighting it; Sync now clears the hold', async () => {
    await writeManifest();
    // In sync before it starts, so that every repair counted below is one of a change.
    await runSync(env, paths, { mode: 'apply', scope: undefined, clients: [] });
    const running = await start();
    expect(running.status().lastSync).toBeUndefined();
    const fakeClient = running.subscribe((event) => {
      if (event.type === 'synced' && event.run.trigger === 'watch') void writeFile(cursorFile, edited);
    });
    await writeFile(cursorFile, edited);
    await waitFor(() => events.some((event) => event.type === 'held'), 'the hold', 30_000);
    expect(events.find((event) => event.type === 'held')).toMatchObject({ type: 'held', path: cursorFile, reason: expect.stringContaining('cursor') as unknown });
    expect(watchRuns()).toHaveLength(3);

    // Held: the client's version stays, however often it writes.
    await writeFile(cursorFile, edited.replace('their-mcp', 'their-mcp-2'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watchRuns()).toHaveLength(3);
    expect(await hasOurEntry()).toBe(false);
    expect(running.status()).toMatchObject({ health: 'drift', drift: [{ client: 'cursor', name: 'github', path: cursorFile, handling: 'held' }] });

    fakeClient();
    const manual = await running.syncNow('manual');
    expect(manual).toMatchObject({ trigger: 'manual', ok: true, written: 1 });
    expect(await hasOurEntry()).toBe(true);
    expect(running.status()).toMatchObject({ health: 'in-sync', drift: [] });
  });

  it('in notify mode leaves the edit and reports it', async () => {
    await writeManifest();
    const running = await start();
    await running.stop();
    daemon = undefined;
    events = [];
    await writeFile(cursorFile, edited);
    const notifying = await start({ onDrift: { connector: 'notify', skill: 'repair', instructions: 'repair' } });
    expect(notifying.status()).toMatchObject({ health: 'drift', drift: [{ client: 'cursor', kind: 'connector', name: 'github', status: 'missing', handling: 'notified' }] });
    await writeFile(cursorFile, edited.replace('their-mcp', 'their-mcp-2'));
    await waitFor(() => events.some((event) => event.type === 'changed'), 'the change');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await readFile(cursorFile, 'utf8')).toBe(edited.replace('their-mcp', 'their-mcp-2'));
    expect(events.filter((event) => event.type === 'synced')).toEqual([]);
    const log = await readFile(daemonFiles(env, paths).log, 'utf8');
    expect(log.split('\n').filter((line) => line.includes('drift: cursor connector github is missing'))).toHaveLength(1);
  });

  it('while paused watches but does nothing, and catches up on resume', async () => {
    await writeManifest();
    const running = await start();
    running.pause();
    expect(running.status().health).toBe('paused');
    await writeFile(cursorFile, edited);
    await waitFor(() => events.some((event) => event.type === 'changed'), 'the change');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await hasOurEntry()).toBe(false);
    running.resume();
    await waitFor(hasOurEntry, 'the repair after resume');
    await waitFor(() => running.status().health === 'in-sync', 'in sync');
  });

  it('with nothing configured and no client says so, and keeps running', async () => {
    const running = await start();
    expect(running.status()).toMatchObject({ health: 'unconfigured', detected: [] });
    expect(await readFile(daemonFiles(env, paths).log, 'utf8')).toContain('Nothing is configured yet (no skillsync.yaml), and no AI client was found on this machine.');
  });

  it('with nothing configured says which clients it found, and picks a manifest up when one appears', async () => {
    await mkdir(path.join(env.home, '.cursor'));
    const running = await start();
    expect(running.status()).toMatchObject({ health: 'unconfigured', detected: ['cursor'], drift: [] });
    const log = await readFile(daemonFiles(env, paths).log, 'utf8');
    expect(log).toContain('Nothing is configured yet (no skillsync.yaml). Found: cursor.');
    await writeManifest();
    await waitFor(hasOurEntry, 'the first sync');
    await waitFor(() => running.status().health === 'in-sync', 'in sync');
  });

  it('after a manual sync only looks again: it repairs nothing more, so its run stays the last', async () => {
    await writeManifest(manifest.replace('clients: [cursor]', 'clients: [cursor, claude-code]'));
    const running = await start(NEVER_SETTLES);
    const claudeFile = path.join(env.cwd, '.mcp.json');
    await writeFile(cursorFile, edited);
    await writeFile(claudeFile, edited);
    const run = await running.syncNow('manual', ['cursor']);
    expect(run).toMatchObject({ trigger: 'manual', ok: true, written: 1 });
    expect(events.filter((event) => event.type === 'synced')).toHaveLength(1);
    expect(running.status().lastSync).toEqual(run);
    expect(await readFile(claudeFile, 'utf8')).toBe(edited);
    expect(running.status().drift).toEqual([expect.objectContaining({ client: 'claude-code', name: 'github', handling: 'repairing' })]);
  });

  it('runs a dashboard change as one task of its queue: a sync asked for meanwhile waits, and the change can sync in place', async () => {
    await writeManifest();
    const running = await start(NEVER_SETTLES);
    const order: string[] = [];
    let finishChange: () => void = () => undefined;
    let changeStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (changeStarted = resolve));
    const change = running.exclusive(async () => {
      order.push('change');
      changeStarted();
      await new Promise<void>((resolve) => (finishChange = resolve));
      await writeFile(cursorFile, edited);
      order.push('change written');
    });
    await started;
    const sync = running.syncNow('api').then((run) => order.push(`synced ${run.written}`));
    // Outside the queue the sync would run now, find nothing to write, and finish before the change is written
    // (given the time to; in the queue it waits however long this is).
    await Promise.race([sync, new Promise((resolve) => setTimeout(resolve, 300))]);
    finishChange();
    await Promise.all([change, sync]);
    expect(order).toEqual(['change', 'change written', 'synced 1']);
    expect(await hasOurEntry()).toBe(true);
    // Sync now from inside the change runs in place, where the controller's own would wait for the change itself.
    events = [];
    const synced = await running.exclusive(async (syncNow) => syncNow('api'));
    expect(synced).toMatchObject({ trigger: 'api', ok: true });
    expect(events.filter((event) => event.type === 'synced')).toHaveLength(1);
  });

  it('once stopping, refuses a sync or a dashboard change, and publishes nothing more', async () => {
    await writeManifest();
    const running = await start(NEVER_SETTLES);
    const files = daemonFiles(env, paths);
    const stopping = running.stop();
    // Arriving while the stop waits for the queue: it must neither run nor restart the watcher.
    const late = running.syncNow('api').then(() => 'ran', codeOf);
    const change = running.exclusive(() => Promise.resolve('ran')).catch(codeOf);
    running.pause();
    await stopping;
    daemon = undefined;
    expect(await late).toBe('DAEMON_STOPPING');
    expect(await change).toBe('DAEMON_STOPPING');
    expect(running.status().paused).toBe(false);
    expect(existsSync(files.status)).toBe(false);
  });

  it('stops again when its instance file cannot be written: no daemon runs without one', async () => {
    await writeManifest();
    const files = daemonFiles(env, paths);
    // Taken by a folder while it starts (after the claim removed any stale file): the file cannot be created.
    const failure = await start({}, () => {
      if (!existsSync(files.instance)) mkdirSync(files.instance, { recursive: true });
    }).catch((error: unknown) => error);
    daemon = undefined;
    expect(isSkillsyncError(failure) && failure.code).toBe('FILE_WRITE_FAILED');
    expect(await readFile(files.log, 'utf8')).toMatch(/"msg":"stopped"/);
    expect(existsSync(files.status)).toBe(false);
  });

  it('is the only instance, and stopping removes its instance and status files', async () => {
    await writeManifest();
    const running = await start();
    const files = daemonFiles(env, paths);
    expect(existsSync(files.instance)).toBe(true);
    expect(JSON.parse(await readFile(files.status, 'utf8'))).toMatchObject({ health: 'in-sync', pid: process.pid });
    const second = await startDaemon({ env, paths, settings: running.status().settings, version: '0.0.0-test', dashboard: false, tray: false }).catch((error: unknown) => error);
    expect(isSkillsyncError(second) && second.code).toBe('DAEMON_ALREADY_RUNNING');
    await running.stop();
    daemon = undefined;
    await running.stopped;
    expect(existsSync(files.instance)).toBe(false);
    expect(existsSync(files.status)).toBe(false);
    expect(await readFile(files.log, 'utf8')).toMatch(/"msg":"stopped"/);
  });
});
