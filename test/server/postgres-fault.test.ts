import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRegistryClient, type FetchFunction, type RegistryClient } from '@skillsync/registry';
import { packSkill, readPackage, type PackedSkill } from '@skillsync/store';
import { writeTree } from '@skillsync/store/test-support';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../cli/cli-sandbox.js';
import { postgresBinariesPresent, startPrivatePostgres, type PrivatePostgres } from '../support/private-postgres.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** What one HTTP attempt of a client came to. */
type Attempt = { readonly status: number } | { readonly network: string };

const SKILLS = ['fault-alpha', 'fault-beta', 'fault-gamma'] as const;
const VERSIONS_EACH = 8;
/** Publishes before the crash. */
const CRASH_AFTER = 12;

const skillMd = (name: string, version: string): string =>
  `---\nname: ${name}\ndescription: The ${name} skill, published while the database restarts.\nmetadata:\n  version: "${version}"\n---\n\nDo the thing, version ${version}.\n`;

/**
 * Issue #6: "PostgreSQL restarted during a publish loop — no half-published version,
 * clients see errors and succeed on retry, nothing is lost." A private cluster (never the
 * shared one on 5432) under a real `skillsync server` process; three clients publish in a
 * loop through the CLI's registry client (which retries) while the cluster is restarted
 * with `pg_ctl restart -m fast`, then crashed (`stop -m immediate`) and kept down for a
 * few seconds before it starts again.
 */
