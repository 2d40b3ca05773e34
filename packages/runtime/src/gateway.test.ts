import { createHash, randomBytes } from 'node:crypto';
import { type Client } from '@modelcontextprotocol/client';
import { createEnv, type ConnectorDefinition } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { useGatewayUpstreams, connectTestClient, isAlive, linkedPair, protocolErrorOf, textOf, waitFor, type Era } from '../../../test/support/mcp/harness.js';
import { startHttpTestServer } from '../../../test/support/mcp/http-server.js';
import { PLANTED_TOKEN } from '../../../test/support/mcp/test-server.js';
import { createPolicyEngine, DEFAULT_POLICY_FILE, digestArguments } from '@skillsync/policy';
import { createGateway, serveGatewayStdio, type AuditRecord, type Gateway, type GatewayEvent, type GatewayOptions, type Redaction } from './index.js';

/*
 * The gateway against real servers: a stdio test server the gateway spawns as a child
 * process (`local`) and a Streamable HTTP test server in this process (`remote`), with
 * real SDK clients of both protocol revisions talking to the gateway in memory.
 */

const upstreams = useGatewayUpstreams();

function local(extra: Partial<ConnectorDefinition> = {}): ConnectorDefinition {
  return { command: process.execPath, args: [upstreams.stdio.file], ...extra, env: { TEST_SERVER_LABEL: 'local', ...extra.env } };
}

/**
 * `local` as a server that speaks 2025-11-25 only, so 2026-07-28 clients reach it through
 * the gateway's translation (input_required ⇄ a real elicitation or sampling request);
 * `remote` (the HTTP test server) is 2025-11-25 only too.
 */
function legacyOnly(): Partial<GatewayOptions> {
  return { connectors: { local: local({ env: { TEST_SERVER_ERA: 'legacy' } }), remote: { url: upstreams.http.url } } };
}

interface Started {
  readonly gateway: Gateway;
  readonly events: GatewayEvent[];
  readonly audit: AuditRecord[];
}

async function startGateway(options: Partial<GatewayOptions> = {}): Promise<Started> {
  const events: GatewayEvent[] = [];
  const audit: AuditRecord[] = [];
  const gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH, USER: 'ada' } }),
    connectors: { local: local(), remote: { url: upstreams.http.url } },
    audit: { append: (record) => audit.push(record) },
    onEvent: (event) => events.push(event),
    ...options,
  });
  upstreams.cleanups.push(() => gateway.close());
  await gateway.start();
  return { gateway, events, audit };
}

async function connect(
  gateway: Gateway,
  options: { era?: Era; name?: string; onElicit?: (params: { message: string }) => { action: 'accept'; content: Record<string, string> }; onSample?: (prompt: string) => string } = {},
): Promise<Client> {
  const [clientSide, gatewaySide] = linkedPair();
  const serving = serveGatewayStdio(gateway, { transport: gatewaySide });
  const client = await connectTestClient(clientSide, options);
  upstreams.cleanups.push(async () => {
    await client.close();
    await serving.close();
  });
  return client;
}

async function status(client: Client, connector: string): Promise<{ calls: number; cancelled: number; pids: number[] }> {
  return JSON.parse(textOf(await client.callTool({ name: `${connector}__status`, arguments: {} }))) as { calls: number; cancelled: number; pids: number[] };
}

