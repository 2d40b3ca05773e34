import { createEnv } from '@skillsync/core';
import type { FetchFunction } from '@skillsync/registry';
import { describe, expect, it } from 'vitest';
import { followOrgEvents } from './org-events.js';

const ACME = 'http://127.0.0.1:4873/v0.1/orgs/acme';
const env = createEnv({ home: '/nowhere', cwd: '/nowhere', vars: { SKILLSYNC_REGISTRY_TOKEN: `ssk_${'E'.repeat(43)}`, SKILLSYNC_REGISTRY: ACME } });

/** A stream that sends `text` and stays open until the request is aborted. */
function eventStream(text: string, signal: AbortSignal | null | undefined): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode(text));
      signal?.addEventListener('abort', () => {
        controller.error(new DOMException('aborted', 'AbortError'));
      });
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('followOrgEvents', () => {
  it('reports each (re)connection and each profile event, retries a refused stream later, and ends on stop', async () => {
    const requests: string[] = [];
    const fetch: FetchFunction = (input, init) => {
      requests.push(new URL(input).pathname);
      if (requests.length === 1) return Promise.resolve(Response.json({ error: { code: 'SERVER_UNAUTHENTICATED', message: 'token revoked' } }, { status: 401 }));
      const data = JSON.stringify({ org: 'acme', scope: 'team:platform', revision: 3 });
      return Promise.resolve(eventStream(`: ping\n\nevent: package\ndata: {"org":"acme","name":"x","version":"1.0.0","status":"active"}\n\nevent: profile\ndata: ${data}\n\n`, init.signal));
    };
    const profiles: string[] = [];
    const errors: string[] = [];
    const events = followOrgEvents({ env, registries: [ACME], fetch, retryMs: 20, onProfile: (registry) => profiles.push(registry), onError: (registry, message) => errors.push(`${registry} ${message}`) });

    await until(() => profiles.length === 2, 'the open and the profile event');
    expect(errors).toEqual([`${ACME} SERVER_UNAUTHENTICATED: token revoked`]);
    expect(requests).toEqual(['/v0.1/orgs/acme/events', '/v0.1/orgs/acme/events']);
    expect(profiles).toEqual([ACME, ACME]);
    await events.stop();
    const after = requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(requests.length).toBe(after);
  });
});
