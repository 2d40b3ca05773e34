import type { Client } from '@modelcontextprotocol/client';
import { createEnv, type ConnectorDefinition } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { connectTestClient, useGatewayUpstreams, linkedPair, textOf, waitFor, type Era } from '../../../test/support/mcp/harness.js';
import { createGateway, serveGatewayStdio, type Gateway, type GatewayOptions } from './index.js';

/*
 * Naming under `namespace: 'auto'` and resource subscriptions, end to end: the gateway
 * in front of a stdio test server (`local`, spawned) and an HTTP one (`remote`), both
 * offering the same tools and prompts except `whoami_<label>`.
 */

const upstreams = useGatewayUpstreams();

function local(label = 'local'): ConnectorDefinition {
  return { command: process.execPath, args: [upstreams.stdio.file], env: { TEST_SERVER_LABEL: label } };
}

async function startGateway(options: Partial<GatewayOptions>): Promise<Gateway> {
  const gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH, USER: 'ada' } }),
    connectors: { local: local(), remote: { url: upstreams.http.url } },
    ...options,
  });
  upstreams.cleanups.push(() => gateway.close());
  await gateway.start();
  return gateway;
}

async function connect(gateway: Gateway, era: Era = 'legacy'): Promise<Client> {
  const [clientSide, gatewaySide] = linkedPair();
  const serving = serveGatewayStdio(gateway, { transport: gatewaySide });
  const client = await connectTestClient(clientSide, { era });
  upstreams.cleanups.push(async () => {
    await client.close();
    await serving.close();
  });
  return client;
}

describe.each(['legacy', 'modern'] as const)('namespace: auto, to a %s client', (era) => {
  it('keeps a name only one connector offers, and prefixes every connector’s copy of a shared one', async () => {
    const gateway = await startGateway({ namespace: 'auto' });
    const client = await connect(gateway, era);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['whoami_local', 'whoami_remote', 'local__echo', 'remote__echo']));
    expect(tools).not.toContain('echo');
    expect((await client.listPrompts()).prompts.map((prompt) => prompt.name).sort()).toEqual(['local__greet', 'remote__greet']);
    expect(textOf(await client.callTool({ name: 'whoami_remote', arguments: {} }))).toBe('remote');
    expect(textOf(await client.callTool({ name: 'whoami_local', arguments: {} }))).toBe('local');
    expect(textOf(await client.callTool({ name: 'remote__echo', arguments: { text: 'hi' } }))).toBe('remote: hi');
    // The prefixed form of a bare name is not an alias: it is unknown, like any other name.
    await expect(client.callTool({ name: 'local__whoami_local', arguments: {} })).rejects.toThrow(/Unknown tool: local__whoami_local/);
  });

  it('with one connector, exposes every name unchanged', async () => {
    const gateway = await startGateway({ namespace: 'auto', connectors: { local: local() } });
    const client = await connect(gateway, era);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toEqual(expect.arrayContaining(['echo', 'add', 'whoami_local']));
    expect(tools.some((name) => name.includes('__'))).toBe(false);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('local: hi');
    const prompt = await client.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: 'Say hello to Ada from local.' });
  });
});

describe('namespace: always (the default)', () => {
  it('prefixes every name, even one no other connector offers', async () => {
    const gateway = await startGateway({ connectors: { local: local() } });
    const client = await connect(gateway);
    const tools = (await client.listTools()).tools.map((tool) => tool.name);
    expect(tools).toContain('local__whoami_local');
    expect(tools.every((name) => name.startsWith('local__'))).toBe(true);
  });
});

describe('the gateway’s own name', () => {
  it('refuses a connector named skillsync, whose tools would collide with the gateway’s own', async () => {
    const gateway = await startGateway({ connectors: { skillsync: local('skillsync'), local: local() } });
    expect(gateway.status().map(({ name, state, error }) => [name, state, error?.code])).toEqual([
      ['local', 'ready', undefined],
      ['skillsync', 'failed', 'GATEWAY_CONNECTOR_NAME_INVALID'],
    ]);
  });
});

describe('resource subscriptions', () => {
  it('forwards subscribe and unsubscribe to the connector that serves the URI, once for all sessions, and passes its updates back', async () => {
    const gateway = await startGateway({ connectors: { local: local() } });
    const a = await connect(gateway);
    const b = await connect(gateway);
    const updates: string[] = [];
    a.setNotificationHandler('notifications/resources/updated', (notification) => { updates.push(`a ${notification.params.uri}`); });
    b.setNotificationHandler('notifications/resources/updated', (notification) => { updates.push(`b ${notification.params.uri}`); });
    const upstreamSubscriptions = async (): Promise<string[]> => (JSON.parse(textOf(await a.callTool({ name: 'local__touch', arguments: {} }))) as { subscribed: string[] }).subscribed;

    await a.subscribeResource({ uri: 'test://local/readme' });
    await b.subscribeResource({ uri: 'test://local/readme' });
    expect(await upstreamSubscriptions()).toEqual(['test://local/readme']);
    await waitFor(() => updates.length === 2, 5000, 'both sessions to hear of the update');
    expect(updates.sort()).toEqual(['a test://local/readme', 'b test://local/readme']);

    await a.unsubscribeResource({ uri: 'test://local/readme' });
    updates.length = 0;
    // b still holds a subscription, so the connector keeps it; only b hears of the change.
    expect(await upstreamSubscriptions()).toEqual(['test://local/readme']);
    await waitFor(() => updates.length === 1, 5000, 'b to hear of the update');
    expect(updates).toEqual(['b test://local/readme']);

    await b.unsubscribeResource({ uri: 'test://local/readme' });
    expect(await upstreamSubscriptions()).toEqual([]);
  });

  it('drops a closed session’s subscriptions upstream, and refuses a URI no connector serves as not found', async () => {
    const gateway = await startGateway({ connectors: { local: local() } });
    const watcher = await connect(gateway);
    const other = await connect(gateway);
    await watcher.subscribeResource({ uri: 'test://local/readme' });
    await expect(watcher.subscribeResource({ uri: 'test://nowhere/thing' })).rejects.toThrow(/not found/i);
    await watcher.close();
    await waitFor(async () => textOf(await other.callTool({ name: 'local__touch', arguments: {} })) === JSON.stringify({ subscribed: [] }), 5000, 'the upstream subscription to go');
  });

  it('refuses to subscribe to a resource the principal may not read, exactly as to an unknown one', async () => {
    const gateway = await startGateway({
      connectors: { local: local() },
      authorize: (request) => ({ decision: request.action === 'readResource' && request.resource.id === 'test://local/readme' ? 'deny' : 'allow', policyIds: [] }),
    });
    const client = await connect(gateway);
    await expect(client.subscribeResource({ uri: 'test://local/readme' })).rejects.toThrow(/not found/i);
  });
});