describe.each(['legacy', 'modern'] as const)('the gateway to a %s client', (era) => {
  it('lists every upstream tool and prompt under its connector name, and calls through to both transports', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway, { era });
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain('local__echo');
    expect(tools).toContain('remote__echo');
    // No skills to serve, so none of the gateway's own skill tools either.
    expect(tools.every((name) => /^(local|remote)__[a-z_0-9]+$/.test(name))).toBe(true);
    const prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
    expect(prompts).toEqual(['local__greet', 'remote__greet']);

    expect(textOf(await client.callTool({ name: 'local__echo', arguments: { text: 'hi' } }))).toBe('local: hi');
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'hi' } }))).toBe('remote: hi');
    const added = await client.callTool({ name: 'remote__add', arguments: { a: 2, b: 3 } });
    expect(added.structuredContent).toEqual({ sum: 5 });
    const prompt = await client.getPrompt({ name: 'remote__greet', arguments: { name: 'Ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Say hello to Ada from remote.' });
  });

  it('passes progress notifications through, with the client’s own progress token', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway, { era });
    for (const connector of ['local', 'remote']) {
      const seen: { progress: number; total?: number; message?: string }[] = [];
      const result = await client.callTool({ name: `${connector}__progress`, arguments: { steps: 3 } }, { onprogress: (progress) => seen.push(progress) });
      expect(textOf(result)).toBe('3 steps done');
      expect(seen.map(({ progress, total, message }) => ({ progress, total, message }))).toEqual([
        { progress: 1, total: 3, message: 'step 1' },
        { progress: 2, total: 3, message: 'step 2' },
        { progress: 3, total: 3, message: 'step 3' },
      ]);
    }
  });

  it('passes a cancellation on to the upstream request', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway, { era });
    for (const connector of ['local', 'remote']) {
      const before = (await status(client, connector)).cancelled;
      const controller = new AbortController();
      const call = client.callTool({ name: `${connector}__slow`, arguments: { ms: 20_000 } }, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 200));
      controller.abort();
      await expect(call).rejects.toThrow();
      await waitFor(async () => (await status(client, connector)).cancelled === before + 1, 5000, `${connector} to see the cancellation`);
    }
  });

  it('routes an upstream elicitation back to the client that made the call', async () => {
    const { gateway } = await startGateway(legacyOnly());
    const asked: string[] = [];
    const a = await connect(gateway, { era, name: 'client-a', onElicit: ({ message }) => (asked.push(`a: ${message}`), { action: 'accept', content: { answer: 'from a' } }) });
    const b = await connect(gateway, { era: 'legacy', name: 'client-b', onElicit: ({ message }) => (asked.push(`b: ${message}`), { action: 'accept', content: { answer: 'from b' } }) });
    expect(textOf(await a.callTool({ name: 'local__ask', arguments: { question: 'colour?' } }))).toBe('answer: from a');
    expect(textOf(await b.callTool({ name: 'remote__ask', arguments: { question: 'size?' } }))).toBe('answer: from b');
    expect(textOf(await a.callTool({ name: 'remote__ask', arguments: { question: 'shape?' } }))).toBe('answer: from a');
    expect(asked).toEqual(['a: colour?', 'b: size?', 'a: shape?']);
  });

  it('routes an upstream sampling request back to the calling client, and refuses it for a client without sampling', async () => {
    const { gateway } = await startGateway(legacyOnly());
    const sampler = await connect(gateway, { era, name: 'sampler', onSample: (prompt) => `echo of ${prompt}` });
    expect(textOf(await sampler.callTool({ name: 'local__sample', arguments: { prompt: 'hi' } }))).toBe('model test-model said: echo of hi');
    expect(textOf(await sampler.callTool({ name: 'remote__sample', arguments: { prompt: 'yo' } }))).toBe('model test-model said: echo of yo');
    const plain = await connect(gateway, { era, name: 'plain' });
    const refused = await plain.callTool({ name: 'local__sample', arguments: { prompt: 'hi' } });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain('plain did not declare the sampling capability');
  });

  it('refuses an elicitation, with a clear error, when the calling client did not declare the capability', async () => {
    const { gateway, events } = await startGateway(legacyOnly());
    const client = await connect(gateway, { era, name: 'no-elicitation' });
    const result = await client.callTool({ name: 'local__ask', arguments: { question: 'colour?' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('no-elicitation did not declare the elicitation capability');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'request-refused', connector: 'local', method: 'elicitation/create' }));
  });

  it('asks for input the connector’s way: input_required passed through on 2026-07-28, a real elicitation on 2025-11-25', async () => {
    const { gateway, audit } = await startGateway();
    const client = await connect(gateway, { era, name: 'confirmer', onElicit: ({ message }) => ({ action: 'accept', content: { answer: `yes to ${message}` } }) });
    // The SDK client fulfils input_required itself on 2026-07-28 (and the server's own shim sends elicitation/create on 2025-11-25).
    expect(textOf(await client.callTool({ name: 'local__confirm', arguments: { question: 'deploy?' } }))).toBe('confirmed: yes to deploy?');
    expect(audit.filter((record) => record.target === 'local__confirm').map((record) => record.outcome)).toEqual(era === 'modern' ? ['ok', 'ok'] : ['ok']);
  });

  it('passes list_changed on: a tool an upstream adds appears, namespaced', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway, { era });
    const notified = new Promise<void>((resolve) => {
      client.setNotificationHandler('notifications/tools/list_changed', () => { resolve(); });
    });
    if (era === 'modern') await client.listen({ toolsListChanged: true });
    expect(textOf(await client.callTool({ name: 'local__add_tool', arguments: {} }))).toBe('extra_1');
    await notified;
    await waitFor(async () => (await client.listTools()).tools.some((tool) => tool.name === 'local__extra_1'), 5000, 'the new tool');
    expect(textOf(await client.callTool({ name: 'local__extra_1', arguments: {} }))).toBe('extra_1');
  });

  it('reads resources by URI (listed, templated, and a URI two connectors share: the first by name wins)', async () => {
    const { gateway, events } = await startGateway();
    const client = await connect(gateway, { era });
    const uris = (await client.listResources()).resources.map((resource) => resource.uri);
    expect(uris).toEqual(expect.arrayContaining(['test://local/readme', 'test://remote/readme', 'test://shared/notice']));
    expect(uris.filter((uri) => uri === 'test://shared/notice')).toHaveLength(1);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate);
    expect(templates).toEqual(['test://local/items/{id}', 'test://remote/items/{id}']);
    const read = async (uri: string): Promise<unknown> => (await client.readResource({ uri })).contents[0];
    expect(await read('test://remote/readme')).toMatchObject({ text: 'readme of remote' });
    expect(await read('test://shared/notice')).toMatchObject({ text: 'shared notice from local' });
    expect(await read('test://remote/items/7')).toMatchObject({ text: 'item 7 of remote' });
    expect(events).toContainEqual({ kind: 'resource-clash', uri: 'test://shared/notice', kept: 'local', hidden: 'remote' });
  });
});

