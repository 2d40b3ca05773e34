import { SkillsyncError } from '@skillsync/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { insertApiToken } from '../identity/api-tokens.js';
import { identityRoutes } from '../identity/index.js';
import type { RouteModule } from '../server-context.js';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';
import type { ServerLogger } from './app.js';

/** Routes that fail on purpose, to see what the error handler makes of each failure. */
const failingRoutes: RouteModule = (app) => {
  app.get('/v0.1/test/crash', () => {
    throw new Error('SELECT secret FROM somewhere failed at /srv/data/file.db');
  });
  app.get('/v0.1/test/coded-internal', () => {
    throw new SkillsyncError('STATE_DB_FAILED', 'Could not write /srv/private/server.db');
  });
  app.get('/v0.1/test/database-down', () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/v0.1/test/database-gone', () => {
    throw new Error('Connection terminated unexpectedly');
  });
  app.get('/v0.1/test/zod', () => {
    z.object({ n: z.number() }).parse({ n: 'hunter2-value' });
    return new Response();
  });
  app.get('/v0.1/test/package-invalid', () => {
    throw new SkillsyncError('PACKAGE_UNSAFE_PATH', 'The package holds ../escape.');
  });
  app.put('/v0.1/orgs/:org/skills/:name/versions/:version', async (c) => c.json({ bytes: (await c.req.arrayBuffer()).byteLength }));
};

interface LogLine {
  readonly level: 'info' | 'error';
  readonly fields: Record<string, unknown>;
}

