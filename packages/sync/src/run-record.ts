import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { isSkillsyncError, readTextIfExists, SkillsyncError, syncDirectory, writeFileAtomic } from '@skillsync/core';
import { hashSkillFolder } from '@skillsync/store';

/** The hash recorded for a file or folder that does not exist. */
export const ABSENT = 'absent';

/** One client file a run touches; hashes are SHA-256 hex of the bytes, or `absent`. */
export interface RunFile {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  /** The before bytes, relative to the run folder; absent when the file was. */
  readonly backup?: string;
  /** The mode of the file before, restored with its bytes. */
  readonly mode?: number;
  /** Left alone (a client changed it, or the write failed): rollback does not touch it. */
  readonly skipped?: { readonly code: string; readonly reason: string };
}

/** One skill folder a run touches; hashes are integrities, `absent`, or `unhashable`. */
export interface RunSkill {
  readonly dir: string;
  readonly action: 'write' | 'remove';
  readonly before: string;
  readonly after: string;
  /** Where the folder that was there before is kept, relative to the run folder. */
  readonly backup?: string;
  /** Where that folder sits for a moment while the new one is renamed in (beside `dir`): a crash may leave it there. */
  readonly aside: string;
  readonly skipped?: { readonly code: string; readonly reason: string };
}

/**
 * `run.json`: written (with every backup) before any client file changes, so a run
 * killed at any point can be rolled back; rewritten once the run finishes.
 */
export interface RunRecord {
  readonly version: 1;
  readonly runId: string;
  readonly startedAt: string;
  readonly status: 'started' | 'complete';
  readonly rolledBackAt?: string;
  readonly scope: 'user' | 'project';
  readonly projectRoot?: string;
  readonly journal: { readonly file: string; readonly backup?: string };
  readonly files: readonly RunFile[];
  readonly skills: readonly RunSkill[];
}

export function runsDir(stateDir: string): string {
  return path.join(stateDir, 'runs');
}

export function runDir(stateDir: string, runId: string): string {
  return path.join(runsDir(stateDir), runId);
}

export function sha256(bytes: Uint8Array | undefined): string {
  return bytes === undefined ? ABSENT : createHash('sha256').update(bytes).digest('hex');
}

/**
 * A run id that sorts by time: compact ISO time + a random suffix. Never before the
 * newest existing run, so "the last run" is the greatest id even under a frozen or
 * stepped-back clock (called under the sync lock).
 */
export async function newRunId(stateDir: string, now: Date): Promise<string> {
  const last = (await listRunIds(stateDir)).at(-1);
  let time = now.getTime();
  const lastTime = last === undefined ? undefined : timeOfRunId(last);
  if (lastTime !== undefined && time <= lastTime) time = lastTime + 1;
  const stamp = new Date(time).toISOString().replace(/[-:]/g, '').replace('.', '');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

function timeOfRunId(runId: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(runId);
  if (match === null) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match.map(Number) as [number, number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** Run ids, oldest first. */
export async function listRunIds(stateDir: string): Promise<string[]> {
  try {
    return (await readdir(runsDir(stateDir), { withFileTypes: true }))
      .filter((entry) => entry.isDirectory() && timeOfRunId(entry.name) !== undefined)
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** How many completed runs `applyPlan` keeps unless told otherwise. */
export const DEFAULT_KEEP_RUNS = 20;

/**
 * Deletes old run folders: every run older than the newest `keep` completed ones
 * (`keep` is at least 1). Killed (`started`) runs among those kept stay, so they can
 * still be rolled back; the newest run is never deleted, whatever its state.
 * Returns the ids deleted, oldest first.
 */
export async function pruneRuns(stateDir: string, keep: number): Promise<string[]> {
  const limit = Number.isFinite(keep) ? Math.max(1, Math.floor(keep)) : DEFAULT_KEEP_RUNS;
  const newestFirst = (await listRunIds(stateDir)).reverse();
  const removed: string[] = [];
  let completed = 0;
  for (const [index, runId] of newestFirst.entries()) {
    if (completed >= limit && index > 0) {
      // Housekeeping after a run that succeeded: a folder that cannot be deleted is tried again next time.
      const gone = await rm(runDir(stateDir, runId), { recursive: true, force: true }).then(
        () => true,
        () => false,
      );
      if (gone) removed.push(runId);
      continue;
    }
    const record = await readRunRecord(stateDir, runId).catch(() => undefined);
    if (record?.status === 'complete') completed += 1;
  }
  if (removed.length > 0) await syncDirectory(runsDir(stateDir));
  return removed.reverse();
}

/** The record of a run, or undefined when the run folder has none (a run killed before it recorded anything changed nothing). */
export async function readRunRecord(stateDir: string, runId: string): Promise<RunRecord | undefined> {
  const file = path.join(runDir(stateDir, runId), 'run.json');
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown> | null;
    if (value?.version !== 1 || value.runId !== runId || !Array.isArray(value.files) || !Array.isArray(value.skills)) throw new Error('not a run record');
    return value as unknown as RunRecord;
  } catch (error) {
    throw new SkillsyncError('RUN_NOT_FOUND', `The run record ${file} cannot be read: ${(error as Error).message}.`, { details: { path: file, runId }, cause: error });
  }
}

export async function writeRunRecord(stateDir: string, record: RunRecord): Promise<void> {
  await writeFileAtomic(path.join(runDir(stateDir, record.runId), 'run.json'), `${JSON.stringify(record, null, 2)}\n`);
}

/** A file's bytes, or undefined when there is none. */
export async function readBytesIfExists(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
  }
}

/** A skill folder's integrity, `absent`, or `unhashable` (a link or special file inside). */
export async function skillFolderState(dir: string): Promise<string> {
  try {
    return (await hashSkillFolder(dir)) ?? ABSENT;
  } catch (error) {
    if (isSkillsyncError(error) && error.code === 'PACKAGE_UNSAFE_ENTRY') return 'unhashable';
    throw error;
  }
}

/**
 * Moves a folder; across file systems (a project on another disk than the state
 * folder) by copying and then deleting, so the copy is whole before the source goes.
 */
export async function moveDir(from: string, to: string): Promise<void> {
  await mkdir(path.dirname(to), { recursive: true });
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await rm(to, { recursive: true, force: true });
    await cp(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
    await rm(from, { recursive: true, force: true });
  }
  await syncDirectory(path.dirname(to));
  await syncDirectory(path.dirname(from));
}
