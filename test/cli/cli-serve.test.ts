import { type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StreamableHTTPClientTransport, type Client } from '@modelcontextprotocol/client';
import { SkillsClient } from '@modelcontextprotocol/client/ext/skills';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildStdioTestServer, connectTestClient, isAlive, textOf, waitFor } from '../support/mcp/harness.js';
import { createSandbox, spawnServe, type Sandbox, type ServeProcess } from './cli-sandbox.js';

/*
 * `skillsync serve` as a client runs it: the built CLI, a child process speaking MCP on
 * its stdio, with a temp HOME, a project manifest, and a secret in the file store. The
 * connector is the stdio test server (support/mcp), spawned by the gateway.
 */

let sandbox: Sandbox;
let server: { file: string; cleanup: () => Promise<void> };
const secret = `sk-e2e-${randomBytes(16).toString('hex')}`;
const started: ChildProcessWithoutNullStreams[] = [];

beforeAll(async () => {
  [sandbox, server] = await Promise.all([createSandbox(), buildStdioTestServer()]);
  const connector = (label: string, extra = ''): string =>
    `  ${label}:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(server.file)}]\n    env:\n      TEST_SERVER_LABEL: ${label}\n      API_TOKEN: \${secret:API_TOKEN}\n${extra}`;
  await writeFile(
    path.join(sandbox.work, 'skillsync.yaml'),
    `version: 1\nconnectors:\n${connector('files', '      TEST_SERVER_GRANDCHILD: "1"\n')}${connector('notes')}  off:\n    enabled: false\n    command: /nonexistent\n`,
  );
  const stored = await sandbox.run(['secret', 'set', 'API_TOKEN', '--from-env', 'PLANTED'], { env: { SKILLSYNC_SECRETS_BACKEND: 'file', PLANTED: secret } });
  expect(stored.code).toBe(0);
});

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

afterAll(async () => {
  await Promise.all([sandbox.cleanup(), server.cleanup()]);
});

function serve(args: readonly string[], cwd = sandbox.work): ServeProcess {
  return spawnServe(sandbox, args, { cwd, started });
}

async function pidsOf(client: Client, connector: string): Promise<number[]> {
  return (JSON.parse(textOf(await client.callTool({ name: `${connector}__status`, arguments: {} }))) as { pids: number[] }).pids;
}

