import type { Readable, Writable } from 'node:stream';
import { serializeMessage, type JSONRPCMessage, type Transport } from '@modelcontextprotocol/server';
import { serveStdio } from '@modelcontextprotocol/server/stdio';
import type { DirectCalls, DownstreamEra, Gateway } from './gateway.js';
import { JsonLineReader, type MessageInterceptor } from './json-lines.js';
import type { LowLevelServer } from './sdk.js';

export type StdioServingOptions =
  | { readonly input: Readable; readonly output: Writable; readonly onError?: (error: Error) => void }
  | { readonly transport: Transport; readonly onError?: (error: Error) => void };

export interface StdioServing {
  /** Resolves when the client ends the connection (stdin closes) or `close` is called. */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves the gateway to one client over stdio (or any single-channel transport). The
 * client's first message picks the era: `initialize` is the 2025-11-25 handshake,
 * a request carrying the `_meta` envelope is 2026-07-28 (the SDK's `serveStdio`).
 */
export function serveGatewayStdio(gateway: Gateway, options: StdioServingOptions): StdioServing {
  let markClosed: () => void = () => undefined;
  const closed = new Promise<void>((resolve) => (markClosed = resolve));
  const inner = 'transport' in options ? options.transport : new PipeTransport(options.input, options.output);
  const pipe = inner instanceof PipeTransport ? inner : undefined;
  let direct: DirectCalls | undefined;
  const observed = new ObservedTransport(inner, () => {
    direct?.close();
    markClosed();
  });
  const createServer = ({ era }: { era: DownstreamEra }): LowLevelServer => {
    const server = gateway.createServer({ era, transport: pipe === undefined ? 'memory' : 'stdio' });
    // Plain tool calls skip the server (Gateway.directCalls); on a pipe, the SDK's parse of each message too.
    direct = gateway.directCalls(server, (message) => inner.send(message));
    if (pipe === undefined) observed.intercept = direct?.take;
    else pipe.intercept = direct?.take;
    return server;
  };
  const handle = serveStdio(createServer, { transport: observed, ...(options.onError === undefined ? {} : { onerror: options.onError }) });
  return {
    closed,
    async close() {
      await handle.close();
      markClosed();
    },
  };
}

/**
 * MCP over a pair of streams, like the SDK's StdioServerTransport, except that the
 * messages sent in one tick leave in one write: with many calls in flight this saves a
 * system call (and a wake-up of the client) per message.
 */
class PipeTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly buffer = new JsonLineReader(
    (message) => this.onmessage?.(message),
    (error) => this.onerror?.(error),
  );
  private corked = false;
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

  /** Offered each message the client writes before the server sees it (json-lines.ts). */
  set intercept(interceptor: MessageInterceptor | undefined) {
    this.buffer.intercept = interceptor;
  }

  private readonly onData = (chunk: Buffer): void => {
    this.buffer.append(chunk);
  };

  private readonly onEnd = (): void => {
    void this.close();
  };

  private readonly onError = (error: Error): void => {
    this.onerror?.(error);
  };

  start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.input.on('error', this.onError);
    this.output.on('error', this.onError);
    if (this.input.readableEnded || this.input.destroyed) setImmediate(this.onEnd);
    return Promise.resolve();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the stdio connection is closed'));
    if (!this.corked) {
      this.corked = true;
      this.output.cork();
      process.nextTick(() => {
        this.corked = false;
        this.output.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      const written = this.output.write(serializeMessage(message), (error) => {
        if (error) reject(error);
      });
      if (written) resolve();
      else this.output.once('drain', resolve);
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.input.off('error', this.onError);
    this.input.pause();
    this.buffer.clear();
    this.onclose?.();
    return Promise.resolve();
  }
}

/** A transport that also tells its owner when the connection ends, and offers each message it receives to `intercept` first. */
class ObservedTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: Transport['onmessage'];
  intercept: MessageInterceptor | undefined;

  constructor(
    private readonly inner: Transport,
    private readonly ended: () => void,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  start(): Promise<void> {
    this.inner.onmessage = (message, extra) => {
      if (this.intercept?.(message) !== true) this.onmessage?.(message, extra);
    };
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onclose = () => {
      this.onclose?.();
      this.ended();
    };
    return this.inner.start();
  }

  send: Transport['send'] = (message, options) => this.inner.send(message, options);

  close(): Promise<void> {
    return this.inner.close();
  }

  setProtocolVersion = (version: string): void => {
    this.inner.setProtocolVersion?.(version);
  };
}
