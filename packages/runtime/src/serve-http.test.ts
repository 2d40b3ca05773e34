import { request as httpRequest } from 'node:http';
import type { Client} from '@modelcontextprotocol/client';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { createEnv, SkillsyncError } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStdioTestServer, connectTestClient, textOf, waitFor, type Era } from '../../../test/support/mcp/harness.js';
import { randomToken } from '@skillsync/core';
import { createGateway, serveGatewayHttp, type Gateway, type HttpServing } from './index.js';

let stdioServer: { file: string; cleanup: () => Promise<void> };
let gateway: Gateway;
let serving: HttpServing;
const token = randomToken();
const clients: Client[] = [];

beforeAll(async () => {
  stdioServer = await buildStdioTestServer();
  gateway = createGateway({
    env: createEnv({ home: '/nonexistent-home', cwd: process.cwd(), vars: { PATH: process.env.PATH } }),
    connectors: {
      local: { command: process.execPath, args: [stdioServer.file], env: { TEST_SERVER_LABEL: 'local' } },
      // 2025-11-25 only: 2026-07-28 clients reach it through the gateway's translation.
      older: { command: process.execPath, args: [stdioServer.file], env: { TEST_SERVER_LABEL: 'older', TEST_SERVER_ERA: 'legacy' } },
    },
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
    expect(textOf(await m.callTool({ name: 'older__ask', arguments: { question: 'c?' } }))).toBe('answer: from c');
    // A connector that speaks 2026-07-28 gets the request unchanged, and its input_required goes back as it is.
    expect(textOf(await m.callTool({ name: 'local__confirm', arguments: { question: 'd?' } }))).toBe('confirmed: from c');
  });

  it('checks Mcp-Param-* headers against the arguments on 2026-07-28 (SEP-2243): 400 and -32020 when they disagree', async () => {
    const m = await httpClient('modern', 'headers');
    // The SDK client mirrors the argument into the header itself.
    expect(textOf(await m.callTool({ name: 'local__region', arguments: { region: 'eu' } }))).toBe('region=eu');
    const raw = await m.callTool({ name: 'local__echo', arguments: { text: 'x' } });
    expect(textOf(raw)).toBe('local: x');
    const send = (header: string | undefined): Promise<Response> =>
      fetch(serving.url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          'mcp-protocol-version': '2026-07-28',
          'mcp-method': 'tools/call',
          'mcp-name': 'local__region',
          ...(header === undefined ? {} : { 'mcp-param-region': header }),
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: {
            name: 'local__region',
            arguments: { region: 'eu' },
            _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28', 'io.modelcontextprotocol/clientCapabilities': {} },
          },
        }),
      });
    for (const header of [undefined, 'us', '=?base64?not base64?=']) {
      const response = await send(header);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { id: unknown; error: { code: number } })).toMatchObject({ id: 7, error: { code: -32020 } });
    }
    const agreed = await send('=?base64?ZXU=?=');
    expect(agreed.status).toBe(200);
    await agreed.body?.cancel();
  });

  it('opens each 2025-11-25 SSE stream with a priming event and a retry interval (SEP-1699)', async () => {
    const init = await fetch(serving.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: initialize,
    });
    const session = init.headers.get('mcp-session-id');
    expect(session).not.toBeNull();
    await init.body?.cancel();
    const call = await fetch(serving.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-session-id': session ?? '',
        'mcp-protocol-version': '2025-11-25',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'local__echo', arguments: { text: 'sse' } } }),
    });
    const text = await call.text();
    const first = text.split('\n\n')[0] ?? '';
    expect(first).toMatch(/^id: \S+/m);
    expect(first).toMatch(/^retry: \d+/m);
    expect(text).toContain('local: sse');
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

  it('closes a 2025-11-25 session left idle, but not one a client listens on', async () => {
    const closed: string[] = [];
    const short = await serveGatewayHttp(gateway, { host: '127.0.0.1', port: 0, token, sessionIdleMs: 300, onSession: (event) => { if (event.kind === 'closed') closed.push(event.session); } });
    try {
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
      const open = async (): Promise<string> => {
        const init = await fetch(short.url, { method: 'POST', headers, body: initialize });
        await init.body?.cancel();
        return init.headers.get('mcp-session-id') ?? '';
      };
      const idle = await open();
      const listening = await open();
      const sessionHeaders = (id: string) => ({ ...headers, 'mcp-session-id': id, 'mcp-protocol-version': '2025-11-25' });
      const stream = await fetch(short.url, { method: 'GET', headers: { ...sessionHeaders(listening), accept: 'text/event-stream' } });
      expect(stream.status).toBe(200);
      await waitFor(() => closed.includes(idle), 3000, 'the idle session to close');
      expect(closed).not.toContain(listening);
      const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping' });
      expect((await fetch(short.url, { method: 'POST', headers: sessionHeaders(idle), body: ping })).status).toBe(404);
      const alive = await fetch(short.url, { method: 'POST', headers: sessionHeaders(listening), body: ping });
      expect(alive.status).toBe(200);
      await alive.body?.cancel();
      await stream.body?.cancel();
      await waitFor(() => closed.includes(listening), 3000, 'the session to close once its stream is gone');
    } finally {
      await short.close();
    }
  });

  it('refuses a non-loopback host unless allowed, and a short token', async () => {
    await expect(serveGatewayHttp(gateway, { host: '0.0.0.0', port: 0, token })).rejects.toMatchObject({ code: 'GATEWAY_REMOTE_REFUSED' });
    await expect(serveGatewayHttp(gateway, { host: '127.0.0.1', port: 0, token: 'short' })).rejects.toBeInstanceOf(SkillsyncError);
    const taken = serveGatewayHttp(gateway, { host: '127.0.0.1', port: serving.port, token });
    await expect(taken).rejects.toMatchObject({ code: 'GATEWAY_LISTEN_FAILED' });
  });
});
