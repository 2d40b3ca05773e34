import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
  WebStandardStreamableHTTPServerTransport,
  type EventId,
  type EventStore,
  type JSONRPCMessage,
  type StreamId,
} from '@modelcontextprotocol/server';
import { isLoopbackHost, SkillsyncError } from '@skillsync/core';
import type { Gateway } from './gateway.js';
import { HEADER_MISMATCH, paramHeaderDeclarations, paramHeaderProblem } from './param-headers.js';
import type { LowLevelServer } from './sdk.js';

export interface HttpServingOptions {
  readonly host: string;
  /** 0 picks a free port (see `port` on the result). */
  readonly port: number;
  /** The bearer token every request must carry (at least 32 characters). */
  readonly token: string;
  /** Allow a host that is not loopback. */
  readonly allowRemote?: boolean;
  /** Default `/mcp`. */
  readonly path?: string;
  /** 2025-11-25 sessions kept at most; the least recently used goes first. Default 64. */
  readonly maxSessions?: number;
  /**
   * A 2025-11-25 session with no request for this long and no open stream is closed
   * (its server instance and upstream routing freed). Default 30 minutes.
   */
  readonly sessionIdleMs?: number;
  readonly onError?: (error: Error) => void;
  readonly onSession?: (event: { readonly kind: 'opened' | 'closed'; readonly session: string }) => void;
}

