import { isErrorCode, registerSecret, SkillsyncError, type ErrorCode } from '@skillsync/core';
import type { z } from 'zod';
import { errorBody } from './api-schemas.js';
import type { RegistryAddress } from './registry-address.js';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

/** How a request that may be repeated is retried: on network errors, 429, 502, 503 and 504. */
export interface RetryOptions {
  /** Attempts in all, the first included. Default 5. */
  readonly tries?: number;
  /** No new attempt starts once this many ms have passed since the first. Default 15 000. */
  readonly maxElapsedMs?: number;
  /** The first back-off; it doubles with each retry, with jitter. Default 250. */
  readonly baseDelayMs?: number;
  /** Waits `ms`; tests pass one that records instead. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Milliseconds, for the elapsed budget. */
  readonly now?: () => number;
}

export interface RegistryHttpOptions {
  readonly address: RegistryAddress;
  /** Sent as `Authorization: Bearer …`; never in an error, a detail or a log line. */
  readonly token?: string | undefined;
  readonly fetch?: FetchFunction | undefined;
  readonly retry?: RetryOptions | undefined;
  /** Per attempt; a request that takes longer counts as a network failure. Default 60 000. */
  readonly timeoutMs?: number | undefined;
}

export interface RegistryRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Below the API base: `/whoami`, `/orgs/acme/skills`. Segments already encoded. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>> | undefined;
  /** A JSON body (serialised here), or raw bytes with their content type. */
  readonly json?: unknown;
  readonly bytes?: { readonly data: Uint8Array; readonly contentType: string } | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly accept?: string | undefined;
  /** Safe to send again after a failure that may or may not have reached the server. */
  readonly retry: boolean;
  /** False for the one route that needs no token (`/health`). */
  readonly authenticated?: boolean | undefined;
  readonly signal?: AbortSignal | undefined;
  /** A long-lived answer (the event stream): no per-attempt timeout, the caller watches it. */
  readonly streaming?: boolean | undefined;
  /** Told before each new attempt, so a caller can tell an answer to a repeated request. */
  readonly onRetry?: (() => void) | undefined;
}

export interface RegistryHttp {
  readonly address: RegistryAddress;
  readonly hasToken: boolean;
  /** Sends `request` with retries as it allows; a non-2xx answer is thrown as a SkillsyncError. */
  send(request: RegistryRequest): Promise<Response>;
  /** The response body as JSON checked against `schema`; REGISTRY_RESPONSE_INVALID otherwise. */
  json<S extends z.ZodType>(response: Response, schema: S, request: Pick<RegistryRequest, 'method' | 'path'>): Promise<z.infer<S>>;
}

const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);

/** The code of a failure whose body is not ours (a proxy's page, an empty body), by status. */
const STATUS_CODES: Readonly<Record<number, ErrorCode>> = {
  400: 'INVALID_INPUT',
  401: 'SERVER_UNAUTHENTICATED',
  403: 'SERVER_FORBIDDEN',
  404: 'SERVER_NOT_FOUND',
  409: 'SERVER_CONFLICT',
  413: 'SERVER_PAYLOAD_TOO_LARGE',
  429: 'SERVER_RATE_LIMITED',
  503: 'SERVER_UNAVAILABLE',
};

