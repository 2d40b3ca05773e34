import type { FetchFunction } from '../registry-http.js';

/** A request as the fake registry saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: Uint8Array | undefined;
  readonly signal: AbortSignal | undefined;
}

/** A fetch that answers from `handler` and records every request, for client tests without a server. */
export function fakeFetch(handler: (request: SeenRequest, index: number) => Response | Promise<Response>): { fetch: FetchFunction; requests: SeenRequest[] } {
  const requests: SeenRequest[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const body = init.body === undefined || init.body === null ? undefined : new Uint8Array(await new Response(init.body).arrayBuffer());
    const request: SeenRequest = { method: init.method ?? 'GET', url: new URL(input), headers: new Headers(init.headers), body, signal: init.signal ?? undefined };
    requests.push(request);
    return handler(request, requests.length - 1);
  };
  return { fetch, requests };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}

export function errorResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: { code, message, hint: `server hint for ${code}` } }, headers);
}

/** A version detail as the server sends it. */
export function versionDetailBody(fields: { name: string; version: string; integrity: string; status?: string; signature?: object }): Record<string, unknown> {
  return {
    name: fields.name,
    version: fields.version,
    description: 'A skill',
    integrity: fields.integrity,
    status: fields.status ?? 'active',
    publishedAt: '2026-01-02T03:04:05.000Z',
    publishedBy: 'alice',
    signed: fields.signature !== undefined,
    size: 123,
    ...(fields.signature === undefined ? {} : { signature: fields.signature }),
  };
}

/** A retry policy that never really waits, recording each wait. */
export function instantRetry(waits: number[] = []): { sleep: (ms: number) => Promise<void>; now: () => number; waits: number[] } {
  let clock = 0;
  return {
    waits,
    now: () => clock,
    sleep: (ms) => {
      waits.push(ms);
      clock += ms;
      return Promise.resolve();
    },
  };
}
