import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { withFileLock } from '@skillsync/core';
import { hashSkillFolder } from '@skillsync/store';
import { describe, expect, it } from 'vitest';
import { syncLockTarget } from './apply-plan.js';
import { journalFile, loadJournal } from './journal-store.js';
import { listRuns, rollback } from './rollback.js';
import { ABSENT, pruneRuns, readRunRecord, runDir, runsDir, sha256, writeRunRecord, type RunRecord } from './run-record.js';
import { applyFor, createSyncFixture, desiredFor, findLeftovers, foreignMcpJson, planFor, snapshotFiles, type SyncFixture } from './test-support/sync-fixture.js';

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

  it('writes only the paths asked for; the others keep their files and, as skipped ones do, the journal entries read under the lock', async () => {
    const fixture = await createSyncFixture();
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const plan = await planFor(fixture, desiredFor(fixture, ['docs', 'search']));
    const mcpPath = path.join(fixture.project, '.mcp.json');
    const others = plan.files.filter((file) => file.path !== mcpPath);
    expect(others.length).toBeGreaterThan(0);
    const othersBefore = await Promise.all(others.map((file) => readFile(file.path, 'utf8')));
    // Written after the plan was made: the journal a narrowed run keeps for the paths left out is this one.
    const journalBefore = await loadJournal(fixture.stateDir, 'project', fixture.project);

    const result = await applyFor(fixture, plan, { only: new Set([mcpPath]) });
    expect(result).toMatchObject({ written: [mcpPath], skillsWritten: [], skillsRemoved: [], skipped: [] });
    expect(await readFile(mcpPath, 'utf8')).toBe(plan.files.find((file) => file.path === mcpPath)?.after);
    expect(await Promise.all(others.map((file) => readFile(file.path, 'utf8')))).toEqual(othersBefore);
    const journal = await loadJournal(fixture.stateDir, 'project', fixture.project);
    const names = (entries: typeof journal.entries, file: string) => entries.filter((entry) => entry.path === file).map((entry) => entry.name).sort();
    expect(names(journal.entries, mcpPath)).toEqual(names(plan.journal.entries, mcpPath));
    for (const file of others) expect(names(journal.entries, file.path)).toEqual(names(journalBefore.entries, file.path));
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

  it('takes no lock and writes nothing for a plan that changes nothing, journal included', async () => {
    const fixture = await createSyncFixture();
    const desired = desiredFor(fixture, ['docs']);
    await applyFor(fixture, await planFor(fixture, desired));
    const noop = await planFor(fixture, desired);
    expect(noop).toMatchObject({ files: [], skills: [], journalUnchanged: true });
    const state = await snapshotFiles(fixture.root, [fixture.stateDir]);

    // Another sync holds the lock meanwhile: a run that had to wait for it would time out.
    let release = (): void => undefined;
    let acquired = (): void => undefined;
    const holding = new Promise<void>((resolve) => {
      acquired = resolve;
    });
    const held = withFileLock(syncLockTarget(fixture.stateDir), async () => {
      acquired();
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await holding;
    try {
      expect(await applyFor(fixture, noop, { waitMs: 200 })).toEqual({ runId: undefined, written: [], skillsWritten: [], skillsRemoved: [], skipped: [] });
      // A plan that would change the journal (or may: not known) is a run, and waits for the lock.
      await expect(applyFor(fixture, { ...noop, journalUnchanged: false }, { waitMs: 200 })).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    } finally {
      release();
      await held;
    }
    expect(await snapshotFiles(fixture.root, [fixture.stateDir])).toEqual(state);
    // Not even the lock's file comes and goes.
    const stateMtime = (await stat(fixture.stateDir)).mtimeMs;
    await applyFor(fixture, noop);
    expect((await stat(fixture.stateDir)).mtimeMs).toBe(stateMtime);
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

async function exists(file: string): Promise<boolean> {
  return readdir(path.dirname(file)).then(
    (names) => names.includes(path.basename(file)),
    () => false,
  );
}

function runRecord(fixture: SyncFixture, runId: string, status: RunRecord['status'], fields: Partial<Pick<RunRecord, 'files' | 'skills'>> = {}): RunRecord {
  return {
    version: 1,
    runId,
    startedAt: '2025-01-01T00:00:00.000Z',
    status,
    scope: 'project',
    projectRoot: fixture.project,
    journal: { file: journalFile(fixture.stateDir, 'project', fixture.project) },
    files: fields.files ?? [],
    skills: fields.skills ?? [],
  };
}

describe('applyPlan after a killed run', () => {
  it('sweeps its leftovers, moving a folder it had renamed aside into its run backup for rollback', async () => {
    const fixture = await createSyncFixture();
    const first = await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const skillDir = first.skillsWritten[0]!;
    const parent = path.dirname(skillDir);
    const mcpJson = path.join(fixture.project, '.mcp.json');

    // A run killed after renaming the skill folder aside (the folder is back: a later sync rewrote it).
    const killed = '20250101T000100000Z-abcdef';
    const aside = path.join(parent, `.review.skillsync-${killed}.old`);
    await cp(skillDir, aside, { recursive: true });
    const mcpNow = await readFile(mcpJson);
    await writeRunRecord(
      fixture.stateDir,
      runRecord(fixture, killed, 'started', {
        files: [{ path: mcpJson, before: sha256(mcpNow), after: sha256(Buffer.from('x')), backup: 'files/0' }],
        skills: [{ dir: skillDir, action: 'remove', before: fixture.skill.integrity, after: ABSENT, backup: 'skills/0', aside }],
      }),
    );
    const halfCopy = path.join(parent, `.review.skillsync-${killed}.tmp`);
    await mkdir(halfCopy);
    await writeFile(path.join(halfCopy, 'SKILL.md'), '---\nname: rev');
    const debris = path.join(parent, `.review.skillsync-20250101T000000500Z-fedcba.old`);
    await mkdir(debris);
    await writeFile(path.join(debris, 'SKILL.md'), 'old');
    const atomicTemp = path.join(fixture.project, '..mcp.json.skillsync-0123456789ab.tmp');
    await writeFile(atomicTemp, '{"mcpSer');
    // Not ours to delete: a temp beside a file skillsync does not write, and another tool's temp.
    const notOurs = [path.join(fixture.project, '.notes.md.skillsync-0123456789ab.tmp'), path.join(fixture.project, '..mcp.json.0123456789ab.tmp')];
    for (const file of notOurs) await writeFile(file, 'theirs');

    const next = await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs', 'search'])));
    expect(next.skipped).toEqual([]);
    expect((await findLeftovers([fixture.home, fixture.project])).filter((file) => !notOurs.includes(file))).toEqual([]);
    expect(await exists(atomicTemp)).toBe(false);
    for (const file of notOurs) expect(await readFile(file, 'utf8')).toBe('theirs');
    expect(await hashSkillFolder(path.join(runDir(fixture.stateDir, killed), 'skills', '0'))).toBe(fixture.skill.integrity);
    expect(await hashSkillFolder(skillDir)).toBe(fixture.skill.integrity);
  });
});

describe('run pruning', () => {
  it('keeps the newest keepRuns completed runs; listRuns shows them and they still roll back', async () => {
    const fixture = await createSyncFixture();
    const ids: string[] = [];
    const states: Record<string, string>[] = [];
    for (let round = 0; round < 5; round += 1) {
      states.push(await userFiles(fixture));
      const result = await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'], `Rule ${round}.`)), { keepRuns: 2 });
      ids.push(result.runId!);
    }
    expect((await listRuns(fixture.stateDir)).map((run) => run.runId)).toEqual([ids[4], ids[3]]);
    expect((await readdir(runsDir(fixture.stateDir))).sort()).toEqual([ids[3], ids[4]]);
    await rollback({ stateDir: fixture.stateDir });
    await rollback({ stateDir: fixture.stateDir });
    expect(await userFiles(fixture)).toEqual(states[3]);
    await expect(rollback({ stateDir: fixture.stateDir })).rejects.toMatchObject({ code: 'RUN_NOT_FOUND' });
  });

  it('keeps 20 by default, never deletes the newest run, and keeps killed runs among those kept', async () => {
    const fixture = await createSyncFixture();
    const id = (n: number) => `20240101T0000${String(n).padStart(2, '0')}000Z-aaaaaa`;
    for (let n = 0; n < 30; n += 1) await writeRunRecord(fixture.stateDir, runRecord(fixture, id(n), n % 5 === 2 ? 'started' : 'complete'));
    const result = await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    const kept = (await listRuns(fixture.stateDir)).map((run) => run.runId);
    const completeKept = await Promise.all(kept.map(async (runId) => (await readRunRecord(fixture.stateDir, runId))?.status));
    expect(kept[0]).toBe(result.runId);
    expect(completeKept.filter((status) => status === 'complete')).toHaveLength(20);
    // Newest first: the new run, 29, 28, 26 … 8, 6 are the 20 completed ones; 27, 22, 17, 12 and 7 are killed runs among them.
    expect(kept).toHaveLength(25);
    expect(kept).toContain(id(7));
    expect(kept.at(-1)).toBe(id(6));
    expect(kept).not.toContain(id(5));
    expect(kept).not.toContain(id(2));

    // A killed run that is the newest stays, whatever the limit.
    const other = await createSyncFixture();
    await writeRunRecord(other.stateDir, runRecord(other, id(1), 'complete'));
    await writeRunRecord(other.stateDir, runRecord(other, id(2), 'complete'));
    await writeRunRecord(other.stateDir, runRecord(other, id(3), 'started'));
    expect(await pruneRuns(other.stateDir, 0)).toEqual([id(1)]);
    expect((await listRuns(other.stateDir)).map((run) => run.runId)).toEqual([id(3), id(2)]);
  });
});

describe('a client file skillsync created', () => {
  it('is deleted again with its last entry, and rollback brings it back', async () => {
    const fixture = await createSyncFixture();
    const cursor = path.join(fixture.project, '.cursor', 'mcp.json');
    const codex = path.join(fixture.project, '.codex', 'config.toml');
    const mcpJson = path.join(fixture.project, '.mcp.json');
    expect(await exists(cursor)).toBe(false);
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs', 'search'])));
    const journal = await loadJournal(fixture.stateDir, 'project', fixture.project);
    const flags = (file: string) => journal.entries.filter((entry) => entry.path === file).map((entry) => entry.createdFile);
    expect(flags(cursor)).toEqual([true, true]);
    expect(flags(codex)).toEqual([true, true]);
    expect(flags(mcpJson)).toEqual([undefined, undefined]);
    const synced = await userFiles(fixture);

    const plan = await planFor(fixture, desiredFor(fixture, []));
    expect(plan.files.filter((file) => file.after === undefined).map((file) => file.path).sort()).toEqual([codex, cursor]);
    await applyFor(fixture, plan);
    expect(await exists(cursor)).toBe(false);
    expect(await exists(codex)).toBe(false);
    // The user's own file keeps everything of theirs.
    expect(await readFile(mcpJson, 'utf8')).toBe(foreignMcpJson);
    expect((await planFor(fixture, desiredFor(fixture, []))).files).toEqual([]);

    await rollback({ stateDir: fixture.stateDir });
    expect(await userFiles(fixture)).toEqual(synced);
  });

  it('is kept when someone added to it; a file the user had keeps its empty container', async () => {
    const fixture = await createSyncFixture();
    const cursor = path.join(fixture.project, '.cursor', 'mcp.json');
    const codex = path.join(fixture.project, '.codex', 'config.toml');
    const userCursor = '{\n  "mcpServers": {}\n}\n';
    await mkdir(path.dirname(cursor));
    await writeFile(cursor, userCursor);
    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
    expect(await readFile(cursor, 'utf8')).toContain('"docs"');
    // skillsync created the Codex file; the user then set a key of their own in it.
    await writeFile(codex, `model = "o3"\n\n${await readFile(codex, 'utf8')}`);

    await applyFor(fixture, await planFor(fixture, desiredFor(fixture, [])));
    expect(await readFile(cursor, 'utf8')).toBe(userCursor);
    expect(await readFile(codex, 'utf8')).toBe('model = "o3"\n');
  });
});

describe('the rule files of scoped instructions', () => {
  it('are written beside the client, removed with their instruction, and rolled back; a foreign file of the same name is never touched', async () => {
    const fixture = await createSyncFixture();
    const base = desiredFor(fixture, []);
    const style = base.instructions[0]!;
    const scoped = { ...base, skills: [], instructions: [style, { id: 'tests', content: 'Use vitest.', scope: '**/*.test.ts' }] };
    const claudeRule = path.join(fixture.project, '.claude', 'rules', 'skillsync-tests.md');
    const cursorRule = path.join(fixture.project, '.cursor', 'rules', 'skillsync-tests.mdc');
    const theirs = '---\nglobs: **/*.test.ts\n---\n\nMine.\n';
    await mkdir(path.dirname(cursorRule), { recursive: true });
    await writeFile(cursorRule, theirs);
    const before = await userFiles(fixture);

    const plan = await planFor(fixture, scoped);
    expect(plan.items.filter((item) => item.name === 'tests').map((item) => [item.client, item.status])).toEqual([
      ['claude-code', 'missing'],
      ['cursor', 'conflict'],
    ]);
    const result = await applyFor(fixture, plan);
    expect(result.skipped).toEqual([]);
    expect(await readFile(claudeRule, 'utf8')).toMatch(/^---\npaths:\n {2}- "\*\*\/\*\.test\.ts"\n---\n\n<!-- skillsync:begin instructions /);
    expect(await readFile(cursorRule, 'utf8')).toBe(theirs);
    expect(await readFile(path.join(fixture.project, 'CLAUDE.md'), 'utf8')).not.toContain('Use vitest.');
    // Codex has no per-glob rule files: the scoped instruction is in AGENTS.md, with its scope.
    expect(await readFile(path.join(fixture.project, 'AGENTS.md'), 'utf8')).toMatch(/Applies to files matching `\*\*\/\*\.test\.ts`\.\r\n\r\nUse vitest\./);
    const journal = await loadJournal(fixture.stateDir, 'project', fixture.project);
    expect(journal.entries.filter((entry) => entry.ruleFile === true)).toEqual([expect.objectContaining({ client: 'claude-code', name: 'tests', path: claudeRule })]);
    expect((await planFor(fixture, scoped)).files).toEqual([]);

    const dropped = { ...scoped, instructions: [style] };
    const removal = await planFor(fixture, dropped);
    expect(removal.files.find((file) => file.path === claudeRule)).toMatchObject({ after: undefined });
    expect(removal.files.some((file) => file.path === cursorRule)).toBe(false);
    await applyFor(fixture, removal);
    await expect(stat(claudeRule)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readFile(cursorRule, 'utf8')).toBe(theirs);

    await rollback({ stateDir: fixture.stateDir });
    expect(await readFile(claudeRule, 'utf8')).toBe(plan.files.find((file) => file.path === claudeRule)?.after);
    await rollback({ stateDir: fixture.stateDir });
    expect(await userFiles(fixture)).toEqual(before);
  });
});
