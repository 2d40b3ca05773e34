import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { createRegistryClient, type RegistryClient } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, runNode, type Sandbox } from '../cli/cli-sandbox.js';
import { publishSkill } from '../support/server-process.js';
import { eventually } from '../support/eventually.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * JOURNEYS §3 through the built CLI: a member's running daemon (`skillsync up`) follows
 * the org's event stream, so a profile an admin saves reaches their clients within
 * seconds: the required skill appears in a client's skill folder, the blocked connector
 * leaves its config.
 */
describe('a running daemon takes up a profile change (built CLI, real server)', () => {
  let root: string;
  let server: RunningServer;
  let address: string;
  let admin: RegistryClient;
  let member: Sandbox;
  const env = { SKILLSYNC_SECRETS_BACKEND: 'file' };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-org-daemon-'));
    server = await startServer({ env: createEnv({ home: root, cwd: root }), database: path.join(root, 'server.db'), listen: { host: '127.0.0.1', port: 0 }, drainMs: 200 });
    const org = await initOrg(server.context, { org: 'acme', owner: 'alice' });
    address = `${server.url}/v0.1/orgs/acme`;
    admin = createRegistryClient({ address, token: org.token.token });
    await admin.addMember({ user: 'max', role: 'member' });
    const token = (await admin.createToken({ name: 'max laptop', user: 'max', scopes: ['read'] })).token;
    const skills = path.join(root, 'skills');
    await publishSkill(admin, skills, 'onboarding', '1.0.0');

    member = await createSandbox();
    const login = await runNode([cliBin, 'login', '--registry', address, '--token-stdin', '--json'], { input: `${token}\n`,
      cwd: member.work,
      env: { ...isolatedEnv(member.home), SKILLSYNC_HOME: member.skillsyncHome, ...env },
    });
    expect(login.code, login.stderr).toBe(0);
    await writeFile(path.join(member.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\nconnectors:\n  github: { command: gh-mcp }\n');
    const up = await member.runJson(['up', '--detach', '--no-open', '--headless', '--port', '0', '--settle', '200'], { env });
    expect(up.code, up.stderr).toBe(0);
  });

  afterAll(async () => {
    await member.run(['daemon', 'stop'], { env });
    const info = await readFile(path.join(member.skillsyncHome, 'state', 'daemon.json'), 'utf8').then((text) => JSON.parse(text) as { pid: number }, () => undefined);
    if (info !== undefined && isAlive(info.pid)) process.kill(info.pid);
    await member.cleanup();
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('installs a newly required skill and removes a newly blocked connector within seconds of the PUT', async () => {
    const mcpJson = path.join(member.work, '.mcp.json');
    await eventually(async () => ((await readFile(mcpJson, 'utf8').catch(() => '')).includes('"github"') ? true : undefined), 'the first sync');
    // The daemon follows the stream before the change: its status names the profile.
    await eventually(async () => {
      const status = (await member.runJson(['daemon', 'status'], { env })).json as { status: { org?: { profiles: { registry: string }[] } } | null };
      return status.status?.org?.profiles[0]?.registry === address ? true : undefined;
    }, 'the org profile in the daemon status');

    const skill = path.join(member.home, '.claude', 'skills', 'onboarding', 'SKILL.md');
    expect(existsSync(skill)).toBe(false);
    const saved = Date.now();
    const stored = await admin.putScopeProfile('org', { required: [{ name: 'onboarding', version: '^1.0.0' }], blockedConnectors: ['github'] });
    await eventually(() => Promise.resolve(existsSync(skill) ? true : undefined), 'the required skill in Claude Code');
    // skillsync created .mcp.json for github alone: with its one entry gone, the file goes too.
    await eventually(async () => ((await readFile(mcpJson, 'utf8').catch(() => '')).includes('"github"') ? undefined : true), 'the blocked connector to go');
    console.info(`profile change reached the client in ${Date.now() - saved} ms`);
    expect(Date.now() - saved).toBeLessThan(10_000);

    const { json } = await member.runJson(['daemon', 'status'], { env });
    const status = (json as { status: { lastSync: { trigger: string }; org: { profiles: { revision: string }[]; violations: { kind: string; name: string }[] } } }).status;
    expect(status.lastSync.trigger).toBe('profile');
    expect(status.org.profiles[0]?.revision).toMatch(/^sha256:/);
    expect(status.org.violations).toEqual([expect.objectContaining({ kind: 'blocked-connector', name: 'github' })]);
    expect(stored.revision).toBeGreaterThan(0);

    // Re-added by hand: the daemon takes it out again, as drift it repairs.
    await writeFile(mcpJson, '{\n  "mcpServers": {\n    "github": { "command": "gh-mcp" }\n  }\n}\n');
    await eventually(async () => ((await readFile(mcpJson, 'utf8').catch(() => '')).includes('"github"') ? undefined : true), 'the re-added blocked connector to go again');
  });
});
