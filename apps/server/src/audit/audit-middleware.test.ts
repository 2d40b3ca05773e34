import { createHash } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';
import { openAuditLog, type AuditInput, type AuditLog, type AuditRecord } from '@skillsync/policy';
import { API_PREFIX, memberPatch, tokenCreate } from '@skillsync/registry';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorResponse } from '../http/error-response.js';
import { jsonBody } from '../http/validate.js';
import type { Caller, ServerEnv } from '../server-context.js';
import { openTestServer, SERVER_ENGINES, type TestServer } from '../test-support/test-server.js';
import { auditBacklogGate, auditMiddleware, cachedOrgLookup } from './audit-middleware.js';

// Tokens of the dummy caller middleware: `ssk_` + 43 characters, as real ones.
const OWNER_TOKEN = `ssk_${'o'.repeat(43)}`;
const MEMBER_TOKEN = `ssk_${'m'.repeat(43)}`;
const PLANTED = `ssk_${'p'.repeat(43)}`;
const ISSUED = `ssk_${'i'.repeat(43)}`;
const SECRETS = [OWNER_TOKEN, MEMBER_TOKEN, PLANTED, ISSUED].flatMap((token) => [token, createHash('sha256').update(token).digest('hex')]);

function callerOf(user: string, org: string, orgRole: Caller['orgRole']): Caller {
  return { user, org, orgRole, teams: new Map(), token: { id: `${user}-token`, name: 'test', scopes: ['admin'], expiresAt: '2099-01-01T00:00:00.000Z' } };
}

/**
 * A bare app: the audit middleware, a caller middleware over two fixed tokens (every org
 * is `acme` except `globex`'s gina), and a few routes shaped like the real ones.
 */
function dummyApp(log: AuditLog, orgs: { readonly acme: string; readonly globex: string }): Hono<ServerEnv> {
  const callers = new Map<string, Caller>([
    [OWNER_TOKEN, callerOf('alice', orgs.acme, 'owner')],
    [MEMBER_TOKEN, callerOf('mo', orgs.acme, 'member')],
    [PLANTED, callerOf('gina', orgs.globex, 'owner')],
  ]);
  const app = new Hono<ServerEnv>();
  const orgExists = (org: string): Promise<boolean> => Promise.resolve(org === orgs.acme || org === orgs.globex);
  app.use(`${API_PREFIX}/orgs/*`, auditMiddleware(log, { now: () => new Date(), maxPending: 10_000, orgExists }));
  app.use(async (c, next) => {
    const token = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    if (token === 'slow') throw new SkillsyncError('SERVER_RATE_LIMITED', 'Too many requests.');
    const caller = token === undefined ? undefined : callers.get(token);
    if (caller === undefined) throw new SkillsyncError('SERVER_UNAUTHENTICATED', 'Missing or invalid token.');
    c.set('caller', caller);
    await next();
  });
  app.get(`${API_PREFIX}/orgs/:org/members`, (c) => c.json({ members: [] }));
  app.patch(`${API_PREFIX}/orgs/:org/members/:user`, async (c) => {
    const { role } = await jsonBody(c, memberPatch.loose());
    if (c.var.caller.orgRole !== 'owner') throw new SkillsyncError('SERVER_FORBIDDEN', 'Not allowed.');
    if (c.req.param('user') === 'ghost') throw new SkillsyncError('SERVER_NOT_FOUND', 'No member ghost here.');
    if (c.req.param('user') === 'crash') throw new Error(`database said no to ${ISSUED}`);
    return c.json({ user: c.req.param('user'), role });
  });
  app.post(`${API_PREFIX}/orgs/:org/tokens`, async (c) => {
    const request = await jsonBody(c, tokenCreate);
    return c.json({ id: 'tok123', name: request.name, user: c.var.caller.user, scopes: request.scopes, token: ISSUED }, 201);
  });
  app.post(`${API_PREFIX}/orgs/:org/unlisted/:thing`, (c) => c.body(null, 204));
  app.onError((error, c) => {
    const response = errorResponse(error);
    return c.json(response.body, response.status);
  });
  return app;
}

