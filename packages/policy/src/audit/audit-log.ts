import { SkillsyncError, toSkillsyncError } from '@skillsync/core';
import { openStateDatabase, toStateError, type SqlValue, type SqliteEngineName, type StateDatabase, type SyncSqlite } from '@skillsync/state';
import { chainRow, fieldsOf, queueInput, rowToRecord, type AuditFields, type QueuedInput } from './audit-chain.js';
import { auditStateModule, GENESIS_HASH, type AuditDb, type AuditLogTable, type AuditTables } from './audit-schema.js';
import type { AuditFilter, AuditInput, AuditListOptions, AuditPruneResult, AuditRecord, AuditVerifyResult, ChainPoint } from './audit-types.js';
import { readChainState, verifyChain } from './verify-chain.js';

export interface OpenAuditLogOptions {
  /** A state database opened by the caller (it stays open after `close`). */
  readonly db?: StateDatabase;
  /** Or the file to open (and close with the log). */
  readonly file?: string;
  /** With `file`: the SQLite binding (default: node:sqlite where Node has it, else better-sqlite3). */
  readonly engine?: SqliteEngineName | 'auto';
  /**
   * Keep records this many days: older ones are pruned at open and then about once a
   * day while the log is open. Default: keep everything (`prune` by hand).
   */
  readonly retentionDays?: number;
  /**
   * How long `append` lets records gather before a batch is written: the durability
   * window, since a process killed outright loses the records still queued. Default
   * `AUDIT_FLUSH_DELAY_MS`.
   */
  readonly flushDelayMs?: number;
  /** Records per transaction; a full batch is written at once. Default `AUDIT_MAX_BATCH`. */
  readonly maxBatch?: number;
  /** Records waiting when writes keep failing, beyond which `append` throws AUDIT_BACKLOG. Default 100 000. */
  readonly maxPending?: number;
  /** Told about a background write that failed (its records stay queued and are retried). */
  readonly onError?: (error: SkillsyncError) => void;
  /** The clock for retention and the prune record. Default: the system clock. */
  readonly now?: () => Date;
}

export interface AuditPruneOptions {
  /** Delete records older than this. Default: now less `retentionDays`. */
  readonly before?: Date;
  /** Who pruned, for the record the prune itself appends. Default `skillsync`. */
  readonly principal?: string;
  readonly client?: string;
  /** Plan and check only: report what would be deleted, delete nothing. */
  readonly dryRun?: boolean;
}

/**
 * The append-only, hash-chained audit log in the state database. `append` only queues
 * (microseconds); batches are written in write transactions (`BEGIN IMMEDIATE` on SQLite,
 * the advisory write lock on PostgreSQL) that chain from the head the last writer
 * recorded, so any number of processes can append to one database and the chain stays
 * one line. Everything that reads flushes this process's queue first.
 */
export interface AuditLog {
  /** Where the log is, for messages: the database's `location` (a file, or a PostgreSQL address without password). */
  readonly file: string;
  /** Records queued and not yet written. */
  readonly pending: number;
  /** The last background write failure, until a write succeeds again. */
  readonly lastError: SkillsyncError | undefined;
  /** Queues one record. Throws INVALID_INPUT for a malformed one, AUDIT_BACKLOG or AUDIT_LOG_CLOSED. */
  append(input: AuditInput): void;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /**
   * Writes the queue synchronously, for a process `exit` handler where nothing can be
   * awaited. SQLite only; refused while an awaited transaction of this process is open.
   */
  flushSync(): void;
  /** Flushes, stops the timer and (when it opened it) closes the database. */
  close(): Promise<void>;
  /** Matching records in log order; with `newest`, the last `limit` of them. */
  list(options?: AuditListOptions): Promise<AuditRecord[]>;
  count(filter?: AuditFilter): Promise<number>;
  /** Checks the whole chain from the anchor; names the first record that breaks it. */
  verify(): Promise<AuditVerifyResult>;
  /** One JSON line (with `\n`) per matching record, in log order, read in pages. */
  exportJsonl(filter?: AuditFilter): AsyncIterable<string>;
  /**
   * Deletes the oldest records up to the first one at or after `before`, after checking
   * that part of the chain (AUDIT_CHAIN_BROKEN, nothing deleted, if it is broken), and
   * keeps the last deleted record's seq and hash as the anchor `verify` starts from.
   * The prune is itself appended as a `pruneAudit` record.
   */
  prune(options?: AuditPruneOptions): Promise<AuditPruneResult>;
  /** The last record written (seq 0 and 64 zeros for an empty log). */
  head(): Promise<ChainPoint>;
}

