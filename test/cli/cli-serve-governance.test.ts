import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Client } from '@modelcontextprotocol/client';
import type { AuditRecord } from '@skillsync/policy';
import { loadSqliteEngine, STATE_DATABASE_NAME } from '@skillsync/state';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStdioTestServer, connectTestClient, protocolErrorOf, textOf, waitFor } from '../support/mcp/harness.js';
import { startHttpTestServer, type HttpTestServer } from '../support/mcp/http-server.js';
import { PLANTED_TOKEN } from '../support/mcp/test-server.js';
import { createSandbox, spawnServe, type Sandbox, type ServeProcess } from './cli-sandbox.js';

/*
 * Governance through the real `skillsync serve` process: an SDK client on its stdio, a
 * stdio connector (the test server, spawned by the gateway, with a secret from the
 * file store in its environment) and an HTTP connector (the test server in this
 * process), a project policy forbidding one tool, the manifest's principal and
 * redaction settings, and the audit log in the state database read back through
 * `skillsync audit`.
 */

let sandbox: Sandbox;
let server: { file: string; cleanup: () => Promise<void> };
let web: HttpTestServer;
// Shaped like nothing a pattern detector knows: only the known-secret path can mask it.
const secret = `e2e-secret-${randomBytes(16).toString('hex')}`;
const started: ChildProcessWithoutNullStreams[] = [];

const POLICY = `@id("permit-all")
permit (principal, action, resource);

@id("no-files-add")
forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"files/add");

@id("web-leak-sre-only")
forbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"web/leak")
  unless { principal in Skillsync::Team::"sre" };
`;

function manifest(redaction: string): string {
  return [
    'version: 1',
    'gateway:',
    '  principal: { user: ada, teams: [sre] }',
    `  redaction: ${redaction}`,
    'connectors:',
    '  files:',
    `    command: ${JSON.stringify(process.execPath)}`,
    `    args: [${JSON.stringify(server.file)}]`,
    '    env:',
    '      TEST_SERVER_LABEL: files',
    '      API_TOKEN: ${secret:API_TOKEN}',
    '  web:',
    `    url: ${web.url}`,
    '',
  ].join('\n');
}

const MASK = '{ custom: [{ name: employee-id, pattern: "EMP-\\\\d{6}" }] }';
const policyFile = (): string => path.join(sandbox.work, '.skillsync', 'policies', 'rules.cedar');

beforeAll(async () => {
  [sandbox, server, web] = await Promise.all([createSandbox(), buildStdioTestServer(), startHttpTestServer({ label: 'web' })]);
  await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest(MASK));
  await mkdir(path.dirname(policyFile()), { recursive: true });
  await writeFile(policyFile(), POLICY);
  const stored = await sandbox.run(['secret', 'set', 'API_TOKEN', '--from-env', 'PLANTED'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file', PLANTED: secret } });
  expect(stored.code, stored.stderr).toBe(0);
});

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await Promise.all([sandbox.cleanup(), server.cleanup(), web.close()]);
});

function serve(args: readonly string[]): ServeProcess {
  return spawnServe(sandbox, args, { env: { USER: 'os-user' }, started });
}

async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((tool) => tool.name);
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

async function auditRecords(): Promise<AuditRecord[]> {
  const listed = await sandbox.runJson(['audit', '--limit', '1000']);
  expect(listed.code, listed.stderr).toBe(0);
  return listed.json.records as AuditRecord[];
}

