import { mkdir, rename, rm, stat, cp } from 'node:fs/promises';
import path from 'node:path';
import { pathFor, readTextIfExists, syncDirectory, syncTree, toSkillsyncError, withFileLock, writeFileAtomic, type Env, type FileLockOptions } from '@skillsync/core';
import { openStore } from '@skillsync/store';
import { journalFile, parseJournal, serializeJournal } from './journal-store.js';
import { emptyJournal, type Journal } from './journal.js';
import {
  ABSENT,
  DEFAULT_KEEP_RUNS,
  moveDir,
  newRunId,
  pruneRuns,
  readBytesIfExists,
  runDir,
  runsDir,
  sha256,
  skillFolderState,
  writeRunRecord,
  type RunFile,
  type RunRecord,
  type RunSkill,
} from './run-record.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import type { PlannedFile, PlannedSkill, SyncPlan } from './sync-plan.js';

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
 * 3. skill folders are copied beside their target, fsynced, and renamed into place,
 *    the old folder renamed away into the run folder, so no client (nor a power cut)
 *    sees a half-copied skill;
 * 4. the journal is saved last, keeping the old entries of anything skipped;
 * 5. run folders beyond the newest `keepRuns` completed runs are deleted.
 *
 * A run killed at any point leaves every file either as it was or as planned; the
 * next sync finishes the job, or `rollback` undoes what was done.
 */
export async function applyPlan(plan: SyncPlan, options: ApplyPlanOptions): Promise<ApplyResult> {
  const { env, stateDir, scope } = options;
  const projectRoot = scope === 'project' ? pathFor(env).resolve(env.cwd, options.projectRoot ?? env.cwd) : undefined;
  const task = () => applyLocked(plan, { ...options, projectRoot });
  return withFileLock(syncLockTarget(stateDir), task, options.lock);
}

interface PendingFile {
  readonly planned: PlannedFile;
  readonly record: RunFile;
  /** The before bytes, as read under the lock: the backup and the before-hash both describe them. */
  readonly bytes: Buffer | undefined;
}

interface PendingSkill {
  readonly planned: PlannedSkill;
  readonly record: RunSkill;
}

async function applyLocked(plan: SyncPlan, options: ApplyPlanOptions & { projectRoot: string | undefined }): Promise<ApplyResult> {
  const { env, stateDir, scope, projectRoot } = options;
  const journalPath = journalFile(stateDir, scope, projectRoot);
  const journalBefore = await readTextIfExists(journalPath);
  const previous = journalBefore === undefined ? emptyJournal : parseJournal(journalBefore, journalPath);
  const skipped: SkippedPath[] = [];
  const skip = (target: string, code: string, reason: string): void => {
    skipped.push({ path: target, code, reason });
  };
  await sweepLeftovers(stateDir, { files: [...plan.files.map((file) => file.path), journalPath], skillDirs: plan.skills.map((skill) => skill.dir) });

  // Decide what to touch from what is on disk now, under the lock: a concurrent run may have done part of it.
  const files: PendingFile[] = [];
  for (const planned of plan.files) {
    const bytes = await readBytesIfExists(planned.path);
    const text = bytes?.toString('utf8');
    if (text === planned.after) continue;
    const record: RunFile = { path: planned.path, before: sha256(bytes), after: sha256(encode(planned.after)) };
    if (text !== planned.before) {
      skip(planned.path, 'SYNC_FILE_CHANGED', changedReason(planned.path));
      continue;
    }
    const mode = bytes === undefined ? undefined : (await stat(planned.path)).mode & 0o7777;
    files.push({ planned, bytes, record: { ...record, ...(mode === undefined ? {} : { mode }), ...(bytes === undefined ? {} : { backup: `files/${files.length}` }) } });
  }
  const runId = await newRunId(stateDir, env.now());
  const skills: PendingSkill[] = [];
  for (const planned of plan.skills) {
    // Unique per run: a folder a killed run left aside is never renamed over.
    const aside = path.join(path.dirname(planned.dir), `.${path.basename(planned.dir)}.skillsync-${runId}.old`);
    const before = await skillFolderState(planned.dir);
    const after = planned.action === 'write' ? (planned.integrity ?? ABSENT) : ABSENT;
    if (before === after) continue;
    skills.push({ planned, record: { dir: planned.dir, action: planned.action, before, after, aside, ...(before === ABSENT ? {} : { backup: `skills/${skills.length}` }) } });
  }

  if (files.length === 0 && skills.length === 0) {
    await saveJournalIfChanged(journalPath, journalBefore, scope, projectRoot, mergeJournal(plan.journal, previous, skipped));
    return { runId: undefined, written: [], skillsWritten: [], skillsRemoved: [], skipped };
  }

  // 1. The run folder, whole and durable, before anything changes.
  const dir = runDir(stateDir, runId);
  await mkdir(dir, { recursive: true });
  await syncDirectory(runsDir(stateDir));
  for (const { record, bytes } of files) if (record.backup !== undefined && bytes !== undefined) await writeFileAtomic(path.join(dir, record.backup), bytes);
  if (journalBefore !== undefined) await writeFileAtomic(path.join(dir, 'journal.before.json'), journalBefore);
  const started: RunRecord = {
    version: 1,
    runId,
    startedAt: env.now().toISOString(),
    status: 'started',
    scope,
    ...(projectRoot === undefined ? {} : { projectRoot }),
    journal: { file: journalPath, ...(journalBefore === undefined ? {} : { backup: 'journal.before.json' }) },
    files: files.map(({ record }) => record),
    skills: skills.map(({ record }) => record),
  };
  await writeRunRecord(stateDir, started);

  // 2. Files.
  const written: string[] = [];
  const fileRecords: RunFile[] = [];
  for (const { planned, record } of files) {
    const outcome = await applyFile(planned, record);
    if (outcome === 'written') written.push(planned.path);
    else skip(planned.path, outcome.code, outcome.reason);
    fileRecords.push(outcome === 'written' ? record : { ...record, skipped: outcome });
  }

  // 3. Skill folders.
  const skillsWritten: string[] = [];
  const skillsRemoved: string[] = [];
  const skillRecords: RunSkill[] = [];
  for (const { planned, record } of skills) {
    const outcome = await applySkill(planned, record, { dir, runId, storeRoot: options.storeRoot });
    if (outcome === 'done') (planned.action === 'write' ? skillsWritten : skillsRemoved).push(planned.dir);
    else skip(planned.dir, outcome.code, outcome.reason);
    skillRecords.push(outcome === 'done' ? record : { ...record, skipped: outcome });
  }

  // 4. The journal, last: a run killed before this point leaves the old journal, which the next plan reconciles.
  await saveJournalIfChanged(journalPath, journalBefore, scope, projectRoot, mergeJournal(plan.journal, previous, skipped));
  await writeRunRecord(stateDir, { ...started, status: 'complete', files: fileRecords, skills: skillRecords });
  await pruneRuns(stateDir, options.keepRuns ?? DEFAULT_KEEP_RUNS);
  return { runId, written, skillsWritten, skillsRemoved, skipped };
}

