import { writeFileSync } from 'node:fs';
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashSkillFolder } from '@skillsync/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { listRuns, rollback } from './rollback.js';
import { readRunRecord } from './run-record.js';
import { memorySkillFolderFingerprints, type SkillFolderFingerprints } from './skill-folder-fingerprints.js';
import { createCrashChild, type CrashChild } from './test-support/crash-child.js';
import { addSkills, applyFor, createSyncFixture, desiredWithSkills, findLeftovers, planFor, snapshotFiles, type SyncFixture } from './test-support/sync-fixture.js';

/*
 * applyPlan copies many skill folders at once (and client files beside them), each
 * folder's own steps in order. These runs copy 25 skills into every skills folder the
 * fixture's clients use, far more folders than run at once.
 */

const userFiles = (fixture: SyncFixture) => snapshotFiles(fixture.root, [fixture.home, fixture.project]);

/** Every file under a folder with its bytes and mode: what a copy must reproduce exactly. */
async function contents(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = `${((await stat(full)).mode & 0o777).toString(8)}:${(await readFile(full)).toString('base64')}`;
  }
  return out;
}

describe('applyPlan with many skill folders', () => {
  it('copies every folder byte for byte (modes too), records every one, and leaves nothing behind', async () => {
    const fixture = await createSyncFixture();
    const skills = await addSkills(fixture, 25);
    const desired = desiredWithSkills(fixture, skills);
    const plan = await planFor(fixture, desired);
    expect(plan.skills.length).toBeGreaterThan(50);

    const result = await applyFor(fixture, plan);
    expect(result.skipped).toEqual([]);
    expect([...result.skillsWritten].sort()).toEqual(plan.skills.map((skill) => skill.dir).sort());
    for (const planned of plan.skills) {
      expect(await hashSkillFolder(planned.dir)).toBe(planned.integrity);
      expect(await contents(planned.dir)).toEqual(await contents(planned.storeDir as string));
      expect((await stat(path.join(planned.dir, 'SKILL.md'))).mode & 0o777).toBe(0o644);
    }
    const record = await readRunRecord(fixture.stateDir, result.runId as string);
    expect(record?.status).toBe('complete');
    expect(record?.skills.map((skill) => skill.dir)).toEqual(plan.skills.map((skill) => skill.dir));
    expect(await findLeftovers([fixture.home, fixture.project])).toEqual([]);
    const again = await planFor(fixture, desired);
    expect(again.skills).toEqual([]);
    expect(again.files).toEqual([]);
  });

  it('skips a folder changed after the check under the lock, and replaces or removes the others', async () => {
    const fixture = await createSyncFixture();
    const skills = await addSkills(fixture, 25);
    const first = await applyFor(fixture, await planFor(fixture, desiredWithSkills(fixture, skills)));
    expect(first.skipped).toEqual([]);
    const synced = await userFiles(fixture);

    // Dropping every bulk skill: each folder is removed (renamed into the run's backup).
    const plan = await planFor(fixture, desiredWithSkills(fixture, []));
    expect(plan.skills.filter((skill) => skill.action === 'remove').length).toBeGreaterThanOrEqual(50);
    const edited = plan.skills[7]?.dir as string;
    const note = path.join(edited, 'references', 'notes.md');
    // A client writes the folder right after the run read its state under the lock, before the folder's turn comes.
    // The clock is far ahead, so the run trusts the fingerprint it took: the stamps alone must give the change away.
    const fingerprints = memorySkillFolderFingerprints({ now: () => Date.now() + 60_000 });
    const editing: SkillFolderFingerprints = {
      ...fingerprints,
      states: async (dirs, p) => {
        const states = await fingerprints.states(dirs, p);
        writeFileSync(note, 'A person edited this during the sync.\n');
        return states;
      },
    };
    const result = await applyFor(fixture, plan, { fingerprints: editing });
    expect(result.skipped).toEqual([{ path: edited, code: 'SYNC_FILE_CHANGED', reason: expect.stringContaining(edited) as string }]);
    expect(await readFile(note, 'utf8')).toBe('A person edited this during the sync.\n');
    expect(result.skillsRemoved.length).toBe(plan.skills.length - 1);
    for (const dir of result.skillsRemoved) expect(await hashSkillFolder(dir)).toBeUndefined();

    // Rollback puts every removed folder back; the edited one was never touched.
    await rollback({ stateDir: fixture.stateDir, runId: result.runId });
    const key = path.relative(fixture.root, note);
    expect({ ...(await userFiles(fixture)), [key]: synced[key] }).toEqual(synced);
  });

  it('refuses every copy of a store entry that no longer hashes to its integrity, and copies the rest', async () => {
    const fixture = await createSyncFixture();
    const skills = await addSkills(fixture, 10);
    const tampered = skills[3];
    if (tampered === undefined) throw new Error('no skill');
    const notes = path.join(tampered.dir, 'references', 'notes.md');
    await chmod(notes, 0o644);
    await writeFile(notes, 'Injected.\n');
    const plan = await planFor(fixture, desiredWithSkills(fixture, skills));
    const result = await applyFor(fixture, plan);
    const refused = plan.skills.filter((skill) => skill.name === tampered.name).map((skill) => skill.dir);
    expect(refused.length).toBeGreaterThan(1);
    expect(result.skipped.map((skipped) => skipped.path).sort()).toEqual(refused.sort());
    for (const skipped of result.skipped) {
      expect(skipped.code).toBe('SYNC_SKILL_FAILED');
      expect(skipped.reason).toContain(`The store copy of ${tampered.name} hashes to`);
    }
    for (const dir of refused) expect(await hashSkillFolder(dir)).toBeUndefined();
    for (const planned of plan.skills.filter((skill) => skill.name !== tampered.name)) expect(await hashSkillFolder(planned.dir)).toBe(planned.integrity);
    expect(await findLeftovers([fixture.home, fixture.project])).toEqual([]);
    // The journal keeps no entry for what was refused: the next sync tries again.
    const next = await planFor(fixture, desiredWithSkills(fixture, skills));
    expect(next.skills.map((skill) => skill.dir).sort()).toEqual(refused.sort());
  });
});

