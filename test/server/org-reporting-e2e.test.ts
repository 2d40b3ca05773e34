import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, skillsyncPaths } from '@skillsync/core';
import { openAuditLog } from '@skillsync/policy';
import { createRegistryClient, runtimeAuditList, type RegistryClient } from '@skillsync/registry';
import { initOrg, startServer, type RunningServer } from '@skillsync/server';
import { STATE_DATABASE_NAME } from '@skillsync/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon } from '../../apps/cli/src/daemon/daemon.js';
import { cliBin, createSandbox, isolatedEnv, runNode, type Sandbox } from '../cli/cli-sandbox.js';
import { publishSkill } from '../support/server-process.js';
import { eventually } from '../support/eventually.js';

const secrets = { SKILLSYNC_SECRETS_BACKEND: 'file' };

/**
 * Issue #6, the client side of parity reporting and runtime audit upload, against a real
 * server: a member of an org that collects reports is in its parity after `skillsync sync`,
 * and their daemon uploads the gateway's audit log; a member of an org that does not
 * collect them sends nothing and syncs as before.
 */
describe('org reporting through the CLI (real server)', () => {
  let root: string;
  let server: RunningServer;
  const admins = new Map<string, RegistryClient>();
  const ownerTokens = new Map<string, string>();
  const sandboxes: Sandbox[] = [];

  const addressOf = (org: string): string => `${server.url}/v0.1/orgs/${org}`;

  /** A member of `org` logged in from a fresh sandbox, with a token that may report. */
  const member = async (org: string, user: string): Promise<{ sandbox: Sandbox; login: Record<string, unknown> }> => {
    const admin = admins.get(org);
    if (admin === undefined) throw new Error(org);
    await admin.addMember({ user, role: 'member' });
    const token = (await admin.createToken({ name: `${user} laptop`, user, scopes: ['read', 'report'] })).token;
    const sandbox = await createSandbox();
    sandboxes.push(sandbox);
    const result = await runNode([cliBin, 'login', '--registry', addressOf(org), '--token-stdin', '--json'], { input: `${token}\n`,
      cwd: sandbox.work,
      env: { ...isolatedEnv(sandbox.home), SKILLSYNC_HOME: sandbox.skillsyncHome, ...secrets },
    });
    expect(result.code, result.stderr).toBe(0);
    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), 'version: 1\nclients: [claude-code]\nconnectors:\n  github: { command: gh-mcp }\n');
    return { sandbox, login: JSON.parse(result.stdout) as Record<string, unknown> };
  };

  const parityOf = async (org: string, user: string) => (await admins.get(org)?.getParity())?.members.find((row) => row.user === user);

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-org-reporting-'));
    server = await startServer({ env: createEnv({ home: root, cwd: root }), database: path.join(root, 'server.db'), listen: { host: '127.0.0.1', port: 0 }, drainMs: 200 });
    for (const org of ['acme', 'beta']) {
      const created = await initOrg(server.context, { org, owner: 'alice' });
      ownerTokens.set(org, created.token.token);
      admins.set(org, createRegistryClient({ address: addressOf(org), token: created.token.token }));
    }
    const acme = admins.get('acme') as RegistryClient;
    await acme.updateOrgSettings({ reporting: true });
    const skills = path.join(root, 'skills');
    await publishSkill(acme, skills, 'team-guide', '1.2.0');
    await acme.putScopeProfile('org', { required: [{ name: 'team-guide', version: '^1.0.0' }] });
  });

  afterAll(async () => {
    await Promise.all(sandboxes.map((sandbox) => sandbox.cleanup()));
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('reporting on: login says so, and after sync the parity shows the member current on their device', async () => {
    expect(await parityOf('acme', 'max')).toBeUndefined();
    const { sandbox, login } = await member('acme', 'max');
    expect(login).toMatchObject({ profile: true, reporting: true });
    expect((await parityOf('acme', 'max'))?.state).toBe('unknown');

    const synced = await sandbox.runJson(['sync'], { env: { ...secrets, SKILLSYNC_DEVICE: 'max-laptop' } });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.json.reports).toEqual([{ registry: addressOf('acme'), device: 'max-laptop', sent: true }]);
    const row = await parityOf('acme', 'max');
    // `current` against a profile that requires team-guide: the report named it at 1.2.0, with no drift.
    expect(row).toMatchObject({ state: 'current', devices: 1, missing: [], behind: [], blocked: [], drift: 0 });
    expect(row?.reportedAt).toBeDefined();

    const whoami = await sandbox.run(['whoami'], { env: secrets });
    expect(whoami.code, whoami.stderr).toBe(0);
    expect(whoami.stdout).toMatch(/reporting\s+on: this machine sends the org its parity/);
  });

  it('reporting off: nothing is sent, no warning, sync exits 0', async () => {
    const { sandbox, login } = await member('beta', 'sam');
    expect(login).toMatchObject({ profile: true, reporting: false });
    const synced = await sandbox.runJson(['sync'], { env: secrets });
    expect(synced.code, synced.stderr).toBe(0);
    expect(synced.json).not.toHaveProperty('reports');
    expect(synced.json.org).toMatchObject({ warnings: [] });
    expect(await parityOf('beta', 'sam')).toMatchObject({ state: 'unknown', devices: 0 });
    const text = await sandbox.run(['sync'], { env: secrets });
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/parity report/);
  });

  it("the daemon reports, and uploads the gateway's audit log in batches that continue the chain", async () => {
    const { sandbox } = await member('acme', 'ada');
    const env = createEnv({ home: sandbox.home, cwd: sandbox.work, vars: { SKILLSYNC_HOME: sandbox.skillsyncHome, ...secrets, SKILLSYNC_DEVICE: 'ada-desktop' } });
    const paths = skillsyncPaths(env);
    await mkdir(paths.state, { recursive: true });
    const file = path.join(paths.state, STATE_DATABASE_NAME);
    const append = async (count: number): Promise<void> => {
      const log = await openAuditLog({ file });
      for (let index = 0; index < count; index += 1) {
        log.append({ time: new Date(), principal: 'ada', client: 'claude-code', action: 'callTool', connector: 'github', target: `search_${index}`, decision: 'allow', outcome: 'ok' });
      }
      await log.close();
    };
    const uploaded = async (): Promise<{ seq: number; prevHash: string; hash: string }[]> => {
      const response = await fetch(`${addressOf('acme')}/audit/runtime?user=ada&device=ada-desktop`, { headers: { authorization: `Bearer ${ownerTokens.get('acme') ?? ''}` } });
      return runtimeAuditList.parse(await response.json()).records.map((entry) => entry.record);
    };
    await append(3);

    const daemon = await startDaemon({
      env,
      paths,
      settings: { onDrift: { connector: 'repair', skill: 'repair', instructions: 'repair' }, settleMs: 100 },
      version: '0.0.0-test',
      dashboard: false,
      tray: false,
      auditUploadMs: 200,
    });
    try {
      const first = await eventually(async () => ((await uploaded()).length === 3 ? uploaded() : undefined), 'the first batch');
      expect(first.map((record) => record.seq)).toEqual([1, 2, 3]);
      await append(2);
      const all = await eventually(async () => ((await uploaded()).length === 5 ? uploaded() : undefined), 'the second batch');
      expect(all.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
      // The second batch chains from the first: the server took it as one chain.
      expect(all[3]?.prevHash).toBe(all[2]?.hash);
      // The daemon's first look reported this device too.
      await eventually(async () => ((await parityOf('acme', 'ada'))?.devices === 1 ? true : undefined), "the daemon's parity report");
    } finally {
      const stopping = Date.now();
      await daemon.stop();
      expect(Date.now() - stopping).toBeLessThan(5_000);
    }
  });
});
