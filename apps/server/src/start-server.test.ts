import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BLOB_PRUNE_MIN_AGE_MS } from './blobs/index.js';
import { initOrg } from './init-org.js';
import { startServer, type RunningServer } from './start-server.js';

describe('startServer', () => {
  let home: string;
  let env: Env;
  const running: RunningServer[] = [];
  beforeEach(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), 'skillsync-start-'));
    env = createEnv({ home, cwd: home, vars: { SKILLSYNC_HOME: path.join(home, 'skillsync') } });
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((server) => server.close()));
    await rm(home, { recursive: true, force: true });
  });

  it('serves the API over HTTP from the default database, and closes cleanly', async () => {
    const server = await startServer({ env, listen: { host: '127.0.0.1', port: 0 } });
    running.push(server);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.context.location).toBe(path.join(home, 'skillsync', 'state', 'server', 'server.db'));
    const { token } = await initOrg(server.context, { org: 'acme', owner: 'alice' });
    const health = await fetch(`${server.url}/v0.1/health`);
    expect(await health.json()).toEqual({ status: 'ok', database: 'sqlite' });
    const whoami = await fetch(`${server.url}/v0.1/whoami`, { headers: { authorization: `Bearer ${token.token}` } });
    expect(await whoami.json()).toMatchObject({ user: 'alice', org: 'acme', role: 'owner', token: { scopes: ['admin'] } });

    await server.close();
    await expect(fetch(`${server.url}/v0.1/health`)).rejects.toThrow();
    await server.close();
  });

  it('sweeps the blob directory once it listens, and says so in its log', async () => {
    const blobs = path.join(home, 'blobs');
    await mkdir(blobs);
    const orphan = path.join(blobs, 'a'.repeat(128));
    const writing = `.${'b'.repeat(128)}.skillsync-0123456789ab.tmp`;
    await writeFile(orphan, 'a failed publish');
    await writeFile(path.join(blobs, writing), 'a publish under way');
    const then = new Date(Date.now() - BLOB_PRUNE_MIN_AGE_MS - 60_000);
    await utimes(orphan, then, then);
    const logged: { fields: Record<string, unknown>; message: string }[] = [];
    const logger = { info: (fields: Record<string, unknown>, message: string) => logged.push({ fields, message }), error: () => undefined };
    const server = await startServer({ env, blobs: { directory: blobs }, listen: { host: '127.0.0.1', port: 0 }, logger });
    running.push(server);
    await expect.poll(() => logged.find((line) => line.message === 'blob directory swept')?.fields).toEqual({ removed: 1, leftovers: 0, bytes: 16, recent: 1 });
    expect(await readdir(blobs)).toEqual([writing]);
  });

  it('says which address it could not listen on', async () => {
    const first = await startServer({ env, listen: { host: '127.0.0.1', port: 0 } });
    running.push(first);
    const port = Number(new URL(first.url).port);
    await expect(startServer({ env, database: path.join(home, 'other.db'), listen: { host: '127.0.0.1', port } })).rejects.toMatchObject({
      code: 'SERVER_CONFIG_INVALID',
      message: expect.stringContaining('EADDRINUSE') as string,
    });
  });
});