describe('applyPlan with many skill folders, killed with SIGKILL', () => {
  let child: CrashChild;
  beforeAll(async () => {
    child = await createCrashChild();
  });

  it('leaves every folder absent or whole, and the next sync or a rollback finishes the job', { timeout: 120_000 }, async () => {
    const calibrate = await createSyncFixture();
    const full = await child.apply(calibrate, await planFor(calibrate, desiredWithSkills(calibrate, await addSkills(calibrate, 25))));
    expect(full.finished).toBe(true);

    let killedMidway = 0;
    for (let round = 0; round < 6 || (killedMidway < 2 && round < 20); round += 1) {
      const fixture = await createSyncFixture();
      const skills = await addSkills(fixture, 25);
      const before = await userFiles(fixture);
      const plan = await planFor(fixture, desiredWithSkills(fixture, skills));
      const run = await child.apply(fixture, plan, (full.ms * ((round % 6) + Math.random())) / 6);
      if (!run.finished) killedMidway += 1;

      for (const file of plan.files) expect([file.before, file.after]).toContain(await readFile(file.path, 'utf8').catch(() => undefined));
      for (const planned of plan.skills) expect([undefined, planned.integrity]).toContain(await hashSkillFolder(planned.dir));

      if (round % 2 === 0) {
        // Finish it: the dead run's lock is taken over at once, its leftovers swept.
        const finish = await applyFor(fixture, await planFor(fixture, desiredWithSkills(fixture, skills)), { waitMs: 300 });
        expect(finish.skipped).toEqual([]);
        for (const planned of plan.skills) expect(await hashSkillFolder(planned.dir)).toBe(planned.integrity);
        const rest = await planFor(fixture, desiredWithSkills(fixture, skills));
        expect(rest.skills).toEqual([]);
        expect(rest.files).toEqual([]);
      } else if ((await listRuns(fixture.stateDir)).length > 0) {
        // Or undo it: back to the before-state, byte for byte.
        await rollback({ stateDir: fixture.stateDir, lock: { staleMs: 2000, waitMs: 300 } });
        expect(await userFiles(fixture)).toEqual(before);
      }
      expect(await findLeftovers([fixture.home, fixture.project])).toEqual([]);
    }
    expect(killedMidway).toBeGreaterThanOrEqual(2);
  });
});
