import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerSecret } from '@skillsync/core';
import { availableSqliteEngines, openPostgresDatabase, openStateDatabase, type SqliteEngineName, type StateDatabase } from '@skillsync/state';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashRecord } from './audit-chain.js';
import { openAuditLog, type AuditLog, type OpenAuditLogOptions } from './audit-log.js';
import { GENESIS_HASH } from './audit-schema.js';
import type { AuditInput, AuditRecord } from './audit-types.js';
import { digestArguments } from './canonical-json.js';

const base = new Date('2026-03-01T12:00:00.000Z');
const minutes = (n: number): Date => new Date(base.getTime() + n * 60_000);

function input(index: number, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    time: minutes(index),
    principal: 'ada@example.com',
    client: index % 2 === 0 ? 'claude-code' : 'cursor',
    action: 'callTool',
    connector: index % 3 === 0 ? 'github' : 'linear',
    target: `tool_${index}`,
    argumentsDigest: digestArguments({ index }),
    decision: index % 5 === 4 ? 'deny' : 'allow',
    policyIds: index % 5 === 4 ? ['forbid-deletes'] : ['default-allow'],
    policyVersion: 'v3',
    latencyMs: 1.25 + index,
    outcome: index % 5 === 4 ? 'denied' : 'ok',
    ...overrides,
  };
}

/** The chain recomputed from records alone, as anyone holding an export can. */
function recomputeChain(records: readonly AuditRecord[], start = GENESIS_HASH): boolean {
  let prev = start;
  for (const record of records) {
    const { seq: _seq, prevHash, hash, ...fields } = record;
    if (prevHash !== prev || hashRecord(prevHash, fields) !== hash) return false;
    prev = hash;
  }
  return true;
}

type Variant =
  | { readonly name: string; readonly dialect: 'sqlite'; readonly engine: SqliteEngineName; readonly kyselyWrites: boolean }
  | { readonly name: string; readonly dialect: 'postgres'; readonly kyselyWrites: true };

// Every SQLite engine that loads here, the Kysely write path on the first, and PostgreSQL (Kysely writes, a schema per test).
const variants: Variant[] = [
  ...availableSqliteEngines().map((engine) => ({ name: engine, dialect: 'sqlite' as const, engine, kyselyWrites: false })),
  ...availableSqliteEngines()
    .slice(0, 1)
    .map((engine) => ({ name: `${engine}, Kysely writes`, dialect: 'sqlite' as const, engine, kyselyWrites: true })),
  { name: 'PostgreSQL', dialect: 'postgres', kyselyWrites: true },
];

let dir: string;
let cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-audit-'));
});

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
  await rm(dir, { recursive: true, force: true });
});