describe('authorization', () => {
  it('hides a denied tool from tools/list and refuses its call exactly as an unknown tool', async () => {
    const { gateway, audit } = await startGateway({
      // Policies see the upstream's own tool name and its connector, not the namespaced name.
      authorize: (request) => {
        const echo = request.resource.connector === 'local' && request.resource.id === 'echo';
        return { decision: request.action === 'callTool' && echo ? 'deny' : 'allow', policyIds: echo ? ['forbid-echo'] : [] };
      },
      policyVersion: 'v7',
    });
    const client = await connect(gateway);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).not.toContain('local__echo');
    expect(tools).toContain('local__add');
    const args = { text: 'a-distinctive-argument-value' };
    const denied = await protocolErrorOf(client.callTool({ name: 'local__echo', arguments: args }));

    // The same name on a gateway where the tool does not exist (the allow-list drops it).
    const { gateway: without } = await startGateway({ connectors: { local: local({ tools: ['add', 'status'] }) } });
    const other = await connect(without);
    expect((await other.listTools()).tools.map((tool) => tool.name)).toEqual(['local__add', 'local__status']);
    const unknown = await protocolErrorOf(other.callTool({ name: 'local__echo', arguments: args }));
    expect(denied).toEqual(unknown);
    expect(denied.code).toBe(-32602);

    const record = audit.find((entry) => entry.action === 'callTool' && entry.target === 'local__echo');
    expect(record).toMatchObject({ decision: 'deny', outcome: 'denied', principal: 'ada', connector: 'local', policyIds: ['forbid-echo'], policyVersion: 'v7', argumentsDigest: digestArguments(args) });
    expect(JSON.stringify(audit)).not.toContain('a-distinctive-argument-value');
  });

  it('audits every allowed call with a digest of its arguments, never the arguments', async () => {
    const { gateway, audit } = await startGateway({ client: 'cursor' });
    const client = await connect(gateway);
    await client.callTool({ name: 'local__add', arguments: { b: 3, a: 2 } });
    const record = audit.find((entry) => entry.action === 'callTool');
    expect(record).toMatchObject({ client: 'cursor', principal: 'ada', connector: 'local', target: 'local__add', decision: 'allow', outcome: 'ok' });
    expect(record?.argumentsDigest).toBe(`sha256:${createHash('sha256').update('{"a":2,"b":3}').digest('hex')}`);
    expect(record?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(record?.time).toBeInstanceOf(Date);
    expect(audit.some((entry) => entry.action === 'listTools')).toBe(false);
    await client.listTools();
    expect(audit.find((entry) => entry.action === 'listTools')).toMatchObject({ decision: 'allow', outcome: 'ok' });
  });

  it('denies when the authorizer throws (fail closed)', async () => {
    const { gateway, events } = await startGateway({
      authorize: () => {
        throw new Error('engine down');
      },
    });
    const client = await connect(gateway);
    expect((await client.listTools()).tools).toEqual([]);
    expect((await protocolErrorOf(client.callTool({ name: 'local__add', arguments: { a: 1, b: 1 } }))).code).toBe(-32602);
    expect(events).toContainEqual({ kind: 'hook-failed', hook: 'authorize', message: 'Error: engine down' });
  });

  it('refuses reads of denied resources exactly as unknown ones', async () => {
    const { gateway } = await startGateway({ authorize: (request) => ({ decision: request.resource.id === 'test://local/readme' ? 'deny' : 'allow', policyIds: [] }) });
    const client = await connect(gateway);
    expect((await client.listResources()).resources.map((resource) => resource.uri)).not.toContain('test://local/readme');
    const denied = await protocolErrorOf(client.readResource({ uri: 'test://local/readme' }));
    const unknown = await protocolErrorOf(client.readResource({ uri: 'test://local/nothing-here' }));
    expect({ ...denied, message: denied.message.replace('readme', 'X'), data: 'x' }).toEqual({ ...unknown, message: unknown.message.replace('nothing-here', 'X'), data: 'x' });
  });

  it('asks the Cedar engine about the upstream tool in its connector (Tool::"<connector>/<tool>")', async () => {
    const engine = createPolicyEngine({
      policies: [
        DEFAULT_POLICY_FILE,
        { id: 'rules', text: '@id("no-local-echo")\nforbid (principal, action == Skillsync::Action::"callTool", resource == Skillsync::Tool::"local/echo");\n@id("no-remote-prompts")\nforbid (principal, action == Skillsync::Action::"getPrompt", resource in Skillsync::Connector::"remote");' },
      ],
    });
    const { gateway, audit } = await startGateway({ authorize: (request) => engine.authorize(request), policyVersion: engine.version });
    const client = await connect(gateway);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).not.toContain('local__echo');
    expect(tools).toContain('remote__echo');
    expect(tools).toContain('local__add');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name)).toEqual(['local__greet']);
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'hi' } }))).toBe('remote: hi');
    expect((await protocolErrorOf(client.callTool({ name: 'local__echo', arguments: { text: 'hi' } }))).message).toContain('Unknown tool: local__echo');
    expect(audit.find((entry) => entry.target === 'local__echo')).toMatchObject({ decision: 'deny', outcome: 'denied', policyIds: ['no-local-echo'], policyVersion: engine.version });
    expect(audit.find((entry) => entry.target === 'remote__echo')).toMatchObject({ decision: 'allow', outcome: 'ok', policyIds: ['default-permit-all'] });
  });
});

