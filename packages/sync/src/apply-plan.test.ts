import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashSkillFolder } from '@skillsync/store';
import { describe, expect, it } from 'vitest';
import { loadJournal } from './journal-store.js';
import { listRuns, rollback } from './rollback.js';
import { applyFor, createSyncFixture, desiredFor, foreignMcpJson, planFor, snapshotFiles, type SyncFixture } from './test-support/sync-fixture.js';

const userFiles = (fixture: SyncFixture) => snapshotFiles(fixture.root, [fixture.home, fixture.project]);

describe('applyPlan', () => {
  it('syncs three clients, writes nothing the second time, and rolls back byte for byte', async () => {
    const fixture = await createSyncFixture();
    const desired = desiredFor(fixture, ['docs', 'search']);
    const before = await userFiles(fixture);

    const plan = await planFor(fixture, desired);
    expect(plan.problems).toEqual([]);
    expect(plan.files.length).toBeGreaterThanOrEqual(3);
    const result = await applyFor(fixture, plan);
    expect(result.skipped).toEqual([]);
    expect([...result.written].sort()).toEqual(plan.files.map((file) => file.path).sort());
    for (const file of plan.files) expect(await readFile(file.path, 'utf8')).toBe(file.after);
    expect(result.skillsWritten.length).toBeGreaterThan(0);
    for (const dir of result.skillsWritten) expect(await hashSkillFolder(dir)).toBe(fixture.skill.integrity);
    const mcp = await readFile(path.join(fixture.project, '.mcp.json'), 'utf8');
    expect(mcp).toContain('// my own servers, hand-tuned');
    expect(mcp).toContain('"mine"');
    expect(mcp).toContain('"docs"');
    expect((await loadJournal(fixture.stateDir, 'project', fixture.project)).entries).toEqual(plan.journal.entries);

    const again = await planFor(fixture, desired);
    expect(again.files).toEqual([]);
    expect(again.skills).toEqual([]);
    const noop = await applyFor(fixture, again);
    expect(noop).toEqual({ runId: undefined, written: [], skillsWritten: [], skillsRemoved: [], skipped: [] });

    const runs = await listRuns(fixture.stateDir);
    expect(runs.map((run) => run.runId)).toEqual([result.runId]);
    expect(runs[0]?.status).toBe('complete');
    const undone = await rollback({ stateDir: fixture.stateDir });
    expect(undone.runId).toBe(result.runId);
    expect(await userFiles(fixture)).toEqual(before);
    expect(await readFile(path.join(fixture.project, '.mcp.json'), 'utf8')).toBe(foreignMcpJson);
    expect((await loadJournal(fixture.stateDir, 'project', fixture.project)).entries).toEqual([]);
    await expect(rollback({ stateDir: fixture.stateDir })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('removes what the desired state dropped, and rollback puts the old skill folder back', async () => {
    const fixture = await createSyncFixture();
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const synced = await userFiles(fixture);

    const dropped = desiredFor(fixture, ['search']);
    const removal = await applyFor(fixture, await planFor(fixture, { ...dropped, skills: [] }));
    expect(removal.skipped).toEqual([]);
    expect(removal.skillsRemoved.length).toBeGreaterThan(0);
    for (const dir of removal.skillsRemoved) expect(await hashSkillFolder(dir)).toBeUndefined();
    expect(await readFile(path.join(fixture.project, '.mcp.json'), 'utf8')).not.toContain('"docs"');

    await rollback({ stateDir: fixture.stateDir, runId: removal.runId });
    expect(await userFiles(fixture)).toEqual(synced);
  });

  it('skips a file a client changed after the plan, keeping its journal entries', async () => {
    const fixture = await createSyncFixture();
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const journalBefore = await loadJournal(fixture.stateDir, 'project', fixture.project);

    const plan = await planFor(fixture, desiredFor(fixture, ['docs', 'search']));
    const mcpPath = path.join(fixture.project, '.mcp.json');
    expect(plan.files.map((file) => file.path)).toContain(mcpPath);
    const clientEdit = `${await readFile(mcpPath, 'utf8')}\n`;
    await writeFile(mcpPath, clientEdit);

    const result = await applyFor(fixture, plan);
    expect(result.skipped).toEqual([{ path: mcpPath, code: 'SYNC_FILE_CHANGED', reason: expect.stringContaining(mcpPath) as string }]);
    expect(result.written).not.toContain(mcpPath);
    expect(await readFile(mcpPath, 'utf8')).toBe(clientEdit);
    for (const file of plan.files.filter((planned) => planned.path !== mcpPath)) expect(await readFile(file.path, 'utf8')).toBe(file.after);

    const journal = await loadJournal(fixture.stateDir, 'project', fixture.project);
    const at = (entries: typeof journal.entries, file: string) => entries.filter((entry) => entry.path === file);
    expect(at(journal.entries, mcpPath)).toEqual(at(journalBefore.entries, mcpPath));
    expect(at(journal.entries, mcpPath).map((entry) => entry.name)).toEqual(['docs']);

    // The next sync finishes the job.
    const next = await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs', 'search'])));
    expect(next.written).toEqual([mcpPath]);
    expect((await planFor(fixture, desiredFor(fixture, ['docs', 'search']))).files).toEqual([]);
  });

  it('refuses to roll back over later edits unless forced', async () => {
    const fixture = await createSyncFixture();
    const before = await userFiles(fixture);
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const agents = path.join(fixture.project, 'AGENTS.md');
    await writeFile(agents, `${await readFile(agents, 'utf8')}\nA later edit.\n`);

    await expect(rollback({ stateDir: fixture.stateDir })).rejects.toMatchObject({ code: 'ROLLBACK_CONFLICT', details: { paths: [agents] } });
    expect(await readFile(agents, 'utf8')).toContain('A later edit.');
    await rollback({ stateDir: fixture.stateDir, force: true });
    expect(await userFiles(fixture)).toEqual(before);
  });

  it('serialises two runs at once: the end state is one plan or the other, file by file', async () => {
    const fixture = await createSyncFixture();
    const planA = await planFor(fixture, desiredFor(fixture, ['docs'], 'Rule A.'));
    const planB = await planFor(fixture, desiredFor(fixture, ['search', 'lint'], 'Rule B.'));
    const [a, b] = await Promise.all([applyFor(fixture, planA), applyFor(fixture, planB)]);
    // Both plans touch the same files: whichever ran second found them changed and skipped them.
    expect(a.skipped.length + b.skipped.length).toBeGreaterThan(0);
    for (const path of new Set([...planA.files, ...planB.files].map((file) => file.path))) {
      const text = await readFile(path, 'utf8');
      const outcomes = [planA, planB].map((plan) => plan.files.find((file) => file.path === path)?.after);
      expect(outcomes).toContain(text);
    }
    // Whatever happened, the journal describes the disk: a re-sync to A converges and then rests.
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'], 'Rule A.')));
    const rest = await planFor(fixture, desiredFor(fixture, ['docs'], 'Rule A.'));
    expect(rest.problems).toEqual([]);
    expect(rest.files).toEqual([]);
    expect(rest.skills).toEqual([]);
  });
});
