import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/*
 * A PostgreSQL cluster of a test's own, on a free port, that the test may stop, restart
 * and crash as it likes (never the shared one on 5432, which other suites use at the
 * same time). Debian's PostgreSQL binaries; initdb refuses root, so as root the cluster
 * runs as the `postgres` user in a temp folder it owns. Trust authentication, loopback only.
 */

const run = promisify(execFile);

/** Debian's PostgreSQL 15 server binaries (initdb, pg_ctl, postgres). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

export function postgresBinariesPresent(): boolean {
  return ['initdb', 'pg_ctl', 'postgres'].every((name) => existsSync(path.join(POSTGRES_BIN, name)));
}

export type ShutdownMode = 'smart' | 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  /** `pg_ctl restart -m <mode>`: down and back, waiting until it accepts connections. */
  restart(mode: ShutdownMode): Promise<void>;
  /** `pg_ctl stop -m <mode>` (`immediate`: a crash, recovered from the WAL at the next start). */
  stop(mode: ShutdownMode): Promise<void>;
  start(): Promise<void>;
  /** The server log so far (for a failure message). */
  log(): Promise<string>;
  /** Stops it (immediately) and deletes its folder. Safe to call twice. */
  remove(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** initdb, then start, on a free port; the folder is removed again if either fails. */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  const root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-pg-'));
  const data = path.join(root, 'data');
  const logFile = path.join(root, 'server.log');
  // As root, the binaries run as `postgres`, who must own the folder (and may not read root's temp dir otherwise).
  const command = (binary: string, args: readonly string[]): [string, string[]] =>
    asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(POSTGRES_BIN, binary), ...args]] : [path.join(POSTGRES_BIN, binary), [...args]];
  const exec = async (binary: string, args: readonly string[]): Promise<void> => {
    const [file, argv] = command(binary, args);
    await run(file, argv, { timeout: 60_000 });
  };
  let port = 0;
  // fsync off: a test cluster needs no protection from a power cut, only from its own crash
  // (`stop -m immediate`), which the WAL written to the OS survives. synchronous_commit
  // stays on: off, a crash loses commits already acknowledged.
  const settings = (): string =>
    [`-p ${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${root}`, '-c fsync=off', '-c max_connections=60'].join(' ');
  const pgCtl = (args: readonly string[]): Promise<void> => exec('pg_ctl', ['-D', data, '-l', logFile, '-w', '-t', '60', ...args]);
  let removed = false;
  const remove = async (): Promise<void> => {
    if (removed) return;
    removed = true;
    process.off('exit', removeNow);
    await pgCtl(['stop', '-m', 'immediate']).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  /** When the test process ends without its afterAll (killed, crashed), the cluster must not outlive it. */
  const removeNow = (): void => {
    const [file, argv] = command('pg_ctl', ['-D', data, '-w', 'stop', '-m', 'immediate']);
    try {
      execFileSync(file, argv, { stdio: 'ignore', timeout: 10_000 });
    } catch {
      // Not running.
    }
  };

  try {
    if (asRoot) {
      const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
      const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
      await chown(root, uid, gid);
    }
    await exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
    process.on('exit', removeNow);
    // A port taken between freePort and the start is retried with another.
    for (let attempt = 1; ; attempt += 1) {
      port = await freePort();
      try {
        await pgCtl(['start', '-o', settings()]);
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    await remove();
    throw new Error(`Could not start a private PostgreSQL in ${root}: ${String(error)}\n${log}`, { cause: error });
  }

  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: (mode) => pgCtl(['restart', '-m', mode, '-o', settings()]),
    stop: (mode) => pgCtl(['stop', '-m', mode]),
    start: () => pgCtl(['start', '-o', settings()]),
    log: () => readFile(logFile, 'utf8').catch(() => ''),
    remove,
  };
}