describe('redaction', () => {
  const github: Redaction['redact'] = (value) => {
    const text = JSON.stringify(value);
    const count = text.split(PLANTED_TOKEN).length - 1;
    return { value: JSON.parse(text.split(PLANTED_TOKEN).join('[MASKED:github]')) as unknown, findings: count > 0 ? [{ detector: 'github-token', count }] : [] };
  };

  it('masks a planted token in a tool result and audits the call as redacted', async () => {
    const { gateway, audit } = await startGateway({ redaction: { redact: github, mode: 'mask' } });
    const client = await connect(gateway);
    const result = await client.callTool({ name: 'remote__leak', arguments: {} });
    expect(textOf(result)).toBe('here is a token: [MASKED:github] (planted)');
    expect(JSON.stringify(result)).not.toContain(PLANTED_TOKEN);
    expect(audit.find((entry) => entry.target === 'remote__leak')).toMatchObject({ outcome: 'redacted', detail: 'github-token ×1' });
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'clean' } }))).toBe('remote: clean');
  });

  it('in block mode replaces a result with findings by an error result', async () => {
    const { gateway, audit } = await startGateway({ redaction: { redact: github, mode: 'block' } });
    const client = await connect(gateway);
    const result = await client.callTool({ name: 'local__leak', arguments: {} });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('skillsync withheld this result');
    expect(JSON.stringify(result)).not.toContain(PLANTED_TOKEN);
    expect(audit.find((entry) => entry.target === 'local__leak')).toMatchObject({ outcome: 'blocked' });
  });
});