describe('skillsync serve over stdio', () => {
  it('serves the manifest’s connectors namespaced, with the secret only in the connector’s environment', async () => {
    const gateway = serve(['--client', 'cursor', '--verbose']);
    const client = await connectTestClient(gateway.transport);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain('files__echo');
    expect(tools).toContain('notes__echo');
    expect(tools.some((name) => name.startsWith('off__'))).toBe(false);
    expect(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'hello' } }))).toBe('notes: hello');
    const sha256 = createHash('sha256').update(secret).digest('hex');
    expect(JSON.parse(textOf(await client.callTool({ name: 'files__env_check', arguments: { name: 'API_TOKEN', sha256 } })))).toEqual({ present: true, matches: true });
    expect(textOf(await client.callTool({ name: 'files__leak_env', arguments: { name: 'API_TOKEN' } }))).toBe('value of API_TOKEN: [REDACTED]');
    await client.close();
    expect(await gateway.exited).toBe(0);

    // --verbose shows the connection events, on stderr only.
    expect(gateway.stderr()).toContain('connector files ready (stdio');
    expect(gateway.stderr()).toContain('stopping (stdin closed)');
    const everything = JSON.stringify(gateway.transport.received) + gateway.stderr();
    expect(everything).not.toContain(secret);
  });

  it('is quiet on stderr by default, and ends every connector process when stdin closes', async () => {
    const gateway = serve([]);
    const client = await connectTestClient(gateway.transport);
    const pids = await pidsOf(client, 'files');
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);
    await client.close();
    expect(await gateway.exited).toBe(0);
    await waitFor(() => !pids.some(isAlive), 8000, 'the connector processes to exit');
    expect(gateway.stderr()).toBe('');
  });

  it('shuts down on SIGTERM and on SIGINT, leaving no process behind', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const gateway = serve(['--connector', 'files']);
      const client = await connectTestClient(gateway.transport);
      expect((await client.listTools()).tools.every((tool) => tool.name.startsWith('files__'))).toBe(true);
      const pids = await pidsOf(client, 'files');
      gateway.child.kill(signal);
      expect(await gateway.exited).toBe(0);
      await waitFor(() => !pids.some(isAlive), 8000, `the connector processes to exit after ${signal}`);
    }
  });

  it('reports a connector that cannot start on stderr and serves the others', async () => {
    const userManifest = path.join(sandbox.skillsyncHome, 'config', 'skillsync.yaml');
    await mkdir(path.dirname(userManifest), { recursive: true });
    await writeFile(userManifest, 'version: 1\nconnectors:\n  broken:\n    command: /nonexistent/skillsync-e2e-command\n');
    try {
      const gateway = serve([]);
      const client = await connectTestClient(gateway.transport);
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools).toContain('notes__echo');
      expect(tools.some((name) => name.startsWith('broken__'))).toBe(false);
      await client.close();
      expect(await gateway.exited).toBe(0);
      expect(gateway.stderr()).toContain('connector broken is not available: GATEWAY_CONNECTOR_FAILED: Connector broken could not start: the command /nonexistent/skillsync-e2e-command was not found');
      // --scope project leaves the user manifest's connector out.
      const project = serve(['--scope', 'project']);
      const projectClient = await connectTestClient(project.transport);
      await projectClient.close();
      expect(await project.exited).toBe(0);
      expect(project.stderr()).toBe('');
    } finally {
      await rm(userManifest);
    }
  });

  it('refuses --json, unknown connectors and a remote --http host, before starting anything', async () => {
    const json = await sandbox.run(['serve', '--json']);
    expect(json.code).toBe(2);
    const unknown = await sandbox.run(['serve', '--connector', 'fles']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('CONNECTOR_NOT_FOUND');
    expect(unknown.stderr).toContain('did you mean files?');
    const remote = await sandbox.run(['serve', '--http', '0.0.0.0:0']);
    expect(remote.code).toBe(1);
    expect(remote.stderr).toContain('GATEWAY_REMOTE_REFUSED');
    const help = await sandbox.run(['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('skillsync serve --client cursor --scope user');
  });
});

describe('skillsync serve: skills and naming', () => {
  const project = (): string => path.join(sandbox.work, 'with-skills');
  const skill = '---\nname: notes-helper\ndescription: Keeps notes tidy. Use it when notes need sorting.\nmetadata:\n  version: "1.0.0"\n---\n\n# Notes helper\n\nSort them.\n';

  beforeAll(async () => {
    await mkdir(path.join(project(), 'skills', 'notes-helper'), { recursive: true });
    await writeFile(path.join(project(), 'skills', 'notes-helper', 'SKILL.md'), skill);
    await writeFile(
      path.join(project(), 'skillsync.yaml'),
      `version: 1\nskills:\n  notes-helper: ./skills/notes-helper\nconnectors:\n  notes:\n    command: ${JSON.stringify(process.execPath)}\n    args: [${JSON.stringify(server.file)}]\n    env:\n      TEST_SERVER_LABEL: notes\n`,
    );
  });

  it('reports skills that are not installed yet on stderr, and serves the connectors without them', async () => {
    const gateway = serve(['--scope', 'project'], project());
    const client = await connectTestClient(gateway.transport);
    expect((await new SkillsClient(client).list()).skills).toEqual([]);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('skillsync__list_skills');
    await client.close();
    expect(await gateway.exited).toBe(0);
    expect(gateway.stderr()).toContain('not serving skills that are not installed yet (run `skillsync install`): notes-helper');
  });

  it('serves the installed skills over the Skills extension, as prompts and tools; --namespace auto keeps unshared names', async () => {
    const installed = await sandbox.run(['install'], { cwd: project() });
    expect(installed.code, installed.stderr).toBe(0);
    const gateway = serve(['--scope', 'project', '--namespace', 'auto'], project());
    const client = await connectTestClient(gateway.transport);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'whoami_notes', 'skillsync__list_skills', 'skillsync__load_skill']));
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(expect.arrayContaining(['greet', 'notes-helper']));
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'plain' } }))).toBe('notes: plain');
    const skills = new SkillsClient(client);
    const [entry] = (await skills.list()).skills;
    expect(entry?.uri).toBe('skill://skillsync/notes-helper/SKILL.md');
    if (entry === undefined) throw new Error('no skill listed');
    expect(await skills.read(entry)).toMatchObject({ verified: true, text: skill });
    expect(textOf(await client.callTool({ name: 'skillsync__load_skill', arguments: { skill: 'notes-helper' } }))).toContain('# Notes helper');
    await client.close();
    expect(await gateway.exited).toBe(0);
    expect(gateway.stderr()).toBe('');
  });

  it('serves no skills to a client that takes skill folders (sync writes them there), unless --skills all', async () => {
    const folders = serve(['--scope', 'project', '--client', 'claude-code'], project());
    const folderClient = await connectTestClient(folders.transport);
    expect((await new SkillsClient(folderClient).list()).skills).toEqual([]);
    expect((await folderClient.listTools()).tools.map((tool) => tool.name)).not.toContain('skillsync__load_skill');
    await folderClient.close();
    expect(await folders.exited).toBe(0);

    const forced = serve(['--scope', 'project', '--client', 'claude-code', '--skills', 'all'], project());
    const forcedClient = await connectTestClient(forced.transport);
    expect((await new SkillsClient(forcedClient).list()).skills.map((entry) => entry.uri)).toEqual(['skill://skillsync/notes-helper/SKILL.md']);
    await forcedClient.close();
    expect(await forced.exited).toBe(0);

    // Claude Desktop takes no skill folders: the gateway is how its skills reach it.
    const desktop = serve(['--scope', 'project', '--client', 'claude-desktop'], project());
    const desktopClient = await connectTestClient(desktop.transport);
    expect((await new SkillsClient(desktopClient).list()).skills).toHaveLength(1);
    await desktopClient.close();
    expect(await desktop.exited).toBe(0);
  });

  it('refuses a --namespace it does not know before starting anything', async () => {
    const refused = await sandbox.run(['serve', '--namespace', 'sometimes']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--namespace sometimes: not a naming mode. Allowed: always, auto.');
  });
});

