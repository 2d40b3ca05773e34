import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type SkillsyncError } from '@skillsync/core';
import { API_PREFIX, auditList, auditVerify } from '@skillsync/registry';
import { createTestSchema } from '@skillsync/state/test-support';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openServerContext, type OpenServerOptions } from '../open-server.js';
import { openTestServer, SERVER_ENGINES, type TestOrg, type TestServer } from '../test-support/test-server.js';

const JANUARY = new Date('2026-01-10T00:00:00.000Z');
const MARCH = new Date('2026-03-10T00:00:00.000Z');
const CUTOFF = new Date('2026-02-01T00:00:00.000Z');

describe.each(SERVER_ENGINES)('pruning the admin audit log on %s', (engine) => {
  let server: TestServer;
  let clock = JANUARY;
  afterEach(async () => {
    await server.close();
  });

  const call = async (method: string, urlPath: string, org: TestOrg, body?: unknown): Promise<unknown> => {
    const response = await server.app.request(`${API_PREFIX}/orgs/${org.org}${urlPath}`, {
      method,
      headers: { authorization: `Bearer ${org.ownerToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return response.status === 204 ? undefined : response.json();
  };
  const verify = async (org: TestOrg): Promise<ReturnType<typeof auditVerify.parse>> => auditVerify.parse(await call('GET', '/audit/verify', org));

  it('deletes the records before the cutoff, keeps the chain verifiable from its anchor, and still finds a record edited after it', async () => {
    clock = JANUARY;
    server = await openTestServer(engine, { now: () => clock, auditFlushDelayMs: 5 });
    const org = await server.newOrg('olivia');
    for (const team of ['red', 'blue', 'green']) await call('POST', '/teams', org, { team });
    clock = MARCH;
    for (const team of ['cyan', 'teal']) await call('POST', '/teams', org, { team });
    await server.context.audit.flush();
    const old = (await server.context.audit.list()).filter((record) => record.time < CUTOFF.toISOString());
    expect(old.length).toBeGreaterThanOrEqual(3);
    const lastOld = old.at(-1)!;

    const dryRun = await server.context.audit.prune({ before: CUTOFF, dryRun: true });
    expect(dryRun).toEqual({ pruned: old.length, anchor: { seq: lastOld.seq, hash: lastOld.hash }, before: CUTOFF.toISOString() });
    expect(await server.context.audit.count()).toBe(old.length + 2);

    const pruned = await server.context.audit.prune({ before: CUTOFF, principal: 'ops', client: 'skillsync-cli' });
    expect(pruned).toEqual(dryRun);
    const listed = auditList.parse(await call('GET', '/audit', org));
    expect(listed.records.map((record) => record.target)).toEqual(['team:cyan', 'team:teal']);
    const after = await verify(org);
    expect(after).toMatchObject({ ok: true, checked: 3, anchor: { seq: lastOld.seq, hash: lastOld.hash, time: lastOld.time, pruned: old.length } });
    // The prune is a record of the chain (of no org): who pruned what.
    const [prune] = await server.context.audit.list({ action: 'pruneAudit' });
    expect(prune).toMatchObject({ principal: 'ops', client: 'skillsync-cli', detail: expect.stringContaining(`Pruned ${old.length} records`) as unknown });
    expect(prune?.org).toBeUndefined();

    const first = listed.records[0]!;
    await sql`update audit_log set target = ${'team:forged'} where seq = ${first.seq}`.execute(server.context.db);
    expect(await verify(org)).toMatchObject({ ok: false, checked: 0, problem: { seq: first.seq, kind: 'edited' } });
  });

  it('with a retention, prunes what grew older than it while the server runs', async () => {
    clock = JANUARY;
    server = await openTestServer(engine, { now: () => clock, auditFlushDelayMs: 5, auditRetentionDays: 30 });
    const org = await server.newOrg('olivia');
    for (const team of ['red', 'blue']) await call('POST', '/teams', org, { team });
    await server.context.audit.flush();
    const january = await server.context.audit.count();
    clock = MARCH;
    await call('POST', '/teams', org, { team: 'cyan' });
    // The log prunes after a write of its own timer, which anything reading would pre-empt.
    await expect.poll(() => server.context.audit.pending).toBe(0);
    await expect.poll(async () => (await verify(org)).anchor?.pruned).toBe(january);
    expect(await verify(org)).toMatchObject({ ok: true });
    expect((await server.context.audit.list({ action: 'pruneAudit' }))[0]).toMatchObject({ principal: 'skillsync' });
    expect(auditList.parse(await call('GET', '/audit', org)).records.map((record) => record.target)).toEqual(['team:cyan']);
  });

  it('refuses to prune a chain broken in the part it would delete, and deletes nothing', async () => {
    clock = JANUARY;
    server = await openTestServer(engine, { now: () => clock, auditFlushDelayMs: 5 });
    const org = await server.newOrg('olivia');
    for (const team of ['red', 'blue']) await call('POST', '/teams', org, { team });
    await server.context.audit.flush();
    const [record] = await server.context.audit.list({ org: org.org, action: 'createTeam' });
    await sql`update audit_log set target = ${'team:forged'} where seq = ${record!.seq}`.execute(server.context.db);
    const count = await server.context.audit.count();
    await expect(server.context.audit.prune({ before: CUTOFF })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
    expect(await server.context.audit.count()).toBe(count);
    expect(await verify(org)).toMatchObject({ ok: false, problem: { seq: record!.seq, kind: 'edited' } });
  });
});

describe.each(SERVER_ENGINES)('a retention the chain does not allow, on %s', (engine) => {
  it('is told and skipped: the server opens and records as usual', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'skillsync-retention-'));
    const schema = engine === 'postgres' ? await createTestSchema() : undefined;
    const open = (options: Partial<OpenServerOptions>) =>
      openServerContext({ env: createEnv({ home, cwd: home }), database: schema?.url ?? path.join(home, 'server.db'), ...(schema === undefined ? {} : { schema: schema.schema }), ...options });
    try {
      const first = await open({ now: () => JANUARY });
      for (const target of ['a', 'b']) first.audit.append({ time: JANUARY, principal: 'olivia', client: 'server', action: 'createTeam', target: `team:${target}`, decision: 'allow', outcome: 'ok' });
      await first.audit.flush();
      await sql`update audit_log set target = ${'team:forged'} where seq = 1`.execute(first.db);
      await first.close();

      const errors: SkillsyncError[] = [];
      const second = await open({ now: () => MARCH, auditRetentionDays: 30, onError: (error) => errors.push(error) });
      try {
        expect(errors.map(({ code, message }) => ({ code, message }))).toEqual([{ code: 'AUDIT_CHAIN_BROKEN', message: expect.stringMatching(/^Audit retention \(30 days\) was not applied: /) as unknown }]);
        second.audit.append({ time: MARCH, principal: 'olivia', client: 'server', action: 'createTeam', target: 'team:c', decision: 'allow', outcome: 'ok' });
        expect(await second.audit.count()).toBe(3);
        expect(await second.audit.verify()).toMatchObject({ ok: false, problem: { seq: 1, kind: 'edited' } });
      } finally {
        await second.close();
      }
    } finally {
      await schema?.drop();
      await rm(home, { recursive: true, force: true });
    }
  });
});
