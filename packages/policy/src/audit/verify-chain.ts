import { isIntact, rowToRecord } from './audit-chain.js';
import { GENESIS_HASH, type AuditDb } from './audit-schema.js';
import type { AuditProblem, AuditRecord, AuditVerifyResult, ChainPoint } from './audit-types.js';

const PAGE = 2000;

/** The chain row as read: where verification starts (anchor) and where the writer says it ends (head). */
export interface ChainState {
  readonly anchor: ChainPoint & { readonly time?: string; readonly pruned: number };
  /** Undefined when the chain row is missing (which only tampering causes). */
  readonly head: ChainPoint | undefined;
  /** What is wrong with the chain row itself (a seq that is no whole number, a hash that is no hash). */
  readonly damage?: string;
}

const isSeq = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isHash = (value: unknown): value is string => typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);

export async function readChainState(db: AuditDb): Promise<ChainState> {
  const row = await db.selectFrom('audit_chain').selectAll().where('id', '=', 1).executeTakeFirst();
  if (row === undefined) return { anchor: { seq: 0, hash: GENESIS_HASH, pruned: 0 }, head: undefined };
  // Typed columns, but SQLite keeps whatever a tamperer writes: check before trusting.
  const bad = [
    isSeq(row.anchor_seq) ? undefined : 'anchor_seq',
    isHash(row.anchor_hash) ? undefined : 'anchor_hash',
    isSeq(row.head_seq) ? undefined : 'head_seq',
    isHash(row.head_hash) ? undefined : 'head_hash',
  ].filter((column) => column !== undefined);
  return {
    ...(bad.length === 0 ? {} : { damage: `its ${bad.join(', ')} ${bad.length === 1 ? 'is' : 'are'} not a valid seq or hash` }),
    anchor: {
      seq: row.anchor_seq,
      hash: row.anchor_hash,
      ...(row.anchor_time === null ? {} : { time: row.anchor_time }),
      pruned: row.pruned,
    },
    head: { seq: row.head_seq, hash: row.head_hash },
  };
}

const range = (from: number, to: number): string => (from === to ? `record ${from} is` : `records ${from}–${to} are`);

/**
 * Walks the chain from the anchor in seq order and stops at the first record that does
 * not follow: its hash does not match its content (edited), it chains from a record
 * that is gone (deleted), from a later one (reordered), or the chain skips it (inserted).
 * Run it inside one read transaction so concurrent appends and prunes do not show.
 * `upTo` checks only a prefix (before a prune), without comparing the end with the head.
 */
export async function verifyChain(db: AuditDb, options: { readonly upTo?: number } = {}): Promise<AuditVerifyResult> {
  const { anchor, head, damage } = await readChainState(db);
  const { upTo } = options;
  let expectedSeq = anchor.seq + 1;
  let prev: ChainPoint = { seq: anchor.seq, hash: anchor.hash };
  let checked = 0;
  let after = Number.MIN_SAFE_INTEGER;
  const result = (problem?: AuditProblem): AuditVerifyResult => ({
    ok: problem === undefined,
    checked,
    head: head ?? prev,
    anchor,
    ...(problem === undefined ? {} : { problem }),
  });

  if (damage !== undefined) {
    return result({ seq: 0, kind: 'edited', message: `The chain row (audit_chain: head and anchor) was changed: ${damage}.` });
  }

  for (;;) {
    let query = db.selectFrom('audit_log').selectAll().where('seq', '>', after).orderBy('seq').limit(PAGE);
    if (upTo !== undefined) query = query.where('seq', '<=', upTo);
    const rows = await query.execute();
    for (const row of rows) {
      const record = rowToRecord(row);
      const intact = isIntact(record);
      const linked = record.prevHash === prev.hash;
      if (intact && linked && record.seq === expectedSeq && (upTo !== undefined || head === undefined || record.seq <= head.seq)) {
        checked += 1;
        prev = { seq: record.seq, hash: record.hash };
        expectedSeq += 1;
        continue;
      }
      return result(await classify(db, { record, intact, linked, prev, expectedSeq, anchor, head: upTo === undefined ? head : undefined }));
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]?.seq ?? after;
  }

  if (upTo === undefined && head !== undefined) {
    if (prev.seq < head.seq) {
      return result({
        seq: prev.seq + 1,
        kind: 'deleted',
        message: `The last ${range(prev.seq + 1, head.seq)} missing: the writer recorded seq ${head.seq} as the head, the log ends at ${prev.seq}.`,
      });
    }
    if (prev.hash !== head.hash) {
      return result({
        seq: prev.seq,
        kind: 'edited',
        message:
          prev.seq === anchor.seq
            ? `The head the writer recorded (seq ${head.seq}) does not match the prune anchor.`
            : `Record ${prev.seq} is not the record the writer last wrote: its hash differs from the recorded head.`,
      });
    }
  }
  return result();
}

