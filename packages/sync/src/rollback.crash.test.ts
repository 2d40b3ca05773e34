import { beforeAll, describe, expect, it } from 'vitest';
import { journalFile } from './journal-store.js';
import { listRuns, rollback } from './rollback.js';
import { readBytesIfExists } from './run-record.js';
import { createCrashChild, type CrashChild } from './test-support/crash-child.js';
import { applyFor, createSyncFixture, desiredFor, findLeftovers, planFor, snapshotFiles, type SyncFixture } from './test-support/sync-fixture.js';

/*
 * `rollback` of a run that was SIGKILLed part-way (its run.json still says `started`):
 * every file and skill folder it got to goes back, those it did not reach are left as
 * they are, a folder it had renamed aside but not yet moved into the run folder is
 * found there, and its half-copied leftovers are swept. The end state is the
 * before-state, byte for byte, journal included.
 */

let child: CrashChild;

beforeAll(async () => {
  child = await createCrashChild();
});

const userFiles = (fixture: SyncFixture) => snapshotFiles(fixture.root, [fixture.home, fixture.project]);

describe('rollback of a run killed with SIGKILL', () => {
  it('restores the byte-identical before-state, wherever the kill landed', { timeout: 120_000 }, async () => {
    const calibrate = await createSyncFixture();
    const full = await child.apply(calibrate, await planFor(calibrate, desiredFor(calibrate, ['docs', 'search', 'lint'])));
    expect(full.finished).toBe(true);

    const outcomes = { killedMidway: 0, finished: 0, nothingRecorded: 0 };
    // Until enough kills landed inside a run (bounded): where a kill lands is up to the scheduler.
    for (let round = 0; round < 40 && (round < 10 || outcomes.killedMidway < 3); round += 1) {
      const fixture = await createSyncFixture();
      // Even rounds: the killed run creates skill folders (a half copy may be left); odd: it removes them (renamed aside first).
      const first = desiredFor(fixture, ['docs']);
      const firstRun = await applyFor(fixture, await planFor(fixture, round % 2 === 0 ? { ...first, skills: [] } : first));
      const before = await userFiles(fixture);
      const journal = journalFile(fixture.stateDir, 'project', fixture.project);
      const journalBefore = await readBytesIfExists(journal);

      const next = desiredFor(fixture, ['search', 'lint'], `Rule ${round}.`);
      const plan = await planFor(fixture, round % 2 === 0 ? next : { ...next, skills: [] });
      expect(plan.skills.length).toBeGreaterThan(0);
      await child.apply(fixture, plan, (full.ms * ((round % 10) + Math.random())) / 10);

      const newest = (await listRuns(fixture.stateDir))[0];
      if (newest?.runId === firstRun.runId) {
        // Killed before its run.json: it had changed nothing.
        outcomes.nothingRecorded += 1;
      } else {
        if (newest?.status === 'started') outcomes.killedMidway += 1;
        else outcomes.finished += 1;
        // A holder killed before it wrote its holder file is only known dead once its lock is stale (2 s): wait longer than that.
        const undone = await rollback({ stateDir: fixture.stateDir, lock: { staleMs: 2000, waitMs: 3000 } });
        expect(undone.runId).toBe(newest?.runId);
      }
      expect(await userFiles(fixture)).toEqual(before);
      expect(await readBytesIfExists(journal)).toEqual(journalBefore);
      expect(await findLeftovers([fixture.home, fixture.project])).toEqual([]);
    }
    // The kills must land inside runs, or this proves nothing.
    expect(outcomes.killedMidway).toBeGreaterThanOrEqual(3);
  });
});