describe('secrets', () => {
  it('puts a secret into the stdio child’s environment and the remote request headers, and nowhere else', async () => {
    const secret = `sk-planted-${randomBytes(16).toString('hex')}`;
    const headerSecret = `hdr-${randomBytes(16).toString('hex')}`;
    const guarded = await startHttpTestServer({ label: 'guarded', requiredHeader: { name: 'authorization', value: `Bearer ${headerSecret}` } });
    upstreams.cleanups.push(() => guarded.close());
    const { gateway, events, audit } = await startGateway({
      connectors: {
        local: local({ env: { API_TOKEN: '${secret:API_TOKEN}' } }),
        remote: { url: guarded.url, headers: { Authorization: 'Bearer ${secret:REMOTE_TOKEN}' } },
        broken: { command: process.execPath, args: [upstreams.stdio.file], env: { API_TOKEN: '${secret:NOT_STORED}' } },
      },
      resolveSecret: (name) => Promise.resolve(({ API_TOKEN: secret, REMOTE_TOKEN: headerSecret } as Record<string, string>)[name]),
    });
    const client = await connect(gateway);
    const outputs: unknown[] = [];
    const call = async (name: string, args: Record<string, unknown> = {}): Promise<string> => {
      const result = await client.callTool({ name, arguments: args });
      outputs.push(result);
      return textOf(result);
    };
    const sha = createHash('sha256').update(secret).digest('hex');
    expect(JSON.parse(await call('local__env_check', { name: 'API_TOKEN', sha256: sha }))).toEqual({ present: true, matches: true });
    // The header reached the remote server (it answers 401 otherwise).
    expect(await call('remote__echo', { text: 'authorised' })).toBe('guarded: authorised');
    expect(guarded.requestHeaders.some((headers) => headers.authorization === `Bearer ${headerSecret}`)).toBe(true);
    // The gateway's own environment variables do not leak into the child.
    expect(JSON.parse(await call('local__env_check', { name: 'USER', sha256: createHash('sha256').update('ada').digest('hex') }))).toEqual({ present: true, matches: true });
    expect(JSON.parse(await call('local__env_check', { name: 'SKILLSYNC_HOME', sha256: 'x' }))).toEqual({ present: false, matches: false });
    // A tool that echoes the secret back gets it masked.
    expect(await call('local__leak_env', { name: 'API_TOKEN' })).toBe('value of API_TOKEN: [REDACTED]');
    outputs.push(await client.listTools(), gateway.status());

    // The connector whose secret is missing failed alone, naming the secret.
    const broken = gateway.status().find((entry) => entry.name === 'broken');
    expect(broken).toMatchObject({ state: 'failed', error: { code: 'SECRET_NOT_FOUND', details: { connector: 'broken', names: ['NOT_STORED'] } } });
    expect(broken?.error?.message).toContain('NOT_STORED');

    const everything = JSON.stringify([outputs, events, audit, events.map((event) => ('error' in event ? event.error.message : ''))]);
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(headerSecret);
  });

  it('refuses a secret reference outside env and headers, naming the field', async () => {
    const { gateway } = await startGateway({
      connectors: { local: local({ args: [upstreams.stdio.file, '--token=${secret:API_TOKEN}'] }) },
      resolveSecret: () => Promise.resolve('value'),
    });
    expect(gateway.status()[0]).toMatchObject({ state: 'failed', error: { code: 'GATEWAY_SECRET_PLACEMENT', details: { field: 'args[1]' } } });
  });
});

