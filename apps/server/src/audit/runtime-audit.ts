import { SkillsyncError } from '@skillsync/core';
import { GENESIS_HASH, isIntact, type AuditRecord, type ChainPoint } from '@skillsync/policy';
import type { runtimeAuditEntry, runtimeAuditUploaded } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { requireDeviceRoom } from '../identity/index.js';
import type { ServerContext } from '../server-context.js';

/** What the server holds of one device's chain: its first record's seq and its last record. */
export interface HeldChain {
  readonly first: number;
  readonly last: ChainPoint;
}

function brokenAt(seq: number, message: string, hint: string): SkillsyncError {
  return new SkillsyncError('INTEGRITY_MISMATCH', message, { hint, details: { seq } });
}

function missingAt(seq: number, message: string): SkillsyncError {
  return new SkillsyncError('INVALID_INPUT', message, {
    hint: 'Upload the records in seq order, each batch starting at or before the seq after the head the last upload returned.',
    details: { seq },
  });
}

const TAMPERED_HINT = 'The device log no longer verifies: run `skillsync audit verify` on that device. Nothing of this batch was stored.';

/**
 * The records of `batch` the server does not hold yet, after checking that every record
 * hashes to its `hash`, that the batch is one unbroken chain in seq order, that the
 * records it shares with what is held are the same ones (a retried batch is fine), and
 * that the new ones chain from the last held record. The first batch of a device is its
 * anchor: it may start anywhere. Throws, naming the first seq that does not fit:
 * INTEGRITY_MISMATCH when a record's content or link is wrong, INVALID_INPUT when records
 * are missing or out of order.
 */
export function planRuntimeBatch(batch: readonly AuditRecord[], held: HeldChain | undefined, heldHashes: ReadonlyMap<number, string>): AuditRecord[] {
  let previous: AuditRecord | undefined;
  for (const record of batch) {
    if (previous !== undefined && record.seq !== previous.seq + 1) {
      throw missingAt(
        record.seq,
        record.seq > previous.seq + 1
          ? `Record ${record.seq} follows record ${previous.seq} in the batch: records ${previous.seq + 1}–${record.seq - 1} are missing.`
          : `Record ${record.seq} follows record ${previous.seq} in the batch: records must be in seq order.`,
      );
    }
    if (!isIntact(record)) throw brokenAt(record.seq, `Record ${record.seq} does not hash to its hash: it was changed after it was written.`, TAMPERED_HINT);
    if (previous !== undefined && record.prevHash !== previous.hash) {
      throw brokenAt(record.seq, `Record ${record.seq} does not chain from record ${previous.seq} of the batch.`, TAMPERED_HINT);
    }
    previous = record;
  }
  if (held === undefined) return [...batch];

  const fresh: AuditRecord[] = [];
  for (const record of batch) {
    if (record.seq > held.last.seq) {
      fresh.push(record);
      continue;
    }
    if (record.seq < held.first) {
      throw missingAt(record.seq, `Record ${record.seq} is older than the first record the server holds for this device (seq ${held.first}).`);
    }
    if (heldHashes.get(record.seq) !== record.hash) {
      throw brokenAt(
        record.seq,
        `Record ${record.seq} differs from the record ${record.seq} this device uploaded before.`,
        'The device log was rewritten or replaced since it was last uploaded. A reset log needs a new device name.',
      );
    }
  }
  const [next] = fresh;
  if (next !== undefined && next.seq !== held.last.seq + 1) {
    throw missingAt(held.last.seq + 1, `Records ${held.last.seq + 1}–${next.seq - 1} are missing: the server holds this device's records up to ${held.last.seq}.`);
  }
  if (next !== undefined && next.prevHash !== held.last.hash) {
    throw brokenAt(next.seq, `Record ${next.seq} does not chain from record ${held.last.seq}, the last the server holds for this device.`, TAMPERED_HINT);
  }
  return fresh;
}

export interface RuntimeUpload {
  readonly org: string;
  readonly user: string;
  readonly device: string;
  readonly records: readonly AuditRecord[];
}

const INSERT_CHUNK = 500;

/**
 * Checks a batch against the device's chain and stores its new records, in one write
 * transaction (uploads of one device never interleave). A device the server holds nothing
 * of yet counts against the member's device limit.
 */
