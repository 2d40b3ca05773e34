import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, parseLockfile, type Lockfile } from '@skillsync/core';
import { createRegistryClient, type RegistryClient } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { packSkill } from '@skillsync/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliBin, createSandbox, isolatedEnv, runNode, type CliRun, type Sandbox } from '../cli/cli-sandbox.js';

/**
 * The org registry end to end, on each engine: a real server on a socket, the built CLI in
 * temp HOMEs as a publisher and as members, and the admin API through the registry client.
 */
describe.each(['sqlite', 'postgres'] as const)('the org registry through the CLI (%s)', (engine) => {
  let root: string;
  let schema: TestSchema | undefined;
  let server: RunningServer;
  let address: string;
  let admin: RegistryClient;
  let publisherToken: string;
  let memberToken: string;
  const sandboxes: Sandbox[] = [];

  /** A user of the CLI: their own HOME, file secret store, no terminal. */
  const newUser = async (): Promise<Sandbox> => {
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    return sandbox;
  };
  const cliEnv = (sandbox: Sandbox): Record<string, string> => ({ ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, SKILLSYNC_SECRETS_BACKEND: 'file' });
  const run = (sandbox: Sandbox, args: readonly string[]): Promise<CliRun> => sandbox.run(args, { env: { SKILLSYNC_SECRETS_BACKEND: 'file' } });
  const runJson = async (sandbox: Sandbox, args: readonly string[]): Promise<{ code: number | null; json: Record<string, unknown> }> => {
    const result = await sandbox.runJson(args, { env: { SKILLSYNC_SECRETS_BACKEND: 'file' } });
    return { code: result.code, json: result.json };
  };
  const login = async (sandbox: Sandbox, token: string): Promise<{ code: number | null; json: Record<string, unknown> }> => {
    const result = await runNode([cliBin, 'login', '--registry', address, '--token-stdin', '--json'], { input: `${token}\n`, cwd: sandbox.work, env: cliEnv(sandbox) });
    return { code: result.code, json: JSON.parse(result.stdout) as Record<string, unknown> };
  };
  /** A strict-valid skill folder at `<work>/skills/<name>` with `version`. */
  const writeSkill = async (sandbox: Sandbox, name: string, version: string): Promise<void> => {
    const dir = path.join(sandbox.work, 'skills', name);
    const created = await run(sandbox, ['new', name, '--dir', 'skills', '--description', `Does ${name} things. Use when a ${name} task comes up.`]);
    if (created.code !== 0 && !created.stderr.includes('already exists')) throw new Error(created.stderr);
    const file = path.join(dir, 'SKILL.md');
    await writeFile(file, (await readFile(file, 'utf8')).replace(/version: "?[^"\n]+"?/, `version: "${version}"`));
  };
  const manifest = (): string => `version: 1\nregistry: ${address}\nskills:\n  pdf-tools: ^1.0.0\n`;
  const lockOf = async (sandbox: Sandbox): Promise<Lockfile> => {
    const file = path.join(sandbox.work, 'skillsync.lock');
    return parseLockfile(await readFile(file, 'utf8'), { file });
  };

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-registry-e2e-'));
    schema = engine === 'postgres' ? await createTestSchema() : undefined;
    server = await startServer({
      env: createEnv({ home: root, cwd: root }),
      database: schema?.url ?? path.join(root, 'server.db'),
      ...(schema === undefined ? {} : { schema: schema.schema }),
      listen: { host: '127.0.0.1', port: 0 },
    });
    const org = await initOrg(server.context, { org: 'acme', owner: 'alice' });
    address = `${server.url}/v0.1/orgs/acme`;
    admin = createRegistryClient({ address, token: org.token.token });
    await admin.createTeam({ team: 'platform' });
    await admin.addMember({ user: 'pat', role: 'publisher' });
    await admin.setTeamMember('platform', 'pat', 'publisher');
    await admin.addMember({ user: 'max', role: 'member' });
    publisherToken = (await admin.createToken({ name: 'pat laptop', user: 'pat', scopes: ['publish'] })).token;
    // Scoped to publish on purpose: the member role alone must refuse it.
    memberToken = (await admin.createToken({ name: 'max laptop', user: 'max', scopes: ['publish'] })).token;
  });

  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()));
    await server.close();
    await schema?.drop();
    await rm(root, { recursive: true, force: true });
  });

  it('publishes from one HOME and installs the identical bytes in another; yanked versions are not resolved anew', async () => {
    const publisher = await newUser();
    const loggedIn = await login(publisher, publisherToken);
    expect(loggedIn).toMatchObject({ code: 0, json: { ok: true, registry: address, user: 'pat', org: 'acme', role: 'publisher' } });
    const secrets = await readFile(path.join(publisher.skillsyncHome, 'config', 'registries.json'), 'utf8');
    expect(secrets).toContain(address);
    expect(secrets).not.toContain(publisherToken);

    // The only logged-in registry is the default: no --registry needed.
    expect(await runJson(publisher, ['whoami'])).toMatchObject({ code: 0, json: { user: 'pat', teams: [{ team: 'platform', role: 'publisher' }], token: { scopes: ['publish'] } } });

    await writeSkill(publisher, 'pdf-tools', '1.0.0');
    const first = await runJson(publisher, ['publish', 'skills/pdf-tools']);
    expect(first).toMatchObject({ code: 0, json: { ok: true, name: 'pdf-tools', version: '1.0.0', tag: 'latest', status: 'active', reconciled: false } });
    await writeSkill(publisher, 'pdf-tools', '1.1.0');
    const second = await runJson(publisher, ['publish', 'skills/pdf-tools']);
    expect(second).toMatchObject({ code: 0, json: { version: '1.1.0' } });
    const again = await runJson(publisher, ['publish', 'skills/pdf-tools']);
    expect(again).toMatchObject({ code: 1, json: { ok: false, error: { code: 'VERSION_ALREADY_PUBLISHED' } } });
    // The registry records what the CLI computed.
    expect((await admin.getVersion('pdf-tools', '1.1.0')).integrity).toBe(second.json.integrity);

    const member = await newUser();
    expect((await login(member, memberToken)).code).toBe(0);
    await writeFile(path.join(member.work, 'skillsync.yaml'), manifest());
    const installed = await runJson(member, ['install']);
    expect(installed).toMatchObject({ code: 0, json: { ok: true, problems: [] } });
    const lock = await lockOf(member);
    expect(lock.skills['pdf-tools']?.version).toBe('1.1.0');
    expect(lock.packages['pdf-tools@1.1.0']).toMatchObject({ resolved: `registry+${address}`, integrity: second.json.integrity });

    const yanked = await runJson(publisher, ['yank', 'pdf-tools@1.1.0', '--message', 'breaks on scanned PDFs']);
    expect(yanked).toMatchObject({ code: 0, json: { ok: true, previous: 'active', status: 'yanked', statusMessage: 'breaks on scanned PDFs' } });

    // A new resolution takes the version before it…
    const fresh = await newUser();
    expect((await login(fresh, memberToken)).code).toBe(0);
    await writeFile(path.join(fresh.work, 'skillsync.yaml'), manifest());
    expect((await runJson(fresh, ['install'])).code).toBe(0);
    expect((await lockOf(fresh)).packages['pdf-tools@1.0.0']).toMatchObject({ integrity: first.json.integrity });
    expect((await lockOf(fresh)).packages['pdf-tools@1.1.0']).toBeUndefined();

    // …while a lockfile that pins the yanked one still installs it, from an empty store, with SKILLSYNC_REGISTRY_TOKEN instead of a login.
    const pinned = await newUser();
    await writeFile(path.join(pinned.work, 'skillsync.yaml'), manifest());
    await writeFile(path.join(pinned.work, 'skillsync.lock'), await readFile(path.join(member.work, 'skillsync.lock'), 'utf8'));
    // The environment's token goes only to the registry SKILLSYNC_REGISTRY names: without it, a manifest naming a registry gets no token.
    const unnamed = await pinned.runJson(['install', '--frozen'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file', SKILLSYNC_REGISTRY_TOKEN: memberToken } });
    expect(unnamed.code).toBe(1);
    expect(JSON.stringify(unnamed.json)).toContain('REGISTRY_LOGIN_REQUIRED');
    const frozen = await pinned.runJson(['install', '--frozen'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file', SKILLSYNC_REGISTRY_TOKEN: memberToken, SKILLSYNC_REGISTRY: address } });
    expect(frozen).toMatchObject({ code: 0, json: { ok: true, skills: [{ name: 'pdf-tools', version: '1.1.0', outcome: 'added' }] } });

    // Deprecated versions still resolve; --undo takes a deprecation back, but never a yank.
    const deprecated = await runJson(publisher, ['deprecate', 'pdf-tools@1.0.0', '--message', 'use 2.x']);
    expect(deprecated).toMatchObject({ code: 0, json: { previous: 'active', status: 'deprecated', statusMessage: 'use 2.x' } });
    expect(await runJson(fresh, ['install', '--frozen'])).toMatchObject({ code: 0 });
    expect(await runJson(publisher, ['deprecate', 'pdf-tools@1.0.0', '--undo'])).toMatchObject({ code: 0, json: { previous: 'deprecated', status: 'active' } });
    expect(await runJson(publisher, ['deprecate', 'pdf-tools@1.1.0', '--undo'])).toMatchObject({ code: 1, json: { error: { code: 'INVALID_INPUT' } } });
  });

  it('refuses a publish with a member token (SERVER_FORBIDDEN, exit 1), and a member cannot yank', async () => {
    const member = await newUser();
    expect((await login(member, memberToken)).json).toMatchObject({ user: 'max', role: 'member' });
    await writeSkill(member, 'not-allowed', '1.0.0');
    const refused = await run(member, ['publish', 'skills/not-allowed']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error SERVER_FORBIDDEN: /);
    expect(refused.stderr).not.toContain(memberToken);
    await expect(admin.getSkill('not-allowed')).rejects.toMatchObject({ code: 'SERVER_NOT_FOUND' });

    // Published by an admin, the member may read it but not yank it.
    const packed = await packSkill(path.join(member.work, 'skills', 'not-allowed'));
    await admin.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
    expect(await runJson(member, ['yank', 'not-allowed@1.0.0'])).toMatchObject({ code: 1, json: { error: { code: 'SERVER_FORBIDDEN' } } });
    expect((await admin.getVersion('not-allowed', '1.0.0')).status).toBe('active');
  });

  it('refuses a token the registry does not know, storing nothing, and logs out', async () => {
    const user = await newUser();
    const refused = await login(user, `ssk_${'Z'.repeat(43)}`);
    expect(refused).toMatchObject({ code: 1, json: { ok: false, error: { code: 'SERVER_UNAUTHENTICATED' } } });
    expect(await runJson(user, ['whoami'])).toMatchObject({ code: 1, json: { error: { code: 'REGISTRY_LOGIN_REQUIRED' } } });

    expect((await login(user, memberToken)).code).toBe(0);
    expect(await runJson(user, ['logout'])).toMatchObject({ code: 0, json: { registry: address, removed: true } });
    expect(await runJson(user, ['logout', '--registry', address])).toMatchObject({ code: 1, json: { removed: false } });
    expect(await runJson(user, ['whoami', '--registry', address])).toMatchObject({ code: 1, json: { error: { code: 'REGISTRY_LOGIN_REQUIRED' } } });
  });
});
