import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_FLUSH_DELAY_MS, AUDIT_MAX_BATCH, openAuditLog } from './audit-log.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..', '..');

const PROCESSES = 4;
const RECORDS = 600;

let dir: string;
let child: string;
let killChild: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-audit-mp-'));
  child = path.join(dir, 'append-child.mjs');
  killChild = path.join(dir, 'kill-child.mjs');
  // Plain Node runs the children (Node 20 cannot run TypeScript), so bundle the scripts;
  // better-sqlite3 stays a run-time lookup, found through NODE_PATH.
  await esbuild.build({
    entryPoints: [path.join(here, 'test-support', 'append-child.ts'), path.join(here, 'test-support', 'kill-child.ts')],
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['better-sqlite3'],
    // CommonJS dependencies (proper-lockfile…) call require(), which ESM output lacks.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'error',
  });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const childEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '', NODE_PATH: path.join(repoRoot, 'node_modules') });

function run(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const process_ = spawn(process.execPath, [child, ...args], { env: childEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    process_.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    process_.on('error', reject);
    process_.on('close', (code) => {
      resolve({ code, stderr });
    });
  });
}

describe('the audit log across processes', () => {
  it(`keeps one valid chain when ${PROCESSES} processes append to a fresh file at once`, async () => {
    const file = path.join(dir, 'state', 'skillsync.db');
    const results = await Promise.all(Array.from({ length: PROCESSES }, (_, id) => run([file, String(id), String(RECORDS)])));
    for (const result of results) expect(result, result.stderr).toEqual({ code: 0, stderr: '' });

    const log = await openAuditLog({ file });
    try {
      expect(await log.verify()).toMatchObject({ ok: true, checked: PROCESSES * RECORDS, head: { seq: PROCESSES * RECORDS } });
      const records = await log.list();
      expect(records.map((record) => record.seq)).toEqual(Array.from({ length: PROCESSES * RECORDS }, (_, index) => index + 1));
      // Each process's records kept their order, and batches of different processes interleaved.
      for (let id = 0; id < PROCESSES; id += 1) {
        const mine = records.filter((record) => record.client === `client-${id}`).map((record) => record.target);
        expect(mine).toEqual(Array.from({ length: RECORDS }, (_, index) => `tool-${index}`));
      }
      const switches = records.filter((record, index) => index > 0 && record.client !== records[index - 1]!.client).length;
      expect(switches).toBeGreaterThan(PROCESSES - 1);
    } finally {
      await log.close();
    }
  }, 60_000);
});

describe('the audit log when its process is killed', () => {
  const DURABLE = 300;
  const QUEUED = 40;

  it(`keeps every record written by the ${AUDIT_FLUSH_DELAY_MS} ms timer, loses at most the queued ones, and still verifies`, async () => {
    expect(QUEUED).toBeLessThanOrEqual(AUDIT_MAX_BATCH);
    const file = path.join(dir, 'killed', 'skillsync.db');
    const killed = spawn(process.execPath, [killChild, file, String(DURABLE), String(QUEUED)], { env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    killed.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => killed.once('close', (_code, signal) => { resolve(signal); }));
    let said = '';
    await new Promise<void>((resolve, reject) => {
      killed.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        said += chunk;
        // Killed the moment the last records are queued: well inside their flush window.
        if (said.includes('queued\n')) {
          killed.kill('SIGKILL');
          resolve();
        }
      });
      killed.once('close', () => { reject(new Error(`the child ended before it was killed: ${said} ${stderr}`)); });
    });
    expect(await exited).toBe('SIGKILL');
    expect(said, stderr).toBe('written\nqueued\n');

    const log = await openAuditLog({ file });
    try {
      const records = await log.list();
      // A batch is one transaction: the queued records are all lost, or all written (had the timer beaten the kill), never half.
      expect([DURABLE, DURABLE + QUEUED]).toContain(records.length);
      expect(records.slice(0, DURABLE).map((record) => record.target)).toEqual(Array.from({ length: DURABLE }, (_, index) => `tool-${index}`));
      expect(await log.verify()).toMatchObject({ ok: true, checked: records.length, head: { seq: records.length } });
    } finally {
      await log.close();
    }
  }, 60_000);
});