interface Failure {
  readonly record: AuditRecord;
  readonly intact: boolean;
  readonly linked: boolean;
  /** The last record that verified, or the anchor. */
  readonly prev: ChainPoint;
  readonly expectedSeq: number;
  readonly anchor: ChainPoint;
  readonly head: ChainPoint | undefined;
}

async function recordWithHash(db: AuditDb, hash: string, except: number): Promise<{ seq: number } | undefined> {
  const row = await db.selectFrom('audit_log').select('seq').where('hash', '=', hash).where('seq', '!=', except).orderBy('seq').executeTakeFirst();
  return row === undefined ? undefined : { seq: row.seq };
}

/** Names what happened at the first record that does not follow, from how it and its neighbours chain. */
async function classify(db: AuditDb, failure: Failure): Promise<AuditProblem> {
  const { record, intact, linked, prev, expectedSeq, anchor, head } = failure;
  const { seq } = record;
  const after = prev.seq === anchor.seq ? (anchor.seq === 0 ? 'the start of the log' : `the prune anchor (seq ${anchor.seq})`) : `record ${prev.seq}`;

  if (head !== undefined && seq > head.seq) {
    return { seq, kind: 'inserted', message: `Record ${seq} is past the head the writer recorded (seq ${head.seq}): it was added outside skillsync.` };
  }
  if (linked && !intact) {
    return { seq, kind: 'edited', message: `Record ${seq} was changed after it was written: its hash no longer matches its content.` };
  }
  if (linked) {
    return { seq, kind: 'edited', message: `Record ${seq} follows ${after} in the chain but is numbered ${seq} instead of ${expectedSeq}.` };
  }
  // It does not chain from the record before it: find the one it does chain from.
  const predecessor = await recordWithHash(db, record.prevHash, seq);
  if (predecessor !== undefined && predecessor.seq > seq) {
    return { seq, kind: 'reordered', message: `Record ${seq} was written after record ${predecessor.seq}, but now comes before it.` };
  }
  const next = await db.selectFrom('audit_log').select(['seq', 'prev_hash']).where('seq', '>', seq).orderBy('seq').executeTakeFirst();
  if (next !== undefined && next.prev_hash === prev.hash) {
    return { seq, kind: 'inserted', message: `Record ${seq} is not part of the chain: record ${next.seq} follows ${after} directly.` };
  }
  if (predecessor !== undefined && predecessor.seq < seq) {
    return {
      seq: predecessor.seq + 1,
      kind: 'inserted',
      message: `${range(predecessor.seq + 1, seq - 1).replace(/^r/, 'R')} not part of the chain: record ${seq} was written right after record ${predecessor.seq}.`,
    };
  }
  if (seq > expectedSeq) {
    return { seq: expectedSeq, kind: 'deleted', message: `${range(expectedSeq, seq - 1).replace(/^r/, 'R')} missing: record ${seq} chains from a record that is no longer in the log.` };
  }
  if (!intact) {
    return { seq, kind: 'edited', message: `Record ${seq} was changed after it was written: its hash no longer matches its content.` };
  }
  if (prev.seq === anchor.seq) {
    return { seq, kind: 'edited', message: `Record ${seq} does not chain from ${after}: the anchor or the record was changed.` };
  }
  return {
    seq: prev.seq,
    kind: 'edited',
    message: `Record ${prev.seq} was rewritten: record ${seq} chains from a different version of it (or a record between them was deleted and the rest renumbered).`,
  };
}