describe.each(SERVER_ENGINES)('the audit middleware on %s', (engine) => {
  let server: TestServer;
  let log: AuditLog;
  let app: Hono<ServerEnv>;
  let acme: string;
  let globex: string;

  beforeAll(async () => {
    server = await openTestServer(engine, { modules: [], auditFlushDelayMs: 5 });
    log = server.context.audit;
    acme = (await server.newOrg('alice')).org;
    globex = (await server.newOrg('gina')).org;
    app = dummyApp(log, { acme, globex });
  });
  afterAll(async () => {
    await server.close();
  });

  const send = async (method: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> =>
    app.request(`${API_PREFIX}${path}`, {
      method,
      headers: {
        ...options.headers,
        ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });

  /** The records one request added to `org`. */
  async function recorded(org: string, request: () => Promise<Response>): Promise<{ status: number; records: AuditRecord[] }> {
    const before = (await log.list({ org, newest: true, limit: 1 })).at(-1)?.seq ?? 0;
    const response = await request();
    return { status: response.status, records: await log.list({ org, afterSeq: before }) };
  }

  it('records an allowed change with its action, target and facts, after it is answered', async () => {
    const { status, records } = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/bob`, { token: OWNER_TOKEN, body: { role: 'admin' } }));
    expect(status).toBe(200);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ org: acme, principal: 'alice', client: 'server', action: 'changeRole', target: 'member:bob', decision: 'allow', outcome: 'ok', detail: 'role=admin' });
    expect(records[0]?.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('records a refused change as deny and a failed one as an error with its code', async () => {
    const denied = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/bob`, { token: MEMBER_TOKEN, body: { role: 'owner' } }));
    expect(denied.status).toBe(403);
    expect(denied.records).toEqual([
      expect.objectContaining({ principal: 'mo', action: 'changeRole', target: 'member:bob', decision: 'deny', outcome: 'denied', detail: 'SERVER_FORBIDDEN role=owner' }),
    ]);

    const missing = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/ghost`, { token: OWNER_TOKEN, body: { role: 'admin' } }));
    expect(missing.status).toBe(404);
    expect(missing.records).toEqual([expect.objectContaining({ target: 'member:ghost', decision: 'allow', outcome: 'error', detail: 'SERVER_NOT_FOUND role=admin' })]);

    const invalid = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/bob`, { token: OWNER_TOKEN, body: { role: 'emperor' } }));
    expect(invalid.status).toBe(400);
    // The role did not pass the schema, so it is not recorded either.
    expect(invalid.records).toEqual([expect.objectContaining({ decision: 'allow', outcome: 'error', detail: 'INVALID_INPUT' })]);

    const crashed = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/crash`, { token: OWNER_TOKEN, body: { role: 'admin' } }));
    expect(crashed.status).toBe(500);
    expect(crashed.records).toEqual([expect.objectContaining({ outcome: 'error', detail: 'INTERNAL role=admin' })]);
  });

  it('records a request without a valid token as anonymous and denied, in the org of the path', async () => {
    const { status, records } = await recorded(acme, () => send('PATCH', `/orgs/${acme}/members/bob`, { body: { role: 'owner' } }));
    expect(status).toBe(401);
    expect(records).toEqual([
      expect.objectContaining({ org: acme, principal: 'anonymous', action: 'changeRole', target: 'member:bob', decision: 'deny', outcome: 'denied', detail: 'SERVER_UNAUTHENTICATED' }),
    ]);
  });

  it('does not record a request without a valid token under an org that does not exist', async () => {
    const start = await log.count();
    expect((await send('PATCH', '/orgs/no-such-org/members/bob', { body: { role: 'owner' } })).status).toBe(401);
    expect((await send('POST', '/orgs/another-made-up-org/tokens', { body: { name: 'x', scopes: ['admin'] } })).status).toBe(401);
    expect(await log.count()).toBe(start);
  });

  it("records a caller's request in the caller's org, whatever org the path names", async () => {
    const { records } = await recorded(globex, () => send('PATCH', `/orgs/${acme}/members/bob`, { token: PLANTED, body: { role: 'admin' } }));
    expect(records).toEqual([expect.objectContaining({ org: globex, principal: 'gina', action: 'changeRole' })]);
  });

  it('does not record reads, unknown paths, paths of no possible org, or rate-limited requests; records an unlisted route by its pattern', async () => {
    const count = async (): Promise<number> => log.count();
    const start = await count();
    expect((await send('GET', `/orgs/${acme}/members`, { token: OWNER_TOKEN })).status).toBe(200);
    expect((await send('DELETE', `/orgs/${acme}/nothing/here`, { token: OWNER_TOKEN })).status).toBe(404);
    expect((await send('PATCH', '/orgs/NOT_AN_ORG/members/bob', { body: { role: 'admin' } })).status).toBe(401);
    expect((await send('PATCH', `/orgs/${acme}/members/bob`, { token: 'slow', body: { role: 'admin' } })).status).toBe(429);
    expect(await count()).toBe(start);

    const { records } = await recorded(acme, () => send('POST', `/orgs/${acme}/unlisted/x%20y`, { token: OWNER_TOKEN }));
    expect(records).toEqual([expect.objectContaining({ action: 'POST /orgs/:org/unlisted/:thing', outcome: 'ok' })]);
  });

  it('keeps no token, token hash or body text in any record', async () => {
    const { records } = await recorded(acme, () =>
      send('POST', `/orgs/${acme}/tokens`, {
        token: OWNER_TOKEN,
        body: { name: `ci ${PLANTED}`, scopes: ['publish', 'read'] },
        headers: { 'x-note': PLANTED },
      }),
    );
    expect(records).toEqual([expect.objectContaining({ action: 'createToken', target: 'token/tok123', detail: 'user=alice scopes=publish,read' })]);
    await send('PATCH', `/orgs/${acme}/members/bob`, { token: OWNER_TOKEN, body: { role: 'admin', note: PLANTED } });
    await send('PATCH', `/orgs/${acme}/members/crash`, { token: OWNER_TOKEN, body: { role: 'admin' } });
    await log.flush();

    const rows = await sql<Record<string, unknown>>`select * from audit_log`.execute(server.context.db);
    const stored = JSON.stringify(rows.rows);
    expect(rows.rows.length).toBeGreaterThan(5);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);
    expect(stored).not.toContain('ci ssk_');
  });

  it('queues the record without writing it in the request, and the chain verifies', async () => {
    const slowLog = await openAuditLog({ db: server.context.database, flushDelayMs: 60_000 });
    try {
      const slowApp = dummyApp(slowLog, { acme, globex });
      const response = await slowApp.request(`${API_PREFIX}/orgs/${acme}/members/bob`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${OWNER_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ role: 'publisher' }),
      });
      expect(response.status).toBe(200);
      expect(slowLog.pending).toBe(1);
    } finally {
      await slowLog.close();
    }
    expect((await log.list({ org: acme, newest: true, limit: 1 }))[0]).toMatchObject({ detail: 'role=publisher' });
    expect(await log.verify()).toMatchObject({ ok: true });
  });
});

describe('the audit middleware under a backlog', () => {
  /** An app whose log always has `pending` records waiting, with one member token. */
  function backlogApp(pending: number): { app: Hono<ServerEnv>; appended: AuditInput[]; ran: () => number; skipped: number[] } {
    const appended: AuditInput[] = [];
    const skipped: number[] = [];
    let ran = 0;
    const log = { append: (record: AuditInput) => appended.push(record), pending };
    const app = new Hono<ServerEnv>();
    app.use(
      `${API_PREFIX}/orgs/*`,
      auditMiddleware(log, { now: () => new Date(), maxPending: 10, orgExists: () => Promise.resolve(true), onAnonymousSkipped: (count) => skipped.push(count) }),
    );
    app.use(async (c, next) => {
      if (c.req.header('authorization') !== `Bearer ${OWNER_TOKEN}`) throw new SkillsyncError('SERVER_UNAUTHENTICATED', 'Missing or invalid token.');
      c.set('caller', callerOf('alice', 'acme', 'owner'));
      await next();
    });
    app.use(`${API_PREFIX}/orgs/*`, auditBacklogGate(log, { maxPending: 10 }));
    app.delete(`${API_PREFIX}/orgs/:org/teams/:team`, (c) => {
      ran += 1;
      return c.body(null, 204);
    });
    app.get(`${API_PREFIX}/orgs/:org/teams`, (c) => c.json({ teams: [] }));
    app.onError((error, c) => {
      const response = errorResponse(error);
      return c.json(response.body, response.status);
    });
    return { app, appended, ran: () => ran, skipped };
  }
  const owner = { authorization: `Bearer ${OWNER_TOKEN}` };

  it('refuses authenticated changes (503) without running or recording them while too many records wait, and still serves reads', async () => {
    const { app, appended, ran } = backlogApp(10);
    const refused = await app.request(`${API_PREFIX}/orgs/acme/teams/red`, { method: 'DELETE', headers: owner });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: 'SERVER_UNAVAILABLE' } });
    expect(ran()).toBe(0);
    expect((await app.request(`${API_PREFIX}/orgs/acme/teams`, { headers: owner })).status).toBe(200);
    expect(appended).toEqual([]);
  });

  it('never refuses a request without a token for the backlog: it is answered as usual, and counted instead of recorded', async () => {
    const { app, appended, skipped } = backlogApp(10);
    for (let i = 0; i < 3; i += 1) expect((await app.request(`${API_PREFIX}/orgs/acme/teams/red`, { method: 'DELETE' })).status).toBe(401);
    expect(appended).toEqual([]);
    // Told at once, then at most once a minute: the next two are counted for the next report.
    expect(skipped).toEqual([1]);
  });

  it('records both kinds again once the backlog is below the limit', async () => {
    const { app, appended, ran } = backlogApp(9);
    expect((await app.request(`${API_PREFIX}/orgs/acme/teams/red`, { method: 'DELETE' })).status).toBe(401);
    expect((await app.request(`${API_PREFIX}/orgs/acme/teams/red`, { method: 'DELETE', headers: owner })).status).toBe(204);
    expect(ran()).toBe(1);
    expect(appended.map((record) => [record.principal, record.outcome])).toEqual([
      ['anonymous', 'denied'],
      ['alice', 'ok'],
    ]);
  });
});

describe('cachedOrgLookup', () => {
  it('remembers the orgs it found for a few seconds, and asks again about those it did not', async () => {
    let now = 0;
    const asked: string[] = [];
    const exists = cachedOrgLookup(
      (org) => {
        asked.push(org);
        return Promise.resolve(org === 'acme');
      },
      { now: () => now, ttlMs: 5000 },
    );
    expect([await exists('acme'), await exists('acme'), await exists('ghost'), await exists('ghost')]).toEqual([true, true, false, false]);
    expect(asked).toEqual(['acme', 'ghost', 'ghost']);
    now += 5000;
    expect(await exists('acme')).toBe(true);
    expect(asked).toEqual(['acme', 'ghost', 'ghost', 'acme']);
  });
});
