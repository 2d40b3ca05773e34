import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { availableSqliteEngines, openPostgresDatabase, openStateDatabase, type StateDatabase, type StateModule } from '@skillsync/state';
import { createTestSchema, type TestSchema } from '@skillsync/state/test-support';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalRecord, hashRecord, type AuditFields } from './audit-chain.js';
import { openAuditLog, type AuditLog } from './audit-log.js';
import { auditStateModule, GENESIS_HASH, type AuditTables } from './audit-schema.js';
import type { AuditInput, AuditRecord } from './audit-types.js';

/** A runtime record as a gateway writes it: no org. */
const runtimeFields: AuditFields = {
  time: '2026-03-01T12:00:00.000Z',
  principal: 'ada@example.com',
  client: 'cursor',
  action: 'callTool',
  connector: 'github',
  target: 'github__create_issue',
  argumentsDigest: `sha256:${'a'.repeat(64)}`,
  decision: 'allow',
  policyIds: ['default-allow'],
  policyVersion: 'v3',
  latencyMs: 12.5,
  outcome: 'ok',
};

// sha256 of GENESIS_HASH followed by the record's canonical JSON, computed outside skillsync
// (Python's hashlib over the literal text below) before `org` existed. A runtime record must
// keep hashing to it, or every log already written would stop verifying.
const RUNTIME_CANONICAL =
  '{"action":"callTool","argumentsDigest":"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","client":"cursor","connector":"github","decision":"allow","latencyMs":12.5,"outcome":"ok","policyIds":["default-allow"],"policyVersion":"v3","principal":"ada@example.com","target":"github__create_issue","time":"2026-03-01T12:00:00.000Z","v":1}';
const RUNTIME_HASH = '055fdbb72c37ac63d823864ccec4ff5f69e379f49bb67f5a358a8e921398860d';
// The next record, an org's, chained from it: `org` sits in byte order between latencyMs and outcome.
const ORG_FIELDS: AuditFields = {
  time: '2026-03-01T12:01:00.000Z',
  principal: 'alice',
  client: 'server',
  action: 'publishPackage',
  target: 'skill:review@1.0.0',
  decision: 'allow',
  outcome: 'ok',
  org: 'acme',
};
const ORG_HASH = '3f4655b9e82bf27b0aa29cd81ff04144173284346e95f8ab78b35aa39db3197c';

describe('the record hash with org', () => {
  it('hashes a record without org exactly as before org existed', () => {
    expect(createHash('sha256').update(GENESIS_HASH + RUNTIME_CANONICAL).digest('hex')).toBe(RUNTIME_HASH);
    expect(canonicalRecord(runtimeFields)).toBe(RUNTIME_CANONICAL);
    expect(hashRecord(GENESIS_HASH, runtimeFields)).toBe(RUNTIME_HASH);
    // An org key that is present but undefined is absent, not null.
    expect(hashRecord(GENESIS_HASH, { ...runtimeFields, org: undefined })).toBe(RUNTIME_HASH);
  });

  it('covers org when present', () => {
    expect(hashRecord(RUNTIME_HASH, ORG_FIELDS)).toBe(ORG_HASH);
    expect(hashRecord(RUNTIME_HASH, { ...ORG_FIELDS, org: 'globex' })).not.toBe(ORG_HASH);
    const { org: _org, ...withoutOrg } = ORG_FIELDS;
    expect(hashRecord(RUNTIME_HASH, withoutOrg)).not.toBe(ORG_HASH);
  });
});

type Engine = 'sqlite' | 'postgres';
const engines: Engine[] = ['sqlite', 'postgres'];
const sqliteEngine = availableSqliteEngines()[0]!;

const at = (minute: number): Date => new Date(Date.UTC(2026, 2, 1, 12, minute));

function adminInput(org: string | undefined, minute: number, overrides: Partial<AuditInput> = {}): AuditInput {
  return {
    time: at(minute),
    principal: 'alice',
    client: 'server',
    action: 'changeRole',
    target: `member:bob-${minute}`,
    decision: 'allow',
    outcome: 'ok',
    ...(org === undefined ? {} : { org }),
    ...overrides,
  };
}