describe.each(variants)('the audit log ($name)', (variant) => {
  const { kyselyWrites } = variant;
  // Only the synchronous write path has these; the Kysely-write variants do not define them.
  const itWithSyncWrites = (name: string, test: () => Promise<void>): void => {
    if (!kyselyWrites) it(name, test);
  };
  /** For what only SQLite has (a file to open, columns that keep whatever is written); `whyNotPostgres` says why PostgreSQL has no such case. */
  const itOnSqlite = (name: string, _whyNotPostgres: string, test: (engine: SqliteEngineName) => Promise<void>): void => {
    if (variant.dialect === 'sqlite') it(name, () => test(variant.engine));
  };
  const file = (): string => path.join(dir, 'state', 'skillsync.db');

  let schema: TestSchema | undefined;
  if (variant.dialect === 'postgres') {
    beforeEach(async () => {
      schema = await createTestSchema();
      // Dropped after every log and connection closed (cleanups run in reverse).
      cleanups.push(() => schema!.drop());
    });
  }

  /** Another connection to the same database, as another process has. */
  async function connect(): Promise<StateDatabase> {
    if (variant.dialect === 'postgres') {
      const state = await openPostgresDatabase({ url: schema!.url, schema: schema!.schema });
      cleanups.push(() => state.close());
      return state;
    }
    const state = await openStateDatabase({ file: file(), engine: variant.engine });
    cleanups.push(() => state.close());
    return kyselyWrites ? { ...state, sqlite: undefined } : state;
  }

  const openState = connect;

  async function open(options: Omit<OpenAuditLogOptions, 'db' | 'file'> = {}): Promise<AuditLog> {
    const log = await openAuditLog({ db: await openState(), ...options });
    cleanups.push(() => log.close());
    return log;
  }

  /** Raw SQL through a connection of its own: how someone with write access to the database tampers. */
  async function tamper(...statements: string[]): Promise<void> {
    const state = await connect();
    await state.transaction(async (db) => {
      for (const statement of statements) await sql.raw(statement).execute(db);
    });
    await state.close();
  }

  async function seeded(count: number, options: Omit<OpenAuditLogOptions, 'db' | 'file'> = {}): Promise<AuditLog> {
    const log = await open(options);
    for (let index = 0; index < count; index += 1) log.append(input(index));
    await log.flush();
    return log;
  }

  it('queues appends, writes them in one batch on the timer, chained from 64 zeros', async () => {
    const log = await open({ flushDelayMs: 10 });
    // Another connection, opened first: reading through it awaits only promises, never the timer.
    const other = await connect();
    const written = async (): Promise<number> =>
      (await other.kysely.$extendTables<{ audit_log: { seq: number } }>().selectFrom('audit_log').select('seq').execute()).length;
    for (let index = 0; index < 5; index += 1) log.append(input(index));
    expect(log.pending).toBe(5);
    expect(await written()).toBe(0);
    await vi.waitFor(async () => {
      expect(await written()).toBe(5);
    });
    expect(log.pending).toBe(0);
    const records = await log.list();
    expect(records.map((record) => record.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(records[0]!.prevHash).toBe(GENESIS_HASH);
    expect(recomputeChain(records)).toBe(true);
    expect(await log.head()).toEqual({ seq: 5, hash: records[4]!.hash });
  });

  it('stores every field as given (time as ISO UTC), and leaves absent ones out', async () => {
    const log = await open();
    const full = input(4, { detail: 'policy forbid-deletes matched' });
    log.append(full);
    log.append({ time: minutes(9), principal: 'bob', client: 'zed', action: 'listTools', decision: 'allow', outcome: 'ok' });
    const [first, second] = await log.list();
    expect(first).toEqual({
      seq: 1,
      time: '2026-03-01T12:04:00.000Z',
      principal: 'ada@example.com',
      client: 'claude-code',
      action: 'callTool',
      connector: 'linear',
      target: 'tool_4',
      argumentsDigest: digestArguments({ index: 4 }),
      decision: 'deny',
      policyIds: ['forbid-deletes'],
      policyVersion: 'v3',
      latencyMs: 5.25,
      outcome: 'denied',
      detail: 'policy forbid-deletes matched',
      prevHash: GENESIS_HASH,
      hash: first!.hash,
    });
    expect(second).toEqual({
      seq: 2,
      time: '2026-03-01T12:09:00.000Z',
      principal: 'bob',
      client: 'zed',
      action: 'listTools',
      decision: 'allow',
      outcome: 'ok',
      prevHash: first!.hash,
      hash: second!.hash,
    });
  });

  it('never keeps a secret: detail and target are redacted, raw arguments refused', async () => {
    const log = await open();
    log.append(input(0, { detail: 'upstream said: Authorization: Bearer abcdefghijklmnop1234', target: 'https://x.test/?token=ghp_abcdefghijklmnopqrstuvwxyz0123456789' }));
    expect(() => {
      log.append(input(1, { argumentsDigest: '{"password":"hunter22"}' }));
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => {
      log.append(input(1, { time: new Date('nope') }));
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => {
      log.append(input(1, { decision: 'maybe' as 'allow' }));
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(log.pending).toBe(1);
    const [record] = await log.list();
    const text = JSON.stringify(record);
    expect(text).not.toContain('abcdefghijklmnop1234');
    expect(text).not.toContain('ghp_abcdefghij');
    expect(record!.detail).toContain('[REDACTED]');
    expect(await log.count()).toBe(1);
  });

  it('masks a secret registered after the same target and detail were recorded clean', async () => {
    const log = await open();
    // One per variant, none inside another: registered secrets stay registered for the whole file.
    const secret = `late-audit-secret-${variants.indexOf(variant)}-end`;
    const target = `files/${secret}.txt`;
    log.append(input(0, { target, detail: `read ${target}` }));
    await log.flush();
    registerSecret(secret);
    log.append(input(1, { target, detail: `read ${target}` }));
    const [before, after] = await log.list();
    // Written before anyone knew it was a secret: kept as it was, and its hash with it.
    expect(before!.target).toBe(target);
    expect(after!.target).toBe('files/[REDACTED].txt');
    expect(after!.detail).toBe('read files/[REDACTED].txt');
    expect((await log.verify()).ok).toBe(true);
  });

  it('lists with filters: since, until, connector, client, decision; limit takes the newest with `newest`', async () => {
    const log = await seeded(20);
    const seqs = (records: readonly AuditRecord[]): number[] => records.map((record) => record.seq);
    expect(seqs(await log.list({ since: minutes(15) }))).toEqual([16, 17, 18, 19, 20]);
    expect(seqs(await log.list({ since: minutes(5), until: minutes(8) }))).toEqual([6, 7, 8]);
    expect(seqs(await log.list({ connector: 'github' }))).toEqual([1, 4, 7, 10, 13, 16, 19]);
    expect(seqs(await log.list({ client: 'cursor', decision: 'deny' }))).toEqual([10, 20]);
    expect(seqs(await log.list({ limit: 3 }))).toEqual([1, 2, 3]);
    expect(seqs(await log.list({ limit: 3, newest: true }))).toEqual([18, 19, 20]);
    expect(seqs(await log.list({ client: 'claude-code', limit: 2, newest: true }))).toEqual([17, 19]);
    expect(await log.count({ decision: 'deny' })).toBe(4);
  });

  it('writes a full batch at once, and several batches in order', async () => {
    const log = await open({ maxBatch: 7, flushDelayMs: 60_000 });
    for (let index = 0; index < 7; index += 1) log.append(input(index));
    await vi.waitFor(() => {
      expect(log.pending).toBe(0);
    });
    for (let index = 7; index < 30; index += 1) log.append(input(index));
    await log.flush();
    const records = await log.list();
    expect(records.map((record) => record.target)).toEqual(Array.from({ length: 30 }, (_, index) => `tool_${index}`));
    expect(recomputeChain(records)).toBe(true);
  });

  it('writes batches of every size in order, however they split into multi-row inserts', async () => {
    const log = await open({ flushDelayMs: 60_000 });
    let appended = 0;
    for (const size of [1, 7, 8, 9, 33, 41, 250]) {
      for (let index = 0; index < size; index += 1) log.append(input(appended + index));
      appended += size;
      await log.flush();
    }
    const records = await log.list();
    expect(records.map((record) => record.seq)).toEqual(Array.from({ length: appended }, (_, index) => index + 1));
    expect(records.map((record) => record.target)).toEqual(Array.from({ length: appended }, (_, index) => `tool_${index}`));
    expect(recomputeChain(records)).toBe(true);
    expect(await log.verify()).toMatchObject({ ok: true, checked: appended });
  });

  it('verify passes on an intact log and gives the head to anchor elsewhere', async () => {
    const log = await seeded(12);
    const records = await log.list();
    expect(await log.verify()).toEqual({
      ok: true,
      checked: 12,
      head: { seq: 12, hash: records[11]!.hash },
      anchor: { seq: 0, hash: GENESIS_HASH, pruned: 0 },
    });
  });

  it('verify passes on an empty log', async () => {
    const log = await open();
    expect(await log.verify()).toMatchObject({ ok: true, checked: 0, head: { seq: 0, hash: GENESIS_HASH } });
  });

  it('verify names an edited record', async () => {
    const log = await seeded(10);
    await tamper("UPDATE audit_log SET decision = 'allow', outcome = 'ok' WHERE seq = 5");
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 4, problem: { seq: 5, kind: 'edited' } });
    expect(result.problem!.message).toMatch(/Record 5 was changed/);
  });

  itOnSqlite('verify reports a changed chain row (head and anchor) as seq 0', "PostgreSQL's bigint column rounds the forged 0.000001 to 0", async () => {
    const log = await seeded(4);
    await tamper('UPDATE audit_chain SET anchor_seq = 0.000001');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 0, problem: { seq: 0, kind: 'edited' } });
    expect(result.problem!.message).toMatch(/chain row .* anchor_seq is not a valid seq/);
  });

  it('verify names a record whose stored bytes changed but not its meaning', async () => {
    const log = await seeded(10);
    await tamper(`UPDATE audit_log SET policy_ids = '[ "default-allow" ]' WHERE seq = 3`);
    expect(await log.verify()).toMatchObject({ ok: false, checked: 2, problem: { seq: 3, kind: 'edited' } });
  });

  it('verify names a record edited with its hash recomputed, through the next record', async () => {
    const log = await seeded(10);
    const [fifth] = await log.list({ since: minutes(4), limit: 1 });
    const { seq: _seq, hash: _hash, prevHash, ...fields } = fifth!;
    const forged = hashRecord(prevHash, { ...fields, decision: 'allow', outcome: 'ok' });
    await tamper(`UPDATE audit_log SET decision = 'allow', outcome = 'ok', hash = '${forged}' WHERE seq = 5`);
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 5, kind: 'edited' } });
  });

  it('verify names a deleted record', async () => {
    const log = await seeded(10);
    await tamper('DELETE FROM audit_log WHERE seq = 6');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 5, problem: { seq: 6, kind: 'deleted' } });
    expect(result.problem!.message).toMatch(/Record 6 is missing/);
  });

  it('verify names deleted records at the start and at the end', async () => {
    const log = await seeded(10);
    await tamper('DELETE FROM audit_log WHERE seq <= 2');
    expect(await log.verify()).toMatchObject({ ok: false, checked: 0, problem: { seq: 1, kind: 'deleted' } });
    await tamper('DELETE FROM audit_log');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 0, problem: { seq: 1, kind: 'deleted' } });
    expect(result.problem!.message).toMatch(/records 1–10 are missing/);
  });

  it('verify names a deleted tail against the recorded head, and the chain stays broken after more appends', async () => {
    const log = await seeded(10);
    await tamper('DELETE FROM audit_log WHERE seq >= 9');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 8, problem: { seq: 9, kind: 'deleted' } });
    expect(result.problem!.message).toMatch(/records 9–10 are missing/);
    log.append(input(10));
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 9, kind: 'deleted' } });
  });

  it('verify names reordered records', async () => {
    const log = await seeded(10);
    await tamper('UPDATE audit_log SET seq = -4 WHERE seq = 4', 'UPDATE audit_log SET seq = 4 WHERE seq = 5', 'UPDATE audit_log SET seq = 5 WHERE seq = -4');
    const result = await log.verify();
    expect(result).toMatchObject({ ok: false, checked: 3, problem: { seq: 4, kind: 'reordered' } });
    expect(result.problem!.message).toMatch(/Record 4 was written after record 5/);
  });

  it('verify names an inserted record, forged or not', async () => {
    const log = await seeded(6);
    const records = await log.list();
    // Renumber 4… up by one and slip a well-formed record in at 4.
    await tamper('UPDATE audit_log SET seq = -seq WHERE seq >= 4', 'UPDATE audit_log SET seq = 1 - seq WHERE seq < 0');
    const forgedFields = { time: minutes(3).toISOString(), principal: 'mallory', client: 'cursor', action: 'callTool', decision: 'allow' as const, outcome: 'ok' as const };
    const forgedHash = hashRecord(records[2]!.hash, forgedFields);
    await tamper(
      `INSERT INTO audit_log (seq, time, principal, client, action, decision, outcome, prev_hash, hash) VALUES (4, '${forgedFields.time}', 'mallory', 'cursor', 'callTool', 'allow', 'ok', '${records[2]!.hash}', '${forgedHash}')`,
      'UPDATE audit_chain SET head_seq = 7',
    );
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 4, kind: 'inserted' } });

    // A crude insert past the end, with made-up hashes.
    const other = await seeded(0);
    await tamper(`DELETE FROM audit_log WHERE seq = 4`, `UPDATE audit_log SET seq = seq - 1 WHERE seq > 4`, 'UPDATE audit_chain SET head_seq = 6');
    expect(await other.verify()).toMatchObject({ ok: true });
    await tamper(`INSERT INTO audit_log (seq, time, principal, client, action, decision, outcome, prev_hash, hash) VALUES (7, '2026-03-02T00:00:00.000Z', 'x', 'y', 'callTool', 'allow', 'ok', 'abc', 'def')`);
    expect(await other.verify()).toMatchObject({ ok: false, problem: { seq: 7, kind: 'inserted' } });
  });

  it('prune deletes the oldest records, keeps verify ok from the anchor, and records itself', async () => {
    const log = await seeded(10);
    const before = await log.list();
    expect(await log.prune({ before: minutes(4), dryRun: true })).toEqual({ pruned: 4, anchor: { seq: 4, hash: before[3]!.hash }, before: minutes(4).toISOString() });
    expect(await log.count()).toBe(10);
    const result = await log.prune({ before: minutes(4), principal: 'admin' });
    expect(result).toEqual({ pruned: 4, anchor: { seq: 4, hash: before[3]!.hash }, before: minutes(4).toISOString() });
    const after = await log.list();
    expect(after.map((record) => record.seq)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(after[6]).toMatchObject({ action: 'pruneAudit', principal: 'admin', decision: 'allow', outcome: 'ok' });
    expect(after[6]!.detail).toContain(before[3]!.hash);
    expect(await log.verify()).toMatchObject({ ok: true, checked: 7, anchor: { seq: 4, hash: before[3]!.hash, pruned: 4, time: minutes(3).toISOString() } });
    expect(recomputeChain(after, before[3]!.hash)).toBe(true);
    // Nothing older left: a second prune is a no-op that appends nothing.
    expect(await log.prune({ before: minutes(4) })).toMatchObject({ pruned: 0, anchor: { seq: 4 } });
    expect(await log.count()).toBe(7);
  });

  it('prune of everything leaves an empty log that still verifies and chains on', async () => {
    const log = await seeded(5);
    const head = await log.head();
    expect(await log.prune({ before: minutes(100) })).toMatchObject({ pruned: 5, anchor: head });
    expect(await log.verify()).toMatchObject({ ok: true, checked: 1, anchor: head });
    expect((await log.list())[0]).toMatchObject({ seq: 6, prevHash: head.hash, action: 'pruneAudit' });
  });

  it('prune after a deletion still sees it: a pruned head is not read as deleted, a deleted one is', async () => {
    const log = await seeded(10);
    await log.prune({ before: minutes(3) });
    await tamper('DELETE FROM audit_log WHERE seq = 4');
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 4, kind: 'deleted' } });
  });

  it('prune refuses to delete a broken part of the chain, and deletes nothing', async () => {
    const log = await seeded(10);
    await tamper("UPDATE audit_log SET principal = 'someone-else' WHERE seq = 2");
    await expect(log.prune({ before: minutes(5) })).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', details: { problem: { seq: 2, kind: 'edited' } } });
    expect(await log.count()).toBe(10);
  });

  it('retentionDays prunes at open', async () => {
    await (await seeded(10)).close();
    const log = await open({ retentionDays: 1, now: () => new Date(minutes(5).getTime() + 86_400_000) });
    expect((await log.list()).map((record) => record.seq)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(await log.verify()).toMatchObject({ ok: true, anchor: { seq: 5 } });
  });

  it('exports JSON lines that match list and verify on their own', async () => {
    const log = await seeded(2500);
    const lines: string[] = [];
    for await (const line of log.exportJsonl()) lines.push(line);
    expect(lines).toHaveLength(2500);
    expect(lines.every((line) => line.endsWith('\n'))).toBe(true);
    const exported = lines.map((line) => JSON.parse(line) as AuditRecord);
    expect(exported).toEqual(await log.list());
    expect(recomputeChain(exported)).toBe(true);
    const filtered: string[] = [];
    for await (const line of log.exportJsonl({ connector: 'github', since: minutes(2400) })) filtered.push(line);
    expect(filtered.map((line) => (JSON.parse(line) as AuditRecord).seq)).toEqual([2401, 2404, 2407, 2410, 2413, 2416, 2419, 2422, 2425, 2428, 2431, 2434, 2437, 2440, 2443, 2446, 2449, 2452, 2455, 2458, 2461, 2464, 2467, 2470, 2473, 2476, 2479, 2482, 2485, 2488, 2491, 2494, 2497, 2500]);
  });

  // Two SQLite connections in one thread, one holding the write lock across awaits, would
  // block each other: on SQLite a process keeps one connection. On PostgreSQL these are two pools.
  const itWithOneWriterPerProcess = (name: string, test: () => Promise<void>): void => {
    if (variant.dialect === 'postgres' || !kyselyWrites) it(name, test);
  };
  itWithOneWriterPerProcess('two logs on one database in one process keep one chain', async () => {
    const first = await open();
    const second = await open();
    for (let index = 0; index < 50; index += 1) {
      (index % 2 === 0 ? first : second).append(input(index));
      if (index % 10 === 9) await Promise.all([first.flush(), second.flush()]);
    }
    await Promise.all([first.flush(), second.flush()]);
    expect(await first.verify()).toMatchObject({ ok: true, checked: 50 });
  });

  itOnSqlite('close flushes; append afterwards is AUDIT_LOG_CLOSED', 'only SQLite is opened from a file', async (engine) => {
    const log = await openAuditLog({ file: file(), engine, flushDelayMs: 60_000 });
    log.append(input(0));
    await log.close();
    expect(() => {
      log.append(input(1));
    }).toThrow(expect.objectContaining({ code: 'AUDIT_LOG_CLOSED' }));
    await expect(log.list()).rejects.toMatchObject({ code: 'AUDIT_LOG_CLOSED' });
    const reopened = await open();
    expect(await reopened.count()).toBe(1);
  });

  it('keeps records queued when the database fails, reports it, and refuses past maxPending with AUDIT_BACKLOG', async () => {
    const state = await connect();
    const errors: unknown[] = [];
    const log = await openAuditLog({ db: state, maxPending: 3, flushDelayMs: 1, onError: (error) => errors.push(error) });
    await state.close();
    log.append(input(0));
    log.append(input(1));
    await expect(log.flush()).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
    log.append(input(2));
    expect(() => {
      log.append(input(3));
    }).toThrow(expect.objectContaining({ code: 'AUDIT_BACKLOG' }));
    expect(log.pending).toBe(3);
    await vi.waitFor(() => {
      expect(errors.length).toBeGreaterThan(0);
    });
    expect(log.lastError).toMatchObject({ code: 'STATE_DB_FAILED' });
  });

  itWithSyncWrites('flushSync writes without awaiting, for exit handlers', async () => {
    const log = await open({ flushDelayMs: 60_000 });
    log.append(input(0));
    log.append(input(1));
    log.flushSync();
    expect(log.pending).toBe(0);
    const other = await connect();
    const rows = await other.kysely.$extendTables<{ audit_log: { seq: number } }>().selectFrom('audit_log').select('seq').execute();
    expect(rows).toHaveLength(2);
  });

  if (variant.dialect === 'postgres') {
    it('keeps one chain when logs on four pools append at once, in small batches', async () => {
      const logs = await Promise.all(Array.from({ length: 4 }, () => open({ maxBatch: 5, flushDelayMs: 1 })));
      for (let index = 0; index < 400; index += 1) logs[index % logs.length]!.append(input(index));
      await Promise.all(logs.map((log) => log.flush()));
      const records = await logs[0]!.list();
      expect(records.map((record) => record.seq)).toEqual(Array.from({ length: 400 }, (_, index) => index + 1));
      expect(recomputeChain(records)).toBe(true);
      expect(await logs[3]!.verify()).toMatchObject({ ok: true, checked: 400 });
    });
  }
});

describe('openAuditLog', () => {
  it('refuses a retention that is not a positive number of days', async () => {
    await expect(openAuditLog({ file: path.join(dir, 'a.db'), retentionDays: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
