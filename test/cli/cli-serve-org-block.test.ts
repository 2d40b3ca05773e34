import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Client } from '@modelcontextprotocol/client';
import { createEnv, skillsyncPaths } from '@skillsync/core';
import type { AuditRecord } from '@skillsync/policy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { orgProfileCacheFile } from '../../apps/cli/src/org-profiles.js';
import { buildStdioTestServer, connectTestClient, isAlive, protocolErrorOf, textOf, waitFor } from '../support/mcp/harness.js';
import { createSandbox, spawnServe, type Sandbox } from './cli-sandbox.js';

/*
 * Issue #6, org profiles: a running `skillsync serve` stops serving a connector that the
 * cached org profile blocks after it started, and starts it again when the profile lets
 * it through. The gateway fronts two stdio test servers; the test plays the daemon by
 * rewriting the cached profile file, as a fetch does (written aside, then renamed).
 */

const ACME = 'https://skills.example.com/v0.1/orgs/acme';

let sandbox: Sandbox;
let server: { file: string; cleanup: () => Promise<void> };
const started: ChildProcessWithoutNullStreams[] = [];

/** Writes the cached profile of acme, blocking `blocked`, the way a fetch replaces it. */
async function cacheProfile(revision: string, blocked: readonly string[]): Promise<void> {
  const env = createEnv({ home: sandbox.home, cwd: sandbox.work, vars: { SKILLSYNC_HOME: sandbox.skillsyncHome } });
  const file = orgProfileCacheFile(env, ACME);
  await mkdir(path.dirname(file), { recursive: true });
  const profile = { revision, sources: ['org'], required: [], blockedSkills: [], blockedConnectors: blocked, policies: [], conflicts: [] };
  await writeFile(`${file}.tmp`, JSON.stringify({ address: ACME, fetchedAt: '2026-03-01T12:00:00.000Z', profile }));
  await rename(`${file}.tmp`, file);
}

beforeAll(async () => {
  [sandbox, server] = await Promise.all([createSandbox(), buildStdioTestServer()]);
  const connector = (label: string, extra = ''): string =>
    `  ${label}:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(server.file)}]\n    env:\n      TEST_SERVER_LABEL: ${label}\n${extra}`;
  // notes starts a grandchild, as an `npx` wrapper would: stopping it must end that too.
  await writeFile(path.join(sandbox.work, 'skillsync.yaml'), `version: 1\nconnectors:\n${connector('files')}${connector('notes', '      TEST_SERVER_GRANDCHILD: "1"\n')}`);
  const config = skillsyncPaths(createEnv({ home: sandbox.home, cwd: sandbox.work, vars: { SKILLSYNC_HOME: sandbox.skillsyncHome } })).config;
  await mkdir(config, { recursive: true });
  await writeFile(path.join(config, 'registries.json'), JSON.stringify({ registries: [{ address: ACME, secret: 'registry.acme', user: 'ada', savedAt: '2026-01-01T00:00:00.000Z' }] }));
});

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await Promise.all([sandbox.cleanup(), server.cleanup()]);
});

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

async function pidsOf(client: Client, connector: string): Promise<number[]> {
  return (JSON.parse(textOf(await client.callTool({ name: `${connector}__status`, arguments: {} }))) as { pids: number[] }).pids;
}

describe('skillsync serve when the org profile changes while it runs', () => {
  it('stops a connector the profile now blocks (lists, calls, processes), keeps the others, and starts it again once unblocked', async () => {
    await cacheProfile('r1', []);
    const gateway = spawnServe(sandbox, ['--client', 'cursor'], { env: { USER: 'ada' }, started });
    const client = await connectTestClient(gateway.transport);
    const notified = { tools: 0, prompts: 0, resources: 0 };
    client.setNotificationHandler('notifications/tools/list_changed', () => { notified.tools += 1; });
    client.setNotificationHandler('notifications/prompts/list_changed', () => { notified.prompts += 1; });
    client.setNotificationHandler('notifications/resources/list_changed', () => { notified.resources += 1; });

    expect(await toolNames(client)).toEqual(expect.arrayContaining(['files__echo', 'notes__echo']));
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toContain('notes__greet');
    const notesPids = await pidsOf(client, 'notes');
    expect(notesPids).toHaveLength(2);
    expect(notesPids.every(isAlive)).toBe(true);
    const filesPids = await pidsOf(client, 'files');

    await cacheProfile('r2', ['notes']);
    await waitFor(() => notified.tools > 0, 5000, 'notifications/tools/list_changed');
    await waitFor(() => notified.prompts > 0 && notified.resources > 0, 5000, 'the prompts and resources list_changed');

    const tools = await toolNames(client);
    expect(tools.filter((name) => name.startsWith('notes__'))).toEqual([]);
    expect(tools).toContain('files__echo');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).not.toContain('notes__greet');
    // A call to the blocked connector's tool is answered exactly as a name never served.
    const blocked = await protocolErrorOf(client.callTool({ name: 'notes__echo', arguments: { text: 'x' } }));
    const unknown = await protocolErrorOf(client.callTool({ name: 'nothing__echo', arguments: { text: 'x' } }));
    expect(blocked).toEqual({ ...unknown, message: unknown.message.replace('nothing__echo', 'notes__echo') });
    expect(blocked.code).toBe(-32602);
    // Its process and its grandchild are gone; the other connector's process serves on.
    await waitFor(() => !notesPids.some(isAlive), 8000, 'the blocked connector processes to exit');
    expect(textOf(await client.callTool({ name: 'files__echo', arguments: { text: 'still here' } }))).toBe('files: still here');
    expect(await pidsOf(client, 'files')).toEqual(filesPids);
    await waitFor(() => gateway.stderr().includes('connector notes stopped'), 5000, 'the stderr line');
    expect(gateway.stderr()).toContain('skillsync serve: connector notes stopped: the acme org profile blocks the connector notes\n');

    // Unblocked: started again (a new process), and the clients are told.
    const before = notified.tools;
    await cacheProfile('r3', []);
    await waitFor(() => notified.tools > before, 8000, 'notifications/tools/list_changed after the unblock');
    expect(await toolNames(client)).toContain('notes__echo');
    expect(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'back' } }))).toBe('notes: back');
    const restarted = await pidsOf(client, 'notes');
    expect(restarted.some((pid) => notesPids.includes(pid))).toBe(false);

    await client.close();
    expect(await gateway.exited).toBe(0);
    await waitFor(() => !restarted.some(isAlive), 8000, 'the restarted connector processes to exit');
    expect(gateway.stderr()).toContain('skillsync serve: connector notes started: no org profile refuses it any more\n');

    // One audit record each, naming the connector and the org's reason.
    const listed = await sandbox.runJson(['audit', '--limit', '1000']);
    expect(listed.code, listed.stderr).toBe(0);
    const changes = (listed.json.records as AuditRecord[]).filter((record) => record.action === 'stopConnector' || record.action === 'startConnector');
    expect(changes).toEqual([
      expect.objectContaining({ action: 'stopConnector', connector: 'notes', principal: 'ada', client: 'cursor', decision: 'deny', outcome: 'denied', detail: 'the acme org profile blocks the connector notes' }),
      expect.objectContaining({ action: 'startConnector', connector: 'notes', decision: 'allow', outcome: 'ok', detail: 'no org profile refuses it any more' }),
    ]);
    const denied = (listed.json.records as AuditRecord[]).find((record) => record.action === 'callTool' && record.target === 'notes__echo' && record.decision === 'deny');
    expect(denied).toMatchObject({ outcome: 'error', detail: 'unknown name' });
  });
});