describe('failures and lifecycle', () => {
  it('keeps serving the other connectors when some fail to start or die', async () => {
    const { gateway, events } = await startGateway({
      connectors: {
        local: local(),
        remote: { url: upstreams.http.url },
        crashes: { command: process.execPath, args: [upstreams.stdio.file], env: { TEST_SERVER_FAIL: '1' } },
        missing: { command: '/nonexistent/skillsync-test-command' },
        unreachable: { url: 'http://127.0.0.1:9/mcp' },
        'bad__name': { command: process.execPath, args: [upstreams.stdio.file] },
        unset: { command: process.execPath, args: ['${env:NOT_SET_ANYWHERE}'] },
      },
      connectTimeoutMs: 5000,
    });
    const states = Object.fromEntries(gateway.status().map((entry) => [entry.name, [entry.state, entry.error?.code]]));
    expect(states).toEqual({
      bad__name: ['failed', 'GATEWAY_CONNECTOR_NAME_INVALID'],
      crashes: ['failed', 'GATEWAY_CONNECTOR_FAILED'],
      local: ['ready', undefined],
      missing: ['failed', 'GATEWAY_CONNECTOR_FAILED'],
      remote: ['ready', undefined],
      unreachable: ['failed', 'GATEWAY_CONNECTOR_FAILED'],
      unset: ['failed', 'GATEWAY_REFERENCE_UNSET'],
    });
    expect(gateway.status().find((entry) => entry.name === 'crashes')?.error?.message).toContain('failing on purpose');
    expect(gateway.status().find((entry) => entry.name === 'missing')?.error?.message).toContain('was not found');

    const client = await connect(gateway);
    const changed = new Promise<void>((resolve) => {
      client.setNotificationHandler('notifications/tools/list_changed', () => { resolve(); });
    });
    // Kill the local server behind the gateway's back.
    const pid = gateway.status().find((entry) => entry.name === 'local')?.pid;
    expect(pid).toBeTypeOf('number');
    process.kill(pid ?? 0, 'SIGKILL');
    await changed;
    await waitFor(() => gateway.status().find((entry) => entry.name === 'local')?.state === 'failed', 5000, 'local to be failed');
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(names.some((name) => name.startsWith('local__'))).toBe(false);
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'still here' } }))).toBe('remote: still here');
    expect(events).toContainEqual(expect.objectContaining({ kind: 'connector-failed', connector: 'local' }));
  });

  it('times a slow upstream request out and cancels it upstream', async () => {
    const { gateway } = await startGateway({ requestTimeoutMs: 300 });
    const client = await connect(gateway);
    const before = (await status(client, 'remote')).cancelled;
    const error = await protocolErrorOf(client.callTool({ name: 'remote__slow', arguments: { ms: 10_000 } }));
    expect(error.code).toBe(-32001);
    expect(error.message).toContain('did not answer within 300 ms');
    await waitFor(async () => (await status(client, 'remote')).cancelled === before + 1, 5000, 'the upstream cancellation');
  });

  it('answers ping and forwards upstream log messages, tagged with the connector', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway);
    await expect(client.ping()).resolves.toEqual({});
    const logged = new Promise<unknown>((resolve) => {
      client.setNotificationHandler('notifications/message', (notification) => { resolve(notification.params); });
    });
    await client.callTool({ name: 'local__log', arguments: { message: 'hello from upstream' } });
    expect(await logged).toMatchObject({ level: 'info', logger: 'local/test', data: 'hello from upstream' });
  });

  it('refuses an elicitation it cannot attribute to one client (calls of two sessions in flight)', async () => {
    const { gateway } = await startGateway();
    const answer = (): { action: 'accept'; content: Record<string, string> } => ({ action: 'accept', content: { answer: 'x' } });
    const a = await connect(gateway, { name: 'a', onElicit: answer });
    const b = await connect(gateway, { name: 'b', onElicit: answer });
    const slow = b.callTool({ name: 'local__slow', arguments: { ms: 1500 } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await a.callTool({ name: 'local__ask', arguments: { question: 'whose?' } });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('several client sessions');
    expect(textOf(await slow)).toBe('finished');
  });

  it('leaves no process behind: the child and the grandchild it started end with the gateway', async () => {
    const { gateway } = await startGateway({ connectors: { local: local({ env: { TEST_SERVER_GRANDCHILD: '1' } }) } });
    const client = await connect(gateway);
    const { pids } = await status(client, 'local');
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);
    await gateway.close();
    await waitFor(() => !pids.some(isAlive), 8000, 'the child processes to exit');
  });
});