describe.skipIf(!postgresBinariesPresent())('publishing while a private PostgreSQL restarts under `skillsync server`', () => {
  let postgres: PrivatePostgres;
  let sandbox: Sandbox;
  let server: ServerProcess | undefined;
  let token: string;
  let address: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    sandbox = await createSandbox();
    const init = await sandbox.runJson(['server', 'init', '--org', 'acme', '--owner', 'alice', '--database', postgres.url]);
    expect(init.code, `${JSON.stringify(init.json)}\n${init.stderr}`).toBe(0);
    token = init.json.token as string;
    server = await startServerProcess(sandbox, ['--database', postgres.url]);
    address = `${server.url}/v0.1/orgs/acme`;
  });

  afterAll(async () => {
    await server?.stop();
    await postgres.remove();
    await sandbox.cleanup();
  });

  it('publishes every version whole through a fast restart and a crash; clients see 503s or dropped connections and succeed on retry', async () => {
    const packages = new Map<string, PackedSkill[]>();
    for (const name of SKILLS) {
      const versions: PackedSkill[] = [];
      for (let index = 0; index < VERSIONS_EACH; index += 1) {
        const dir = path.join(sandbox.work, 'skills', `${name}-${index}`, name);
        await writeTree(dir, { 'SKILL.md': skillMd(name, `1.${index}.0`), 'references/notes.md': `Notes for ${index}.\n` });
        versions.push(await packSkill(dir));
      }
      packages.set(name, versions);
    }

    const attempts: Attempt[] = [];
    const recording: FetchFunction = async (input, init) => {
      try {
        const response = await fetch(input, init);
        attempts.push({ status: response.status });
        return response;
      } catch (error) {
        attempts.push({ network: error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error) });
        throw error;
      }
    };
    const client = (): RegistryClient =>
      createRegistryClient({ address, token, fetch: recording, retry: { tries: 15, maxElapsedMs: 60_000, baseDelayMs: 100 } });

    let published = 0;
    const failures: unknown[] = [];
    const results: { readonly name: string; readonly version: string; readonly integrity: string; readonly reconciled: boolean }[] = [];
    // The loops hold back past CRASH_AFTER until the crash is under way, so publishes meet the outage however fast they run.
    let crashed: () => void = () => undefined;
    const crashUnderWay = new Promise<void>((resolve) => (crashed = resolve));
    const publishLoop = async (name: string): Promise<void> => {
      const registry = client();
      for (const packed of packages.get(name) ?? []) {
        if (published >= CRASH_AFTER) await crashUnderWay;
        try {
          const result = await registry.publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity });
          results.push({ name, version: result.version.version, integrity: result.version.integrity, reconciled: result.reconciled });
          published += 1;
        } catch (error) {
          failures.push(error);
        }
      }
    };
    const waitFor = async (count: number): Promise<void> => {
      while (published < count && published + failures.length < SKILLS.length * VERSIONS_EACH) await sleep(10);
    };
    const faults = async (): Promise<string[]> => {
      const done: string[] = [];
      await waitFor(4);
      await postgres.restart('fast');
      done.push(`restart -m fast after ${published}`);
      await waitFor(CRASH_AFTER);
      await postgres.stop('immediate');
      const downAt = published;
      crashed();
      await sleep(2500);
      await postgres.start();
      done.push(`stop -m immediate after ${downAt}, start 2.5 s later`);
      return done;
    };

    const [schedule] = await Promise.all([faults(), ...SKILLS.map(publishLoop)]);
    const context = `faults: ${schedule.join('; ')}\nattempts: ${JSON.stringify(attempts.filter((attempt) => !('status' in attempt) || attempt.status !== 201))}\nserver stderr tail:\n${server?.stderr().slice(-3000) ?? ''}`;

    // Every client was told success, in the end: retries got every publish through.
    expect(failures, context).toEqual([]);
    expect(results).toHaveLength(SKILLS.length * VERSIONS_EACH);
    expect(schedule).toHaveLength(2);
    // They met the outage on the way: 503 SERVER_UNAVAILABLE or a dropped connection, never another failure.
    const troubles = attempts.filter((attempt) => !('status' in attempt) || attempt.status !== 201);
    expect(troubles.length, context).toBeGreaterThan(0);
    for (const trouble of troubles) {
      if ('status' in trouble) expect([503, 409], context).toContain(trouble.status);
    }

    // Nothing lost, nothing half: each version the clients were told about is there, downloads, and is the bytes sent.
    const reader = createRegistryClient({ address, token });
    for (const name of SKILLS) {
      const expected = packages.get(name) ?? [];
      const detail = await reader.getSkill(name);
      expect(detail.versions.map((version) => version.version).sort()).toEqual(expected.map((packed) => packed.version).sort());
      expect(detail.distTags.latest).toBe(`1.${VERSIONS_EACH - 1}.0`);
      for (const packed of expected) {
        const version = await reader.getVersion(name, packed.version);
        expect(version.integrity).toBe(packed.integrity);
        const download = await reader.downloadPackage(name, packed.version);
        expect(download.integrity).toBe(packed.integrity);
        expect((await readPackage(download.tarball)).integrity).toBe(packed.integrity);
      }
    }
    for (const result of results) expect(result.integrity).toBe(packages.get(result.name)?.find((packed) => packed.version === result.version)?.integrity);

    // In the database: no version without its package bytes, no bytes without a version, no version twice.
    const db = new Client({ connectionString: postgres.url });
    await db.connect();
    try {
      const orphanVersions = await db.query('SELECT v.name, v.version FROM skill_versions v LEFT JOIN blobs b ON b.integrity = v.integrity WHERE b.integrity IS NULL');
      expect(orphanVersions.rows).toEqual([]);
      const orphanBlobs = await db.query('SELECT b.integrity FROM blobs b LEFT JOIN skill_versions v ON v.integrity = b.integrity WHERE v.integrity IS NULL');
      expect(orphanBlobs.rows).toEqual([]);
      const sizes = await db.query<{ size: number; length: number }>('SELECT b.size, octet_length(b.bytes) AS length FROM blobs b');
      for (const row of sizes.rows) expect(row.length).toBe(row.size);
      const counts = await db.query<{ n: string }>('SELECT count(*) AS n FROM skill_versions');
      expect(Number(counts.rows[0]?.n)).toBe(SKILLS.length * VERSIONS_EACH);
    } finally {
      await db.end();
    }

    // And the server lived through it.
    expect(server?.child.exitCode).toBeNull();
    expect((await reader.health()).status).toBe('ok');
  }, 120_000);
});
