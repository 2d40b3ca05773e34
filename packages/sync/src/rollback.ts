import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathExists, SkillsyncError, syncDirectory, withFileLock, writeFileAtomic, type FileLockOptions } from '@skillsync/core';
import { syncLockTarget } from './apply-plan.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import { ABSENT, listRunIds, moveDir, readBytesIfExists, readRunRecord, runDir, sha256, skillFolderState, writeRunRecord, type RunFile, type RunRecord, type RunSkill } from './run-record.js';

/** A run as `listRuns` shows it; `status: 'started'` means it was killed (or failed) before it finished. */
export type RunSummary = Pick<RunRecord, 'runId' | 'startedAt' | 'status' | 'rolledBackAt' | 'scope' | 'projectRoot'> & {
  /** Files and skill folders the run changed (skipped ones left out). */
  readonly paths: readonly string[];
};

/** Every recorded run, newest first. */
export async function listRuns(stateDir: string): Promise<RunSummary[]> {
  const out: RunSummary[] = [];
  for (const runId of (await listRunIds(stateDir)).reverse()) {
    const record = await readRunRecord(stateDir, runId);
    if (record !== undefined) out.push(summarize(record));
  }
  return out;
}

export interface RollbackOptions {
  readonly stateDir: string;
  /** Defaults to the last run not rolled back yet. */
  readonly runId?: string;
  /** Restore files even when they changed after the run (their later edits are lost). */
  readonly force?: boolean;
  readonly now?: () => Date;
  readonly lock?: FileLockOptions;
}

export interface RollbackResult {
  readonly runId: string;
  /** Files and skill folders put back as they were before the run. */
  readonly restored: readonly string[];
}

/**
 * Puts every file and skill folder a run changed back as it was, byte for byte
 * (deleting what did not exist), and the journal with them. Refuses with
 * ROLLBACK_CONFLICT, naming the files, when anything changed after the run, unless
 * `force`. A run killed half-way (`status: 'started'`) rolls back too: what it had
 * not reached yet is already as it was, what it finished goes back, and a skill
 * folder it had renamed aside but not yet moved into the run folder is found there
 * (the leftovers of killed runs are swept first, under the lock, as `applyPlan` does).
 */
export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const { stateDir } = options;
  const task = async (): Promise<RollbackResult> => {
    const record = await findRun(stateDir, options.runId);
    const dir = runDir(stateDir, record.runId);
    // A killed run's folder renamed aside goes into its backup first, where restoreSkill looks for it.
    await sweepLeftovers(stateDir, { files: [...record.files.map((file) => file.path), record.journal.file], skillDirs: record.skills.map((skill) => skill.dir) });
    const files = await mapStates(record.files.filter((file) => file.skipped === undefined), async (file) => sha256(await readBytesIfExists(file.path)));
    const skills = await mapStates(record.skills.filter((skill) => skill.skipped === undefined), (skill) => skillFolderState(skill.dir));
    const fileWork = files.map(({ item, now }) => ({ item, state: fileState(item, now) }));
    const skillWork = await Promise.all(skills.map(async ({ item, now }) => ({ item, state: await skillState(item, now, dir) })));
    const conflicts = [...fileWork.filter((work) => work.state === 'conflict').map((work) => work.item.path), ...skillWork.filter((work) => work.state === 'conflict').map((work) => work.item.dir)];
    if (conflicts.length > 0 && options.force !== true) {
      throw new SkillsyncError('ROLLBACK_CONFLICT', `Cannot roll back run ${record.runId}: changed since: ${conflicts.join(', ')}.`, { details: { runId: record.runId, paths: conflicts } });
    }

    const restored: string[] = [];
    for (const { item, state } of fileWork) {
      if (state === 'as-before') continue;
      await restoreFile(item, dir);
      restored.push(item.path);
    }
    for (const { item, state } of skillWork) {
      if (state === 'as-before') continue;
      await restoreSkill(item, dir);
      restored.push(item.dir);
    }
    if (record.journal.backup === undefined) await rm(record.journal.file, { force: true });
    else await writeFileAtomic(record.journal.file, await readFile(path.join(dir, record.journal.backup)));
    await writeRunRecord(stateDir, { ...record, rolledBackAt: (options.now ?? (() => new Date()))().toISOString() });
    return { runId: record.runId, restored };
  };
  return withFileLock(syncLockTarget(stateDir), task, options.lock);
}

type State = 'as-before' | 'as-after' | 'conflict';

async function findRun(stateDir: string, runId: string | undefined): Promise<RunRecord> {
  if (runId !== undefined) {
    const record = /^[\w-]+$/.test(runId) ? await readRunRecord(stateDir, runId) : undefined;
    if (record === undefined) throw new SkillsyncError('RUN_NOT_FOUND', `No sync run ${runId} is recorded.`, { details: { runId } });
    return record;
  }
  for (const id of (await listRunIds(stateDir)).reverse()) {
    const record = await readRunRecord(stateDir, id);
    if (record !== undefined && record.rolledBackAt === undefined) return record;
  }
  throw new SkillsyncError('RUN_NOT_FOUND', 'No sync run is left to roll back.');
}

async function mapStates<T>(items: readonly T[], read: (item: T) => Promise<string>): Promise<{ item: T; now: string }[]> {
  return Promise.all(items.map(async (item) => ({ item, now: await read(item) })));
}

function fileState(file: RunFile, now: string): State {
  if (now === file.before) return 'as-before';
  return now === file.after ? 'as-after' : 'conflict';
}

/** A run killed between renaming the old folder aside and the new one in leaves no folder: still ours to put back. */
async function skillState(skill: RunSkill, now: string, dir: string): Promise<State> {
  if (now === skill.before) return 'as-before';
  if (now === skill.after) return 'as-after';
  if (now === ABSENT && skill.backup !== undefined && ((await pathExists(skill.aside)) || (await pathExists(path.join(dir, skill.backup))))) return 'as-after';
  return 'conflict';
}

async function restoreFile(file: RunFile, dir: string): Promise<void> {
  if (file.backup === undefined) {
    await rm(file.path, { force: true });
    await syncDirectory(path.dirname(file.path));
    return;
  }
  await writeFileAtomic(file.path, await readFile(path.join(dir, file.backup)), file.mode === undefined ? {} : { mode: file.mode });
}

async function restoreSkill(skill: RunSkill, dir: string): Promise<void> {
  // The current folder goes first (renamed aside, then deleted), so the old one is never merged into it.
  const away = `${skill.aside}.rollback`;
  await rm(away, { recursive: true, force: true });
  if (await pathExists(skill.dir)) await moveDir(skill.dir, away);
  if (skill.backup !== undefined) {
    const kept = path.join(dir, skill.backup);
    await moveDir((await pathExists(kept)) ? kept : skill.aside, skill.dir);
  }
  await rm(away, { recursive: true, force: true });
}

function summarize(record: RunRecord): RunSummary {
  return {
    runId: record.runId,
    startedAt: record.startedAt,
    status: record.status,
    ...(record.rolledBackAt === undefined ? {} : { rolledBackAt: record.rolledBackAt }),
    scope: record.scope,
    ...(record.projectRoot === undefined ? {} : { projectRoot: record.projectRoot }),
    paths: [...record.files.filter((file) => file.skipped === undefined).map((file) => file.path), ...record.skills.filter((skill) => skill.skipped === undefined).map((skill) => skill.dir)],
  };
}