describe('skillsync serve --http', () => {
  it('requires the bearer token from --token-file and serves with it', async () => {
    const token = randomBytes(24).toString('hex');
    const tokenFile = path.join(sandbox.root, 'gateway.token');
    await writeFile(tokenFile, `${token}\n`, { mode: 0o600 });
    const gateway = serve(['--http', '127.0.0.1:0', '--token-file', tokenFile, '--connector', 'notes']);
    await waitFor(() => gateway.stderr().includes('listening on '), 15_000, 'the gateway to listen');
    const url = /listening on (\S+)/.exec(gateway.stderr())?.[1] ?? '';
    expect(gateway.stderr()).not.toContain(token);

    const unauthorised = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(unauthorised.status).toBe(401);

    const client = await connectTestClient(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    expect(textOf(await client.callTool({ name: 'notes__echo', arguments: { text: 'over http' } }))).toBe('notes: over http');
    await client.close();
    gateway.child.kill('SIGTERM');
    expect(await gateway.exited).toBe(0);
  });

  it('generates a token when none is given and prints it once on stderr', async () => {
    const gateway = serve(['--http', ':0', '--connector', 'notes']);
    await waitFor(() => gateway.stderr().includes('bearer token'), 15_000, 'the token line');
    const token = /bearer token \(shown once[^)]*\): (\S+)/.exec(gateway.stderr())?.[1] ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(gateway.stderr().split(token)).toHaveLength(2);
    const url = /listening on (\S+)/.exec(gateway.stderr())?.[1] ?? '';
    const client = await connectTestClient(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('notes__echo');
    await client.close();
    gateway.child.kill('SIGINT');
    expect(await gateway.exited).toBe(0);
  });
});
