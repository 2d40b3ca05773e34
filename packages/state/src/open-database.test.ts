import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, parseDatabaseAddress } from './open-database.js';
import type { StateDatabase } from './state-database.js';
import { createTestSchema, type TestSchema } from './test-support/index.js';

describe('parseDatabaseAddress', () => {
  it('takes postgres:// and postgresql:// as PostgreSQL, as given', () => {
    expect(parseDatabaseAddress('postgres://u:p@db:5432/x')).toEqual({ dialect: 'postgres', url: 'postgres://u:p@db:5432/x' });
    expect(parseDatabaseAddress('POSTGRESQL://db/x')).toEqual({ dialect: 'postgres', url: 'POSTGRESQL://db/x' });
  });

  it('takes paths, sqlite: URLs and :memory: as SQLite', () => {
    expect(parseDatabaseAddress('/srv/skillsync/server.db')).toEqual({ dialect: 'sqlite', file: '/srv/skillsync/server.db' });
    expect(parseDatabaseAddress('sqlite:/srv/a.db')).toEqual({ dialect: 'sqlite', file: '/srv/a.db' });
    expect(parseDatabaseAddress('sqlite:///srv/a.db')).toEqual({ dialect: 'sqlite', file: '/srv/a.db' });
    expect(parseDatabaseAddress(':memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseDatabaseAddress('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
  });

  it('resolves a relative path against the given folder, and refuses one without it', () => {
    expect(parseDatabaseAddress('data/server.db', '/work')).toEqual({ dialect: 'sqlite', file: path.resolve('/work', 'data/server.db') });
    expect(parseDatabaseAddress('sqlite:data/server.db', '/work')).toEqual({ dialect: 'sqlite', file: path.resolve('/work', 'data/server.db') });
    expect(() => parseDatabaseAddress('data/server.db')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  it('refuses other schemes and an empty address', () => {
    expect(() => parseDatabaseAddress('mysql://u:secret@db/x')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', details: { scheme: 'mysql' } }));
    expect(() => parseDatabaseAddress('')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => parseDatabaseAddress('sqlite:')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});

describe('openDatabase', () => {
  let dir: string;
  let test: TestSchema;
  let opened: StateDatabase[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-open-'));
    test = await createTestSchema();
  });

  afterEach(async () => {
    await Promise.all(opened.map((db) => db.close()));
    opened = [];
    await test.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const open = async (address: string, options: Parameters<typeof openDatabase>[1] = {}): Promise<StateDatabase> => {
    const db = await openDatabase(address, options);
    opened.push(db);
    return db;
  };

  it('opens SQLite for a file or :memory:, and PostgreSQL for a URL', async () => {
    expect(await open('state.db', { cwd: dir })).toMatchObject({ dialect: 'sqlite', file: path.join(dir, 'state.db'), location: path.join(dir, 'state.db') });
    expect(await open(':memory:')).toMatchObject({ dialect: 'sqlite', file: ':memory:' });
    const postgres = await open(test.url, { schema: test.schema });
    expect(postgres).toMatchObject({ dialect: 'postgres', engine: 'pg', file: undefined, location: `postgres://postgres@127.0.0.1:5432/test (schema ${test.schema})` });
  });

  it('refuses a schema for SQLite', async () => {
    await expect(openDatabase(':memory:', { schema: 'x' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});
