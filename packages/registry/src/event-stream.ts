import { createEventParser, isSkillsyncError, SkillsyncError } from '@skillsync/core';
import type { z } from 'zod';
import { packageEvent, profileEvent } from './api-schemas.js';
import { sleep, type RegistryHttp } from './registry-http.js';

/** One event of a `text/event-stream` body. */
export interface ServerSentEvent {
  /** `message` when the event names none. */
  readonly event: string;
  readonly data: string;
}

/**
 * What a subscription yields: `open` each time the stream is (re)connected — the server
 * does not replay what was missed meanwhile, so a subscriber re-reads what it cares
 * about then — and each event the org's stream carries.
 */
export type RegistryEvent =
  | { readonly type: 'open' }
  | { readonly type: 'profile'; readonly data: z.infer<typeof profileEvent> }
  | { readonly type: 'package'; readonly data: z.infer<typeof packageEvent> };

export interface SubscribeOptions {
  /** Ends the subscription: the iteration then finishes without an error. */
  readonly signal?: AbortSignal | undefined;
  /** No byte for this long (the server pings every 15 s) means a dead connection. Default 45 000 ms. */
  readonly idleTimeoutMs?: number | undefined;
  /** The wait before reconnecting; it doubles per failure in a row, up to `maxDelayMs`. Default 500 ms. */
  readonly baseDelayMs?: number | undefined;
  /** Default 30 000 ms. */
  readonly maxDelayMs?: number | undefined;
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
}

/** Failures a new connection may not meet: anything else (401, 403, 404, a malformed event) ends the subscription. */
const TRANSIENT_CODES = new Set(['SOURCE_UNREACHABLE', 'SERVER_UNAVAILABLE', 'SERVER_RATE_LIMITED']);

const EVENT_SCHEMAS = { profile: profileEvent, package: packageEvent } as const;

/**
 * The org's event stream as an async iterable, reconnecting with back-off after a
 * dropped or dead connection for as long as the caller iterates. Events of a type this
 * client does not know are skipped; a known one that does not match its schema is
 * REGISTRY_RESPONSE_INVALID.
 */
export async function* subscribeEvents(http: RegistryHttp, path: string, options: SubscribeOptions = {}): AsyncGenerator<RegistryEvent> {
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const wait = options.sleep ?? sleep;
  const request = { method: 'GET', path } as const;
  const stopped = (): boolean => options.signal?.aborted === true;
  let failures = 0;
  while (!stopped()) {
    const connection = new AbortController();
    const stop = (): void => { connection.abort(); };
    options.signal?.addEventListener('abort', stop, { once: true });
    let idleTimer: NodeJS.Timeout | undefined;
    const stillAlive = (): void => {
      clearTimeout(idleTimer);
      idleTimer = setTimeout(stop, idleTimeoutMs);
    };
    let serverDelay: number | undefined;
    try {
      stillAlive();
      const response = await http.send({ ...request, accept: 'text/event-stream', retry: false, streaming: true, signal: connection.signal });
      failures = 0;
      yield { type: 'open' };
      for await (const event of parseEventStream(decodeChunks(response, stillAlive, connection.signal))) {
        const schema = event.event === 'profile' || event.event === 'package' ? EVENT_SCHEMAS[event.event] : undefined;
        if (schema === undefined) continue;
        const data = parseEventData(event, schema, http, path);
        yield event.event === 'profile'
          ? { type: 'profile', data: data as z.infer<typeof profileEvent> }
          : { type: 'package', data: data as z.infer<typeof packageEvent> };
      }
    } catch (error) {
      if (stopped()) return;
      if (isSkillsyncError(error) && !TRANSIENT_CODES.has(error.code)) throw error;
      const retryAfter = isSkillsyncError(error) ? error.details.retryAfterSeconds : undefined;
      serverDelay = typeof retryAfter === 'number' ? retryAfter * 1000 : undefined;
    } finally {
      clearTimeout(idleTimer);
      options.signal?.removeEventListener('abort', stop);
      connection.abort();
    }
    if (stopped()) return;
    failures += 1;
    const delay = serverDelay ?? Math.min(maxDelayMs, baseDelayMs * 2 ** (failures - 1));
    try {
      await wait(delay, options.signal);
    } catch {
      return;
    }
  }
}

function parseEventData(event: ServerSentEvent, schema: z.ZodType, http: RegistryHttp, path: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch {
    value = undefined;
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new SkillsyncError('REGISTRY_RESPONSE_INVALID', `The registry ${http.address.address} sent a ${event.event} event that does not match the API.`, {
    details: { registry: http.address.address, request: `GET ${path}`, event: event.event },
  });
}

/**
 * The body's text, chunk by chunk, until it ends or `signal` aborts. The abort cancels the
 * reader itself rather than relying on the fetch's own signal: Node's fetch (undici) holds
 * its request's abort controller only weakly, so once the request object is collected an
 * abort no longer reaches a body already streaming (nodejs/node#55428), and a stopping
 * daemon (or the idle timeout of a dead connection) waited until the server closed the stream.
 */
async function* decodeChunks(response: Response, onChunk: () => void, signal: AbortSignal): AsyncGenerator<string> {
  if (response.body === null) return;
  const decoder = new TextDecoder();
  // A reader rather than `for await`: the DOM typings the dashboard compiles this with have no async iterator on a body.
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const cancel = (): void => {
    reader.cancel().catch(() => undefined);
  };
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      onChunk();
      yield decoder.decode(read.value, { stream: true });
    }
  } finally {
    signal.removeEventListener('abort', cancel);
    // A consumer that stops early must not leave the connection open; not awaited, as the
    // caller aborts the request too and a cancel may otherwise wait on a live stream.
    cancel();
  }
  if (signal.aborted) return;
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/** Events out of a `text/event-stream` body, as the chunks of text arrive (core's `createEventParser`). */
export async function* parseEventStream(chunks: AsyncIterable<string>): AsyncGenerator<ServerSentEvent> {
  const parse = createEventParser();
  for await (const chunk of chunks) for (const { type, data } of parse(chunk)) yield { event: type, data };
}
