import { request as httpRequest } from 'node:http';
import type { Client} from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createEnv, SkillsyncError } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStdioTestServer, connectTestClient, textOf, waitFor, type Era } from '../../../test/support/mcp/harness.js';
import { createGateway, generateToken, serveGatewayHttp, type Gateway, type HttpServing } from './index.js';

let stdioServer: { file: string; cleanup: () => Promise<void> };
let gateway: Gateway;
let serving: HttpServing;
const token = generateToken();
const clients: Client[] = [];

beforeAll(async () => {
  stdioServer = await buildStdioTestServer();
  gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH } }),
    connectors: { local: { command: process.execPath, args: [stdioServer.file], env: { TEST_SERVER_LABEL: 'local' } } },
  });
  await gateway.start();
  serving = await serveGatewayHttp(gateway, { host: '127.0.0.1', port: 0, token });
});

afterAll(async () => {
  for (const client of clients) await client.close().catch(() => undefined);
  await serving.close();
  await gateway.close();
  await stdioServer.cleanup();
});

async function httpClient(era: Era, name: string, answer?: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(serving.url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  const client = await connectTestClient(transport, {
    era,
    name,
    ...(answer === undefined ? {} : { onElicit: () => ({ action: 'accept' as const, content: { answer } }) }),
  });
  clients.push(client);
  return client;
}

const initialize = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('the gateway over Streamable HTTP', () => {
  it('answers 401 without the bearer token, or with a wrong one', async () => {
    const post = (authorization?: string): Promise<Response> =>
      fetch(serving.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization === undefined ? {} : { authorization }) },
        body: initialize,
      });
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${token}x`, `Basic ${token}`, token]) {
      const response = await post(authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
    }
    const ok = await post(`Bearer ${token}`);
    expect(ok.status).toBe(200);
    await ok.body?.cancel();
  });

  it('refuses a DNS-rebinding Host on loopback', async () => {
    // fetch() will not send a Host of our choosing; node:http will.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(serving.url, {
        method: 'POST',
        headers: { host: 'evil.example', authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      });
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
      request.end(initialize);
    });
    expect(status).toBe(403);
  });

  it('serves both protocol revisions, negotiated per client', async () => {
    for (const era of ['legacy', 'modern'] as const) {
      const client = await httpClient(era, `plain-${era}`);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('local__echo');
      expect(textOf(await client.callTool({ name: 'local__echo', arguments: { text: era } }))).toBe(`local: ${era}`);
      expect(client.getProtocolEra()).toBe(era);
    }
  });

  it('routes each session’s elicitation back to that session', async () => {
    const a = await httpClient('legacy', 'session-a', 'from a');
    const b = await httpClient('legacy', 'session-b', 'from b');
    const m = await httpClient('modern', 'modern-c', 'from c');
    expect(textOf(await b.callTool({ name: 'local__ask', arguments: { question: 'b?' } }))).toBe('answer: from b');
    expect(textOf(await a.callTool({ name: 'local__ask', arguments: { question: 'a?' } }))).toBe('answer: from a');
    expect(textOf(await m.callTool({ name: 'local__ask', arguments: { question: 'c?' } }))).toBe('answer: from c');
  });

  it('pushes list_changed to the other sessions', async () => {
    const watcher = await httpClient('legacy', 'watcher');
    await watcher.listTools();
    let notified = false;
    watcher.setNotificationHandler('notifications/tools/list_changed', () => {
      notified = true;
    });
    const actor = await httpClient('legacy', 'actor');
    const added = textOf(await actor.callTool({ name: 'local__add_tool', arguments: {} }));
    await waitFor(() => notified, 5000, 'the list_changed notification');
    expect((await watcher.listTools()).tools.map((tool) => tool.name)).toContain(`local__${added}`);
  });

  it('refuses a non-loopback host unless allowed, and a short token', async () => {
    await expect(serveGatewayHttp(gateway, { host: '0.0.0.0', port: 0, token })).rejects.toMatchObject({ code: 'GATEWAY_REMOTE_REFUSED' });
    await expect(serveGatewayHttp(gateway, { host: '127.0.0.1', port: 0, token: 'short' })).rejects.toBeInstanceOf(SkillsyncError);
    const taken = serveGatewayHttp(gateway, { host: '127.0.0.1', port: serving.port, token });
    await expect(taken).rejects.toMatchObject({ code: 'GATEWAY_LISTEN_FAILED' });
  });
});