describe.each(SERVER_ENGINES)('the HTTP app on %s', (engine) => {
  let server: TestServer;
  const lines: LogLine[] = [];
  const logger: ServerLogger = {
    info: (fields) => lines.push({ level: 'info', fields }),
    error: (fields) => lines.push({ level: 'error', fields }),
  };

  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [identityRoutes, failingRoutes], logger, limits: { jsonBodyBytes: 1024, packageBytes: 4096, requestsPerMinute: 1000 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers health without a token, naming the engine', async () => {
    const response = await server.call('GET', '/v0.1/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: engine });
  });

  it('sends the security headers, and no CORS header even to a browser origin', async () => {
    const org = await server.newOrg();
    for (const response of [
      await server.call('GET', '/v0.1/whoami', { token: org.ownerToken, headers: { origin: 'https://evil.example' } }),
      await server.call('GET', '/v0.1/whoami', { headers: { origin: 'https://evil.example' } }),
      await server.call('GET', '/v0.1/health'),
    ]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
      expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    }
  });

  it('answers a CORS preflight like an unknown route', async () => {
    const response = await server.call('OPTIONS', '/v0.1/whoami', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(response.status).toBe(404);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });

  it('answers an unknown route with 404 once authenticated, 401 before', async () => {
    const org = await server.newOrg();
    const known = await server.call('GET', '/v0.1/nothing-here', { token: org.ownerToken });
    expect(known.status).toBe(404);
    expect(await known.json()).toEqual({ error: { code: 'SERVER_NOT_FOUND', message: 'No such route.', hint: expect.any(String) as string } });
    expect((await server.call('GET', '/v0.1/nothing-here')).status).toBe(401);
  });

  describe('error bodies', () => {
    let token: string;
    beforeAll(async () => {
      token = (await server.newOrg()).ownerToken;
    });

    it('hides what an unexpected error says, and logs it with the request id', async () => {
      lines.length = 0;
      for (const route of ['crash', 'coded-internal']) {
        const response = await server.call('GET', `/v0.1/test/${route}`, { token, headers: { 'x-request-id': `req-${route}` } });
        expect(response.status).toBe(500);
        const text = await response.text();
        expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: expect.stringContaining('request id') as string, hint: expect.any(String) as string } });
        expect(text).not.toMatch(/secret|\/srv|SELECT|STATE_DB/);
        const logged = lines.find((line) => line.level === 'error' && line.fields.requestId === `req-${route}`);
        expect(logged?.fields.error).toMatchObject({ message: expect.stringContaining('/srv/') as string });
      }
    });

    it('answers 503 when the database cannot be reached', async () => {
      for (const route of ['database-down', 'database-gone']) {
        const response = await server.call('GET', `/v0.1/test/${route}`, { token });
        expect(response.status).toBe(503);
        expect(response.headers.get('retry-after')).toBe('1');
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('SERVER_UNAVAILABLE');
      }
    });

    it('names the bad fields of a zod failure, never their values', async () => {
      const response = await server.call('GET', '/v0.1/test/zod', { token });
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({ error: { code: 'INVALID_INPUT', message: expect.stringContaining('n:') as string } });
      expect(text).not.toContain('hunter2');
    });

    it("keeps the code of the caller's mistakes", async () => {
      const response = await server.call('GET', '/v0.1/test/package-invalid', { token });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'PACKAGE_UNSAFE_PATH', message: 'The package holds ../escape.' } });
    });
  });

  describe('body limits', () => {
    it('refuses a JSON body over the limit with 413', async () => {
      const org = await server.newOrg();
      const response = await server.call('POST', `/v0.1/orgs/${org.org}/teams`, { token: org.ownerToken, body: { team: 'web', description: 'x'.repeat(2000) } });
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ error: { code: 'SERVER_PAYLOAD_TOO_LARGE' } });
    });

    it('counts a body without content-length as it streams in', async () => {
      const org = await server.newOrg();
      const chunk = new TextEncoder().encode('x'.repeat(600));
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      });
      const response = await server.app.request(`/v0.1/orgs/${org.org}/teams`, {
        method: 'POST',
        headers: { authorization: `Bearer ${org.ownerToken}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      });
      expect(response.status).toBe(413);
    });

    it('takes packages up to their own limit', async () => {
      const org = await server.newOrg();
      const upload = (size: number): Promise<Response> =>
        Promise.resolve(
          server.app.request(`/v0.1/orgs/${org.org}/skills/x/versions/1.0.0`, {
            method: 'PUT',
            headers: { authorization: `Bearer ${org.ownerToken}`, 'content-type': 'application/gzip' },
            body: new Uint8Array(size),
          }),
        );
      const fits = await upload(3000);
      expect(fits.status).toBe(200);
      expect(await fits.json()).toEqual({ bytes: 3000 });
      expect((await upload(5000)).status).toBe(413);
    });
  });

  it('logs one line per request: route pattern and user, never the token or path values', async () => {
    const org = await server.newOrg();
    lines.length = 0;
    await server.call('GET', `/v0.1/orgs/${org.org}/members`, { token: org.ownerToken, headers: { 'x-request-id': 'req-log' } });
    const line = lines.find((entry) => entry.fields.requestId === 'req-log');
    expect(line?.fields).toMatchObject({ method: 'GET', route: '/v0.1/orgs/:org/members', status: 200, user: 'olivia', org: org.org });
    expect(typeof line?.fields.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain(org.ownerToken);
  });
});

describe('rate limits', () => {
  let server: TestServer;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    server = await openTestServer('sqlite', { limits: { requestsPerMinute: 3 }, now: () => new Date(clock) });
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives each member one allowance, whichever of their tokens they use, and says when to come back', async () => {
    const org = await server.newOrg();
    const other = await org.member('other', 'member');
    const { token: secondToken } = await insertApiToken(server.context.db, { org: org.org, user: 'olivia', name: 'second', scopes: ['read'], expiresInDays: 1, now: new Date(clock) });
    for (let i = 0; i < 3; i += 1) expect((await server.call('GET', '/v0.1/whoami', { token: org.ownerToken })).status).toBe(200);
    expect((await server.call('GET', '/v0.1/whoami', { token: secondToken })).status).toBe(429);
    const limited = await server.call('GET', '/v0.1/whoami', { token: org.ownerToken });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(await limited.json()).toMatchObject({ error: { code: 'SERVER_RATE_LIMITED' } });
    expect((await server.call('GET', '/v0.1/whoami', { token: other })).status).toBe(200);
    clock += 20_000;
    expect((await server.call('GET', '/v0.1/whoami', { token: org.ownerToken })).status).toBe(200);
  });

  it('charges requests without a valid token to their address', async () => {
    for (let i = 0; i < 3; i += 1) expect((await server.call('GET', '/v0.1/whoami', { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await server.call('GET', '/v0.1/whoami')).status).toBe(429);
  });
});
