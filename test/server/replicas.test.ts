import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRegistryClient, type RegistryClient, type RegistryEvent } from '@skillsync/registry';
import { packSkill } from '@skillsync/store';
import { writeTree } from '@skillsync/store/test-support';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../cli/cli-sandbox.js';
import { loginWithToken, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { eventually } from '../support/eventually.js';

/** Collects a subscription's events and waits for the one a test expects. */
interface Listener {
  readonly events: RegistryEvent[];
  next(match: (event: RegistryEvent) => boolean, timeoutMs?: number): Promise<RegistryEvent>;
  stop(): void;
}

function listen(client: RegistryClient): Listener {
  const events: RegistryEvent[] = [];
  const waiters = new Set<() => void>();
  const stopping = new AbortController();
  void (async () => {
    for await (const event of client.events({ signal: stopping.signal, baseDelayMs: 100 })) {
      events.push(event);
      for (const wake of waiters) wake();
    }
  })().catch(() => undefined);
  return {
    events,
    next: (match, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = events.find(match);
          if (found === undefined) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    stop: () => {
      stopping.abort();
    },
  };
}

/**
 * Issue #6: "Two server processes on one PostgreSQL: a profile change made through one
 * reaches a daemon subscribed to the other." Two real `skillsync server` processes on one
 * schema of the test database (the schema is every connection's search_path, from the
 * URL's `options`); changes go in through one and come out of the other's event stream,
 * and reach a member's daemon (`skillsync up`) that follows the other.
 */
describe('two `skillsync server` processes on one PostgreSQL', () => {
  let schema: TestSchema;
  let sandbox: Sandbox;
  const servers: ServerProcess[] = [];
  let token: string;
  // The event channel is database-wide: an org name of this run's own keeps other suites' events apart.
  const org = `replicas-${process.pid}`;
  const address = (server: ServerProcess | undefined): string => `${server?.url ?? ''}/v0.1/orgs/${org}`;

  beforeAll(async () => {
    schema = await createTestSchema();
    const url = new URL(schema.url);
    url.searchParams.set('options', `-c search_path=${schema.schema}`);
    sandbox = await createSandbox();
    const init = await sandbox.runJson(['server', 'init', '--org', org, '--owner', 'alice', '--database', url.href]);
    expect(init.code, `${JSON.stringify(init.json)}\n${init.stderr}`).toBe(0);
    token = init.json.token as string;
    servers.push(await startServerProcess(sandbox, ['--database', url.href]), await startServerProcess(sandbox, ['--database', url.href]));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await schema.drop();
    await sandbox.cleanup();
  });

  it('a profile PUT through one reaches an event stream on the other, and the other way round', async () => {
    const [first, second] = servers;
    const throughFirst = createRegistryClient({ address: address(first), token });
    const throughSecond = createRegistryClient({ address: address(second), token });
    expect(first?.url).not.toBe(second?.url);

    const onSecond = listen(throughSecond);
    const onFirst = listen(throughFirst);
    try {
      await onSecond.next((event) => event.type === 'open');
      await onFirst.next((event) => event.type === 'open');

      const stored = await throughFirst.putScopeProfile('org', { required: [], blockedConnectors: ['leaky-server'] });
      const heard = await onSecond.next((event) => event.type === 'profile' && event.data.revision === stored.revision);
      expect(heard).toEqual({ type: 'profile', data: { org, scope: 'org', revision: stored.revision } });
      // The second process reads what the first wrote.
      expect((await throughSecond.getProfile()).blockedConnectors).toEqual(['leaky-server']);

      const again = await throughSecond.putScopeProfile('org', { required: [], blockedConnectors: [] });
      expect(again.revision).toBe(stored.revision + 1);
      await onFirst.next((event) => event.type === 'profile' && event.data.revision === again.revision);

      // Package events cross too: a version published through one is announced on the other.
      const dir = path.join(sandbox.work, 'replica-skill');
      await writeTree(dir, { 'SKILL.md': '---\nname: replica-skill\ndescription: Published through one replica.\nmetadata:\n  version: "1.0.0"\n---\n\nDo it.\n' });
      const packed = await packSkill(dir);
      await throughFirst.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
      const announced = await onSecond.next((event) => event.type === 'package');
      expect(announced).toEqual({ type: 'package', data: { org, name: 'replica-skill', version: '1.0.0', status: 'active' } });
    } finally {
      onSecond.stop();
      onFirst.stop();
    }
  });

  it('a profile PUT through one reaches a daemon following the other: the required skill lands in its client', async () => {
    const [first, second] = servers;
    const admin = createRegistryClient({ address: address(first), token });
    const dir = path.join(sandbox.work, 'replica-onboarding');
    await writeTree(dir, { 'SKILL.md': '---\nname: replica-onboarding\ndescription: Required through one replica, followed through the other.\nmetadata:\n  version: "1.0.0"\n---\n\nWelcome.\n' });
    const packed = await packSkill(dir);
    await admin.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
    await admin.addMember({ user: 'max', role: 'member' });
    const memberToken = (await admin.createToken({ name: 'max laptop', user: 'max', scopes: ['read'] })).token;

    const member = await createSandbox();
    const env = { SKILLSYNC_SECRETS_BACKEND: 'file' };
    try {
      const login = await loginWithToken(member, address(second), memberToken);
      expect(login.code, login.stderr).toBe(0);
      await writeFile(path.join(member.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\n');
      const up = await member.runJson(['up', '--detach', '--no-open', '--headless', '--port', '0', '--settle', '200'], { env });
      expect(up.code, up.stderr).toBe(0);
      await eventually(async () => {
        const status = (await member.runJson(['daemon', 'status'], { env })).json as { status: { org?: { profiles: { registry: string }[] } } | null };
        return status.status?.org?.profiles[0]?.registry === address(second) ? true : undefined;
      }, 'the daemon to follow the second server');

      const skill = path.join(member.home, '.claude', 'skills', 'replica-onboarding', 'SKILL.md');
      expect(existsSync(skill)).toBe(false);
      await admin.putScopeProfile('org', { required: [{ name: 'replica-onboarding', version: '^1.0.0' }] });
      await eventually(() => Promise.resolve(existsSync(skill) ? true : undefined), 'the required skill in Claude Code');
      expect(await readFile(skill, 'utf8')).toContain('Welcome.');
      const { json } = await member.runJson(['daemon', 'status'], { env });
      expect((json as { status: { lastSync: { trigger: string } } }).status.lastSync.trigger).toBe('profile');
    } finally {
      await member.run(['daemon', 'stop'], { env });
      // Should `daemon stop` have failed, the daemon this test started must not outlive it.
      const daemon = await readFile(path.join(member.skillsyncHome, 'state', 'daemon.json'), 'utf8').then((text) => JSON.parse(text) as { pid?: number }, () => undefined);
      if (daemon?.pid !== undefined) {
        try {
          process.kill(daemon.pid);
        } catch {
          // Stopped already.
        }
      }
      await member.cleanup();
    }
  });
});
