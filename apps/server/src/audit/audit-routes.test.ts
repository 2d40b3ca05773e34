import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashRecord, openAuditLog, type AuditRecord } from '@skillsync/policy';
import { API_PREFIX, auditList, auditVerify, runtimeAuditList, runtimeAuditUploaded, tokenCreated } from '@skillsync/registry';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerEnv } from '../server-context.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';
import { AUDITED_ROUTES } from './audited-routes.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `count` runtime records as a gateway writes them, from a real audit log of a device. */
async function deviceRecords(count: number): Promise<AuditRecord[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-device-'));
  try {
    const log = await openAuditLog({ file: path.join(dir, 'skillsync.db') });
    for (let index = 0; index < count; index += 1) {
      log.append({
        time: new Date(Date.UTC(2026, 2, 1, 12, index)),
        principal: 'mo',
        client: index % 2 === 0 ? 'cursor' : 'claude-code',
        action: 'callTool',
        connector: 'github',
        target: `github__tool_${index}`,
        decision: index % 7 === 6 ? 'deny' : 'allow',
        policyIds: ['default'],
        latencyMs: index + 0.5,
        outcome: index % 7 === 6 ? 'denied' : 'ok',
      });
    }
    const records = await log.list();
    await log.close();
    return records;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The records from `from` to `to` (seq, inclusive). */
const span = (records: readonly AuditRecord[], from: number, to: number): AuditRecord[] => records.filter((record) => record.seq >= from && record.seq <= to);

describe.each(SERVER_ENGINES)('the audit routes on %s', (engine) => {
  let server: TestServer;
  let app: Hono<ServerEnv>;

  beforeAll(async () => {
    server = await openTestServer(engine, { auditFlushDelayMs: 5 });
    app = server.app;
  });
  afterAll(async () => {
    await server.close();
  });

  const call = async (method: string, urlPath: string, token: string, body?: unknown): Promise<Response> =>
    app.request(`${API_PREFIX}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const ok = async (response: Response, status = 200): Promise<unknown> => {
    expect(response.status, await response.clone().text()).toBe(status);
    return response.status === 204 ? undefined : response.json();
  };
  const readAudit = async (org: TestOrg, query = '', token = org.ownerToken): Promise<ReturnType<typeof auditList.parse>> =>
    auditList.parse(await ok(await call('GET', `/orgs/${org.org}/audit${query}`, token)));
  const enableReporting = async (org: TestOrg): Promise<void> => {
    await ok(await call('PATCH', `/orgs/${org.org}`, org.ownerToken, { reporting: true }));
  };

  it('has an entry for every mutating route of the API, and none for a route that is gone', () => {
    const mutating = app.routes.filter((route) => MUTATING.has(route.method) && route.path.startsWith(`${API_PREFIX}/orgs/`));
    const keys = new Set(mutating.map((route) => `${route.method} ${route.path.slice(API_PREFIX.length)}`));
    expect([...keys].filter((key) => AUDITED_ROUTES[key] === undefined)).toEqual([]);
    expect(Object.keys(AUDITED_ROUTES).filter((key) => !keys.has(key))).toEqual([]);
  });

  it('records the admin actions of the real routes, allowed and refused, and lists them for the org', async () => {
    const org = await server.newOrg('olivia');
    const member = await org.member('mo', 'member');
    const owner = org.ownerToken;
    await ok(await call('POST', `/orgs/${org.org}/members`, owner, { user: 'bob', role: 'member' }), 201);
    await ok(await call('PATCH', `/orgs/${org.org}/members/bob`, owner, { role: 'publisher' }));
    await ok(await call('POST', `/orgs/${org.org}/teams`, owner, { team: 'red' }), 201);
    await ok(await call('PUT', `/orgs/${org.org}/teams/red/members/bob`, owner, { role: 'admin' }));
    const created = tokenCreated.parse(await ok(await call('POST', `/orgs/${org.org}/tokens`, owner, { name: 'ci', user: 'bob', scopes: ['publish'] }), 201));
    await ok(await call('DELETE', `/orgs/${org.org}/tokens/${created.id}`, owner), 204);
    await ok(await call('PATCH', `/orgs/${org.org}`, owner, { reporting: true }));
    await ok(await call('PUT', `/orgs/${org.org}/profiles/org`, owner, { blockedSkills: ['old'] }));
    await ok(await call('PUT', `/orgs/${org.org}/profiles/${encodeURIComponent('team:red')}`, owner, { blockedSkills: ['older'] }));
    expect((await call('POST', `/orgs/${org.org}/members`, member, { user: 'eve', role: 'owner' })).status).toBe(403);
    await ok(await call('DELETE', `/orgs/${org.org}/members/bob`, owner), 204);
    // Reads are not recorded.
    await ok(await call('GET', `/orgs/${org.org}/members`, owner));

    const { records } = await readAudit(org);
    expect(records.map(({ principal, action, target, decision, outcome, detail }) => ({ principal, action, target, decision, outcome, detail }))).toEqual([
      { principal: 'olivia', action: 'addMember', target: 'member:bob', decision: 'allow', outcome: 'ok', detail: 'role=member' },
      { principal: 'olivia', action: 'changeRole', target: 'member:bob', decision: 'allow', outcome: 'ok', detail: 'role=publisher' },
      { principal: 'olivia', action: 'createTeam', target: 'team:red', decision: 'allow', outcome: 'ok', detail: undefined },
      { principal: 'olivia', action: 'setTeamMember', target: 'member:bob', decision: 'allow', outcome: 'ok', detail: 'team=red role=admin' },
      { principal: 'olivia', action: 'createToken', target: `token/${created.id}`, decision: 'allow', outcome: 'ok', detail: 'user=bob scopes=publish' },
      { principal: 'olivia', action: 'revokeToken', target: `token/${created.id}`, decision: 'allow', outcome: 'ok', detail: undefined },
      { principal: 'olivia', action: 'updateSettings', target: `org:${org.org}`, decision: 'allow', outcome: 'ok', detail: 'reporting=true' },
      { principal: 'olivia', action: 'putProfile', target: 'profile:org', decision: 'allow', outcome: 'ok', detail: 'revision=1' },
      { principal: 'olivia', action: 'putProfile', target: 'profile:team:red', decision: 'allow', outcome: 'ok', detail: 'revision=1' },
      { principal: 'mo', action: 'addMember', target: 'member:eve', decision: 'deny', outcome: 'denied', detail: 'SERVER_FORBIDDEN role=owner' },
      { principal: 'olivia', action: 'removeMember', target: 'member:bob', decision: 'allow', outcome: 'ok', detail: undefined },
    ]);
    expect(records.every((record) => record.org === org.org && record.client === 'server')).toBe(true);

    const rows = await sql<Record<string, unknown>>`select * from audit_log`.execute(server.context.db);
    const hashes = await server.context.db.selectFrom('tokens').select('hash').where('org', '=', org.org).execute();
    const stored = JSON.stringify(rows.rows);
    for (const secret of [created.token, owner, member, ...hashes.map((row) => row.hash)]) expect(stored).not.toContain(secret);
  });

  it('shows each org only its records, filtered and paged by seq, to owners, admins and auditors only', async () => {
    const acme = await server.newOrg('alice');
    const globex = await server.newOrg('gina');
    for (const team of ['a', 'b', 'c', 'd', 'e']) await ok(await call('POST', `/orgs/${acme.org}/teams`, acme.ownerToken, { team }), 201);
    await ok(await call('POST', `/orgs/${globex.org}/teams`, globex.ownerToken, { team: 'g' }), 201);
    await ok(await call('DELETE', `/orgs/${acme.org}/teams/e`, acme.ownerToken), 204);

    expect((await readAudit(globex)).records.map((record) => record.target)).toEqual(['team:g']);
    const first = await readAudit(acme, '?limit=2&action=createTeam');
    expect(first.records.map((record) => record.target)).toEqual(['team:a', 'team:b']);
    const second = await readAudit(acme, `?limit=2&action=createTeam&cursor=${first.metadata.nextCursor ?? ''}`);
    const third = await readAudit(acme, `?limit=2&action=createTeam&cursor=${second.metadata.nextCursor ?? ''}`);
    expect([...second.records, ...third.records].map((record) => record.target)).toEqual(['team:c', 'team:d', 'team:e']);
    expect(third.metadata.nextCursor).toBeUndefined();
    expect((await readAudit(acme, '?principal=alice&action=deleteTeam')).records.map((record) => record.target)).toEqual(['team:e']);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await readAudit(acme, `?since=${encodeURIComponent(later)}`)).records).toEqual([]);

    const auditor = await acme.member('audrey', 'auditor');
    expect((await readAudit(acme, '', auditor)).records.length).toBeGreaterThan(0);
    const member = await acme.member('mo', 'member');
    for (const route of ['audit', 'audit/verify', 'audit/export', 'audit/runtime']) expect((await call('GET', `/orgs/${acme.org}/${route}`, member)).status).toBe(403);
    // Another org's log does not exist for a caller.
    expect((await call('GET', `/orgs/${globex.org}/audit`, acme.ownerToken)).status).toBe(404);
    expect((await call('GET', `/orgs/${acme.org}/audit?cursor=bogus`, acme.ownerToken)).status).toBe(400);
  });

  it('exports the org records as JSON lines that recompute on their own', async () => {
    const org = await server.newOrg('olivia');
    for (const team of ['x', 'y']) await ok(await call('POST', `/orgs/${org.org}/teams`, org.ownerToken, { team }), 201);
    await ok(await call('DELETE', `/orgs/${org.org}/teams/x`, org.ownerToken), 204);
    const response = await call('GET', `/orgs/${org.org}/audit/export`, org.ownerToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const text = await response.text();
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n').map((line) => JSON.parse(line) as AuditRecord);
    expect(lines.map((record) => [record.action, record.target])).toEqual([
      ['createTeam', 'team:x'],
      ['createTeam', 'team:y'],
      ['deleteTeam', 'team:x'],
    ]);
    for (const { seq: _seq, prevHash, hash, ...fields } of lines) expect(hashRecord(prevHash, fields)).toBe(hash);

    const filtered = await (await call('GET', `/orgs/${org.org}/audit/export?action=deleteTeam`, org.ownerToken)).text();
    expect(filtered.trimEnd().split('\n')).toHaveLength(1);
    expect(await (await call('GET', `/orgs/${org.org}/audit/export?action=nothing`, org.ownerToken)).text()).toBe('');
  });

  it('verifies the whole chain and names an org record that was edited', async () => {
    const org = await server.newOrg('olivia');
    await ok(await call('POST', `/orgs/${org.org}/teams`, org.ownerToken, { team: 'blue' }), 201);
    const verified = auditVerify.parse(await ok(await call('GET', `/orgs/${org.org}/audit/verify`, org.ownerToken)));
    expect(verified).toMatchObject({ ok: true });
    expect(verified.problem).toBeUndefined();
    expect(verified.checked).toBeGreaterThan(0);

    const [record] = (await readAudit(org)).records;
    const seq = record?.seq ?? 0;
    const other = await server.newOrg('gina');
    await sql`update audit_log set org = ${other.org} where seq = ${seq}`.execute(server.context.db);
    try {
      const broken = auditVerify.parse(await ok(await call('GET', `/orgs/${org.org}/audit/verify`, org.ownerToken)));
      expect(broken).toEqual({ ok: false, checked: seq - 1, head: verified.head, anchor: { seq: 0, hash: '0'.repeat(64), pruned: 0 }, problem: { seq, kind: 'edited' } });
    } finally {
      await sql`update audit_log set org = ${org.org} where seq = ${seq}`.execute(server.context.db);
    }
    expect(auditVerify.parse(await ok(await call('GET', `/orgs/${org.org}/audit/verify`, org.ownerToken))).ok).toBe(true);
  });

  describe('runtime uploads', () => {
    let records: AuditRecord[];
    beforeAll(async () => {
      records = await deviceRecords(30);
    });

    const upload = (org: TestOrg, token: string, batch: readonly AuditRecord[], device = 'laptop'): Promise<Response> =>
      call('POST', `/orgs/${org.org}/audit/runtime`, token, { device, records: batch });
    const refusal = async (response: Response): Promise<{ code: string; message: string }> => {
      expect(response.status).toBe(400);
      return ((await response.json()) as { error: { code: string; message: string } }).error;
    };

    it('stores a device chain batch by batch, takes a retried batch, and refuses gaps, tampering and rewrites naming the seq', async () => {
      const org = await server.newOrg('olivia');
      await enableReporting(org);
      const mo = await org.member('mo', 'member', { scopes: ['report'] });

      expect(runtimeAuditUploaded.parse(await ok(await upload(org, mo, span(records, 1, 10))))).toEqual({ accepted: 10, stored: 10, head: { seq: 10, hash: records[9]?.hash } });
      // A retry of what is held, and a batch overlapping it, store only what is new.
      expect(runtimeAuditUploaded.parse(await ok(await upload(org, mo, span(records, 1, 10))))).toMatchObject({ accepted: 10, stored: 0, head: { seq: 10 } });
      expect(runtimeAuditUploaded.parse(await ok(await upload(org, mo, span(records, 6, 15))))).toMatchObject({ accepted: 10, stored: 5, head: { seq: 15 } });

      const gap = await refusal(await upload(org, mo, span(records, 18, 20)));
      expect(gap).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('Records 16–17 are missing') as string });

      const edited = span(records, 16, 20).map((record) => (record.seq === 18 ? { ...record, target: 'github__something_else' } : record));
      expect(await refusal(await upload(org, mo, edited))).toMatchObject({ code: 'INTEGRITY_MISMATCH', message: expect.stringContaining('Record 18 does not hash') as string });

      // A forged record that hashes right but does not chain from what the server holds.
      const { seq: _seq, prevHash: _prev, hash: _hash, ...fields } = records[15] ?? ({} as AuditRecord);
      const forged = { ...records[15], seq: 16, prevHash: '1'.repeat(64), hash: hashRecord('1'.repeat(64), fields) } as AuditRecord;
      expect(await refusal(await upload(org, mo, [forged]))).toMatchObject({ code: 'INTEGRITY_MISMATCH', message: expect.stringContaining('Record 16 does not chain from record 15') as string });

      // A rewritten device log: record 5 changed with its hash recomputed, the rest chained anew.
      const rewritten: AuditRecord[] = [];
      let prevHash = records[3]?.hash ?? '';
      for (const record of span(records, 5, 16)) {
        const { seq: _s, prevHash: _p, hash: _h, ...rest } = record;
        const changed = record.seq === 5 ? { ...rest, decision: 'deny' as const, outcome: 'denied' as const } : rest;
        const hash = hashRecord(prevHash, changed);
        rewritten.push({ ...changed, seq: record.seq, prevHash, hash });
        prevHash = hash;
      }
      expect(await refusal(await upload(org, mo, rewritten))).toMatchObject({ code: 'INTEGRITY_MISMATCH', message: expect.stringContaining('Record 5 differs') as string });

      const reordered = [records[16], records[15]] as AuditRecord[];
      expect(await refusal(await upload(org, mo, reordered))).toMatchObject({ code: 'INVALID_INPUT' });

      // Nothing refused was stored: the chain goes on from 15.
      expect(runtimeAuditUploaded.parse(await ok(await upload(org, mo, span(records, 16, 30))))).toMatchObject({ stored: 15, head: { seq: 30, hash: records[29]?.hash } });

      // The uploads are admin records too, refused ones included.
      const uploads = (await readAudit(org, '?action=uploadRuntimeAudit')).records;
      expect(uploads.map((record) => [record.principal, record.target, record.outcome, record.detail])).toEqual([
        ['mo', 'device:laptop', 'ok', 'stored=10 head=10'],
        ['mo', 'device:laptop', 'ok', 'stored=0 head=10'],
        ['mo', 'device:laptop', 'ok', 'stored=5 head=15'],
        ['mo', 'device:laptop', 'error', 'INVALID_INPUT'],
        ['mo', 'device:laptop', 'error', 'INTEGRITY_MISMATCH'],
        ['mo', 'device:laptop', 'error', 'INTEGRITY_MISMATCH'],
        ['mo', 'device:laptop', 'error', 'INTEGRITY_MISMATCH'],
        ['mo', 'device:laptop', 'error', 'INVALID_INPUT'],
        ['mo', 'device:laptop', 'ok', 'stored=15 head=30'],
      ]);
    });

    it('lists what devices uploaded, by user and device, page by page', async () => {
      const org = await server.newOrg('olivia');
      await enableReporting(org);
      const mo = await org.member('mo', 'member', { scopes: ['report'] });
      const pat = await org.member('pat', 'publisher');
      await ok(await upload(org, mo, span(records, 1, 12)));
      await ok(await upload(org, mo, span(records, 20, 22), 'desktop'));
      // The first batch anchors the device's chain: nothing before it is taken later.
      expect(await refusal(await upload(org, mo, span(records, 18, 23), 'desktop'))).toMatchObject({
        code: 'INVALID_INPUT',
        message: expect.stringContaining('Record 18 is older than the first record') as string,
      });
      await ok(await upload(org, pat, span(records, 1, 2)));

      const list = async (query: string): Promise<ReturnType<typeof runtimeAuditList.parse>> =>
        runtimeAuditList.parse(await ok(await call('GET', `/orgs/${org.org}/audit/runtime${query}`, org.ownerToken)));
      const all = await list('');
      expect(all.records.map((entry) => `${entry.user}/${entry.device}/${entry.record.seq}`)).toEqual([
        ...[20, 21, 22].map((seq) => `mo/desktop/${seq}`),
        ...Array.from({ length: 12 }, (_, index) => `mo/laptop/${index + 1}`),
        'pat/laptop/1',
        'pat/laptop/2',
      ]);
      expect(all.records[3]?.record).toEqual(records[0]);

      const pages: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await list(`?user=mo&limit=5${cursor === undefined ? '' : `&cursor=${cursor}`}`);
        pages.push(...page.records.map((entry) => `${entry.device}/${entry.record.seq}`));
        cursor = page.metadata.nextCursor;
      } while (cursor !== undefined);
      expect(pages).toHaveLength(15);
      expect(pages.slice(0, 4)).toEqual(['desktop/20', 'desktop/21', 'desktop/22', 'laptop/1']);
      expect((await list('?device=desktop')).records).toHaveLength(3);
    });

    it('are refused unless the org collects reports and the caller may report', async () => {
      const org = await server.newOrg('olivia');
      const mo = await org.member('mo', 'member', { scopes: ['report'] });
      expect((await upload(org, mo, span(records, 1, 2))).status).toBe(403);
      await enableReporting(org);
      const auditor = await org.member('audrey', 'auditor');
      expect((await upload(org, auditor, span(records, 1, 2))).status).toBe(403);
      const readOnly = await org.member('rita', 'member', { scopes: ['read'] });
      expect((await upload(org, readOnly, span(records, 1, 2))).status).toBe(403);
      const tooMany = Array.from({ length: 1001 }, (_, index) => ({ ...records[0], seq: index + 1 }));
      expect((await upload(org, mo, tooMany as AuditRecord[])).status).toBe(400);
      const extraField = [{ ...records[0], arguments: { password: 'x' } }];
      expect((await upload(org, mo, extraField as unknown as AuditRecord[])).status).toBe(400);
      expect((await upload(org, mo, span(records, 1, 2))).status).toBe(200);
    });
  });
});

describe.each(SERVER_ENGINES)('the device limit of runtime uploads on %s', (engine) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await openTestServer(engine, { limits: { devicesPerMember: 2 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it("refuses a member's device beyond the limit (409), and keeps taking the devices it knows", async () => {
    const org = await server.newOrg();
    expect((await server.call('PATCH', `/v0.1/orgs/${org.org}`, { token: org.ownerToken, body: { reporting: true } })).status).toBe(200);
    const mo = await org.member('mo', 'member', { scopes: ['report'] });
    const records = await deviceRecords(4);
    const upload = (token: string, device: string, batch: readonly AuditRecord[]): Promise<Response> =>
      server.call('POST', `/v0.1/orgs/${org.org}/audit/runtime`, { token, body: { device, records: batch } });

    for (const device of ['laptop', 'desktop']) expect((await upload(mo, device, span(records, 1, 2))).status).toBe(200);
    const refused = await upload(mo, 'third', span(records, 1, 2));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ error: { code: 'SERVER_CONFLICT', hint: expect.stringContaining('device name') as string } });
    expect((await upload(mo, 'laptop', span(records, 3, 4))).status).toBe(200);
    // The limit is per member.
    expect((await upload(org.ownerToken, 'third', span(records, 1, 2))).status).toBe(200);
  });
});
