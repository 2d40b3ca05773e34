import { describe, expect, it } from 'vitest';
import { parseEventStream, type RegistryEvent, type ServerSentEvent } from './event-stream.js';
import { createRegistryClient } from './registry-client.js';
import { errorResponse, fakeFetch } from './test-support/fake-fetch.js';

const address = 'https://skills.example.com/v0.1/orgs/acme';
const token = `ssk_${'B'.repeat(43)}`;

async function collect(chunks: readonly string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  async function* source(): AsyncGenerator<string> {
    for (const chunk of chunks) yield await Promise.resolve(chunk);
  }
  for await (const event of parseEventStream(source())) events.push(event);
  return events;
}

function streamResponse(text: string): Response {
  return new Response(text, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

const profileData = { org: 'acme', scope: 'team:platform', revision: 4 };
const packageData = { org: 'acme', name: 'pdf', version: '1.2.0', status: 'yanked' };

describe('parseEventStream', () => {
  it('builds events from fields, skipping comments and joining data lines', async () => {
    expect(await collect([': ping\n\nevent: profile\ndata: {"a":\ndata: 1}\nid: 7\n\ndata:plain\n\n'])).toEqual([
      { event: 'profile', data: '{"a":\n1}' },
      { event: 'message', data: 'plain' },
    ]);
  });

  it('handles any line ending, split anywhere across chunks, including CRLF split in two', async () => {
    expect(await collect(['event: pack', 'age\r', '\ndata: x\r', '\r', '\nevent: profile\rdata: y\r\r'])).toEqual([
      { event: 'package', data: 'x' },
      { event: 'profile', data: 'y' },
    ]);
  });

  it('drops an event without data and an unterminated last event', async () => {
    expect(await collect(['event: profile\n\nevent: package\ndata: cut'])).toEqual([]);
  });
});

describe('client.events', () => {
  it('yields open, then validated events, and skips event types it does not know', async () => {
    const { fetch, requests } = fakeFetch(() =>
      streamResponse(`: ping\n\nevent: profile\ndata: ${JSON.stringify(profileData)}\n\nevent: future\ndata: {}\n\nevent: package\ndata: ${JSON.stringify(packageData)}\n\n`),
    );
    const controller = new AbortController();
    const seen: RegistryEvent[] = [];
    for await (const event of createRegistryClient({ address, token, fetch }).events({ signal: controller.signal })) {
      seen.push(event);
      if (seen.length === 3) controller.abort();
    }
    expect(seen).toEqual([{ type: 'open' }, { type: 'profile', data: profileData }, { type: 'package', data: packageData }]);
    expect(requests[0]?.url.pathname).toBe('/v0.1/orgs/acme/events');
    expect(requests[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(requests[0]?.headers.get('authorization')).toBe(`Bearer ${token}`);
  });

  it('resubscribes with back-off after the stream ends or the server is unavailable, and says open again', async () => {
    const waits: number[] = [];
    const { fetch, requests } = fakeFetch((_request, index) => {
      if (index === 1) return errorResponse(503, 'SERVER_UNAVAILABLE', 'database down');
      if (index === 2) return Promise.reject(new TypeError('fetch failed'));
      return streamResponse(`event: package\ndata: ${JSON.stringify({ ...packageData, version: `1.${index}.0` })}\n\n`);
    });
    const controller = new AbortController();
    const seen: RegistryEvent[] = [];
    const sleep = (ms: number): Promise<void> => {
      waits.push(ms);
      return Promise.resolve();
    };
    for await (const event of createRegistryClient({ address, token, fetch }).events({ signal: controller.signal, sleep, baseDelayMs: 100 })) {
      seen.push(event);
      if (seen.length === 4) controller.abort();
    }
    expect(seen.map((event) => (event.type === 'package' ? event.data.version : event.type))).toEqual(['open', '1.0.0', 'open', '1.3.0']);
    expect(requests).toHaveLength(4);
    // After the clean end of stream: the base delay; then doubling while failures repeat.
    expect(waits).toEqual([100, 200, 400]);
  });

  it('reconnects when the connection goes silent past the idle timeout', async () => {
    const { fetch, requests } = fakeFetch((request, index) => {
      if (index > 0) return streamResponse(`event: profile\ndata: ${JSON.stringify(profileData)}\n\n`);
      // A stream that sends nothing and never ends, until its request is aborted.
      return new Response(new ReadableStream({ start: (controller) => request.signal?.addEventListener('abort', () => { controller.error(new Error('aborted')); }) }), { status: 200 });
    });
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of createRegistryClient({ address, token, fetch }).events({ signal: controller.signal, idleTimeoutMs: 20, sleep: () => Promise.resolve() })) {
      seen.push(event.type);
      if (event.type === 'profile') controller.abort();
    }
    expect(seen).toEqual(['open', 'open', 'profile']);
    expect(requests).toHaveLength(2);
  });

  it('ends on abort even when the fetch no longer hears its signal (a collected request, nodejs/node#55428)', async () => {
    let cancelled = 0;
    // The body ignores the request's signal: only cancelling the reader can end it.
    const { fetch } = fakeFetch(() => new Response(new ReadableStream({ cancel: () => void (cancelled += 1) }), { status: 200 }));
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of createRegistryClient({ address, token, fetch }).events({ signal: controller.signal })) {
      seen.push(event.type);
      setTimeout(() => { controller.abort(); }, 10);
    }
    expect(seen).toEqual(['open']);
    expect(cancelled).toBe(1);
  });

  it('reconnects past the idle timeout even when the fetch no longer hears its signal', async () => {
    const { fetch, requests } = fakeFetch((_request, index) =>
      index > 0 ? streamResponse(`event: profile\ndata: ${JSON.stringify(profileData)}\n\n`) : new Response(new ReadableStream(), { status: 200 }),
    );
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of createRegistryClient({ address, token, fetch }).events({ signal: controller.signal, idleTimeoutMs: 20, sleep: () => Promise.resolve() })) {
      seen.push(event.type);
      if (event.type === 'profile') controller.abort();
    }
    expect(seen).toEqual(['open', 'open', 'profile']);
    expect(requests).toHaveLength(2);
  });
  it('ends with the error on a refusal a reconnection cannot cure, or a malformed event', async () => {
    const forbidden = fakeFetch(() => errorResponse(401, 'SERVER_UNAUTHENTICATED', 'no such token'));
    await expect(async () => {
      for await (const _event of createRegistryClient({ address, token, fetch: forbidden.fetch }).events()) {
        // nothing arrives
      }
    }).rejects.toMatchObject({ code: 'SERVER_UNAUTHENTICATED' });
    expect(forbidden.requests).toHaveLength(1);

    const malformed = fakeFetch(() => streamResponse('event: profile\ndata: {"org":"acme"}\n\n'));
    await expect(async () => {
      for await (const _event of createRegistryClient({ address, token, fetch: malformed.fetch }).events()) {
        // open, then the bad event
      }
    }).rejects.toMatchObject({ code: 'REGISTRY_RESPONSE_INVALID' });
  });
});
