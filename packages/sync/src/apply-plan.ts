import path from 'node:path';
import type { Env, FileLockOptions } from '@skillsync/core';
import type { SkillFolderFingerprints } from './skill-folder-fingerprints.js';
import type { SyncPlan } from './sync-plan.js';

export interface ApplyPlanOptions {
  readonly env: Env;
  /** skillsync's state folder (`skillsyncPaths(env).state`): lock, journals, runs. */
  readonly stateDir: string;
  /** The scope the plan was made for: its journal is saved there. */
  readonly scope: 'user' | 'project';
  /** Defaults to `env.cwd` (project scope only), as in `planSync`. */
  readonly projectRoot?: string;
  /** Where a planned skill without a `storeDir` is copied from (its store entry). */
  readonly storeRoot?: string;
  /** How long to wait for another sync holding the lock, and when a killed holder's lock counts as stale. */
  readonly lock?: FileLockOptions;
  /**
   * How many completed runs to keep in `runs/` (for `rollback`); older run folders are
   * deleted after each run that changed something. Default 20, at least 1.
   */
  readonly keepRuns?: number;
  /**
   * The skill folder fingerprints `readWorld` read this scope with
   * (`loadSkillFolderFingerprints`): the checks of a folder before it is replaced use
   * them (a full hash only where they no longer hold), and they are saved, pruned to
   * this scope's folders, at the end of the run. Defaults to none: every folder is hashed.
   */
  readonly fingerprints?: SkillFolderFingerprints;
  /**
   * Only these planned files and skill folders are written (the daemon repairing some
   * drift and only reporting the rest). Every other one is left as a skipped one is, its
   * journal entries kept from the journal read under the lock; it is not reported as
   * skipped. Default: the whole plan.
   */
  readonly only?: ReadonlySet<string>;
}

export interface SkippedPath {
  readonly path: string;
  readonly code: string;
  readonly reason: string;
}

export interface ApplyResult {
  /** Undefined when nothing on disk needed changing (no run was recorded). */
  readonly runId: string | undefined;
  /** Files written or deleted. */
  readonly written: readonly string[];
  readonly skillsWritten: readonly string[];
  readonly skillsRemoved: readonly string[];
  /** Files and skill folders left alone, with why; their journal entries stay as they were. */
  readonly skipped: readonly SkippedPath[];
}

/** The lock every sync and rollback holds: one run per user at a time. */
export function syncLockTarget(stateDir: string): string {
  return path.join(stateDir, 'sync');
}

/**
 * Applies a plan as one transaction under the per-user sync lock:
 *
 * 0. what killed runs left beside the files and skill folders it touches is cleared
 *    (`sweepLeftovers`: half-copied skills and temp files deleted, a folder renamed
 *    aside moved into its run's backup so that run can still be rolled back);
 * 1. every file and skill folder about to change is backed up into `runs/<id>/`
 *    and `run.json` is written, all before the first client file changes;
 * 2. each file is re-read just before it is written and skipped if it no longer
 *    holds what the plan was made from (a running client wrote it: never clobbered);
 *    writes are atomic and read back;
 * 3. skill folders are re-checked just before they are replaced (their fingerprint
 *    where it still holds, else a full hash) and skipped if they changed, copied
 *    beside their target from the verified store bytes, fsynced, and renamed into
 *    place, the old folder renamed away into the run folder, so no client (nor a
 *    power cut) sees a half-copied skill; 2 and 3 run side by side, several files
 *    and folders at a time, each one's own steps in order;
 * 4. the journal is saved last, keeping the old entries of anything skipped;
 * 5. run folders beyond the newest `keepRuns` completed runs are deleted, and the
 *    skill folder fingerprints saved.
 *
 * A run killed at any point leaves every file either as it was or as planned; the
 * next sync finishes the job, or `rollback` undoes what was done. A plan that
 * changes nothing (`journalUnchanged`, no file, no folder) is not a run: it takes
 * no lock and writes nothing but new fingerprints.
 */
export async function applyPlan(plan: SyncPlan, options: ApplyPlanOptions): Promise<ApplyResult> {
  if (plan.files.length === 0 && plan.skills.length === 0 && plan.journalUnchanged === true) {
    // Nothing to write (a no-op sync, the most common run): no lock and no second reading of the journal, as
    // for a read-only command. Only the fingerprints are saved, if this reading learnt any (last writer wins).
    await options.fingerprints?.save({ prune: true });
    return { runId: undefined, written: [], skillsWritten: [], skillsRemoved: [], skipped: [] };
  }
  // Loaded only for a run that writes: the lock's code (proper-lockfile, graceful-fs) is as large as the planner.
  const { applyPlanLocked } = await import('./apply-plan-locked.js');
  return applyPlanLocked(plan, options);
}

