import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  Client,
  InMemoryTransport,
  ProtocolError,
  ReadBuffer,
  serializeMessage,
  type ClientCapabilities,
  type ElicitResult,
  type JSONRPCMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { bundleForChild } from '../child-process.js';
import { startHttpTestServer, type HttpTestServer } from './http-server.js';
import { repoRoot } from '../corpus.js';

/** Bundles stdio-server.ts (and everything it imports) into one file `node` can run. */
export async function buildStdioTestServer(): Promise<{ readonly file: string; readonly cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-mcp-server-'));
  const file = await bundleForChild(path.join(repoRoot, 'test', 'support', 'mcp', 'stdio-server.ts'), path.join(dir, 'stdio-server.mjs'));
  return { file, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export type Era = 'legacy' | 'modern';

export interface TestClientOptions {
  readonly era?: Era;
  readonly name?: string;
  /** Declare elicitation and answer each request with this (default: no elicitation capability). */
  readonly onElicit?: (params: { message: string }) => ElicitResult | Promise<ElicitResult>;
  /** Declare sampling and answer each request with this text. */
  readonly onSample?: (prompt: string) => string;
}

/** A real SDK client of the gateway, in the given era, connected over `transport`. */
export async function connectTestClient(transport: Transport, options: TestClientOptions = {}): Promise<Client> {
  const capabilities: ClientCapabilities = {
    ...(options.onElicit === undefined ? {} : { elicitation: { form: {} } }),
    ...(options.onSample === undefined ? {} : { sampling: {} }),
  };
  const client = new Client(
    { name: options.name ?? 'gateway-test-client', version: '1.0.0' },
    {
      capabilities,
      ...(options.era === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {}),
    },
  );
  const onElicit = options.onElicit;
  if (onElicit !== undefined) {
    client.setRequestHandler('elicitation/create', async (request) => onElicit(request.params as { message: string }));
  }
  const onSample = options.onSample;
  if (onSample !== undefined) {
    client.setRequestHandler('sampling/createMessage', (request) => {
      const first = request.params.messages[0]?.content;
      const prompt = first !== undefined && !Array.isArray(first) && first.type === 'text' ? first.text : '';
      return { model: 'test-model', role: 'assistant', content: { type: 'text', text: onSample(prompt) } };
    });
  }
  await client.connect(transport);
  return client;
}

/** The two ends of an in-memory connection: the client's, and the gateway's. */
export function linkedPair(): [InMemoryTransport, InMemoryTransport] {
  return InMemoryTransport.createLinkedPair();
}

/** The first text block of a tool result (or an empty string). */
export function textOf(result: { content?: unknown }): string {
  const content = Array.isArray(result.content) ? (result.content as { type?: string; text?: string }[]) : [];
  return content.find((block) => block.type === 'text')?.text ?? '';
}

/** Whether a process is still alive (signal 0 probes without signalling). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * MCP over the stdin/stdout of a process the test spawned itself (so it keeps the
 * process: its pid, its exit code, its stderr). Every message read from stdout is kept
 * in `received`, so a test can search all of it.
 */
export class SpawnedProcessTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  readonly received: JSONRPCMessage[] = [];
  private readonly buffer = new ReadBuffer();

  constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  start(): Promise<void> {
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer.append(chunk);
      for (let message = this.buffer.readMessage(); message !== null; message = this.buffer.readMessage()) {
        this.received.push(message);
        this.onmessage?.(message);
      }
    });
    this.child.once('close', () => this.onclose?.());
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.child.stdin.write(serializeMessage(message), (error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  }

  close(): Promise<void> {
    this.child.stdin.end();
    return Promise.resolve();
  }
}

/** What a gateway test fronts: a bundled stdio test server and a running HTTP one (`remote`). */
export interface GatewayUpstreams {
  stdio: { readonly file: string; readonly cleanup: () => Promise<void> };
  http: HttpTestServer;
  /** Run (last first) after each test: gateways, clients and extra servers the test started. */
  readonly cleanups: (() => Promise<void>)[];
}

/** Registers the hooks that build the upstreams once per file and run each test's cleanups. */
export function useGatewayUpstreams(): GatewayUpstreams {
  const upstreams = { cleanups: [] } as unknown as GatewayUpstreams;
  beforeAll(async () => {
    upstreams.stdio = await buildStdioTestServer();
    upstreams.http = await startHttpTestServer({ label: 'remote' });
  });
  afterEach(async () => {
    for (const cleanup of upstreams.cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(async () => {
    await upstreams.http.close();
    await upstreams.stdio.cleanup();
  });
  return upstreams;
}

/** What a rejected MCP request carried: the JSON-RPC error code, message and data. Fails the test if it resolved or threw anything else. */
export async function protocolErrorOf(promise: Promise<unknown>): Promise<{ code: number; message: string; data: unknown }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProtocolError) return { code: error.code, message: error.message, data: error.data };
    throw error;
  }
  throw new Error('expected an error');
}