export interface HttpServing {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export const MIN_TOKEN_LENGTH = 32;


interface LegacySession {
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: LowLevelServer;
  lastSeen: number;
  /** Open GET (SSE) streams: a session a client listens on is not idle. */
  openStreams: number;
}

const DEFAULT_SESSION_IDLE_MS = 30 * 60_000;

/**
 * Serves the gateway over Streamable HTTP. Every request needs `Authorization: Bearer
 * <token>` (compared in constant time; 401 otherwise). On a loopback host, Host and
 * Origin are checked too (DNS rebinding). A request carrying the 2026-07-28 `_meta`
 * envelope is served statelessly (one server instance per request; list changes go to
 * `subscriptions/listen` streams); anything else is 2025-11-25 and gets a session of
 * its own (`Mcp-Session-Id`), whose server instance stays bound to it, so an upstream's
 * elicitation goes back over that session's stream and no other.
 */
export async function serveGatewayHttp(gateway: Gateway, options: HttpServingOptions): Promise<HttpServing> {
  const loopback = isLoopbackHost(options.host);
  if (!loopback && options.allowRemote !== true) {
    throw new SkillsyncError('GATEWAY_REMOTE_REFUSED', `--http ${options.host}: not a loopback address; the gateway listens on other interfaces only with --allow-remote.`, {
      details: { host: options.host },
    });
  }
  if (options.token.length < MIN_TOKEN_LENGTH) {
    throw new SkillsyncError('GATEWAY_TOKEN_INVALID', `The bearer token is ${options.token.length} characters long; it needs at least ${MIN_TOKEN_LENGTH}.`);
  }
  const path = options.path ?? '/mcp';
  const maxSessions = options.maxSessions ?? 64;
  const sessionIdleMs = options.sessionIdleMs ?? DEFAULT_SESSION_IDLE_MS;
  const expected = createHash('sha256').update(options.token).digest();
  const report = (error: unknown): void => options.onError?.(error instanceof Error ? error : new Error(String(error)));

  const modern = createMcpHandler(({ era }) => gateway.createServer({ era, transport: 'http', broadcast: false }), { legacy: 'reject', onerror: report });
  const unsubscribe = gateway.onListChanged((kind) => {
    if (kind === 'tools') modern.notify.toolsChanged();
    else if (kind === 'prompts') modern.notify.promptsChanged();
    else modern.notify.resourcesChanged();
  });
  const unsubscribeUpdates = gateway.onResourceUpdated((uri) => { modern.notify.resourceUpdated(uri); });
  const sessions = new Map<string, LegacySession>();

  const closeSession = (id: string): void => {
    const session = sessions.get(id);
    if (session === undefined) return;
    sessions.delete(id);
    options.onSession?.({ kind: 'closed', session: id });
    session.server.close().catch(report);
  };

  const sweepIdleSessions = (): void => {
    const cutoff = Date.now() - sessionIdleMs;
    for (const [id, session] of sessions) if (session.openStreams === 0 && session.lastSeen < cutoff) closeSession(id);
  };
  const idleSweep = setInterval(sweepIdleSessions, Math.max(50, Math.min(60_000, Math.floor(sessionIdleMs / 4))));
  idleSweep.unref();

  const legacy = async (request: Request, res: ServerResponse): Promise<Response> => {
    const id = request.headers.get('mcp-session-id');
    if (id !== null) {
      const session = sessions.get(id);
      if (session === undefined) return jsonRpcError(404, -32001, 'Session not found');
      session.lastSeen = Date.now();
      if (request.method === 'GET') {
        session.openStreams += 1;
        res.once('close', () => {
          session.openStreams -= 1;
          session.lastSeen = Date.now();
        });
      }
      return session.transport.handleRequest(request);
    }
    if (request.method !== 'POST') return jsonRpcError(400, -32000, 'Bad Request: Mcp-Session-Id header is required');
    if (sessions.size >= maxSessions) {
      const oldest = [...sessions.entries()].sort(([, a], [, b]) => a.lastSeen - b.lastSeen)[0];
      if (oldest !== undefined) closeSession(oldest[0]);
    }
    const server = gateway.createServer({ era: 'legacy', transport: 'http' });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      // SSE streams open with a priming event (an id, no data) and a retry interval, so a
      // client whose stream drops can resume it with Last-Event-ID (SEP-1699).
      eventStore: boundedEventStore(EVENTS_KEPT),
      retryInterval: RETRY_INTERVAL_MS,
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, server, lastSeen: Date.now(), openStreams: 0 });
        options.onSession?.({ kind: 'opened', session: sessionId });
      },
      onsessionclosed: (sessionId) => { closeSession(sessionId); },
    });
    await server.connect(transport);
    const response = await transport.handleRequest(request);
    // Anything but a valid initialize leaves no session behind.
    if (transport.sessionId === undefined) await server.close().catch(report);
    return response;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    if (url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found\n');
      return;
    }
    if (!authorized(req.headers.authorization, expected)) {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="skillsync"' }).end('{"error":"unauthorized"}\n');
      return;
    }
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const request = toWebRequest(req, abort.signal);
    const rejected = loopback
      ? (hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins()))
      : undefined;
    const response = rejected ?? ((await isLegacyRequest(request)) ? await legacy(request, res) : ((await paramHeaderRejection(gateway, request)) ?? (await modern.fetch(request))));
    await writeWebResponse(res, response);
  };

  const httpServer = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      report(error);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal error\n');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new SkillsyncError('GATEWAY_LISTEN_FAILED', `Cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}.`, {
          details: { host: options.host, port: options.port, reason: error.code },
        }),
      );
    });
    httpServer.listen(options.port, options.host, () => { resolve(); });
  });
  httpServer.on('error', report);
  const address = httpServer.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shownHost}:${address.port}${path}`,
    host: address.address,
    port: address.port,
    async close() {
      clearInterval(idleSweep);
      unsubscribe();
      unsubscribeUpdates();
      for (const id of [...sessions.keys()]) closeSession(id);
      await modern.close().catch(report);
      await new Promise<void>((resolve) => {
        httpServer.close(() => { resolve(); });
        httpServer.closeAllConnections();
      });
    },
  };
}

/** Events kept per 2025-11-25 session for resumption; older ones cannot be replayed. */
const EVENTS_KEPT = 1000;
/** The reconnection delay the priming event asks SSE clients for. */
const RETRY_INTERVAL_MS = 1000;

/** An in-memory event store holding a session's last `limit` events, so a client can resume a dropped SSE stream (SEP-1699). */
function boundedEventStore(limit: number): EventStore {
  const events: { id: EventId; stream: StreamId; message: JSONRPCMessage }[] = [];
  let sequence = 0;
  return {
    storeEvent(stream, message) {
      const id = `${stream}::${String((sequence += 1)).padStart(10, '0')}`;
      events.push({ id, stream, message });
      if (events.length > limit) events.splice(0, events.length - limit);
      return Promise.resolve(id);
    },
    getStreamIdForEventId(id) {
      return Promise.resolve(events.find((event) => event.id === id)?.stream ?? id.split('::')[0]);
    },
    async replayEventsAfter(lastEventId, { send }) {
      const index = events.findIndex((event) => event.id === lastEventId);
      const stream = events[index]?.stream ?? lastEventId.split('::')[0] ?? lastEventId;
      for (const event of events.slice(index + 1)) if (event.stream === stream) await send(event.id, event.message);
      return stream;
    },
  };
}

/**
 * A 2026-07-28 tools/call whose `Mcp-Param-*` headers disagree with its arguments
 * (SEP-2243) gets HTTP 400 and -32020, as the SDK answers for its own tools; undefined
 * lets the request through.
 */
async function paramHeaderRejection(gateway: Gateway, request: Request): Promise<Response | undefined> {
  if (request.method !== 'POST') return undefined;
  let body: unknown;
  try {
    body = await request.clone().json();
  } catch {
    return undefined;
  }
  const message = body as { id?: unknown; method?: unknown; params?: { name?: unknown; arguments?: unknown } } | null;
  if (message?.method !== 'tools/call' || typeof message.params?.name !== 'string') return undefined;
  const declarations = paramHeaderDeclarations(gateway.toolInputSchema(message.params.name));
  if (declarations.length === 0) return undefined;
  const problem = paramHeaderProblem(declarations, message.params.arguments, request.headers);
  if (problem === undefined) return undefined;
  const id = typeof message.id === 'string' || typeof message.id === 'number' ? message.id : null;
  return new Response(
    JSON.stringify({ jsonrpc: '2.0', id, error: { code: HEADER_MISMATCH, message: `Bad Request: the request headers and body disagree: ${problem.message}`, data: { mismatch: { header: problem.header } } } }),
    { status: 400, headers: { 'content-type': 'application/json' } },
  );
}

/** Compares the bearer token of an Authorization header with the expected one (its SHA-256 digest) in constant time. */
export function authorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  const presented = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  // Digests have equal lengths, so timingSafeEqual never throws and leaks no length.
  return timingSafeEqual(presented, expected) && match !== null;
}

function toWebRequest(req: IncomingMessage, signal: AbortSignal): Request {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(key, item);
    else headers.set(key, value);
  }
  const method = req.method ?? 'GET';
  const host = req.headers.host ?? 'localhost';
  const init: RequestInit & { duplex?: 'half' } = { method, headers, signal };
  if (method !== 'GET' && method !== 'HEAD') {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = 'half';
  }
  return new Request(new URL(req.url ?? '/', `http://${host}`), init);
}

async function writeWebResponse(res: ServerResponse, response: Response): Promise<void> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, key) => (headers[key] = value));
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  res.flushHeaders();
  const reader = response.body.getReader();
  res.once('close', () => {
    reader.cancel().catch(() => undefined);
  });
  try {
    for (;;) {
      const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
      if (chunk.done) break;
      if (chunk.value !== undefined) res.write(chunk.value);
    }
  } catch {
    // The client went away, or the stream was cancelled.
  }
  res.end();
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });
}