type Outcome = { readonly code: string; readonly reason: string };

async function applyFile(planned: PlannedFile, record: RunFile): Promise<'written' | Outcome> {
  try {
    // Re-read right before writing: the narrowest window we can give a running client.
    const now = await readBytesIfExists(planned.path);
    if (sha256(now) !== record.before) return { code: 'SYNC_FILE_CHANGED', reason: changedReason(planned.path) };
    if (planned.after === undefined) {
      await rm(planned.path, { force: true });
      await syncDirectory(path.dirname(planned.path));
    } else {
      await writeFileAtomic(planned.path, planned.after, record.mode === undefined ? {} : { mode: record.mode });
    }
    const check = await readTextIfExists(planned.path);
    if (check !== planned.after) {
      return { code: 'SYNC_FILE_CHANGED', reason: `${planned.path} changed again right after skillsync wrote it (a running client rewrote it); run sync again.` };
    }
    return 'written';
  } catch (error) {
    const coded = toSkillsyncError(error);
    return { code: coded.code, reason: coded.message };
  }
}

async function applySkill(planned: PlannedSkill, record: RunSkill, run: { dir: string; runId: string; storeRoot: string | undefined }): Promise<'done' | Outcome> {
  const target = planned.dir;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.skillsync-${run.runId}.tmp`);
  try {
    const now = await skillFolderState(target);
    if (now !== record.before) return { code: 'SYNC_FILE_CHANGED', reason: `${target} changed while skillsync was syncing; it was left alone.` };
    if (planned.action === 'write') {
      const source = planned.storeDir ?? (planned.integrity !== undefined && run.storeRoot !== undefined ? openStore(run.storeRoot).entryDir(planned.integrity) : undefined);
      if (source === undefined) return { code: 'SYNC_SKILL_FAILED', reason: `No store folder is known for the skill ${planned.name}.` };
      await rm(temp, { recursive: true, force: true });
      await mkdir(path.dirname(target), { recursive: true });
      await cp(source, temp, { recursive: true, errorOnExist: true, force: false });
      const copied = await skillFolderState(temp);
      if (copied !== planned.integrity) {
        await rm(temp, { recursive: true, force: true });
        return { code: 'SYNC_SKILL_FAILED', reason: `The store copy of ${planned.name} hashes to ${copied}, not ${String(planned.integrity)}: it was not installed.` };
      }
      // Durable before it gets the real name: a power cut after the rename must not leave empty files there.
      await syncTree(temp);
    }
    if (record.backup !== undefined) await rename(target, record.aside);
    if (planned.action === 'write') await rename(temp, target);
    await syncDirectory(path.dirname(target));
    // Kept in the run folder, not deleted, so rollback can put it back.
    if (record.backup !== undefined) await moveDir(record.aside, path.join(run.dir, record.backup));
    return 'done';
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => undefined);
    const coded = toSkillsyncError(error);
    return { code: coded.code === 'INTERNAL' ? 'SYNC_SKILL_FAILED' : coded.code, reason: `${target}: ${coded.message}` };
  }
}

/**
 * The plan's journal, except that anything skipped keeps its entries from the journal
 * as it was: the file still holds what that journal describes.
 */
function mergeJournal(planned: Journal, previous: Journal, skipped: readonly SkippedPath[]): Journal {
  const left = new Set(skipped.map((entry) => entry.path));
  return {
    entries: [...planned.entries.filter((entry) => !left.has(entry.path)), ...previous.entries.filter((entry) => left.has(entry.path))],
  };
}

async function saveJournalIfChanged(file: string, before: string | undefined, scope: 'user' | 'project', projectRoot: string | undefined, journal: Journal): Promise<void> {
  const text = serializeJournal(scope, projectRoot, journal);
  if (text !== before) await writeFileAtomic(file, text);
}

function changedReason(file: string): string {
  return `${file} changed after the plan was made (a running client wrote it); it was left as it is: run sync again.`;
}

function encode(text: string | undefined): Buffer | undefined {
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}
