import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { EventId, EventStore, JSONRPCMessage, McpServer, StreamId } from '@modelcontextprotocol/server';
import {
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import { createFixtureState, createTargetServer, type FixtureState } from './fixture.js';

/*
 * The conformance target's transports.
 *
 *   node target-server.mjs --http [port]   Streamable HTTP on http://127.0.0.1:<port>/mcp (PORT env; 0 = any free port)
 *   node target-server.mjs --stdio         the same fixture over stdio (how the gateway spawns it as a connector)
 *
 * Over HTTP, 2025-era traffic (no per-request `_meta` envelope) goes to sessionful
 * Streamable HTTP transports, one server instance per `Mcp-Session-Id`, because the
 * 2025-11-25 scenarios need sessions (server-to-client requests, DELETE, resumable SSE);
 * everything else goes to the SDK's stateless 2026-07-28 handler. Host and Origin are
 * checked first (DNS-rebinding protection). The HTTP mode prints one line,
 * `listening <url>`, once it accepts connections.
 */

const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface RunningTarget {
  readonly url: string;
  readonly close: () => Promise<void>;
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}

/** Per-session in-memory event store, so a client can resume a closed SSE stream (SEP-1699). */
function memoryEventStore(): EventStore {
  const events: { id: EventId; stream: StreamId; message: JSONRPCMessage }[] = [];
  return {
    storeEvent(stream, message) {
      const id = `${stream}::${String(events.length).padStart(8, '0')}`;
      events.push({ id, stream, message });
      return Promise.resolve(id);
    },
    getStreamIdForEventId(id) {
      return Promise.resolve(events.find((event) => event.id === id)?.stream);
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = events.findIndex((event) => event.id === lastEventId);
      const stream = events[index]?.stream ?? lastEventId.split('::')[0] ?? lastEventId;
      for (const event of events.slice(index + 1)) if (event.stream === stream) await send(event.id, event.message);
      return stream;
    },
  };
}

/** The 2025-11-25 leg: sessionful Streamable HTTP, one server instance per session. */
function createSessionRouter(state: FixtureState) {
  const sessions = new Map<string, { transport: WebStandardStreamableHTTPServerTransport; server: McpServer }>();

  async function open(request: Request, body: unknown): Promise<Response> {
    const server = await createTargetServer(state, { era: 'legacy', requestInfo: request });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: memoryEventStore(),
      retryInterval: 100,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(request, { parsedBody: body });
  }

  return {
    async handle(request: Request): Promise<Response> {
      const sessionId = request.headers.get('mcp-session-id');
      if (sessionId !== null) {
        const session = sessions.get(sessionId);
        return session === undefined ? jsonRpcError(404, -32001, 'Session not found') : session.transport.handleRequest(request);
      }
      if (request.method === 'POST') {
        const body: unknown = await request.clone().json().catch(() => undefined);
        const messages: unknown[] = Array.isArray(body) ? body : [body];
        if (messages.some((message) => isInitializeRequest(message))) return open(request, body);
      }
      return jsonRpcError(400, -32000, 'Bad Request: no valid session; send initialize first');
    },
    async close(): Promise<void> {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map(async ({ transport, server }) => {
        await transport.close();
        await server.close();
      }));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function toWebRequest(req: IncomingMessage, signal: AbortSignal): Promise<Request | Response> {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  let url: URL;
  try {
    url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  } catch {
    return jsonRpcError(400, -32600, 'Bad Request: invalid Host header');
  }
  const method = req.method ?? 'GET';
  if (method === 'GET' || method === 'HEAD' || method === 'DELETE') return new Request(url, { method, headers, signal });
  const body = await readBody(req);
  if (body === undefined) return jsonRpcError(413, -32600, 'Request body too large');
  return new Request(url, { method, headers, body, signal });
}

async function writeWebResponse(response: Response, res: ServerResponse): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => {
    headers[key] = value;
  });
  res.writeHead(response.status, headers);
  res.flushHeaders();
  if (response.body === null) {
    res.end();
    return;
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> = response.body.getReader();
  res.on('close', () => {
    reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away, or the handler aborted the stream.
  }
  res.end();
}

/** Starts the HTTP target on 127.0.0.1:`port` (0: any free port). */
export async function startHttpTarget(port = 0, host = '127.0.0.1'): Promise<RunningTarget> {
  const state = createFixtureState();
  const modern = createMcpHandler((context) => createTargetServer(state, context), { legacy: 'reject', onerror: () => undefined });
  state.publish = {
    toolsChanged: () => {
      modern.notify.toolsChanged();
    },
    promptsChanged: () => {
      modern.notify.promptsChanged();
    },
  };
  const legacy = createSessionRouter(state);

  const handle = async (request: Request): Promise<Response> => {
    const rejected = hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins());
    if (rejected !== undefined) return rejected;
    if (new URL(request.url).pathname !== '/mcp') return new Response('Not Found', { status: 404 });
    if (await isLegacyRequest(request)) return legacy.handle(request);
    return modern.fetch(request);
  };

  const server: HttpServer = createServer((req, res) => {
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    void (async () => {
      try {
        const request = await toWebRequest(req, abort.signal);
        await writeWebResponse(request instanceof Response ? request : await handle(request), res);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(error instanceof Error ? error.message : String(error));
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host}:${address.port}/mcp`,
    close: async () => {
      await Promise.allSettled([modern.close(), legacy.close()]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    },
  };
}

/** Serves the fixture on this process's stdin/stdout until stdin closes. */
export function startStdioTarget(): { close: () => Promise<void> } {
  const state = createFixtureState();
  return serveStdio((context) => createTargetServer(state, context), { onerror: (error) => process.stderr.write(`target: ${error.message}\n`) });
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--stdio')) {
    startStdioTarget();
    return;
  }
  const index = argv.indexOf('--http');
  const portArg = index === -1 ? undefined : argv[index + 1];
  const port = Number(portArg !== undefined && /^\d+$/.test(portArg) ? portArg : (process.env.PORT ?? 0));
  const target = await startHttpTarget(port);
  process.stdout.write(`listening ${target.url}\n`);
  const stop = () => {
    void target.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`target: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