describe('the gateway under changing policies', () => {
  it('tells a session its tools changed after new policies only when what it may see changed, and filters resource templates', async () => {
    let denied = new Set<string>(['local/test://local/items/{id}']);
    const { gateway } = await startGateway({
      authorize: (request) => {
        const hidden = denied.has(`${request.resource.connector ?? ''}/${request.resource.id}`);
        return { decision: hidden ? 'deny' : 'allow', policyIds: [] };
      },
    });
    const client = await connect(gateway);
    let notified = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      notified += 1;
    });
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate);
    expect(templates).toEqual(['test://remote/items/{id}']);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('local__echo');

    // Policies that hide nothing it listed: no notification.
    denied = new Set(['local/test://local/items/{id}', 'local/not-a-tool']);
    await gateway.policiesChanged();
    // Policies that hide a tool it listed: one notification, then the list without it.
    denied = new Set(['local/echo']);
    await gateway.policiesChanged();
    await waitFor(() => notified > 0, 5000, 'tools/list_changed');
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain('local__echo');
    expect(notified).toBe(1);
    expect((await client.listResourceTemplates()).resourceTemplates.map((template) => template.uriTemplate)).toEqual(['test://local/items/{id}', 'test://remote/items/{id}']);
  });
});

describe('the gateway under a changing set of connectors', () => {
  it('stops serving a connector dropped from the set (lists, calls, processes of both connections) and starts one added', async () => {
    const { gateway, events, audit } = await startGateway({ connectors: { local: local({ env: { TEST_SERVER_GRANDCHILD: '1' } }), remote: { url: upstreams.http.url } } });
    const legacy = await connect(gateway);
    const modern = await connect(gateway, { era: 'modern' });
    const notified: string[] = [];
    for (const kind of ['tools', 'prompts', 'resources'] as const) {
      legacy.setNotificationHandler(`notifications/${kind}/list_changed`, () => { notified.push(kind); });
    }
    // The 2025-11-25 connection's process and its grandchild, and the 2026-07-28 connection's two.
    const pids = [...(await status(legacy, 'local')).pids, ...(await status(modern, 'local')).pids];
    expect(new Set(pids).size).toBe(4);
    expect(pids.every(isAlive)).toBe(true);

    expect(await gateway.setConnectors({ remote: { url: upstreams.http.url } })).toEqual({ stopped: ['local'], started: [] });
    await waitFor(() => !pids.some(isAlive), 8000, 'the stopped connector processes to exit');
    await waitFor(() => ['tools', 'prompts', 'resources'].every((kind) => notified.includes(kind)), 5000, 'list_changed of every list');
    expect(gateway.status().map((entry) => entry.name)).toEqual(['remote']);
    for (const client of [legacy, modern]) {
      const tools = (await client.listTools()).tools.map((tool) => tool.name);
      expect(tools.some((name) => name.startsWith('local__'))).toBe(false);
      expect(tools).toContain('remote__echo');
      expect((await client.listResources()).resources.map((resource) => resource.uri).some((uri) => uri.startsWith('test://local/'))).toBe(false);
      const stopped = await protocolErrorOf(client.callTool({ name: 'local__echo', arguments: { text: 'x' } }));
      const unknown = await protocolErrorOf(client.callTool({ name: 'never__echo', arguments: { text: 'x' } }));
      expect(stopped).toEqual({ ...unknown, message: unknown.message.replace('never__echo', 'local__echo') });
    }
    expect(audit.filter((record) => record.target === 'local__echo')).toEqual([
      expect.objectContaining({ decision: 'deny', outcome: 'error', detail: 'unknown name' }),
      expect.objectContaining({ decision: 'deny', outcome: 'error', detail: 'unknown name' }),
    ]);
    expect(textOf(await legacy.callTool({ name: 'remote__echo', arguments: { text: 'still here' } }))).toBe('remote: still here');

    // Added back (with a connector whose name cannot be served): started, and the sessions told once it is ready.
    notified.length = 0;
    expect(await gateway.setConnectors({ local: local(), remote: { url: upstreams.http.url }, bad__name: local() })).toEqual({ stopped: [], started: ['local'] });
    await waitFor(() => notified.includes('tools'), 5000, 'tools/list_changed after the start');
    expect(textOf(await legacy.callTool({ name: 'local__echo', arguments: { text: 'back' } }))).toBe('local: back');
    const ready = events.filter((event) => event.kind === 'connector-ready').map((event) => event.connector);
    expect([ready.slice(0, 2).sort(), ready.slice(2)]).toEqual([['local', 'remote'], ['local']]);
    expect(events).toContainEqual(expect.objectContaining({ kind: 'connector-failed', connector: 'bad__name' }));
    expect(gateway.status().map(({ name, state }) => [name, state])).toEqual([
      ['bad__name', 'failed'],
      ['local', 'ready'],
      ['remote', 'ready'],
    ]);
  });

  it('never starts a connector dropped before start', async () => {
    const events: GatewayEvent[] = [];
    const gateway = createGateway({
      env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH, USER: 'ada' } }),
      connectors: { local: local(), remote: { url: upstreams.http.url } },
      onEvent: (event) => events.push(event),
    });
    upstreams.cleanups.push(() => gateway.close());
    expect(await gateway.setConnectors({ remote: { url: upstreams.http.url } })).toEqual({ stopped: ['local'], started: [] });
    await gateway.start();
    expect(gateway.status().map(({ name, state }) => [name, state])).toEqual([['remote', 'ready']]);
    expect(events.map((event) => event.kind === 'connector-ready' && event.connector)).toEqual(['remote']);
  });
});