/**
 * The default durability window: a record is written at most this long after `append`
 * (sooner when a batch fills), so a process killed outright loses at most the records
 * of its last 50 ms. Longer than a call: a gateway writes one transaction per many
 * calls rather than one per call or two (each costs about 0.1 ms of the CPU the
 * calls share).
 */
export const AUDIT_FLUSH_DELAY_MS = 50;

/**
 * The default batch: a full one is written at once. Small enough that writing it
 * (about 6 µs a record) holds the event loop for only a couple of milliseconds.
 */
export const AUDIT_MAX_BATCH = 250;

const DAY_MS = 86_400_000;
const EXPORT_PAGE = 1000;
const INSERT_CHUNK = 200;

const INSERT_COLUMNS = [
  'seq',
  'time',
  'principal',
  'client',
  'action',
  'connector',
  'target',
  'arguments_digest',
  'decision',
  'policy_ids',
  'policy_version',
  'latency_ms',
  'outcome',
  'detail',
  'org',
  'prev_hash',
  'hash',
] as const satisfies readonly (keyof AuditLogTable)[];

/**
 * Rows per INSERT on SQLite, largest first: a batch goes in as few statements as these
 * sizes allow, saving each row a statement's fixed cost (a call into the binding, a
 * step). A few fixed sizes, since a statement is prepared once per SQL text; the largest
 * (544 variables) stays under the 999 of SQLite before 3.32, and larger ones measured no faster.
 */
const INSERT_STATEMENTS = [32, 8, 1].map((rows) => {
  const values = `(${INSERT_COLUMNS.map(() => '?').join(', ')})`;
  return { rows, sql: `INSERT INTO audit_log (${INSERT_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => values).join(', ')}` };
});

/** Opens the audit log, creating or migrating its tables. */
export async function openAuditLog(options: OpenAuditLogOptions): Promise<AuditLog> {
  if ((options.db === undefined) === (options.file === undefined)) {
    throw new SkillsyncError('INTERNAL', 'openAuditLog needs exactly one of `db` and `file`.');
  }
  const retentionDays = options.retentionDays;
  if (retentionDays !== undefined && !(Number.isFinite(retentionDays) && retentionDays > 0)) {
    throw new SkillsyncError('INVALID_INPUT', `Audit retention must be a positive number of days, not ${retentionDays}.`, { details: { retentionDays } });
  }
  const owned = options.db === undefined;
  const state =
    options.db ?? (await openStateDatabase({ file: options.file ?? '', engine: options.engine ?? 'auto', modules: [auditStateModule] }));
  try {
    if (!owned) await state.migrate(auditStateModule);
  } catch (error) {
    throw toSkillsyncError(error);
  }
  const log = createAuditLog(state, owned, { ...options, retentionDays });
  if (retentionDays !== undefined) {
    try {
      await log.prune();
    } catch (error) {
      await log.close();
      throw error;
    }
  }
  return log;
}

