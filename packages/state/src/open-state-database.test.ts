import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, isSkillsyncError, type SkillsyncError } from '@skillsync/core';
import { sql, type Generated, type Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateDatabase, stateDatabaseFile } from './open-state-database.js';
import type { SqliteStateDatabase } from './state-database.js';
import type { StateModule } from './migrations.js';
import { availableSqliteEngines, loadSqliteEngine, returnsRows, type SqliteEngineName } from './sqlite-engines.js';

const engines = availableSqliteEngines();
const allEngines: readonly SqliteEngineName[] = ['node:sqlite', 'better-sqlite3'];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const nodeHasSqlite = major > 22 || (major === 22 && minor >= 13);

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
      up: async (db: Kysely<unknown>) => {
        await db.schema
          .createTable('notes')
          .addColumn('id', 'integer', (column) => column.primaryKey())
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

let dir: string;
let opened: SqliteStateDatabase[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-state-'));
});

afterEach(async () => {
  await Promise.all(opened.map((db) => db.close()));
  opened = [];
  await rm(dir, { recursive: true, force: true });
});

async function open(engine: SqliteEngineName, modules: readonly StateModule[] = [], file = path.join(dir, 'state', 'skillsync.db')): Promise<SqliteStateDatabase> {
  const db = await openStateDatabase({ file, engine, modules });
  opened.push(db);
  return db;
}

describe('the SQLite engines', () => {
  it('include the one this Node must have: node:sqlite from 22.13, else the built better-sqlite3', () => {
    expect(engines).toContain(nodeHasSqlite ? 'node:sqlite' : 'better-sqlite3');
  });

  it('prefer node:sqlite when it loads', () => {
    expect(loadSqliteEngine('auto').name).toBe(engines[0]);
    if (nodeHasSqlite) expect(engines[0]).toBe('node:sqlite');
  });

  for (const name of allEngines.filter((engine) => !engines.includes(engine))) {
    it(`refuse ${name}, absent here, with STATE_DB_UNAVAILABLE and a hint`, () => {
      let caught: unknown;
      try {
        loadSqliteEngine(name);
      } catch (error) {
        caught = error;
      }
      expect(isSkillsyncError(caught)).toBe(true);
      const error = caught as SkillsyncError;
      expect(error.code).toBe('STATE_DB_UNAVAILABLE');
      expect(error.message).toContain(name);
      expect(error.hint).toMatch(/Node\.js 22\.5 or later.*better-sqlite3/);
    });
  }

  it('tell statements that return rows from the SQL when Node cannot say', () => {
    expect(returnsRows('SELECT 1')).toBe(true);
    expect(returnsRows('  -- note\n  with x as (select 1) select * from x')).toBe(true);
    expect(returnsRows('pragma journal_mode')).toBe(true);
    expect(returnsRows('insert into t (a) values (?) returning id')).toBe(true);
    expect(returnsRows('insert into t (a) values (?)')).toBe(false);
    expect(returnsRows('update t set a = 1')).toBe(false);
    expect(returnsRows('create table t (a)')).toBe(false);
  });
});

describe('stateDatabaseFile', () => {
  it('is skillsync.db in the state folder', () => {
    const env = createEnv({ home: '/home/u', cwd: '/work', vars: { SKILLSYNC_HOME: '/sk' } });
    expect(stateDatabaseFile(env)).toBe('/sk/state/skillsync.db');
    expect(stateDatabaseFile(createEnv({ home: '/home/u', cwd: '/work' }))).toBe('/home/u/.local/state/skillsync/skillsync.db');
  });
});

