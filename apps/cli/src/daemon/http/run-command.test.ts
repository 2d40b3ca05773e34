import { mkdir, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type DashboardCommand } from './run-command.js';

describe('runCommand', () => {
  let root: string;
  let env: Env;

  beforeEach(async () => {
    root = await realpath(await mkdtemp(path.join(os.tmpdir(), 'skillsync-run-command-')));
    await mkdir(path.join(root, 'home', '.cursor'), { recursive: true });
    env = createEnv({ home: path.join(root, 'home'), cwd: root, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync') } });
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('returns the data `--json` prints', async () => {
    const result = await runCommand(env, 'clients');
    expect(result.ok).toBe(true);
    expect(result.data.clients.map((client) => client.id)).toEqual(['cursor']);
    expect(result.data.home).toBe(env.home);
  });

  it('passes options through the CLI parser, defaults and checks included', async () => {
    const all = await runCommand(env, 'clients', { options: { all: true, scope: 'user' } });
    expect(all.data.all).toBe(true);
    expect(all.data.scopes).toEqual(['user']);
    expect(all.data.clients.length).toBeGreaterThan(1);
  });

  it('never lets a value become an option', async () => {
    // As a separate word `--all` would be the flag; as the value of --scope it is refused as a scope.
    await expect(runCommand(env, 'clients', { options: { scope: '--all' } })).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('--scope --all') as unknown });
    await expect(runCommand(env, 'import', { options: { 'dry-run': true, client: ['cursor --scope=project'] } })).rejects.toMatchObject({ code: 'USAGE' });
  });

  it('throws a command’s coded error as it is', async () => {
    await expect(runCommand(env, 'status')).rejects.toMatchObject({ code: 'MANIFEST_NOT_FOUND' });
  });

  it('runs only the dashboard’s commands', async () => {
    await expect(runCommand(env, 'rollback' as DashboardCommand)).rejects.toThrow('rollback is not a dashboard command');
    await expect(runCommand(env, 'secret get' as DashboardCommand, { positionals: ['X'] })).rejects.toThrow('secret get is not a dashboard command');
    expect(await readdir(root)).toEqual(['home']);
  });
});
