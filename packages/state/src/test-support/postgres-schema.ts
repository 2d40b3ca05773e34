import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, escapeIdentifier } from 'pg';

/** The PostgreSQL the tests use (trust auth); each test file or test works in a schema of its own. */
export const TEST_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

const PREFIX = 'sstest';
/** Schemas a killed test run left behind are dropped by the next run after this long. */
const STALE_AFTER_S = 3600;

export interface TestSchema {
  /** `sstest_<unix seconds>_<random>`. */
  readonly schema: string;
  /**
   * TEST_POSTGRES_URL with `application_name` set to the schema name: every connection
   * opened with it is this test's, which is how `terminateConnections` finds them.
   */
  readonly url: string;
  /**
   * Ends every server connection opened with `url`, as a PostgreSQL restart would
   * (`pg_terminate_backend`, from a connection of its own), and waits until they are
   * gone. Returns how many there were.
   */
  terminateConnections(): Promise<number>;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, task: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, application_name: `${PREFIX}_admin` });
  await client.connect();
  try {
    return await task(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty schema in the test database, for `openPostgresDatabase({ url, schema })`
 * or `createPostgresNotifier(url, { schema })`. Drop it in `afterAll`/`afterEach`;
 * schemas older than an hour from runs that were killed are dropped here.
 */
export async function createTestSchema(baseUrl = TEST_POSTGRES_URL): Promise<TestSchema> {
  const now = Math.floor(Date.now() / 1000);
  const schema = `${PREFIX}_${now}_${randomBytes(6).toString('hex')}`;
  const url = new URL(baseUrl);
  url.searchParams.set('application_name', schema);
  await withClient(baseUrl, async (client) => {
    const { rows } = await client.query<{ nspname: string }>(`SELECT nspname FROM pg_namespace WHERE nspname LIKE '${PREFIX}\\_%'`);
    for (const { nspname } of rows) {
      const created = Number(nspname.split('_')[1]);
      if (Number.isInteger(created) && now - created > STALE_AFTER_S) await client.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(nspname)} CASCADE`);
    }
    await client.query(`CREATE SCHEMA ${escapeIdentifier(schema)}`);
  });

  return {
    schema,
    url: url.href,
    terminateConnections: () =>
      withClient(baseUrl, async (client) => {
        const others = 'FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()';
        const { rows } = await client.query<{ ended: boolean }>(`SELECT pg_terminate_backend(pid) AS ended ${others}`, [schema]);
        // pg_terminate_backend only signals: wait for the backends to exit.
        for (let waited = 0; waited < 5000; waited += 20) {
          const left = await client.query(`SELECT 1 ${others}`, [schema]);
          if (left.rows.length === 0) break;
          await sleep(20);
        }
        return rows.filter((row) => row.ended).length;
      }),
    drop: () =>
      withClient(baseUrl, async (client) => {
        await client.query(`DROP SCHEMA IF EXISTS ${escapeIdentifier(schema)} CASCADE`);
      }),
  };
}
