import { isSkillsyncError, type SkillsyncError } from '@skillsync/core';
import { sql, type Generated, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StateModule } from './migrations.js';
import { openPostgresDatabase, type OpenPostgresDatabaseOptions } from './open-postgres-database.js';
import type { PostgresStateDatabase, StateDialect, StateTables } from './state-database.js';
import { toStateError } from './state-errors.js';
import { createTestSchema, startTcpProxy, type TestSchema } from './test-support/index.js';

interface NotesTable {
  id: Generated<number>;
  text: string;
  tag: string | null;
}

const notesModule = (count: number): StateModule => ({
  name: 'notes',
  migrations: [
    {
      name: '001-notes',
      up: async (db: Kysely<unknown>, dialect: StateDialect) => {
        await db.schema
          .createTable('notes')
          .addColumn('id', dialect === 'postgres' ? 'bigserial' : 'integer', (column) => column.primaryKey())
          .addColumn('text', 'text', (column) => column.notNull())
          .execute();
      },
    },
    {
      name: '002-tag',
      up: async (db: Kysely<unknown>) => {
        await db.schema.alterTable('notes').addColumn('tag', 'text').execute();
      },
    },
    {
      name: '003-index',
      up: async (db: Kysely<unknown>) => {
        await db.schema.createIndex('notes_tag').on('notes').column('tag').execute();
      },
    },
  ].slice(0, count),
});

const countersModule: StateModule = {
  name: 'counters',
  migrations: [
    {
      name: '001-counters',
      up: async (db) => {
        await db.schema.createTable('counters').addColumn('id', 'integer', (column) => column.primaryKey()).addColumn('value', 'integer', (column) => column.notNull()).execute();
        await sql`insert into counters (id, value) values (1, 0)`.execute(db);
      },
    },
  ],
};

const withNotes = (db: PostgresStateDatabase): Kysely<StateTables & { notes: NotesTable }> => db.kysely.$extendTables<{ notes: NotesTable }>();

