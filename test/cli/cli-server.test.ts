import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { openServerContext } from '@skillsync/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, type Sandbox } from './cli-sandbox.js';

interface ServerProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** The first document on stdout: the address, once it listens. */
  readonly listening: Promise<{ url: string; database: string }>;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function spawnServer(sandbox: Sandbox, args: readonly string[], started: ChildProcessWithoutNullStreams[]): ServerProcess {
  const child = spawn(process.execPath, [cliBin, 'server', ...args, '--json'], {
    cwd: sandbox.work,
    env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  started.push(child);
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  const listening = new Promise<{ url: string; database: string }>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = stdout.split('\n')[0];
      if (!stdout.includes('\n') || line === undefined) return;
      try {
        resolve(JSON.parse(line) as { url: string; database: string });
      } catch {
        reject(new Error(`the first line on stdout is not JSON: ${line}`));
      }
    });
    void exited.then((code) => {
      reject(new Error(`skillsync server exited (${String(code)}) before listening:\n${stderr}`));
    });
  });
  return { child, listening, stderr: () => stderr, exited };
}

describe('skillsync server', () => {
  let sandbox: Sandbox;
  const started: ChildProcessWithoutNullStreams[] = [];
  beforeEach(async () => {
    sandbox = await createSandbox();
  });
  afterEach(async () => {
    for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
    await sandbox.cleanup();
  });

  it('creates an org, serves it, and answers whoami over HTTP with the owner token', async () => {
    const init = await sandbox.runJson(['server', 'init', '--org', 'acme', '--owner', 'alice']);
    expect(init.code).toBe(0);
    expect(init.json).toMatchObject({ ok: true, org: 'acme', owner: 'alice', scopes: ['admin'] });
    const token = init.json.token as string;
    expect(token).toMatch(/^ssk_[A-Za-z0-9_-]{43}$/);
    expect(init.stderr).toContain('shown once');
    expect(init.stderr).not.toContain(token);

    const server = spawnServer(sandbox, ['--listen', '127.0.0.1:0'], started);
    const { url, database } = await server.listening;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(database).toBe(`${sandbox.skillsyncHome}/state/server/server.db`);

    const whoami = await fetch(`${url}/v0.1/whoami`, { headers: { authorization: `Bearer ${token}` } });
    expect(whoami.status).toBe(200);
    expect(await whoami.json()).toMatchObject({ user: 'alice', org: 'acme', role: 'owner', teams: [], token: { scopes: ['admin'] } });
    expect((await fetch(`${url}/v0.1/whoami`)).status).toBe(401);

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    const logged = server
      .stderr()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toContainEqual(expect.objectContaining({ method: 'GET', route: '/v0.1/whoami', status: 200, user: 'alice' }));
    expect(server.stderr()).not.toContain(token);
  });

  it('refuses an org that exists, and a listen address that is not one', async () => {
    const first = await sandbox.run(['server', 'init', '--org', 'acme', '--owner', 'alice']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/shown this once[\s\S]*\n {2}ssk_[A-Za-z0-9_-]{43}\n/);
    const again = await sandbox.runJson(['server', 'init', '--org', 'acme', '--owner', 'bob']);
    expect(again.code).toBe(1);
    expect(again.json).toMatchObject({ ok: false, error: { code: 'SERVER_CONFLICT' } });
    const missing = await sandbox.run(['server', 'init', '--org', 'acme']);
    expect(missing.code).toBe(2);
    const bad = await sandbox.run(['server', '--listen', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--listen nowhere');
  });


  it('maintenance commands refuse a database that does not exist instead of creating an empty one', async () => {
    const database = path.join(sandbox.root, 'typo', 'server.db');
    for (const args of [
      ['server', 'audit', 'prune', '--before', '30d'],
      ['server', 'token', '--org', 'acme', '--user', 'alice'],
    ]) {
      const run = await sandbox.runJson([...args, '--database', database]);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.json).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
      expect(JSON.stringify(run.json.error)).toContain('--database');
    }
    expect(existsSync(path.dirname(database))).toBe(false);
  });
  it('prunes the admin audit records older than --before, and the chain still verifies', async () => {
    const database = path.join(sandbox.work, 'server.db');
    const env = createEnv({ home: sandbox.home, cwd: sandbox.work });
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    const record = (time: Date, team: string) => ({ time, org: 'acme', principal: 'alice', client: 'server', action: 'createTeam', target: `team:${team}`, decision: 'allow', outcome: 'ok' }) as const;
    const old = await openServerContext({ env, database });
    for (const team of ['red', 'blue', 'green']) old.audit.append(record(longAgo, team));
    old.audit.append(record(new Date(), 'cyan'));
    await old.close();

    const dryRun = await sandbox.runJson(['server', 'audit', 'prune', '--before', '365d', '--dry-run', '--database', database]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.json).toMatchObject({ ok: true, dryRun: true, pruned: 3, anchor: { seq: 3 } });
    const pruned = await sandbox.run(['server', 'audit', 'prune', '--before', '365d', '--database', database]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('pruned 3 admin audit records older than');

    const after = await openServerContext({ env, database });
    try {
      expect(await after.audit.verify()).toMatchObject({ ok: true, checked: 2, anchor: { seq: 3, pruned: 3 } });
      expect((await after.audit.list()).map((kept) => kept.action)).toEqual(['createTeam', 'pruneAudit']);
    } finally {
      await after.close();
    }
    const future = await sandbox.runJson(['server', 'audit', 'prune', '--before', '2999-01-01', '--database', database]);
    expect(future.code).toBe(2);
    expect(future.json).toMatchObject({ ok: false, error: { code: 'USAGE', message: expect.stringContaining('in the future') as unknown } });
    expect((await sandbox.run(['server', 'audit', 'prune', '--database', database])).code).toBe(2);
  });

  it('removes package files no version uses once they are old, and keeps a write under way', async () => {
    const database = path.join(sandbox.work, 'server.db');
    const blobs = path.join(sandbox.work, 'packages');
    await mkdir(blobs);
    expect((await sandbox.run(['server', 'init', '--org', 'acme', '--owner', 'alice', '--database', database])).code).toBe(0);
    const orphan = 'c'.repeat(128);
    const writing = `.${'d'.repeat(128)}.skillsync-0123456789ab.tmp`;
    await writeFile(path.join(blobs, orphan), 'what a failed publish left');
    await writeFile(path.join(blobs, writing), 'a publish under way');
    const then = new Date(Date.now() - 2 * 3_600_000);
    await utimes(path.join(blobs, orphan), then, then);

    const dryRun = await sandbox.runJson(['server', 'blobs', 'prune', '--blobs', 'packages', '--dry-run', '--database', database]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.json).toMatchObject({ ok: true, dryRun: true, blobs, removed: [{ size: 26 }], leftovers: 0, referenced: 0, recent: 1 });
    expect((await readdir(blobs)).sort()).toEqual([writing, orphan].sort());
    const pruned = await sandbox.run(['server', 'blobs', 'prune', '--blobs', 'packages', '--database', database]);
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toMatch(/removed 1 package file \(26 B\) from .*packages; kept 1 file under an hour old \(a publish may be under way\)\./);
    expect(await readdir(blobs)).toEqual([writing]);

    expect((await sandbox.run(['server', 'blobs', 'prune', '--database', database])).code).toBe(2);
    const missing = await sandbox.runJson(['server', 'blobs', 'prune', '--blobs', 'nowhere', '--database', database]);
    expect(missing.code).toBe(1);
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'FILE_NOT_FOUND' } });
  });
});