describe.each(engines)('openStateDatabase on %s', (engine) => {
  it('creates the file 0600 in a 0700 folder, in WAL mode with a busy timeout and foreign keys', async () => {
    const db = await open(engine);
    expect(db.engine).toBe(engine);
    expect(db.dialect).toBe('sqlite');
    const pragma = async (name: string): Promise<unknown> => {
      const result = await sql.raw(`PRAGMA ${name}`).execute(db.kysely);
      return Object.values(result.rows[0] as Record<string, unknown>)[0];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('busy_timeout')).toBe(5000);
    expect(await pragma('foreign_keys')).toBe(1);
    if (process.platform !== 'win32') {
      expect((await stat(db.file)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(db.file))).mode & 0o777).toBe(0o700);
    }
  });

  it('runs Kysely queries, RETURNING included', async () => {
    const db = (await open(engine, [notesModule(2)])).kysely.$extendTables<{ notes: NotesTable }>();
    const inserted = await db.insertInto('notes').values({ text: 'one', tag: 'a' }).returning('id').executeTakeFirstOrThrow();
    expect(inserted.id).toBe(1);
    const result = await db.insertInto('notes').values([{ text: 'two', tag: null }, { text: 'three', tag: 'a' }]).executeTakeFirstOrThrow();
    expect(result.numInsertedOrUpdatedRows).toBe(2n);
    expect(await db.selectFrom('notes').select(['id', 'text']).where('tag', '=', 'a').orderBy('id').execute()).toEqual([
      { id: 1, text: 'one' },
      { id: 3, text: 'three' },
    ]);
    const updated = await db.updateTable('notes').set({ tag: 'b' }).where('id', '>', 1).executeTakeFirst();
    expect(updated.numUpdatedRows).toBe(2n);
  });

  it('applies migrations once, in order, recording each; reopening applies only new ones', async () => {
    const file = path.join(dir, 'm.db');
    const first = await open(engine, [notesModule(2)], file);
    const rows = await first.kysely.selectFrom('migrations').select(['module', 'name']).orderBy('name').execute();
    expect(rows).toEqual([
      { module: 'notes', name: '001-notes' },
      { module: 'notes', name: '002-tag' },
    ]);
    expect(await first.migrate(notesModule(2))).toEqual({ module: 'notes', applied: [] });
    await first.close();

    const again = await open(engine, [notesModule(2)], file);
    expect(await again.kysely.selectFrom('migrations').select('name').execute()).toHaveLength(2);
    expect(await again.migrate(notesModule(3))).toEqual({ module: 'notes', applied: ['003-index'] });
    expect(await again.migrate(notesModule(3))).toEqual({ module: 'notes', applied: [] });
  });

  it('refuses a database a newer skillsync migrated, with STATE_SCHEMA_TOO_NEW', async () => {
    const file = path.join(dir, 'newer.db');
    await (await open(engine, [notesModule(3)], file)).close();
    await expect(openStateDatabase({ file, engine, modules: [notesModule(2)] })).rejects.toMatchObject({
      code: 'STATE_SCHEMA_TOO_NEW',
      details: { module: 'notes', unknown: ['003-index'] },
    });
  });

  it('rolls a failed migration back whole', async () => {
    const file = path.join(dir, 'failing.db');
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
    await expect(openStateDatabase({ file, engine, modules: [failing] })).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
    const db = await open(engine, [], file);
    // Not even the first step or the migrations table survived.
    expect((await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(db.kysely)).rows).toEqual([]);
  });

  it('refuses a malformed module before touching the file', async () => {
    const db = await open(engine);
    const twice: StateModule = { name: 'x', migrations: [notesModule(1).migrations[0]!, notesModule(1).migrations[0]!] };
    await expect(db.migrate(twice)).rejects.toMatchObject({ code: 'INTERNAL' });
    const unordered: StateModule = { name: 'x', migrations: [...notesModule(2).migrations].reverse() };
    await expect(db.migrate(unordered)).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('writeSync commits a synchronous batch, and rolls it back when the task throws', async () => {
    const database = await open(engine, [notesModule(2)]);
    const sqlite = database.sqlite;
    await sqlite.writeSync((sync) => {
      const insert = sync.prepare('INSERT INTO notes (text, tag) VALUES (?, ?)');
      for (let index = 0; index < 100; index += 1) insert.run(`note ${index}`, null);
    });
    await expect(
      sqlite.writeSync((sync) => {
        sync.prepare('INSERT INTO notes (text, tag) VALUES (?, ?)').run('lost', null);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(sqlite.writeSync((sync) => sync.prepare('SELECT count(*) AS n FROM notes').get())).resolves.toEqual({ n: 100 });
    expect(sqlite.writeSyncNow((sync) => sync.prepare('SELECT count(*) AS n FROM notes').get())).toEqual({ n: 100 });
  });

  it('writeSync waits for a Kysely transaction of the same process; writeSyncNow refuses to interleave with it', async () => {
    const database = await open(engine, [notesModule(2)]);
    const db = database.kysely.$extendTables<{ notes: NotesTable }>();
    const order: string[] = [];
    let refused: unknown;
    const transaction = database.transaction(
      async (trx) => {
        await trx.$extendTables<{ notes: NotesTable }>().insertInto('notes').values({ text: 'in transaction', tag: null }).execute();
        try {
          database.sqlite.writeSyncNow(() => order.push('now'));
        } catch (error) {
          refused = error;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push('transaction');
      },
      { write: true },
    );
    const sync = database.sqlite.writeSync(() => order.push('sync'));
    await Promise.all([transaction, sync]);
    expect(order).toEqual(['transaction', 'sync']);
    expect(refused).toMatchObject({ code: 'STATE_DB_FAILED' });
    expect(await db.selectFrom('notes').select('text').execute()).toEqual([{ text: 'in transaction' }]);
  });

  it('closes once; a second close does nothing', async () => {
    const db = await openStateDatabase({ file: path.join(dir, 'c.db'), engine });
    await db.close();
    await db.close();
    expect(() => db.sqlite.writeSyncNow(() => 1)).toThrow(/closed/);
  });

  it('works in memory', async () => {
    const db = await open(engine, [notesModule(3)], ':memory:');
    expect(await db.kysely.selectFrom('migrations').select('name').execute()).toHaveLength(3);
  });

  it('reports a file that is not a database as STATE_DB_FAILED', async () => {
    const file = path.join(dir, 'not-a-db');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, 'this is not a SQLite database, just some text long enough to have a header.'.repeat(20));
    await expect(openStateDatabase({ file, engine, modules: [notesModule(1)] })).rejects.toMatchObject({ code: 'STATE_DB_FAILED' });
  });
});