/** The error a promise rejects with (and fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<SkillsyncError> {
  try {
    await promise;
  } catch (error) {
    expect(isSkillsyncError(error)).toBe(true);
    return error as SkillsyncError;
  }
  throw new Error('expected a rejection');
}

let test: TestSchema;
let opened: PostgresStateDatabase[] = [];

beforeEach(async () => {
  test = await createTestSchema();
});

afterEach(async () => {
  await Promise.all(opened.map((db) => db.close()));
  opened = [];
  await test.drop();
});

async function open(options: Partial<OpenPostgresDatabaseOptions> = {}): Promise<PostgresStateDatabase> {
  const db = await openPostgresDatabase({ url: test.url, schema: test.schema, ...options });
  opened.push(db);
  return db;
}

describe('openPostgresDatabase', () => {
  it('opens in its own schema: the tables go there, and nothing names the password', async () => {
    const withPassword = new URL(test.url);
    withPassword.password = 'not-shown-anywhere';
    const db = await open({ url: withPassword.href, modules: [notesModule(1)] });
    expect(db).toMatchObject({ dialect: 'postgres', engine: 'pg', file: undefined, sqlite: undefined, schema: test.schema });
    expect(db.location).toBe(`postgres://postgres@127.0.0.1:5432/test (schema ${test.schema})`);
    const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${test.schema} order by table_name`.execute(db.kysely);
    expect(tables.rows.map((row) => row.table_name)).toEqual(['migrations', 'notes']);
    const failure = await rejection(db.migrate({ name: 'broken', migrations: [{ name: '001', up: (kysely) => sql`not sql`.execute(kysely).then(() => undefined) }] }));
    expect(failure.code).toBe('STATE_DB_FAILED');
    expect(JSON.stringify({ ...failure.toJSON(), message: failure.message })).not.toContain('not-shown-anywhere');
  });

  it('creates its schema when missing, once when two processes start at once', async () => {
    const schema = `${test.schema}_fresh`;
    try {
      const both = await Promise.all([open({ schema, modules: [notesModule(1)] }), open({ schema, modules: [notesModule(1)] })]);
      expect(both.map((db) => db.schema)).toEqual([schema, schema]);
      const tables = await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = ${schema}`.execute(both[0].kysely);
      expect(tables.rows).toHaveLength(2);
    } finally {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(opened[0]!.kysely);
    }
  });

  it('runs Kysely queries, RETURNING included, with bigints and counts as numbers', async () => {
    const db = withNotes(await open({ modules: [notesModule(2)] }));
    const inserted = await db.insertInto('notes').values({ text: 'one', tag: 'a' }).returning('id').executeTakeFirstOrThrow();
    expect(inserted.id).toBe(1);
    const result = await db.insertInto('notes').values([{ text: 'two', tag: null }, { text: 'three', tag: 'a' }]).executeTakeFirstOrThrow();
    expect(result.numInsertedOrUpdatedRows).toBe(2n);
    expect(await db.selectFrom('notes').select(['id', 'text']).where('tag', '=', 'a').orderBy('id').execute()).toEqual([
      { id: 1, text: 'one' },
      { id: 3, text: 'three' },
    ]);
    expect(await db.selectFrom('notes').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()).toEqual({ n: 3 });
    // Past 2^53 a bigint comes back exact rather than rounded.
    expect((await sql<{ big: unknown }>`select 9007199254740993::bigint as big`.execute(db)).rows[0]).toEqual({ big: 9007199254740993n });
  });

  it('applies migrations once, in order, recording each; reopening applies only new ones', async () => {
    const first = await open({ modules: [notesModule(2)] });
    expect(await first.kysely.selectFrom('migrations').select(['module', 'name']).orderBy('name').execute()).toEqual([
      { module: 'notes', name: '001-notes' },
      { module: 'notes', name: '002-tag' },
    ]);
    expect(await first.migrate(notesModule(2))).toEqual({ module: 'notes', applied: [] });
    const again = await open();
    expect(await again.migrate(notesModule(3))).toEqual({ module: 'notes', applied: ['003-index'] });
    expect(await again.migrate(notesModule(3))).toEqual({ module: 'notes', applied: [] });
  });

  it('migrates once when several processes open a fresh schema at once', async () => {
    const opening = await Promise.all(Array.from({ length: 4 }, () => open({ poolSize: 2 })));
    const results = await Promise.all(opening.map((db) => db.migrate(notesModule(3))));
    expect(results.map((result) => result.applied.length).sort()).toEqual([0, 0, 0, 3]);
    expect(await opening[0]!.kysely.selectFrom('migrations').select('name').execute()).toHaveLength(3);
  });

  it('refuses a database a newer skillsync migrated, with STATE_SCHEMA_TOO_NEW', async () => {
    await open({ modules: [notesModule(3)] });
    await expect(openPostgresDatabase({ url: test.url, schema: test.schema, modules: [notesModule(2)] })).rejects.toMatchObject({
      code: 'STATE_SCHEMA_TOO_NEW',
      details: { module: 'notes', unknown: ['003-index'] },
    });
  });

  it('rolls a failed migration back whole, DDL included', async () => {
    const failing: StateModule = {
      name: 'notes',
      migrations: [
        ...notesModule(1).migrations,
        {
          name: '002-broken',
          up: async (db) => {
            await db.schema.alterTable('notes').addColumn('tag', 'text').execute();
            await sql`this is not sql`.execute(db);
          },
        },
      ],
    };
    await expect(openPostgresDatabase({ url: test.url, schema: test.schema, modules: [failing] })).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
    const db = await open();
    expect((await sql`select table_name from information_schema.tables where table_schema = ${test.schema}`.execute(db.kysely)).rows).toEqual([]);
  });

  it('write transactions from two pools run one after another, so read-then-write loses nothing', async () => {
    const [first, second] = [await open({ modules: [countersModule] }), await open()];
    const increment = (db: PostgresStateDatabase): Promise<void> =>
      db.transaction(
        async (trx) => {
          const counters = trx.$extendTables<{ counters: { id: number; value: number } }>();
          const { value } = await counters.selectFrom('counters').select('value').where('id', '=', 1).executeTakeFirstOrThrow();
          await new Promise((resolve) => setTimeout(resolve, 1));
          await counters.updateTable('counters').set({ value: value + 1 }).where('id', '=', 1).execute();
        },
        { write: true },
      );
    await Promise.all(Array.from({ length: 40 }, (_, index) => increment(index % 2 === 0 ? first : second)));
    const row = await sql<{ value: number }>`select value from counters where id = 1`.execute(first.kysely);
    expect(row.rows[0]?.value).toBe(40);
  });

  it('a read transaction is a snapshot: commits made meanwhile do not show in it', async () => {
    const [reader, writer] = [await open({ modules: [notesModule(2)] }), await open()];
    const seen = await reader.transaction(async (trx) => {
      const before = await trx.selectFrom('migrations').select('name').execute();
      await withNotes(writer).insertInto('notes').values({ text: 'meanwhile', tag: null }).execute();
      const notes = await trx.$extendTables<{ notes: NotesTable }>().selectFrom('notes').select('text').execute();
      return { before: before.length, notes: notes.length };
    });
    expect(seen).toEqual({ before: 2, notes: 0 });
  });

  it('a write transaction that waits for the lock past busyTimeoutMs fails, as STATE_DB_LOCKED', async () => {
    const holder = await open({ modules: [countersModule] });
    const waiter = await open({ busyTimeoutMs: 100 });
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = holder.transaction(
      async () => {
        locked();
        await held;
      },
      { write: true },
    );
    await isLocked;
    const error = await waiter.transaction(() => Promise.resolve(), { write: true }).catch((caught: unknown) => caught);
    release();
    await holding;
    expect(toStateError(error, waiter.location, 'write').code).toBe('STATE_DB_LOCKED');
    // The lock went with the holder's commit.
    await expect(waiter.transaction(() => Promise.resolve('done'), { write: true })).resolves.toBe('done');
  });

  it('reports a server it cannot reach as STATE_DB_UNAVAILABLE, without the password', async () => {
    const error = await rejection(openPostgresDatabase({ url: 'postgres://someone:hunter2-secret@127.0.0.1:1/test', connectTimeoutMs: 2000 }));
    expect(error.code).toBe('STATE_DB_UNAVAILABLE');
    expect(error.message).toContain('postgres://someone@127.0.0.1:1/test');
    expect(JSON.stringify(error.toJSON())).not.toContain('hunter2-secret');
    const missing = await rejection(openPostgresDatabase({ url: 'postgres://postgres@127.0.0.1:5432/no_such_database_here' }));
    expect(missing.code).toBe('STATE_DB_UNAVAILABLE');
    expect(missing.message).toMatch(/does not exist/);
  });

  it('refuses a malformed URL or schema name without echoing it', async () => {
    const error = await rejection(openPostgresDatabase({ url: 'postgres://user:pa ss@[bad' }));
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).not.toContain('pa ss');
    await expect(openPostgresDatabase({ url: test.url, schema: 'Robert"; drop table x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('keeps the URL own startup options beside the schema', async () => {
    const url = new URL(test.url);
    url.searchParams.set('options', '-c statement_timeout=4321');
    const db = await open({ url: url.href });
    const shown = async (setting: string): Promise<unknown> => (await sql.raw<{ value: unknown }>(`select current_setting('${setting}') as value`).execute(db.kysely)).rows[0]?.value;
    expect(await shown('statement_timeout')).toBe('4321ms');
    expect(await shown('search_path')).toBe(test.schema);
  });

  it('queries work again after the server ended every connection (as a restart does), and the drop is reported', async () => {
    const errors: SkillsyncError[] = [];
    const db = await open({ modules: [notesModule(2)], poolSize: 3, onError: (error) => errors.push(error) });
    const notes = withNotes(db);
    await Promise.all([1, 2, 3].map((index) => notes.insertInto('notes').values({ text: `before ${index}`, tag: null }).execute()));
    expect(await test.terminateConnections()).toBeGreaterThan(0);
    // A connection the pool had not yet seen drop may fail one query, as unavailable; the next works on a new connection.
    const first = await notes.selectFrom('notes').select('text').execute().catch((error: unknown) => error);
    if (!Array.isArray(first)) expect(first).toMatchObject({ code: 'STATE_DB_UNAVAILABLE' });
    expect(await notes.selectFrom('notes').select('text').execute()).toHaveLength(3);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((error) => error.code === 'STATE_DB_UNAVAILABLE')).toBe(true);
  });

  it('while the server is down every query is STATE_DB_UNAVAILABLE; once it is back they work again', async () => {
    const proxy = await startTcpProxy();
    try {
      const url = new URL(test.url);
      url.port = String(proxy.port);
      const db = await open({ url: url.href, modules: [notesModule(2)], connectTimeoutMs: 1000 });
      const notes = withNotes(db);
      await notes.insertInto('notes').values({ text: 'before', tag: null }).execute();
      await proxy.stop();
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await expect(notes.selectFrom('notes').select('text').execute()).rejects.toMatchObject({ code: 'STATE_DB_UNAVAILABLE' });
      }
      await expect(db.transaction(() => Promise.resolve(), { write: true })).rejects.toMatchObject({ code: 'STATE_DB_UNAVAILABLE' });
      await proxy.start();
      expect(await notes.selectFrom('notes').select('text').execute()).toEqual([{ text: 'before' }]);
    } finally {
      await proxy.stop();
    }
  });

  it('a transaction whose connection is ended fails as STATE_DB_UNAVAILABLE, and the next one works', async () => {
    const db = await open({ modules: [notesModule(2)], poolSize: 1 });
    const error = await rejection(
      db.transaction(
        async (trx) => {
          await trx.$extendTables<{ notes: NotesTable }>().insertInto('notes').values({ text: 'lost', tag: null }).execute();
          await test.terminateConnections();
          await trx.selectFrom('migrations').select('name').execute();
        },
        { write: true },
      ),
    );
    expect(error.code).toBe('STATE_DB_UNAVAILABLE');
    expect(error.message).toContain(db.location);
    await expect(withNotes(db).selectFrom('notes').select('text').execute()).resolves.toEqual([]);
  });

  it('closes once; a transaction afterwards is STATE_DB_FAILED', async () => {
    const db = await openPostgresDatabase({ url: test.url, schema: test.schema });
    await Promise.all([db.close(), db.close()]);
    await db.close();
    await expect(db.transaction(() => Promise.resolve())).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
  });
});
