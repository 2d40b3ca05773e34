import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { insertApiToken } from '../identity/api-tokens.js';
import { orgRoutes } from '../identity/org-routes.js';
import { profileRoutes } from '../profiles/index.js';
import type { RouteModule, ServerEvents } from '../server-context.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { createEventRoutes } from './index.js';

/** The event routes over the server's events, counting the subscriptions they hold. */
function countingSubscriptions(module: RouteModule): { module: RouteModule; count: () => number } {
  let subscriptions = 0;
  return {
    count: () => subscriptions,
    module: (app, server) => {
      const events: ServerEvents = {
        publish: (org, type, data) => server.events.publish(org, type, data),
        subscribe(org, listener) {
          subscriptions += 1;
          const unsubscribe = server.events.subscribe(org, listener);
          return () => {
            subscriptions -= 1;
            unsubscribe();
          };
        },
      };
      module(app, { ...server, events });
    },
  };
}

interface EventStream {
  readonly response: Response;
  /** Reads until the text received so far matches, and returns it. */
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  close(): void;
}

async function until<T>(check: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(SERVER_ENGINES)('event routes on %s', (engine) => {
  let server: TestServer;
  let baseUrl: string;
  let http: ReturnType<typeof createAdaptorServer>;
  const counted = countingSubscriptions(createEventRoutes({ pingIntervalMs: 100, maxStreamsPerMember: 2 }));

  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [orgRoutes, profileRoutes, counted.module] });
    http = createAdaptorServer({ fetch: server.app.fetch });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  });
  const opened: EventStream[] = [];
  afterEach(async () => {
    for (const stream of opened.splice(0)) stream.close();
    // Every stream the client closed is let go of: its subscription ends.
    await until(() => (counted.count() === 0 ? true : undefined));
  });
  afterAll(async () => {
    if ('closeAllConnections' in http) http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
    await server.close();
  });

  const open = async (org: TestOrg, token: string): Promise<EventStream> => {
    const abort = new AbortController();
    const response = await fetch(`${baseUrl}/v0.1/orgs/${org.org}/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    let received = '';
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      for (;;) {
        const chunk = await reader?.read();
        if (chunk === undefined || chunk.done) return;
        received += decoder.decode(chunk.value as Uint8Array, { stream: true });
      }
    })().catch(() => undefined);
    const stream: EventStream = {
      response,
      until: (pattern, timeoutMs) => until(() => (pattern.test(received) ? received : undefined), timeoutMs),
      close: () => {
        abort.abort();
      },
    };
    opened.push(stream);
    return stream;
  };

  /** Waits until the stream hears the org's events (PostgreSQL's LISTEN takes effect a moment after the stream opens). */
  const listening = async (org: TestOrg, stream: EventStream): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      await server.context.events.publish(org.org, 'profile', { org: org.org, scope: 'team:probe', revision: attempt });
      try {
        await stream.until(/team:probe/, 200);
        return;
      } catch (error) {
        if (attempt > 25) throw error;
      }
    }
  };

  it('delivers a profile event once a profile change commits, and pings', async () => {
    const org = await server.newOrg();
    const member = await org.member('mo', 'member', { scopes: ['read'] });
    const stream = await open(org, member);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await listening(org, stream);

    const put = await server.call('PUT', `/v0.1/orgs/${org.org}/profiles/org`, { token: org.ownerToken, body: { blockedSkills: ['old'] } });
    expect(put.status).toBe(200);
    const text = await stream.until(/"scope":"org"/);
    expect(text).toContain(`event: profile\ndata: ${JSON.stringify({ org: org.org, scope: 'org', revision: 1 })}\n\n`);
    await stream.until(/^: ping$/m);
  });

  it('announces a change of the reporting setting as the org profile, so daemons fetch it; other settings not', async () => {
    const org = await server.newOrg();
    const member = await org.member('mo', 'member', { scopes: ['read'] });
    const stream = await open(org, member);
    await listening(org, stream);
    expect((await server.call('PATCH', `/v0.1/orgs/${org.org}`, { token: org.ownerToken, body: { requireSignatures: true } })).status).toBe(200);
    expect((await server.call('PATCH', `/v0.1/orgs/${org.org}`, { token: org.ownerToken, body: { reporting: true } })).status).toBe(200);
    await server.context.events.publish(org.org, 'profile', { org: org.org, scope: 'team:marker', revision: 1 });
    // Events arrive in order: by the marker, any event of the first PATCH would have too.
    const text = await stream.until(/team:marker/);
    expect(text.match(/"scope":"org"/g)).toHaveLength(1);
    expect(text).toContain(`event: profile\ndata: ${JSON.stringify({ org: org.org, scope: 'org', revision: 0 })}\n\n`);
  });

  it('carries package events only for skills the caller may read', async () => {
    const org = await server.newOrg();
    const member = await org.member('mo', 'member', { teams: { api: 'member' }, scopes: ['read'] });
    await org.member('wes', 'member', { teams: { web: 'member' } });
    const stream = await open(org, member);
    await listening(org, stream);

    const event = (name: string, visibility: string): Record<string, string> => ({ org: org.org, name, version: '1.0.0', status: 'active', visibility });
    await server.context.events.publish(org.org, 'package', event('web-only', 'team:web'));
    await server.context.events.publish(org.org, 'package', event('api-only', 'team:api'));
    await server.context.events.publish(org.org, 'package', event('everyone', 'org'));
    const text = await stream.until(/"name":"everyone"/);
    expect(text).toContain(`event: package\ndata: ${JSON.stringify({ org: org.org, name: 'api-only', version: '1.0.0', status: 'active' })}\n\n`);
    expect(text).not.toContain('web-only');
    expect(text).not.toContain('visibility');
  });

  it('looks up the visibility of a skill when the event does not say it', async () => {
    const org = await server.newOrg();
    const member = await org.member('mo', 'member', { scopes: ['read'] });
    const at = new Date().toISOString();
    await server.context.db
      .insertInto('skills')
      .values([
        { org: org.org, name: 'hidden', description: '', visibility: 'team:web', created_at: at, updated_at: at },
        { org: org.org, name: 'shown', description: '', visibility: 'org', created_at: at, updated_at: at },
      ])
      .execute();
    const stream = await open(org, member);
    await listening(org, stream);
    for (const name of ['hidden', 'unknown', 'shown']) await server.context.events.publish(org.org, 'package', { org: org.org, name, version: '1.0.0', status: 'yanked' });
    const text = await stream.until(/"name":"shown"/);
    expect(text).not.toMatch(/hidden|unknown/);
  });

  it('drops events of other orgs and malformed ones', async () => {
    const org = await server.newOrg();
    const other = await server.newOrg();
    const stream = await open(org, org.ownerToken);
    await listening(org, stream);
    await server.context.events.publish(other.org, 'profile', { org: other.org, scope: 'org', revision: 7 });
    await server.context.events.publish(org.org, 'profile', { scope: 'org', revision: 'seven' });
    await server.context.events.publish(org.org, 'profile', { org: org.org, scope: 'org', revision: 8 });
    const text = await stream.until(/"revision":8/);
    expect(text).not.toContain(other.org);
    expect(text).not.toContain('seven');
  });

  it('caps the streams a member holds open, whichever of their tokens they use, and lets go of a stream the client closed', async () => {
    const org = await server.newOrg();
    expect(counted.count()).toBe(0);
    const first = await open(org, org.ownerToken);
    const second = await open(org, org.ownerToken);
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    await until(() => (counted.count() === 2 ? true : undefined));

    // Another token of the same member: minting tokens does not multiply the cap.
    const { token: secondToken } = await insertApiToken(server.context.db, { org: org.org, user: 'olivia', name: 'second', scopes: ['read'], expiresInDays: 1, now: new Date() });
    const third = await fetch(`${baseUrl}/v0.1/orgs/${org.org}/events`, { headers: { authorization: `Bearer ${secondToken}` } });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('5');
    expect(await third.json()).toMatchObject({ error: { code: 'SERVER_RATE_LIMITED' } });
    const otherToken = await open(org, await org.member('mo', 'member'));
    expect(otherToken.response.status).toBe(200);

    first.close();
    second.close();
    await until(() => (counted.count() === 1 ? true : undefined));
    const again = await open(org, org.ownerToken);
    expect(again.response.status).toBe(200);
  });

  it('ends a stream after its lifetime, so the client reconnects and is authenticated again', async () => {
    const short = await openTestServer(engine, { modules: [createEventRoutes({ maxStreamMs: 50 })] });
    try {
      const org = await short.newOrg();
      const response = await short.call('GET', `/v0.1/orgs/${org.org}/events`, { token: org.ownerToken });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('');
    } finally {
      await short.close();
    }
  });

  it('refuses a token of another org', async () => {
    const org = await server.newOrg();
    const other = await server.newOrg();
    const response = await fetch(`${baseUrl}/v0.1/orgs/${other.org}/events`, { headers: { authorization: `Bearer ${org.ownerToken}` } });
    expect(response.status).toBe(404);
  });
});