export async function storeRuntimeBatch(server: Pick<ServerContext, 'database' | 'now' | 'limits'>, upload: RuntimeUpload): Promise<z.infer<typeof runtimeAuditUploaded>> {
  const { org, user, device, records } = upload;
  return writeTransaction(server, async (db) => {
    const held = await heldChain(db, upload);
    if (held === undefined) requireDeviceRoom(await deviceCount(db, upload), server.limits.devicesPerMember, 'runtime audit records');
    const first = records[0]?.seq ?? 0;
    const last = Math.min(records.at(-1)?.seq ?? 0, held?.last.seq ?? 0);
    const heldHashes = new Map<number, string>();
    if (held !== undefined && first <= last) {
      const rows = await db
        .selectFrom('runtime_audit')
        .select(['seq', 'hash'])
        .where('org', '=', org)
        .where('user', '=', user)
        .where('device', '=', device)
        .where('seq', '>=', first)
        .where('seq', '<=', last)
        .execute();
      for (const row of rows) heldHashes.set(row.seq, row.hash);
    }
    const fresh = planRuntimeBatch(records, held, heldHashes);
    const receivedAt = server.now().toISOString();
    const rows = fresh.map((record) => ({ org, user, device, seq: record.seq, hash: record.hash, record: JSON.stringify(record), received_at: receivedAt }));
    for (let index = 0; index < rows.length; index += INSERT_CHUNK) await db.insertInto('runtime_audit').values(rows.slice(index, index + INSERT_CHUNK)).execute();
    const tail = fresh.at(-1);
    const head = tail === undefined ? (held?.last ?? { seq: 0, hash: GENESIS_HASH }) : { seq: tail.seq, hash: tail.hash };
    return { accepted: records.length, stored: fresh.length, head };
  });
}

/** How many devices the member has runtime records of. */
async function deviceCount(db: Kysely<ServerTables>, member: Pick<RuntimeUpload, 'org' | 'user'>): Promise<number> {
  const row = await db
    .selectFrom('runtime_audit')
    .select((eb) => eb.fn.count<number | string | bigint>('device').distinct().as('devices'))
    .where('org', '=', member.org)
    .where('user', '=', member.user)
    .executeTakeFirst();
  return Number(row?.devices ?? 0);
}

async function heldChain(db: Kysely<ServerTables>, device: Pick<RuntimeUpload, 'org' | 'user' | 'device'>): Promise<HeldChain | undefined> {
  const bounds = await db
    .selectFrom('runtime_audit')
    .select((eb) => [eb.fn.min<number | null>('seq').as('first'), eb.fn.max<number | null>('seq').as('last')])
    .where('org', '=', device.org)
    .where('user', '=', device.user)
    .where('device', '=', device.device)
    .executeTakeFirst();
  if (bounds === undefined || bounds.first === null || bounds.last === null) return undefined;
  const last = await db
    .selectFrom('runtime_audit')
    .select('hash')
    .where('org', '=', device.org)
    .where('user', '=', device.user)
    .where('device', '=', device.device)
    .where('seq', '=', bounds.last)
    .executeTakeFirstOrThrow();
  return { first: bounds.first, last: { seq: bounds.last, hash: last.hash } };
}

export interface RuntimeAuditPage {
  readonly org: string;
  readonly user?: string;
  readonly device?: string;
  /** The (user, device, seq) the previous page ended at. */
  readonly after?: readonly [string, string, number];
  readonly limit: number;
}

type RuntimeAuditEntry = z.infer<typeof runtimeAuditEntry>;

/** Stored runtime records in (user, device, seq) order, `limit` of them after `after`. */
export async function listRuntimeAudit(db: Kysely<ServerTables>, page: RuntimeAuditPage): Promise<RuntimeAuditEntry[]> {
  const { after } = page;
  const rows = await db
    .selectFrom('runtime_audit')
    .select(['user', 'device', 'record', 'received_at'])
    .where('org', '=', page.org)
    .$if(page.user !== undefined, (query) => query.where('user', '=', page.user ?? ''))
    .$if(page.device !== undefined, (query) => query.where('device', '=', page.device ?? ''))
    .$if(after !== undefined, (query) =>
      query.where((eb) => eb(eb.refTuple('user', 'device', 'seq'), '>', eb.tuple(after?.[0] ?? '', after?.[1] ?? '', after?.[2] ?? 0))),
    )
    .orderBy('user')
    .orderBy('device')
    .orderBy('seq')
    .limit(page.limit)
    .execute();
  return rows.map((row) => ({ user: row.user, device: row.device, receivedAt: row.received_at, record: JSON.parse(row.record) as RuntimeAuditEntry['record'] }));
}
