import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCrashChild, expectBeforeOrAfter, type CrashChild } from './test-support/crash-child.js';
import { applyFor, createSyncFixture, desiredFor, findLeftovers, planFor } from './test-support/sync-fixture.js';

/*
 * A power cut, approximated: a separate process applies a plan and is SIGKILLed at
 * points spread over its run. Afterwards every client file must be its before or
 * its after text, every skill folder absent or whole, and the next sync must finish
 * (at once: the dead run's lock is taken over) and leave no leftover behind.
 */

let child: CrashChild;

beforeAll(async () => {
  child = await createCrashChild();
});

describe('applyPlan killed with SIGKILL', () => {
  it('leaves every file before or after, and the next sync completes and sweeps the leftovers', { timeout: 120_000 }, async () => {
    const calibrate = await createSyncFixture();
    const full = await child.apply(calibrate, await planFor(calibrate, desiredFor(calibrate, ['docs', 'search', 'lint'])));
    expect(full.finished).toBe(true);

    let killedMidway = 0;
    const rounds = 10;
    for (let round = 0; round < rounds; round += 1) {
      const fixture = await createSyncFixture();
      // A first sync, so the killed run also replaces and removes things, not only creates them.
      await applyFor(fixture, await planFor(fixture, desiredFor(fixture, ['docs'])));
      const desired = desiredFor(fixture, ['search', 'lint'], `Rule ${round}.`);
      const plan = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(plan.files.length).toBeGreaterThanOrEqual(3);

      const killAfter = (full.ms * (round + Math.random())) / rounds;
      const run = await child.apply(fixture, plan, killAfter);
      if (!run.finished) killedMidway += 1;

      await expectBeforeOrAfter(plan, fixture.skill.integrity);
      const resumed = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(resumed.problems).toEqual([]);
      // Without taking the dead run's lock over at once, this waits out the stale time (10 s) and
      // fails; 3 s leaves room for a loaded machine's retries without hiding that.
      const finish = await applyFor(fixture, resumed, { waitMs: 3000 });
      expect(finish.skipped).toEqual([]);
      for (const file of plan.files) expect(await readFile(file.path, 'utf8').catch(() => undefined)).toBe(file.after);
      const rest = await planFor(fixture, round % 2 === 0 ? desired : { ...desired, skills: [] });
      expect(rest.files).toEqual([]);
      expect(rest.skills).toEqual([]);
      expect(await findLeftovers([fixture.home, fixture.project])).toEqual([]);
    }
    // The kills must land inside runs, or this proves nothing.
    expect(killedMidway).toBeGreaterThan(0);
  });
});
