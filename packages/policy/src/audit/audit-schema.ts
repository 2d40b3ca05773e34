import type { StateModule, StateTables } from '@skillsync/state';
import { sql, type Kysely } from 'kysely';

/** Before the first record ever written, a record chains from 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** `audit_log`: one row per record. Optional fields are NULL when absent. */
export interface AuditLogTable {
  seq: number;
  time: string;
  principal: string;
  client: string;
  action: string;
  connector: string | null;
  target: string | null;
  arguments_digest: string | null;
  decision: string;
  /** The canonical JSON of the array. */
  policy_ids: string | null;
  policy_version: string | null;
  latency_ms: number | null;
  outcome: string;
  detail: string | null;
  /** Only where one database holds many orgs' records (the org server); NULL in a runtime log. */
  org: string | null;
  prev_hash: string;
  hash: string;
}

/**
 * `audit_chain`: one row (id 1). `head_*` is the last record written, updated in the
 * same transaction as every batch: writers chain from it, and a deleted tail shows
 * against it. `anchor_*` is the last pruned record, where verification starts.
 */
export interface AuditChainTable {
  id: number;
  head_seq: number;
  head_hash: string;
  anchor_seq: number;
  anchor_hash: string;
  anchor_time: string | null;
  pruned: number;
}

/** A type (not an interface) so Kysely's `$extendTables` accepts it. */
export type AuditTables = {
  audit_log: AuditLogTable;
  audit_chain: AuditChainTable;
};

/** The state database as the audit code queries it. */
export type AuditDb = Kysely<StateTables & AuditTables>;

/** The audit log's tables in the state database. Released migrations never change: add new ones. */
// On SQLite `seq` is INTEGER PRIMARY KEY: the rowid itself (64-bit), so appends add no
// second index. PostgreSQL's integer is 32-bit, so there the counters are bigint.
export const auditStateModule: StateModule = {
  name: 'audit',
  migrations: [
    {
      name: '001-audit-log',
      up: async (db, dialect) => {
        const counter = dialect === 'postgres' ? 'bigint' : 'integer';
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', counter, (column) => column.primaryKey())
          .addColumn('time', 'text', (column) => column.notNull())
          .addColumn('principal', 'text', (column) => column.notNull())
          .addColumn('client', 'text', (column) => column.notNull())
          .addColumn('action', 'text', (column) => column.notNull())
          .addColumn('connector', 'text')
          .addColumn('target', 'text')
          .addColumn('arguments_digest', 'text')
          .addColumn('decision', 'text', (column) => column.notNull())
          .addColumn('policy_ids', 'text')
          .addColumn('policy_version', 'text')
          .addColumn('latency_ms', 'double precision')
          .addColumn('outcome', 'text', (column) => column.notNull())
          .addColumn('detail', 'text')
          .addColumn('prev_hash', 'text', (column) => column.notNull())
          .addColumn('hash', 'text', (column) => column.notNull())
          .execute();
        await db.schema.createIndex('audit_log_time').on('audit_log').column('time').execute();
        await db.schema
          .createTable('audit_chain')
          .addColumn('id', 'integer', (column) => column.primaryKey().check(sql`id = 1`))
          .addColumn('head_seq', counter, (column) => column.notNull())
          .addColumn('head_hash', 'text', (column) => column.notNull())
          .addColumn('anchor_seq', counter, (column) => column.notNull())
          .addColumn('anchor_hash', 'text', (column) => column.notNull())
          .addColumn('anchor_time', 'text')
          .addColumn('pruned', counter, (column) => column.notNull())
          .execute();
        await db
          .$extendTables<AuditTables>()
          .insertInto('audit_chain')
          .values({ id: 1, head_seq: 0, head_hash: GENESIS_HASH, anchor_seq: 0, anchor_hash: GENESIS_HASH, anchor_time: null, pruned: 0 })
          .execute();
      },
    },
    {
      // Nullable and hashed only when set: the records already written keep their hashes.
      name: '002-org',
      up: async (db) => {
        await db.schema.alterTable('audit_log').addColumn('org', 'text').execute();
        await db.schema.createIndex('audit_log_org_seq').on('audit_log').columns(['org', 'seq']).execute();
      },
    },
  ],
};
