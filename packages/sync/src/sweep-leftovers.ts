import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { atomicWriteTempTarget, pathExists } from '@skillsync/core';
import { listRunIds, moveDir, readRunRecord, runDir, skillFolderState, type RunRecord } from './run-record.js';

/**
 * What a killed run can leave beside a skill folder `<name>`, all named with its run id:
 * - `.<name>.skillsync-<runId>.tmp`: the new folder, half-copied from the store;
 * - `.<name>.skillsync-<runId>.old`: the previous folder, renamed aside and not yet
 *   moved into the run folder (the only copy rollback has of it);
 * - `.<name>.skillsync-<runId>.old.rollback`: a folder a killed rollback was discarding.
 */
const SKILL_LEFTOVER = /^\.(.+)\.skillsync-(\d{8}T\d{9}Z-[0-9a-f]{6})\.(tmp|old|old\.rollback)$/s;

export interface SweepTargets {
  /** Client files (and the journal): the temp files `writeFileAtomic` left beside them are deleted. */
  readonly files: readonly string[];
  /** Skill folders: the leftovers of killed runs beside them are cleared. */
  readonly skillDirs: readonly string[];
}

export interface SweepResult {
  /** Leftovers deleted. */
  readonly removed: readonly string[];
  /** `.old` folders moved into their run's backup, where rollback looks for them. */
  readonly kept: readonly string[];
}

/**
 * Clears what killed runs left in the folders a sync or rollback is about to touch,
 * and in those the last killed runs touched. Call it under the sync lock only: every
 * run that could own a leftover is then dead. Only names that are certainly ours are
 * touched: skill leftovers carry a run id, and a `writeFileAtomic` temp file counts
 * only beside a file skillsync itself writes under that lock.
 */
export async function sweepLeftovers(stateDir: string, targets: SweepTargets): Promise<SweepResult> {
  const killed = await killedRunTargets(stateDir);
  const fileNames = new Map<string, Set<string>>();
  for (const file of [...targets.files, ...killed.files]) {
    const dir = path.dirname(file);
    fileNames.set(dir, (fileNames.get(dir) ?? new Set()).add(path.basename(file)));
  }
  const skillParents = new Set([...targets.skillDirs, ...killed.skillDirs].map((dir) => path.dirname(dir)));
  const removed: string[] = [];
  const kept: string[] = [];
  const records = new Map<string, Promise<RunRecord | undefined>>();
  const recordOf = (runId: string): Promise<RunRecord | undefined> => {
    let record = records.get(runId);
    if (record === undefined) {
      record = readRunRecord(stateDir, runId).catch(() => undefined);
      records.set(runId, record);
    }
    return record;
  };

  for (const dir of [...new Set([...fileNames.keys(), ...skillParents])].sort()) {
    const names = fileNames.get(dir);
    for (const name of await listNames(dir)) {
      const full = path.join(dir, name);
      const target = atomicWriteTempTarget(name);
      const leftover = skillParents.has(dir) ? SKILL_LEFTOVER.exec(name) : null;
      try {
        if (target !== undefined && names?.has(target) === true) {
          await rm(full, { force: true });
          removed.push(full);
        } else if (leftover !== null) {
          const [, , runId, kind] = leftover as unknown as [string, string, string, string];
          if (kind === 'old' && (await keepAside(stateDir, full, await recordOf(runId)))) {
            kept.push(full);
          } else {
            await rm(full, { recursive: true, force: true });
            removed.push(full);
          }
        }
      } catch {
        // Housekeeping: a leftover that cannot be cleared (no permission) stays; it never blocks a sync.
      }
    }
  }
  return { removed, kept };
}

/**
 * Moves a folder renamed aside by a killed run into that run's backup, when its
 * record names it there; false when the record does not (the folder is then just
 * debris). When a backup is there already (a move across disks was cut short), the
 * copy that still hashes to the run's `before` wins.
 */
async function keepAside(stateDir: string, aside: string, record: RunRecord | undefined): Promise<boolean> {
  const skill = record?.skills.find((entry) => entry.aside === aside && entry.backup !== undefined);
  if (record === undefined || skill?.backup === undefined) return false;
  const backup = path.join(runDir(stateDir, record.runId), skill.backup);
  if (await pathExists(backup)) {
    if ((await skillFolderState(backup)) === skill.before || (await skillFolderState(aside)) !== skill.before) {
      await rm(aside, { recursive: true, force: true });
      return true;
    }
    await rm(backup, { recursive: true, force: true });
  }
  await moveDir(aside, backup);
  return true;
}

/**
 * The files and skill folders of the runs killed since the last one that finished:
 * their leftovers may sit where the current plan does not look. Runs before that one
 * were swept by it.
 */
async function killedRunTargets(stateDir: string): Promise<SweepTargets> {
  const files: string[] = [];
  const skillDirs: string[] = [];
  for (const runId of (await listRunIds(stateDir)).reverse()) {
    const record = await readRunRecord(stateDir, runId).catch(() => undefined);
    if (record === undefined) continue;
    if (record.status === 'complete') break;
    files.push(...record.files.map((file) => file.path), record.journal.file);
    skillDirs.push(...record.skills.map((skill) => skill.dir));
  }
  return { files, skillDirs };
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}