function createAuditLog(state: StateDatabase, owned: boolean, options: OpenAuditLogOptions): AuditLog {
  const db = state.kysely.$extendTables<AuditTables>();
  const file = state.location;
  const flushDelayMs = options.flushDelayMs ?? AUDIT_FLUSH_DELAY_MS;
  const maxBatch = Math.max(1, options.maxBatch ?? AUDIT_MAX_BATCH);
  const maxPending = options.maxPending ?? 100_000;
  const now = options.now ?? (() => new Date());
  const { retentionDays } = options;

  let queue: QueuedInput[] = [];
  /** Records of the batch being written (out of the queue, not committed yet). */
  let writing = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushing: Promise<void> | undefined;
  let failures = 0;
  let lastError: SkillsyncError | undefined;
  let closing = false;
  let closed = false;
  let lastPrune = retentionDays === undefined ? 0 : now().getTime();
  let pruning: Promise<unknown> | undefined;

  const clearTimer = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };

  const schedule = (delay: number, retry = false): void => {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      flush().then(afterBackgroundFlush, (error: unknown) => {
        const failure = toSkillsyncError(error);
        options.onError?.(failure);
        // Back off, and never keep a process alive only to retry a broken database.
        schedule(Math.min(100 * 2 ** Math.min(failures, 8), 30_000), true);
      });
    }, delay);
    if (retry) timer.unref();
  };

  const afterBackgroundFlush = (): void => {
    if (retentionDays === undefined || pruning !== undefined || closing) return;
    if (now().getTime() - lastPrune < DAY_MS) return;
    pruning = log
      .prune()
      .catch((error: unknown) => options.onError?.(toSkillsyncError(error)))
      .finally(() => {
        pruning = undefined;
      });
  };

  /** Chains `fields` from the recorded head and inserts them, inside the caller's write transaction. */
  const writeSqlite = (sync: SyncSqlite, fields: readonly AuditFields[]): void => {
    const head = sync.prepare('SELECT head_seq, head_hash FROM audit_chain WHERE id = 1').get();
    let prev: ChainPoint;
    if (head !== undefined && Number.isSafeInteger(head.head_seq) && typeof head.head_hash === 'string') {
      prev = { seq: head.head_seq as number, hash: head.head_hash };
    } else {
      // Only tampering removes or garbles the chain row: go on from the last record (so
      // appends never stall on it), and let verify report it.
      const last = sync.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get();
      prev = last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: Number(last.seq), hash: String(last.hash) };
      if (head === undefined) {
        sync.prepare('INSERT INTO audit_chain (id, head_seq, head_hash, anchor_seq, anchor_hash, anchor_time, pruned) VALUES (1, ?, ?, 0, ?, NULL, 0)').run(prev.seq, prev.hash, GENESIS_HASH);
      }
    }
    const rows: AuditLogTable[] = [];
    for (const item of fields) {
      const row = chainRow(prev, item);
      rows.push(row);
      prev = row;
    }
    let next = 0;
    for (const { rows: size, sql } of INSERT_STATEMENTS) {
      const insert = sync.prepare(sql);
      for (; rows.length - next >= size; next += size) {
        const values: SqlValue[] = [];
        for (const row of rows.slice(next, next + size)) for (const column of INSERT_COLUMNS) values.push(row[column]);
        insert.run(...values);
      }
    }
    sync.prepare('UPDATE audit_chain SET head_seq = ?, head_hash = ? WHERE id = 1').run(prev.seq, prev.hash);
  };

  /**
   * The same through Kysely, for PostgreSQL (no synchronous API). Inside the write
   * transaction, which on PostgreSQL holds the database's write lock (an advisory lock)
   * before this reads the head, so writers from any number of pools and processes chain
   * one after another, never from the same head.
   */
  const writeKysely = async (trx: AuditDb, fields: readonly AuditFields[]): Promise<void> => {
    const { head, damage } = await readChainState(trx);
    let prev: ChainPoint;
    if (head !== undefined && damage === undefined) {
      prev = head;
    } else {
      const last = await trx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
      prev = last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
      if (head === undefined) {
        await trx
          .insertInto('audit_chain')
          .values({ id: 1, head_seq: prev.seq, head_hash: prev.hash, anchor_seq: 0, anchor_hash: GENESIS_HASH, anchor_time: null, pruned: 0 })
          .execute();
      }
    }
    const rows: AuditLogTable[] = [];
    for (const item of fields) {
      const row = chainRow(prev, item);
      rows.push(row);
      prev = row;
    }
    for (let index = 0; index < rows.length; index += INSERT_CHUNK) {
      await trx.insertInto('audit_log').values(rows.slice(index, index + INSERT_CHUNK)).execute();
    }
    await trx.updateTable('audit_chain').set({ head_seq: prev.seq, head_hash: prev.hash }).where('id', '=', 1).execute();
  };

  /** Writes one batch from the head of the queue; on failure the batch goes back, in order. */
  const writeBatch = async (): Promise<void> => {
    const batch = queue.splice(0, maxBatch);
    writing = batch.length;
    try {
      // Redaction and clipping happen before the write lock is taken.
      const fields = batch.map(fieldsOf);
      if (state.sqlite !== undefined) {
        await state.sqlite.writeSync((sync) => {
          writeSqlite(sync, fields);
        });
      } else {
        await state.transaction((trx) => writeKysely(trx.$extendTables<AuditTables>(), fields), { write: true });
      }
      failures = 0;
      lastError = undefined;
    } catch (error) {
      queue = [...batch, ...queue];
      failures += 1;
      lastError = toStateError(error, file, 'write audit records');
      throw lastError;
    } finally {
      writing = 0;
    }
  };

  const flush = async (): Promise<void> => {
    clearTimer();
    for (;;) {
      if (flushing !== undefined) {
        await flushing;
        continue;
      }
      if (queue.length === 0) return;
      flushing = writeBatch().finally(() => {
        flushing = undefined;
      });
    }
  };

  /** Database failures as coded errors (STATE_DB_LOCKED, STATE_DB_FAILED); coded ones pass through. */
  const guard = async <T>(action: string, task: () => Promise<T>): Promise<T> => {
    try {
      return await task();
    } catch (error) {
      throw toStateError(error, file, action);
    }
  };

  const readable = async (): Promise<void> => {
    if (closed) throw new SkillsyncError('AUDIT_LOG_CLOSED', `The audit log ${file} is closed.`, { details: { file } });
    await flush();
  };

  const filtered = <Q extends FilterableQuery<Q>>(query: Q, filter: AuditFilter): Q => {
    let q = query;
    if (filter.since !== undefined) q = q.where('time', '>=', filter.since.toISOString());
    if (filter.until !== undefined) q = q.where('time', '<', filter.until.toISOString());
    for (const [column, value] of [
      ['connector', filter.connector],
      ['client', filter.client],
      ['principal', filter.principal],
      ['action', filter.action],
      ['decision', filter.decision],
      ['outcome', filter.outcome],
      ['org', filter.org],
    ] as const) {
      if (value !== undefined) q = q.where(column, '=', value);
    }
    return q;
  };

  const prunePlan = async (before: string): Promise<{ anchorSeq: number; cutoff: number; hash: string; time: string; count: number } | undefined> =>
    state.transaction(async (kysely) => {
      const trx = kysely.$extendTables<AuditTables>();
      const { anchor } = await readChainState(trx);
      // The oldest records end where the first record new enough is (times of concurrent writers may interleave).
      const firstKept = await trx.selectFrom('audit_log').select((eb) => eb.fn.min<number | null>('seq').as('seq')).where('time', '>=', before).executeTakeFirst();
      const last = await trx.selectFrom('audit_log').select((eb) => eb.fn.max<number | null>('seq').as('seq')).executeTakeFirst();
      const cutoff = firstKept?.seq != null ? firstKept.seq - 1 : (last?.seq ?? anchor.seq);
      if (cutoff <= anchor.seq) return undefined;
      // Never destroy evidence: the part to delete must verify first.
      const check = await verifyChain(trx, { upTo: cutoff });
      if (!check.ok || check.problem !== undefined || check.checked !== cutoff - anchor.seq) {
        const problem = check.problem;
        throw new SkillsyncError(
          'AUDIT_CHAIN_BROKEN',
          `Refusing to prune the audit log ${file}: ${problem === undefined ? 'the records to prune do not verify' : `record ${problem.seq} is ${problem.kind}: ${problem.message}`}`,
          { details: { file, ...(problem === undefined ? {} : { problem }) } },
        );
      }
      const row = await trx.selectFrom('audit_log').select(['hash', 'time']).where('seq', '=', cutoff).executeTakeFirstOrThrow();
      return { anchorSeq: anchor.seq, cutoff, hash: row.hash, time: row.time, count: check.checked };
    });

  const log: AuditLog = {
    file,
    get pending() {
      return queue.length + writing;
    },
    get lastError() {
      return lastError;
    },

    append(input) {
      if (closing) throw new SkillsyncError('AUDIT_LOG_CLOSED', `The audit log ${file} is closed; the record was not kept.`, { details: { file } });
      if (queue.length >= maxPending) {
        throw new SkillsyncError('AUDIT_BACKLOG', `${queue.length} audit records are waiting to be written to ${file}; the record was not kept.`, {
          details: { file, pending: queue.length, ...(lastError === undefined ? {} : { lastError: lastError.message }) },
        });
      }
      queue.push(queueInput(input));
      // A full batch goes at once, unless writes are failing: then the back-off decides.
      if (queue.length >= maxBatch && failures === 0) {
        clearTimer();
        schedule(0);
      } else {
        schedule(flushDelayMs);
      }
    },

    flush,

    flushSync() {
      clearTimer();
      if (queue.length === 0) return;
      const sqlite = state.sqlite;
      if (sqlite === undefined) throw new SkillsyncError('INTERNAL', 'flushSync needs a SQLite state database; await flush() instead.');
      const batch = queue;
      queue = [];
      try {
        const fields = batch.map(fieldsOf);
        sqlite.writeSyncNow((sync) => {
          writeSqlite(sync, fields);
        });
      } catch (error) {
        queue = [...batch, ...queue];
        throw toStateError(error, file, 'write audit records');
      }
    },

    async close() {
      if (closed) return;
      // A background prune appends its own record: let it finish first.
      await pruning;
      closing = true;
      try {
        await flush();
      } finally {
        clearTimer();
        closed = true;
        if (owned) await state.close();
      }
    },

    list: (listOptions = {}) =>
      guard('read the audit log', async () => {
        await readable();
        let query = filtered(db.selectFrom('audit_log').selectAll(), listOptions);
        if (listOptions.afterSeq !== undefined) query = query.where('seq', '>', listOptions.afterSeq);
        query = query.orderBy('seq', listOptions.newest === true ? 'desc' : 'asc');
        if (listOptions.limit !== undefined) query = query.limit(Math.max(0, Math.floor(listOptions.limit)));
        const rows = await query.execute();
        if (listOptions.newest === true) rows.reverse();
        return rows.map(rowToRecord);
      }),

    count: (filter = {}) =>
      guard('count audit records', async () => {
        await readable();
        const row = await filtered(db.selectFrom('audit_log').select((eb) => eb.fn.countAll<number | bigint | string>().as('n')), filter).executeTakeFirst();
        return Number(row?.n ?? 0);
      }),

    verify: () =>
      guard('verify the audit log', async () => {
        await readable();
        // One read transaction: appends and prunes by other processes meanwhile do not show.
        return state.transaction((trx) => verifyChain(trx.$extendTables<AuditTables>()));
      }),

    exportJsonl(filter = {}) {
      return {
        [Symbol.asyncIterator]: async function* () {
          await readable();
          let after = Number.MIN_SAFE_INTEGER;
          for (;;) {
            const from = after;
            const rows = await guard('export the audit log', () =>
              filtered(db.selectFrom('audit_log').selectAll().where('seq', '>', from), filter).orderBy('seq').limit(EXPORT_PAGE).execute(),
            );
            for (const row of rows) yield `${JSON.stringify(rowToRecord(row))}\n`;
            if (rows.length < EXPORT_PAGE) return;
            after = rows[rows.length - 1]?.seq ?? after;
          }
        },
      };
    },

    prune: (pruneOptions = {}) => guard('prune the audit log', () => prune(pruneOptions)),

    head: () =>
      guard('read the audit log', async () => {
        await readable();
        const { head } = await readChainState(db);
        if (head !== undefined) return head;
        const last = await db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
        return last === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: last.seq, hash: last.hash };
      }),
  };

  async function prune(pruneOptions: AuditPruneOptions): Promise<AuditPruneResult> {
    await readable();
    const before =
      pruneOptions.before ?? (retentionDays === undefined ? undefined : new Date(now().getTime() - retentionDays * DAY_MS));
    if (before === undefined || Number.isNaN(before.getTime())) {
      throw new SkillsyncError('INVALID_INPUT', 'Pruning the audit log needs a time: records older than it are deleted.', {
        hint: 'Pass `before`, or open the log with `retentionDays`.',
      });
    }
    const cutoffTime = before.toISOString();
    if (pruneOptions.dryRun !== true) lastPrune = now().getTime();
    // Planned (and verified) under a read snapshot, then applied under the write lock only
    // if nobody pruned or rewrote that part meanwhile: gateways wait for milliseconds, not for a verify.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const plan = await prunePlan(cutoffTime);
      if (plan === undefined) {
        const { anchor } = await readChainState(db);
        return { pruned: 0, anchor: { seq: anchor.seq, hash: anchor.hash }, before: cutoffTime };
      }
      if (pruneOptions.dryRun === true) return { pruned: plan.count, anchor: { seq: plan.cutoff, hash: plan.hash }, before: cutoffTime };
      const applied = await state.transaction(
        async (kysely) => {
          const trx = kysely.$extendTables<AuditTables>();
          const { anchor } = await readChainState(trx);
          const row = await trx.selectFrom('audit_log').select('hash').where('seq', '=', plan.cutoff).executeTakeFirst();
          if (anchor.seq !== plan.anchorSeq || row?.hash !== plan.hash) return false;
          await trx.deleteFrom('audit_log').where('seq', '<=', plan.cutoff).execute();
          await trx
            .updateTable('audit_chain')
            .set((eb) => ({ anchor_seq: plan.cutoff, anchor_hash: plan.hash, anchor_time: plan.time, pruned: eb('pruned', '+', plan.count) }))
            .where('id', '=', 1)
            .execute();
          return true;
        },
        { write: true },
      );
      if (!applied) continue;
      log.append({
        time: now(),
        principal: pruneOptions.principal ?? 'skillsync',
        client: pruneOptions.client ?? 'skillsync',
        action: 'pruneAudit',
        decision: 'allow',
        outcome: 'ok',
        detail: `Pruned ${plan.count} records (seq ${plan.anchorSeq + 1}-${plan.cutoff}) older than ${cutoffTime}; anchor ${plan.hash}`,
      });
      await flush();
      return { pruned: plan.count, anchor: { seq: plan.cutoff, hash: plan.hash }, before: cutoffTime };
    }
    throw new SkillsyncError('STATE_DB_LOCKED', `The audit log ${file} kept changing while it was being pruned; nothing was pruned.`, { details: { file } });
  }

  return log;
}

/** The part of a Kysely select builder over `audit_log` that the filters use. */
interface FilterableQuery<Q> {
  where(column: 'time' | 'connector' | 'client' | 'principal' | 'action' | 'decision' | 'outcome' | 'org', op: '=' | '>=' | '<', value: string): Q;
}
