import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
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