describe('skillsync serve with policy, redaction and audit', () => {
  it('enforces the policy, keeps the secret in the connector, masks results and records every decision', async () => {
    const gateway = serve(['--client', 'cursor']);
    const client = await connectTestClient(gateway.transport);
    let listChanged = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      listChanged += 1;
    });

    // The forbidden tool is not listed; the same name on the other connector is.
    const tools = await toolNames(client);
    expect(tools).not.toContain('files__add');
    expect(tools).toEqual(expect.arrayContaining(['files__echo', 'files__env_check', 'web__add', 'web__echo', 'web__leak']));

    // Calling it is answered exactly as an unknown tool.
    const denied = await protocolErrorOf(client.callTool({ name: 'files__add', arguments: { a: 1, b: 2 } }));
    const unknown = await protocolErrorOf(client.callTool({ name: 'files__nothing', arguments: { a: 1, b: 2 } }));
    expect(denied).toEqual({ ...unknown, message: unknown.message.replace('files__nothing', 'files__add') });
    expect(denied.code).toBe(-32602);

    // Allowed calls work, on both transports.
    const added = await client.callTool({ name: 'web__add', arguments: { a: 2, b: 3 } });
    expect(added.structuredContent).toEqual({ sum: 5 });
    expect(textOf(await client.callTool({ name: 'files__echo', arguments: { text: 'hello' } }))).toBe('files: hello');

    // The secret reached the stdio connector's environment, checked by its digest.
    const sha256 = createHash('sha256').update(secret).digest('hex');
    expect(JSON.parse(textOf(await client.callTool({ name: 'files__env_check', arguments: { name: 'API_TOKEN', sha256 } })))).toEqual({ present: true, matches: true });
    // A connector echoing it back hands on a mask.
    expect(textOf(await client.callTool({ name: 'files__leak_env', arguments: { name: 'API_TOKEN' } }))).toBe('value of API_TOKEN: [REDACTED]');

    // Redaction: a planted token (the team rule lets ada, of sre, call web__leak), and the manifest's custom pattern.
    const leaked = textOf(await client.callTool({ name: 'web__leak', arguments: {} }));
    expect(leaked).toBe('here is a token: [REDACTED:api-key] (planted)');
    expect(textOf(await client.callTool({ name: 'files__echo', arguments: { text: 'badge EMP-123456' } }))).toBe('files: badge [REDACTED:employee-id]');

    // Cancellation reaches the connector through the gateway.
    const controller = new AbortController();
    const slow = client.callTool({ name: 'files__slow', arguments: { ms: 20_000 } }, { signal: controller.signal });
    setTimeout(() => { controller.abort(); }, 300);
    await expect(slow).rejects.toThrow();
    await waitFor(async () => (JSON.parse(textOf(await client.callTool({ name: 'files__status', arguments: {} }))) as { cancelled: number }).cancelled === 1, 8000, 'the connector to see the cancellation');

    // A connector's list_changed reaches the client, and the new tool is listed (and allowed).
    expect(textOf(await client.callTool({ name: 'web__add_tool', arguments: {} }))).toBe('extra_1');
    await waitFor(() => listChanged > 0, 8000, 'notifications/tools/list_changed');
    expect(await toolNames(client)).toContain('web__extra_1');

    await client.close();
    expect(await gateway.exited).toBe(0);
    expect(gateway.stderr()).toBe('');

    // The audit log: allow and deny records with the deciding policies, for ada through cursor.
    const records = await auditRecords();
    const calls = records.filter((record) => record.action === 'callTool');
    expect(calls.find((record) => record.target === 'files__add')).toMatchObject({
      principal: 'ada',
      client: 'cursor',
      connector: 'files',
      decision: 'deny',
      outcome: 'denied',
      policyIds: ['no-files-add'],
    });
    expect(calls.find((record) => record.target === 'web__add')).toMatchObject({ principal: 'ada', client: 'cursor', connector: 'web', decision: 'allow', outcome: 'ok', policyIds: ['permit-all'] });
    expect(calls.find((record) => record.target === 'web__leak')).toMatchObject({ decision: 'allow', outcome: 'redacted', detail: 'api-key ×1' });
    expect(calls.find((record) => record.target === 'files__nothing')).toMatchObject({ decision: 'deny', outcome: 'error' });
    expect(calls.every((record) => record.policyVersion?.startsWith('sha256:') === true && /^sha256:[0-9a-f]{64}$/.test(record.argumentsDigest ?? ''))).toBe(true);
    expect(records.some((record) => record.action === 'listTools')).toBe(true);

    const verified = await sandbox.run(['audit', 'verify']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);

    // The secret is nowhere but the connector's environment: not on serve's stdout or
    // stderr, not in the audit export, not in any file of the sandbox (the secret store
    // keeps it encrypted), and neither is the planted token.
    const exported = await sandbox.run(['audit', 'export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout.trimEnd().split('\n')).toHaveLength(records.length);
    const output = JSON.stringify(gateway.transport.received) + gateway.stderr() + exported.stdout;
    expect(output).not.toContain(secret);
    expect(output).not.toContain(PLANTED_TOKEN);
    const files = await filesUnder(sandbox.root);
    expect(files.some((file) => file.endsWith(STATE_DATABASE_NAME))).toBe(true);
    expect(files.some((file) => file.includes(`${path.sep}secrets${path.sep}`))).toBe(true);
    for (const file of files) {
      const bytes = await readFile(file);
      expect(bytes.includes(secret), file).toBe(false);
      expect(bytes.includes(PLANTED_TOKEN), file).toBe(false);
    }

    // Tampering with one record is found, and named.
    const target = calls.find((record) => record.target === 'files__add');
    expect(target).toBeDefined();
    const raw = loadSqliteEngine().open(path.join(sandbox.skillsyncHome, 'state', STATE_DATABASE_NAME));
    try {
      raw.sync.prepare("UPDATE audit_log SET decision = 'allow', outcome = 'ok' WHERE seq = ?").run(target!.seq);
    } finally {
      raw.close();
    }
    const broken = await sandbox.run(['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`record ${target!.seq} edited`);
    const json = await sandbox.runJson(['audit', 'verify']);
    expect(json).toMatchObject({ code: 1, json: { problem: { seq: target!.seq, kind: 'edited' } } });
    const repaired = loadSqliteEngine().open(path.join(sandbox.skillsyncHome, 'state', STATE_DATABASE_NAME));
    try {
      repaired.sync.prepare("UPDATE audit_log SET decision = 'deny', outcome = 'denied' WHERE seq = ?").run(target!.seq);
    } finally {
      repaired.close();
    }
    expect((await sandbox.run(['audit', 'verify'])).code).toBe(0);
  });

  it('withholds a result with a finding in block mode', async () => {
    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest('{ mode: block }'));
    try {
      const gateway = serve(['--client', 'cursor', '--connector', 'web']);
      const client = await connectTestClient(gateway.transport);
      const blocked = await client.callTool({ name: 'web__leak', arguments: {} });
      expect(blocked.isError).toBe(true);
      expect(textOf(blocked)).toBe('skillsync withheld this result: it contains data your redaction policy blocks (api-key ×1).');
      expect(JSON.stringify(blocked)).not.toContain(PLANTED_TOKEN);
      expect(textOf(await client.callTool({ name: 'web__echo', arguments: { text: 'clean' } }))).toBe('web: clean');
      await client.close();
      expect(await gateway.exited).toBe(0);
      const records = await auditRecords();
      expect(records.filter((record) => record.target === 'web__leak').at(-1)).toMatchObject({ decision: 'allow', outcome: 'blocked', detail: 'api-key ×1' });
    } finally {
      await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest(MASK));
    }
  });

  it('reads the policies again on SIGHUP, and keeps the old ones when the new ones are invalid', async () => {
    try {
      const gateway = serve(['--connector', 'web']);
      const client = await connectTestClient(gateway.transport);
      expect(await toolNames(client)).toContain('web__echo');

      await writeFile(policyFile(), `${POLICY}\n@id("no-web-echo")\nforbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"web/echo");\n`);
      gateway.child.kill('SIGHUP');
      await waitFor(() => gateway.stderr().includes('policies reloaded'), 8000, 'the reload');
      expect(await toolNames(client)).not.toContain('web__echo');
      expect((await protocolErrorOf(client.callTool({ name: 'web__echo', arguments: { text: 'x' } }))).message).toContain('Unknown tool: web__echo');

      await writeFile(policyFile(), 'forbid (principal, action == Skillsync::Action::"nope", resource);\n');
      gateway.child.kill('SIGHUP');
      await waitFor(() => gateway.stderr().includes('policies not reloaded'), 8000, 'the refused reload');
      expect(gateway.stderr()).toContain('POLICY_INVALID');
      expect(await toolNames(client)).not.toContain('web__echo');
      expect(await toolNames(client)).toContain('web__add');

      await client.close();
      expect(await gateway.exited).toBe(0);
    } finally {
      await writeFile(policyFile(), POLICY);
    }
  });

  it('refuses to start on an invalid policy, and warns once without the audit log', async () => {
    await writeFile(policyFile(), 'permit (principal, action, resource);\nforbid (principal, action == Skillsync::Action::"nope", resource);\n');
    try {
      const refused = await sandbox.run(['serve'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file' } });
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^error POLICY_INVALID: .*rules\.cedar:2:/);
    } finally {
      await writeFile(policyFile(), POLICY);
    }
    const before = (await auditRecords()).length;
    const gateway = serve(['--no-audit', '--connector', 'web']);
    const client = await connectTestClient(gateway.transport);
    expect(textOf(await client.callTool({ name: 'web__echo', arguments: { text: 'unrecorded' } }))).toBe('web: unrecorded');
    await client.close();
    expect(await gateway.exited).toBe(0);
    expect(gateway.stderr()).toBe('skillsync serve: the audit log is off (--no-audit): calls are authorized and redacted but not recorded\n');
    expect(await auditRecords()).toHaveLength(before);
  });
});
