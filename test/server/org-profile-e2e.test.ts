import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createEnv } from '@skillsync/core';
import { createRegistryClient, type RegistryClient } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, runNode, type Sandbox } from '../cli/cli-sandbox.js';
import { publishSkill } from '../support/server-process.js';

/**
 * Issue #6 item 4 end to end: an admin sets a team's profile on a real server (a required
 * skill that is published, a blocked connector), and a member's built CLI in a temp HOME
 * takes it as the top scope: `sync` installs the required skill into the clients' user
 * skill folders and refuses the blocked connector with the reason (exit 1); `status`
 * shows the violation from the cache, without asking the server anything.
 */
describe.each(['sqlite', 'postgres'] as const)('org profiles through the CLI (%s)', (engine) => {
  // What does not depend on the engine runs once, on SQLite, rather than as a skipped case on PostgreSQL.
  const itOnSqlite = (name: string, test: () => Promise<void>): void => {
    if (engine === 'sqlite') it(name, test);
  };
  let root: string;
  let schema: TestSchema | undefined;
  let server: RunningServer;
  /** A proxy in front of the server that counts what reaches it: `status` must send nothing. */
  let proxy: CountingProxy;
  let address: string;
  let admin: RegistryClient;
  let memberToken: string;
  const sandboxes: Sandbox[] = [];

  const newMember = async (): Promise<Sandbox> => {
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    const result = await runNode([cliBin, 'login', '--registry', address, '--token-stdin', '--json'], { input: `${memberToken}\n`,
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, SKILLSYNC_SECRETS_BACKEND: 'file' },
    });
    expect(result.code, result.stderr).toBe(0);
    const loggedIn = JSON.parse(result.stdout) as { profileRevision?: string };
    expect(loggedIn).toMatchObject({ ok: true, user: 'max', profile: true });
    expect(loggedIn.profileRevision).toMatch(/^sha256:/);
    return sandbox;
  };
  const runJson = (sandbox: Sandbox, args: readonly string[]) => sandbox.runJson(args, { env: { SKILLSYNC_SECRETS_BACKEND: 'file' } });

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-org-profile-e2e-'));
    schema = engine === 'postgres' ? await createTestSchema() : undefined;
    server = await startServer({
      env: createEnv({ home: root, cwd: root }),
      database: schema?.url ?? path.join(root, 'server.db'),
      ...(schema === undefined ? {} : { schema: schema.schema }),
      listen: { host: '127.0.0.1', port: 0 },
      drainMs: 200,
      logger: { info: () => undefined, error: (fields, message) => { console.error(message, fields); } },
    });
    proxy = await startCountingProxy(server.url);
    const org = await initOrg(server.context, { org: 'acme', owner: 'alice' });
    address = `${proxy.url}/v0.1/orgs/acme`;
    admin = createRegistryClient({ address: `${server.url}/v0.1/orgs/acme`, token: org.token.token });
    await admin.createTeam({ team: 'platform' });
    await admin.addMember({ user: 'max', role: 'member' });
    await admin.setTeamMember('platform', 'max', 'member');
    memberToken = (await admin.createToken({ name: 'max laptop', user: 'max', scopes: ['read'] })).token;

    const skills = path.join(root, 'skills');
    await publishSkill(admin, skills, 'team-guide', '1.2.0');
    await admin.putScopeProfile('team:platform', {
      required: [{ name: 'team-guide', version: '^1.0.0' }],
      blockedConnectors: ['shell'],
      blockedSkills: ['legacy-helper'],
      instructions: 'Ask #platform before changing CI.',
    });
  });

  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()));
    await proxy.close();
    await server.close();
    await schema?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('sync installs the required skill into the user skill folders, refuses the blocked connector with the reason (exit 1); status shows it', async () => {
    const member = await newMember();
    await writeFile(
      path.join(member.work, 'skillsync.yaml'),
      'version: 1\nclients: [claude-code, cursor]\nconnectors:\n  shell: { command: shell-mcp }\n  github: { command: gh-mcp }\n',
    );

    const synced = await runJson(member, ['sync']);
    expect(synced.code, synced.stderr).toBe(1);
    const scopes = synced.json.scopes as { scope: string; violations: Record<string, unknown>[]; skills: { name: string; dir: string }[] }[];
    const project = scopes.find((scope) => scope.scope === 'project');
    const user = scopes.find((scope) => scope.scope === 'user');
    expect(project?.violations).toEqual([
      {
        kind: 'blocked-connector',
        name: 'shell',
        org: 'acme',
        registry: address,
        reason: 'the acme org profile blocks the connector shell',
        scope: 'project',
        manifest: path.join(member.work, 'skillsync.yaml'),
      },
    ]);
    expect(synced.json.org).toMatchObject({ profiles: [{ registry: address, org: 'acme', source: 'fetched' }], warnings: [] });
    expect((synced.json.org as { installed: { skills: { name: string; version: string }[] } }).installed.skills).toEqual([
      expect.objectContaining({ name: 'team-guide', version: '1.2.0', root: true }),
    ]);

    // The required skill is in Claude Code's and Cursor's user skill folders, locked in the user lockfile.
    const claudeSkill = path.join(member.home, '.claude', 'skills', 'team-guide', 'SKILL.md');
    const cursorSkill = path.join(member.home, '.agents', 'skills', 'team-guide', 'SKILL.md');
    expect(await readFile(claudeSkill, 'utf8')).toContain('name: team-guide');
    expect(await readFile(cursorSkill, 'utf8')).toContain('name: team-guide');
    expect(user?.skills.map((skill) => skill.name).sort()).toEqual(['team-guide', 'team-guide']);
    const userLock = await readFile(path.join(member.skillsyncHome, 'config', 'skillsync.lock'), 'utf8');
    expect(userLock).toContain('team-guide');
    expect(existsSync(path.join(member.work, 'skillsync.lock'))).toBe(false);
    // The profile's instructions reach the user scope.
    expect(await readFile(path.join(member.home, '.claude', 'CLAUDE.md'), 'utf8')).toContain('Ask #platform before changing CI.');

    // The allowed connector is synced; the blocked one is not.
    const mcp = JSON.parse(await readFile(path.join(member.work, '.mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(mcp.mcpServers)).toEqual(['github']);
    const cursorMcp = JSON.parse(await readFile(path.join(member.work, '.cursor', 'mcp.json'), 'utf8')) as { mcpServers: Record<string, unknown> };
    expect(Object.keys(cursorMcp.mcpServers)).toEqual(['github']);

    const text = await member.run(['sync'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file' } });
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('PROFILE_BLOCKED connector shell: the acme org profile blocks the connector shell');

    // status: the violation, from the cache, without one request to the server.
    const before = proxy.requests();
    const status = await runJson(member, ['status']);
    expect(status.code).toBe(1);
    expect((status.json.scopes as { violations: { kind: string; name: string }[] }[]).flatMap((scope) => scope.violations)).toEqual([
      expect.objectContaining({ kind: 'blocked-connector', name: 'shell', reason: 'the acme org profile blocks the connector shell' }),
    ]);
    expect(status.json.org).toMatchObject({ profiles: [{ registry: address, source: 'cached' }] });
    for (const readOnly of [['diff'], ['sync', '--check'], ['sync', '--dry-run'], ['list']]) await runJson(member, readOnly);
    expect(proxy.requests()).toBe(before);
  });

  itOnSqlite('install refuses a blocked skill with the reason and locks the required one in the user lockfile; list shows it at the org scope', async () => {
    const member = await newMember();
    const manifest = path.join(member.work, 'skillsync.yaml');
    await writeFile(manifest, `version: 1\nregistry: ${address}\nskills:\n  legacy-helper: ^1.0.0\n`);
    const installed = await runJson(member, ['install']);
    expect(installed.code).toBe(1);
    expect(installed.json.violations).toEqual([
      { kind: 'blocked-skill', name: 'legacy-helper', org: 'acme', registry: address, reason: 'the acme org profile blocks the skill legacy-helper', scope: 'project', manifest },
    ]);
    expect(installed.json.skills).toEqual([]);
    expect((installed.json.orgScope as { lockfile: string; skills: unknown[] }).skills).toEqual([expect.objectContaining({ name: 'team-guide', version: '1.2.0' })]);
    expect((installed.json.orgScope as { lockfile: string }).lockfile).toBe(path.join(member.skillsyncHome, 'config', 'skillsync.lock'));

    const listed = await runJson(member, ['list']);
    expect(listed.json.skills).toEqual([
      expect.objectContaining({ name: 'team-guide', scope: 'org', manifest: address, locked: expect.objectContaining({ version: '1.2.0' }) as unknown, inStore: true }),
    ]);
    expect(listed.json.violations).toEqual([expect.objectContaining({ kind: 'blocked-skill', name: 'legacy-helper' })]);
  });

  itOnSqlite('reports a blocked connector added to a client file by hand, and sync removes it (rollback brings it back)', async () => {
    const member = await newMember();
    await writeFile(path.join(member.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\n');
    expect((await runJson(member, ['sync'])).code).toBe(0);
    const mcpJson = path.join(member.work, '.mcp.json');
    const byHand = '{\n  "mcpServers": {\n    "mine": { "command": "mine-mcp" },\n    "shell": { "command": "shell-mcp" }\n  }\n}\n';
    await writeFile(mcpJson, byHand);
    const status = await runJson(member, ['status']);
    expect(status.code).toBe(1);
    const violations = (status.json.scopes as { violations: Record<string, unknown>[] }[]).flatMap((scope) => scope.violations);
    expect(violations).toEqual([expect.objectContaining({ kind: 'blocked-connector', name: 'shell', path: mcpJson, clients: ['claude-code'], scope: 'project' })]);
    expect(violations[0]?.reason).toMatch(/added to this file by hand: `skillsync sync` removes it/);
    // The sync that removes it says so, and exits 1 as for anything the profile refused.
    const removing = await runJson(member, ['sync']);
    expect(removing.code).toBe(1);
    const after = await readFile(mcpJson, 'utf8');
    expect(after).not.toContain('"shell"');
    expect(after).toContain('"mine"');
    // Nothing is left to refuse.
    expect((await runJson(member, ['sync'])).code).toBe(0);
    expect((await runJson(member, ['status'])).code).toBe(0);
    // The backup of that run restores the hand-written entry byte for byte.
    const runId = ((removing.json.scopes as { applied?: { runId?: string } }[])[0]?.applied?.runId) ?? '';
    expect(runId).not.toBe('');
    expect((await runJson(member, ['rollback', runId])).code).toBe(0);
    expect(await readFile(mcpJson, 'utf8')).toBe(byHand);
  });

  itOnSqlite('keeps the cached profile with a warning naming its age when the server is down, and applies none without a cache', async () => {
    const member = await newMember();
    await writeFile(path.join(member.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\nconnectors:\n  shell: { command: shell-mcp }\n');
    proxy.down(true);
    try {
      const offline = await runJson(member, ['sync']);
      expect(offline.code).toBe(1);
      expect((offline.json.org as { warnings: string[] }).warnings).toEqual([expect.stringMatching(/could not get the profile of .*using the cached one, \d+ s old$/)]);
      expect(offline.stderr).toBe('');

      await rm(path.join(member.skillsyncHome, 'cache', 'org-profiles'), { recursive: true, force: true });
      const uncached = await runJson(member, ['sync']);
      expect(uncached.code, JSON.stringify(uncached.json)).toBe(0);
      expect((uncached.json.org as { warnings: string[] }).warnings).toEqual([expect.stringContaining('none is cached, so it is not applied')]);
      expect(await readFile(path.join(member.work, '.mcp.json'), 'utf8')).toContain('"shell"');
    } finally {
      proxy.down(false);
    }
  });

  itOnSqlite('applies nothing for a login made with --no-profile', async () => {
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    const login = await runNode([cliBin, 'login', '--registry', address, '--token-stdin', '--no-profile', '--json'], { input: `${memberToken}\n`,
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, SKILLSYNC_SECRETS_BACKEND: 'file' },
    });
    expect(JSON.parse(login.stdout)).toMatchObject({ ok: true, profile: false });
    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\nconnectors:\n  shell: { command: shell-mcp }\n');
    const before = proxy.requests();
    const synced = await runJson(sandbox, ['sync']);
    expect(synced.code).toBe(0);
    expect(proxy.requests()).toBe(before);
    expect(existsSync(path.join(sandbox.home, '.claude', 'skills', 'team-guide'))).toBe(false);
  });
});

/** A skill folder `<dir>/<name>` with `version`, as `skillsync new` writes it. */
interface CountingProxy {
  readonly url: string;
  /** Requests that reached the server through the proxy so far. */
  requests(): number;
  /** While down, every request is cut off before it reaches the server (connection reset). */
  down(value: boolean): void;
  close(): Promise<void>;
}

/** An HTTP proxy to `target` that counts requests and can play a server that is down. */
async function startCountingProxy(target: string): Promise<CountingProxy> {
  let count = 0;
  let isDown = false;
  const upstream = new URL(target);
  const server = http.createServer((request, response) => {
    if (isDown) {
      request.socket.destroy();
      return;
    }
    count += 1;
    const forwarded = http.request(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: { ...request.headers, host: upstream.host } },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => response.destroy());
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    down: (value) => {
      isDown = value;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