/** Bodies of errors and JSON answers are small; a bigger one is not the registry API. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

export function createRegistryHttp(options: RegistryHttpOptions): RegistryHttp {
  const { address, token } = options;
  // Whatever happens below, the redactor masks the token should it reach a message.
  if (token !== undefined) registerSecret(token);
  const fetchFunction: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  const retry = {
    tries: options.retry?.tries ?? 5,
    maxElapsedMs: options.retry?.maxElapsedMs ?? 15_000,
    baseDelayMs: options.retry?.baseDelayMs ?? 250,
    sleep: options.retry?.sleep ?? sleep,
    now: options.retry?.now ?? Date.now,
  };
  const timeoutMs = options.timeoutMs ?? 60_000;

  const url = (path: string, query?: RegistryRequest['query']): string => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) search.set(key, String(value));
    const text = search.toString();
    return `${address.apiBase}${path}${text === '' ? '' : `?${text}`}`;
  };
  const headers = (accept: string, authenticated = true): Record<string, string> => ({
    accept,
    ...(authenticated && token !== undefined ? { authorization: `Bearer ${token}` } : {}),
  });

  const send = async (request: RegistryRequest): Promise<Response> => {
    const started = retry.now();
    const init = (signal: AbortSignal | undefined): RequestInit => ({
      method: request.method,
      headers: {
        ...headers(request.accept ?? 'application/json', request.authenticated !== false),
        ...(request.json === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        ...(request.bytes === undefined ? {} : { 'content-type': request.bytes.contentType }),
        ...request.headers,
      },
      // A copy over a plain ArrayBuffer: what every fetch typing (Node's and the DOM's) takes as a body.
      body: request.json !== undefined ? JSON.stringify(request.json) : request.bytes === undefined ? undefined : new Uint8Array(request.bytes.data),
      ...(signal === undefined ? {} : { signal }),
      redirect: 'error',
    });
    const target = url(request.path, request.query);
    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await fetchFunction(target, init(requestSignal(request.streaming === true ? undefined : timeoutMs, request.signal)));
      } catch (error) {
        if (request.signal?.aborted === true) throw error;
        const delay = request.retry ? backoff(attempt, undefined) : undefined;
        if (delay === undefined) throw unreachable(address, request, error);
        await retry.sleep(delay, request.signal);
        request.onRetry?.();
        continue;
      }
      if (response.ok) return response;
      const delay = request.retry && TRANSIENT_STATUSES.has(response.status) ? backoff(attempt, retryAfterMs(response, retry.now())) : undefined;
      if (delay === undefined) throw await errorFromResponse(response, address, request);
      // The body of an answer we retry past is not read: release the connection.
      await response.body?.cancel().catch(() => undefined);
      await retry.sleep(delay, request.signal);
      request.onRetry?.();
    }

    /** The wait before the next attempt, or undefined when the budget is spent. */
    function backoff(attempt: number, serverDelay: number | undefined): number | undefined {
      if (attempt >= retry.tries) return undefined;
      const exponential = retry.baseDelayMs * 2 ** (attempt - 1);
      const delay = serverDelay ?? exponential / 2 + Math.random() * (exponential / 2);
      return retry.now() - started + delay > retry.maxElapsedMs ? undefined : delay;
    }
  };

  const json = async <S extends z.ZodType>(response: Response, schema: S, request: Pick<RegistryRequest, 'method' | 'path'>): Promise<z.infer<S>> => {
    let value: unknown;
    try {
      value = JSON.parse(await readText(response, MAX_JSON_BYTES));
    } catch (error) {
      if (error instanceof SkillsyncError) throw error;
      throw invalidResponse(address, request, response.status, 'its body is not JSON', { cause: error });
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
      throw invalidResponse(address, request, response.status, `its body does not match the API (${issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')})`, { issues });
    }
    return parsed.data;
  };

  return { address, hasToken: token !== undefined, send, json };
}

/**
 * The server's error as a SkillsyncError: its code when skillsync knows it (with the
 * server's message and hint), else the code its status stands for.
 */
