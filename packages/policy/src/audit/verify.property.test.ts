import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { availableSqliteEngines, openStateDatabase, type SqlValue } from '@skillsync/state';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAuditLog } from './audit-log.js';
import { digestArguments } from './canonical-json.js';

const engine = availableSqliteEngines()[0]!;
const RECORDS = 12;
const kinds = ['edited', 'deleted', 'reordered', 'inserted'];

const logColumns = ['seq', 'time', 'principal', 'client', 'action', 'connector', 'target', 'arguments_digest', 'decision', 'policy_ids', 'policy_version', 'latency_ms', 'outcome', 'detail', 'org', 'prev_hash', 'hash'] as const;
const chainColumns = ['head_seq', 'head_hash', 'anchor_seq', 'anchor_hash'] as const;

/** One change someone with write access could make to the file. */
type Tamper =
  | { readonly kind: 'update'; readonly seq: number; readonly column: (typeof logColumns)[number]; readonly value: SqlValue }
  | { readonly kind: 'delete'; readonly seq: number }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'chain'; readonly column: (typeof chainColumns)[number]; readonly value: SqlValue };

const value: fc.Arbitrary<SqlValue> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -3, max: RECORDS + 3 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<SqlValue>(null, '', 'allow', 'deny', 'ok', '["default-allow"]', '[ "default-allow" ]', '0'.repeat(64)),
);
const seq = fc.integer({ min: 1, max: RECORDS });
const tamper: fc.Arbitrary<Tamper> = fc.oneof(
  fc.record({ kind: fc.constant('update' as const), seq, column: fc.constantFrom(...logColumns), value }),
  fc.record({ kind: fc.constant('delete' as const), seq }),
  fc.record({ kind: fc.constant('swap' as const), a: seq, b: seq }),
  fc.record({ kind: fc.constant('chain' as const), column: fc.constantFrom(...chainColumns), value }),
);

let dir: string;
let template: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-audit-prop-'));
  template = path.join(dir, 'template.db');
  const log = await openAuditLog({ file: template, engine });
  for (let index = 0; index < RECORDS; index += 1) {
    log.append({
      time: new Date(Date.UTC(2026, 0, 1, 0, index)),
      principal: 'ada',
      client: index % 2 === 0 ? 'cursor' : 'zed',
      action: 'callTool',
      ...(index % 3 === 0 ? { connector: 'github', argumentsDigest: digestArguments({ index }) } : {}),
      target: `t${index}`,
      decision: index % 4 === 3 ? 'deny' : 'allow',
      ...(index % 2 === 0 ? { policyIds: ['default-allow'], latencyMs: index + 0.5 } : {}),
      outcome: index % 4 === 3 ? 'denied' : 'ok',
      ...(index === 5 ? { detail: 'note' } : {}),
    });
  }
  await log.close();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('verify against arbitrary tampering (property)', () => {
  it('never throws, passes only an unchanged log, and names a record of the log otherwise', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(tamper, { minLength: 1, maxLength: 3 }), async (tampers) => {
        run += 1;
        const file = path.join(dir, `run-${run}.db`);
        await copyFile(template, file);
        const state = await openStateDatabase({ file, engine });
        const dump = async (): Promise<string> =>
          state.sqlite.writeSync((sync) =>
            JSON.stringify([
              sync.prepare('SELECT * FROM audit_log ORDER BY seq').all(),
              sync.prepare('SELECT head_seq, head_hash, anchor_seq, anchor_hash FROM audit_chain').all(),
            ]),
          );
        const before = await dump();
        for (const change of tampers) {
          try {
            await state.sqlite.writeSync((sync) => {
              if (change.kind === 'update') sync.prepare(`UPDATE audit_log SET ${change.column} = ? WHERE seq = ?`).run(change.value, change.seq);
              else if (change.kind === 'delete') sync.prepare('DELETE FROM audit_log WHERE seq = ?').run(change.seq);
              else if (change.kind === 'chain') sync.prepare(`UPDATE audit_chain SET ${change.column} = ?`).run(change.value);
              else {
                sync.prepare('UPDATE audit_log SET seq = -1000 WHERE seq = ?').run(change.a);
                sync.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?').run(change.a, change.b);
                sync.prepare('UPDATE audit_log SET seq = ? WHERE seq = -1000').run(change.b);
              }
            });
          } catch {
            // A change SQLite itself refuses (NOT NULL, a duplicate seq) is no tampering.
          }
        }
        const changed = (await dump()) !== before;
        await state.close();

        const log = await openAuditLog({ file, engine });
        try {
          const result = await log.verify();
          expect(result.ok, JSON.stringify({ tampers, result })).toBe(!changed);
          if (!result.ok) {
            expect(kinds).toContain(result.problem!.kind);
            expect(Number.isInteger(result.problem!.seq)).toBe(true);
            expect(result.problem!.message.length).toBeGreaterThan(0);
          }
        } finally {
          await log.close();
          await rm(file, { force: true });
        }
      }),
      { numRuns: Number(process.env.AUDIT_PROPERTY_RUNS ?? 150) },
    );
  }, 120_000);
});