describe.each(engines)('org in the audit log (%s)', (engine) => {
  let dir: string;
  let schema: TestSchema | undefined;
  let cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-audit-org-'));
    schema = engine === 'postgres' ? await createTestSchema() : undefined;
  });

  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups = [];
    await schema?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  async function connect(modules: readonly StateModule[] = []): Promise<StateDatabase> {
    const state =
      schema === undefined
        ? await openStateDatabase({ file: path.join(dir, 'skillsync.db'), engine: sqliteEngine, modules })
        : await openPostgresDatabase({ url: schema.url, schema: schema.schema, modules });
    cleanups.push(() => state.close());
    return state;
  }

  async function open(): Promise<AuditLog> {
    const log = await openAuditLog({ db: await connect() });
    cleanups.push(() => log.close());
    return log;
  }

  async function tamper(statement: string): Promise<void> {
    const state = await connect();
    await sql.raw(statement).execute(state.kysely);
    await state.close();
  }

  it('upgrades a log written before org without changing a hash, and chains org records after it', async () => {
    // The schema as it was before the org migration, holding one record written then.
    const before: StateModule = { name: auditStateModule.name, migrations: auditStateModule.migrations.slice(0, 1) };
    const old = await connect([before]);
    const db = old.kysely.$extendTables<AuditTables>();
    await db
      .insertInto('audit_log')
      .values({
        seq: 1,
        time: runtimeFields.time,
        principal: runtimeFields.principal,
        client: runtimeFields.client,
        action: runtimeFields.action,
        connector: 'github',
        target: 'github__create_issue',
        arguments_digest: runtimeFields.argumentsDigest ?? null,
        decision: 'allow',
        policy_ids: '["default-allow"]',
        policy_version: 'v3',
        latency_ms: 12.5,
        outcome: 'ok',
        detail: null,
        prev_hash: GENESIS_HASH,
        hash: RUNTIME_HASH,
      })
      .execute();
    await db.updateTable('audit_chain').set({ head_seq: 1, head_hash: RUNTIME_HASH }).where('id', '=', 1).execute();
    await old.close();

    const log = await open();
    expect(await log.verify()).toMatchObject({ ok: true, checked: 1, head: { seq: 1, hash: RUNTIME_HASH } });
    const [record] = await log.list();
    expect(record).not.toHaveProperty('org');
    expect(record?.hash).toBe(RUNTIME_HASH);

    log.append({ ...ORG_FIELDS, time: new Date(ORG_FIELDS.time) });
    expect(await log.verify()).toMatchObject({ ok: true, checked: 2, head: { seq: 2, hash: ORG_HASH } });
    expect((await log.list({ org: 'acme' })).map((item) => item.hash)).toEqual([ORG_HASH]);
  });

  it('filters list, count and export by org, pages by seq, and verifies every org as one chain', async () => {
    const log = await open();
    for (let minute = 0; minute < 9; minute += 1) log.append(adminInput(['acme', 'globex', undefined][minute % 3], minute));
    const acme = await log.list({ org: 'acme' });
    expect(acme.map((record) => record.seq)).toEqual([1, 4, 7]);
    expect(acme.every((record) => record.org === 'acme')).toBe(true);
    expect(await log.count({ org: 'globex' })).toBe(3);
    expect(await log.list({ org: 'acme', afterSeq: 4 })).toEqual([acme[2]]);
    expect((await log.list({ org: 'acme', afterSeq: 1, limit: 1 })).map((record) => record.seq)).toEqual([4]);

    const lines: string[] = [];
    for await (const line of log.exportJsonl({ org: 'globex' })) lines.push(line);
    expect(lines.map((line) => (JSON.parse(line) as AuditRecord).seq)).toEqual([2, 5, 8]);

    expect(await log.verify()).toMatchObject({ ok: true, checked: 9 });
  });

  it('finds a record moved to another org, or given an org it never had', async () => {
    const log = await open();
    for (let minute = 0; minute < 6; minute += 1) log.append(adminInput(minute % 2 === 0 ? 'acme' : undefined, minute));
    await log.flush();

    await tamper("UPDATE audit_log SET org = 'globex' WHERE seq = 3");
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 3, kind: 'edited' } });
    await tamper("UPDATE audit_log SET org = 'acme' WHERE seq = 3");
    expect(await log.verify()).toMatchObject({ ok: true });

    await tamper("UPDATE audit_log SET org = 'acme' WHERE seq = 4");
    expect(await log.verify()).toMatchObject({ ok: false, problem: { seq: 4, kind: 'edited' } });
  });

  it('refuses an empty org', async () => {
    const log = await open();
    expect(() => {
      log.append(adminInput('', 0));
    }).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
