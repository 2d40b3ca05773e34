import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/server';
import { createTestServer, createTestServerState, type TestServerState } from './test-server.js';

export interface HttpTestServer {
  readonly url: string;
  readonly state: TestServerState;
  /** The headers of every request received, lower-cased names. */
  readonly requestHeaders: Record<string, string>[];
  close(): Promise<void>;
}

/**
 * The Streamable HTTP test server, in the test process on 127.0.0.1:0: sessionful
 * 2025-11-25 serving (one McpServer per `Mcp-Session-Id`), so server→client requests
 * and list_changed notifications work. `requiredHeader` makes it answer 401 unless a
 * request carries that header with that value.
 */
export async function startHttpTestServer(options: { label?: string; requiredHeader?: { name: string; value: string } } = {}): Promise<HttpTestServer> {
  const label = options.label ?? 'http';
  const state = createTestServerState();
  const requestHeaders: Record<string, string>[] = [];
  const sessions = new Map<string, WebStandardStreamableHTTPServerTransport>();
  const env = { HTTP_TEST_SERVER: '1' };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = new Headers();
    const seen: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') {
        headers.set(key, value);
        seen[key] = value;
      }
    }
    requestHeaders.push(seen);
    const required = options.requiredHeader;
    if (required !== undefined && seen[required.name.toLowerCase()] !== required.value) {
      res.writeHead(401).end();
      return;
    }
    const method = req.method ?? 'GET';
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (method === 'POST') {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = 'half';
    }
    const request = new Request(`http://127.0.0.1${req.url ?? '/'}`, init);
    const id = request.headers.get('mcp-session-id');
    let transport = id === null ? undefined : sessions.get(id);
    if (transport === undefined) {
      if (id !== null) {
        res.writeHead(404).end();
        return;
      }
      const created: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sessionId: string): void => {
          sessions.set(sessionId, created);
        },
      });
      transport = created;
      await createTestServer(label, state, env).connect(created);
    }
    const response: Response = await transport.handleRequest(request);
    const out: Record<string, string> = {};
    response.headers.forEach((value, key) => (out[key] = value));
    res.writeHead(response.status, out);
    if (response.body === null) {
      res.end();
      return;
    }
    res.flushHeaders();
    const reader = response.body.getReader();
    res.once('close', () => void reader.cancel().catch(() => undefined));
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) res.write(chunk.value);
    } catch {
      // Client gone.
    }
    res.end();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    state,
    requestHeaders,
    async close() {
      for (const transport of sessions.values()) await transport.close().catch(() => undefined);
      await new Promise<void>((resolve) => {
        server.close(() => { resolve(); });
        server.closeAllConnections();
      });
    },
  };
}