export async function errorFromResponse(response: Response, address: RegistryAddress, request: Pick<RegistryRequest, 'method' | 'path'>): Promise<SkillsyncError> {
  const details: Record<string, unknown> = { registry: address.address, status: response.status, request: `${request.method} ${request.path}` };
  const retryAfter = retryAfterMs(response, Date.now());
  if (retryAfter !== undefined) details.retryAfterSeconds = Math.ceil(retryAfter / 1000);
  let body: z.infer<typeof errorBody> | undefined;
  try {
    const parsed = errorBody.safeParse(JSON.parse(await readText(response, 64 * 1024)));
    body = parsed.success ? parsed.data : undefined;
  } catch {
    body = undefined;
  }
  if (body !== undefined && isErrorCode(body.error.code)) {
    return new SkillsyncError(body.error.code, body.error.message, { details, ...(body.error.hint === undefined ? {} : { hint: body.error.hint }) });
  }
  if (body !== undefined) details.serverCode = body.error.code.slice(0, 100);
  const code = STATUS_CODES[response.status];
  if (code !== undefined) {
    return new SkillsyncError(code, body?.error.message ?? `The registry ${address.address} answered ${response.status} to ${request.method} ${request.path}.`, { details });
  }
  if (response.status >= 500) {
    return new SkillsyncError('SOURCE_UNREACHABLE', `The registry ${address.address} failed with ${response.status} on ${request.method} ${request.path}.`, { details });
  }
  return new SkillsyncError('REGISTRY_RESPONSE_INVALID', `The registry ${address.address} answered ${request.method} ${request.path} with ${response.status}, which the API does not use.`, { details });
}

export function unreachable(address: RegistryAddress, request: Pick<RegistryRequest, 'method' | 'path'>, error: unknown): SkillsyncError {
  return new SkillsyncError('SOURCE_UNREACHABLE', `Could not reach the registry ${address.address} (${request.method} ${request.path}): ${networkReason(error)}.`, {
    details: { registry: address.address, request: `${request.method} ${request.path}` },
    cause: error,
  });
}

function invalidResponse(address: RegistryAddress, request: Pick<RegistryRequest, 'method' | 'path'>, status: number, reason: string, extra: { issues?: unknown; cause?: unknown }): SkillsyncError {
  return new SkillsyncError('REGISTRY_RESPONSE_INVALID', `The registry ${address.address} answered ${request.method} ${request.path}, but ${reason}.`, {
    details: { registry: address.address, status, request: `${request.method} ${request.path}`, ...(extra.issues === undefined ? {} : { issues: extra.issues }) },
    cause: extra.cause,
  });
}

/** `connection refused`, `timed out`…: the cause, without anything the request carried. */
function networkReason(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer in time';
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** `retry-after` in ms (delta-seconds or an HTTP date), when the answer has one. */
export function retryAfterMs(response: Response, now: number): number | undefined {
  const value = response.headers.get('retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The body as text, refusing more than `limit` bytes. */
export async function readText(response: Response, limit: number): Promise<string> {
  return Buffer.from(await readBytes(response, limit, () => new SkillsyncError('REGISTRY_RESPONSE_INVALID', `An answer of the registry is larger than ${limit} bytes.`))).toString('utf8');
}

/** The body as bytes, throwing `tooLarge()` past `limit` bytes without reading the rest. */
export async function readBytes(response: Response, limit: number, tooLarge: () => SkillsyncError): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * What aborts one attempt: its timeout (none for a stream) or the caller's signal. Not
 * `AbortSignal.any`/`AbortSignal.timeout`: on Node 20 the signals they return can be
 * collected while a fetch still waits on them, and then neither the timeout nor the
 * caller's abort reaches the request (a daemon stop waited forever on an event stream
 * and a profile fetch). Here a timer and a listener hold the controller.
 */
function requestSignal(timeoutMs: number | undefined, caller: AbortSignal | undefined): AbortSignal | undefined {
  if (timeoutMs === undefined) return caller;
  const controller = new AbortController();
  const timer = setTimeout(() => { controller.abort(new DOMException(`No answer within ${timeoutMs} ms.`, 'TimeoutError')); }, timeoutMs);
  // A finished request's timer may still run out: aborting it then does nothing. It must not keep the process alive.
  timer.unref();
  if (caller?.aborted === true) controller.abort(caller.reason);
  else caller?.addEventListener('abort', () => { controller.abort(caller.reason); }, { once: true });
  return controller.signal;
}
