import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { digestArguments, openAuditLog, type AuditInput, type AuditRecord } from '@skillsync/policy';
import { openStateDatabase } from '@skillsync/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

let sandbox: Sandbox;
let database: string;
const hoursAgo = (hours: number): Date => new Date(Date.now() - hours * 3_600_000);

/** 30 records an hour apart, the newest 10 minutes ago: every fifth denied, every third through github. */
function record(index: number): AuditInput {
  const denied = index % 5 === 4;
  return {
    time: new Date(hoursAgo(29 - index).getTime() - 600_000),
    principal: 'ada@example.com',
    client: index % 2 === 0 ? 'claude-code' : 'cursor',
    action: 'callTool',
    connector: index % 3 === 0 ? 'github' : 'linear',
    target: `tool_${index}`,
    argumentsDigest: digestArguments({ index }),
    decision: denied ? 'deny' : 'allow',
    policyIds: [denied ? 'forbid-deletes' : 'default-allow'],
    latencyMs: 2.5 + index,
    outcome: denied ? 'denied' : 'ok',
  };
}

async function withDatabase(task: (sql: (statement: string) => void) => void): Promise<void> {
  const state = await openStateDatabase({ file: database });
  try {
    await state.sqlite.writeSync((sync) => {
      task((statement) => {
        sync.exec(statement);
      });
    });
  } finally {
    await state.close();
  }
}

beforeAll(async () => {
  sandbox = await createSandbox();
  database = path.join(sandbox.skillsyncHome, 'state', 'skillsync.db');
  // Seeded through the library, as the gateway will write it.
  const log = await openAuditLog({ file: database });
  for (let index = 0; index < 30; index += 1) log.append(record(index));
  await log.close();
});

afterAll(async () => {
  await sandbox.cleanup();
});

describe('skillsync audit (built CLI, temp HOME)', () => {
  it('prints the last records as a table, oldest first, with a count', async () => {
    const result = await sandbox.run(['audit', '--limit', '3']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^time \(UTC\)\s+client\s+connector \/ target\s+action\s+decision\s+outcome\s+latency$/);
    expect(lines[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\s+cursor\s+github \/ tool_27\s+callTool\s+allow\s+ok\s+29\.5 ms$/);
    expect(lines[2]).toMatch(/claude-code\s+linear \/ tool_28\s+callTool\s+allow\s+ok\s+30\.5 ms$/);
    expect(lines[3]).toMatch(/cursor\s+linear \/ tool_29\s+callTool\s+deny\s+denied\s+31\.5 ms$/);
    expect(lines.at(-2)).toBe('');
    expect(lines.at(-1)).toBe(`the last 3 of 30 records (--limit to see more) in ${database}`);
  });

  it('filters by time, connector, client and decision; --json has every field', async () => {
    const recent = await sandbox.runJson(['audit', '--since', '5h']);
    expect(recent.code).toBe(0);
    expect((recent.json.records as AuditRecord[]).map((entry) => entry.target)).toEqual(['tool_25', 'tool_26', 'tool_27', 'tool_28', 'tool_29']);
    const denied = await sandbox.runJson(['audit', '--decision', 'deny', '--connector', 'github', '--client', 'cursor']);
    expect(denied.json).toMatchObject({ ok: true, database, matching: 1, filtered: true });
    const records = denied.json.records as AuditRecord[];
    expect(records.map((entry) => entry.seq)).toEqual([10]);
    expect(records[0]).toEqual({
      seq: 10,
      time: expect.stringMatching(/Z$/) as unknown,
      principal: 'ada@example.com',
      client: 'cursor',
      action: 'callTool',
      connector: 'github',
      target: 'tool_9',
      argumentsDigest: digestArguments({ index: 9 }),
      decision: 'deny',
      policyIds: ['forbid-deletes'],
      latencyMs: 11.5,
      outcome: 'denied',
      prevHash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      hash: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });
    const none = await sandbox.run(['audit', '--client', 'nobody']);
    expect(none).toMatchObject({ code: 0, stdout: expect.stringMatching(/^No audit records match/) as unknown });
  });

  it('refuses a bad time, decision or limit with exit 2, and suggests the sub-command meant', async () => {
    for (const args of [['audit', '--since', 'yesterday'], ['audit', '--decision', 'maybe'], ['audit', '--limit', '0'], ['audit', 'verfy']]) {
      const result = await sandbox.run(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^error USAGE: /);
    }
    expect((await sandbox.run(['audit', 'verfy'])).stderr).toContain("Did you mean 'verify'?");
  });

  it('verify passes and prints the head hash to anchor', async () => {
    const log = await openAuditLog({ file: database });
    const head = await log.head();
    await log.close();
    const text = await sandbox.run(['audit', 'verify']);
    expect(text.code, text.stderr).toBe(0);
    // No ExperimentalWarning from node:sqlite (Node 22), nor anything else.
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^✓ 30 audit records verified \(seq 1–30\)\n/);
    expect(text.stdout).toContain(`head      seq 30  ${head.hash}`);
    const json = await sandbox.runJson(['audit', 'verify']);
    expect(json).toMatchObject({ code: 0, json: { ok: true, checked: 30, head, anchor: { seq: 0, pruned: 0 } } });
  });

  it('export writes JSON lines to stdout, or atomically to a 0600 file with a summary', async () => {
    const stdout = await sandbox.run(['audit', 'export']);
    expect(stdout.code, stdout.stderr).toBe(0);
    const lines = stdout.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(30);
    const exported = lines.map((line) => JSON.parse(line) as AuditRecord);
    expect(exported.map((entry) => entry.seq)).toEqual(Array.from({ length: 30 }, (_, index) => index + 1));
    // Each line links to the one before: the chain travels with the export.
    expect(exported.slice(1).every((entry, index) => entry.prevHash === exported[index]!.hash)).toBe(true);

    const filtered = await sandbox.run(['audit', 'export', '--since', '3h', '--decision', 'deny']);
    expect(filtered.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as AuditRecord).target)).toEqual(['tool_29']);

    const file = await sandbox.runJson(['audit', 'export', '--out', 'out/audit.jsonl']);
    expect(file).toMatchObject({ code: 0, json: { ok: true, out: path.join(sandbox.work, 'out', 'audit.jsonl'), records: 30, head: { seq: 30 } } });
    expect(await readFile(path.join(sandbox.work, 'out', 'audit.jsonl'), 'utf8')).toBe(stdout.stdout);
    if (process.platform !== 'win32') expect((await stat(path.join(sandbox.work, 'out', 'audit.jsonl'))).mode & 0o777).toBe(0o600);
    const text = await sandbox.run(['audit', 'export', '--out', 'again.jsonl']);
    expect(text.stdout).toMatch(/^✓ exported 30 audit records to \.\/again\.jsonl \(head seq 30 [0-9a-f]{12}…\)\n$/);

    const refused = await sandbox.runJson(['audit', 'export']);
    expect(refused).toMatchObject({ code: 2, json: { ok: false, error: { code: 'USAGE' } } });
  });

  it('verify exits 1 naming an edited record, and prune then refuses to delete the evidence', async () => {
    await withDatabase((sql) => {
      sql("UPDATE audit_log SET decision = 'allow', outcome = 'ok' WHERE seq = 5");
    });
    const text = await sandbox.run(['audit', 'verify']);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^✗ record 5 edited: Record 5 was changed after it was written/);
    expect(text.stdout).toContain('4 records verified before it.');
    const json = await sandbox.runJson(['audit', 'verify']);
    expect(json).toMatchObject({ code: 1, json: { ok: false, checked: 4, problem: { seq: 5, kind: 'edited' } } });

    const prune = await sandbox.run(['audit', 'prune', '--keep-days', '1']);
    expect(prune.code).toBe(1);
    expect(prune.stderr).toMatch(/^error AUDIT_CHAIN_BROKEN: /);
    await withDatabase((sql) => {
      sql("UPDATE audit_log SET decision = 'deny', outcome = 'denied' WHERE seq = 5");
    });
    expect((await sandbox.run(['audit', 'verify'])).code).toBe(0);
  });

  it('verify names a deleted and a reordered record', async () => {
    const { readFile: read, writeFile, copyFile } = await import('node:fs/promises');
    const backup = `${database}.bak`;
    await copyFile(database, backup);
    await withDatabase((sql) => {
      sql('DELETE FROM audit_log WHERE seq = 12');
    });
    expect(await sandbox.runJson(['audit', 'verify'])).toMatchObject({ code: 1, json: { problem: { seq: 12, kind: 'deleted' } } });
    await writeFile(database, await read(backup));
    await withDatabase((sql) => {
      sql('UPDATE audit_log SET seq = -20 WHERE seq = 20');
      sql('UPDATE audit_log SET seq = 20 WHERE seq = 21');
      sql('UPDATE audit_log SET seq = 21 WHERE seq = -20');
    });
    const reordered = await sandbox.run(['audit', 'verify']);
    expect(reordered.code).toBe(1);
    expect(reordered.stdout).toMatch(/^✗ record 20 reordered: Record 20 was written after record 21/);
    await writeFile(database, await read(backup));
    expect((await sandbox.run(['audit', 'verify'])).code).toBe(0);
  });

  it('prune --keep-days deletes old records (after a dry run) and verify still passes from the anchor', async () => {
    const dry = await sandbox.runJson(['audit', 'prune', '--keep-days', '1', '--dry-run']);
    expect(dry, JSON.stringify(dry)).toMatchObject({ code: 0, json: { ok: true, dryRun: true, keepDays: 1, pruned: 6, anchor: { seq: 6 } } });
    expect((await sandbox.runJson(['audit'])).json).toMatchObject({ matching: 30 });

    const pruned = await sandbox.run(['audit', 'prune', '--keep-days', '1']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stdout).toMatch(/^✓ pruned 6 audit records older than 1 day /);
    const verify = await sandbox.runJson(['audit', 'verify']);
    expect(verify).toMatchObject({ code: 0, json: { ok: true, checked: 25, anchor: { seq: 6, pruned: 6 }, head: { seq: 31 } } });
    const last = ((await sandbox.runJson(['audit', '--limit', '1'])).json.records as AuditRecord[])[0];
    expect(last).toMatchObject({ seq: 31, action: 'pruneAudit', client: 'skillsync-cli', decision: 'allow', outcome: 'ok' });
    expect((await sandbox.run(['audit', 'prune', '--keep-days', '1'])).stdout).toMatch(/^No audit records older than 1 day /);
  });
});
