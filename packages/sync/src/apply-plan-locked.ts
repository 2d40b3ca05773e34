import { renameSync } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  mapConcurrent,
  pathFor,
  readTextIfExists,
  syncDirectory,
  toSkillsyncError,
  withFileLock,
  writeFileAtomic,
  writeTreeDurably,
} from '@skillsync/core';
import { readSkillTree, storeEntryDir, type SkillTree } from '@skillsync/store';
import { journalFile, parseJournal, serializeJournal } from './journal-store.js';
import { emptyJournal, sameJournalEntries, type Journal } from './journal.js';
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
  writeRunRecord,
  type RunFile,
  type RunRecord,
  type RunSkill,
} from './run-record.js';
import { memorySkillFolderFingerprints, type SkillFolderFingerprints } from './skill-folder-fingerprints.js';
import { sweepLeftovers } from './sweep-leftovers.js';
import type { PlannedFile, PlannedSkill, SyncPlan } from './sync-plan.js';
import { syncLockTarget, type ApplyPlanOptions, type ApplyResult, type SkippedPath } from './apply-plan.js';

/** How many skill folders are copied at once: enough to keep the thread pool's fsyncs overlapping. */
const SKILL_CONCURRENCY = 16;
/** How many client files are read or written at once. */
const FILE_CONCURRENCY = 8;

/** `applyPlan` for a plan that writes: the transaction, under the per-user sync lock. */
export async function applyPlanLocked(plan: SyncPlan, options: ApplyPlanOptions): Promise<ApplyResult> {
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

async function applyLocked(whole: SyncPlan, options: ApplyPlanOptions & { projectRoot: string | undefined }): Promise<ApplyResult> {
  const { env, stateDir, scope, projectRoot, only } = options;
  const plan = only === undefined ? whole : { ...whole, files: whole.files.filter((file) => only.has(file.path)), skills: whole.skills.filter((skill) => only.has(skill.dir)) };
  const leftOut = only === undefined ? [] : [...whole.files.map((file) => file.path), ...whole.skills.map((skill) => skill.dir)].filter((target) => !only.has(target));
  const journalPath = journalFile(stateDir, scope, projectRoot);
  const journalBefore = await readTextIfExists(journalPath);
  const previous = journalBefore === undefined ? emptyJournal : parseJournal(journalBefore, journalPath);
  const before = { text: journalBefore, journal: previous };
  const skipped: SkippedPath[] = [];
  const skip = (target: string, code: string, reason: string): void => {
    skipped.push({ path: target, code, reason });
  };
  const journalAfter = (): Journal => mergeJournal(plan.journal, previous, [...leftOut, ...skipped.map((entry) => entry.path)]);
  const fingerprints = options.fingerprints ?? memorySkillFolderFingerprints();
  const ownFiles = [journalPath, ...(fingerprints.file === undefined ? [] : [fingerprints.file])];
  await sweepLeftovers(stateDir, { files: [...plan.files.map((file) => file.path), ...ownFiles], skillDirs: plan.skills.map((skill) => skill.dir) });

  // Decide what to touch from what is on disk now, under the lock: a concurrent run may have done part of it.
  const files: PendingFile[] = [];
  const current = await mapConcurrent(plan.files, FILE_CONCURRENCY, async (planned) => {
    const bytes = await readBytesIfExists(planned.path);
    const text = bytes?.toString('utf8');
    const mode = bytes === undefined || text === planned.after || text !== planned.before ? undefined : (await stat(planned.path)).mode & 0o7777;
    return { bytes, text, mode };
  });
  for (const [index, planned] of plan.files.entries()) {
    const { bytes, text, mode } = current[index] as (typeof current)[number];
    if (text === planned.after) continue;
    const record: RunFile = { path: planned.path, before: sha256(bytes), after: sha256(encode(planned.after)) };
    if (text !== planned.before) {
      skip(planned.path, 'SYNC_FILE_CHANGED', changedReason(planned.path));
      continue;
    }
    files.push({ planned, bytes, record: { ...record, ...(mode === undefined ? {} : { mode }), ...(bytes === undefined ? {} : { backup: `files/${files.length}` }) } });
  }
  const runId = await newRunId(stateDir, env.now());
  const skills: PendingSkill[] = [];
  // From the fingerprints where they still hold: a full hash only for folders that changed (or were written just now).
  const befores = await fingerprints.states(
    plan.skills.map((planned) => planned.dir),
    path,
  );
  for (const [index, planned] of plan.skills.entries()) {
    // Unique per run: a folder a killed run left aside is never renamed over.
    const aside = path.join(path.dirname(planned.dir), `.${path.basename(planned.dir)}.skillsync-${runId}.old`);
    const before = befores[index] as string;
    const after = planned.action === 'write' ? (planned.integrity ?? ABSENT) : ABSENT;
    if (before === after) continue;
    skills.push({ planned, record: { dir: planned.dir, action: planned.action, before, after, aside, ...(before === ABSENT ? {} : { backup: `skills/${skills.length}` }) } });
  }

  if (files.length === 0 && skills.length === 0) {
    await saveJournalIfChanged(journalPath, before, scope, projectRoot, journalAfter());
    await fingerprints.save({ prune: true });
    return { runId: undefined, written: [], skillsWritten: [], skillsRemoved: [], skipped };
  }

  // 1. The run folder, whole and durable, before anything changes.
  const dir = runDir(stateDir, runId);
  await mkdir(dir, { recursive: true });
  await syncDirectory(runsDir(stateDir));
  await mapConcurrent(files, FILE_CONCURRENCY, async ({ record, bytes }) => {
    if (record.backup !== undefined && bytes !== undefined) await writeFileAtomic(path.join(dir, record.backup), bytes);
  });
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

  // 2 and 3 run side by side: every file and folder is its own before/after pair, all recorded above,
  // so a run killed anywhere leaves each one before or after, in any order they were reached.
  const [fileOutcomes, outcomes] = await Promise.all([
    // Each file's own steps in order; files are independent (one planned edit per path).
    mapConcurrent(files, FILE_CONCURRENCY, ({ planned, record }) => applyFile(planned, record)),
    applySkills(skills, { dir, runId, storeRoot: options.storeRoot, fingerprints }),
  ]);

  // 2. Files.
  const written: string[] = [];
  const fileRecords: RunFile[] = [];
  for (const [index, { planned, record }] of files.entries()) {
    const outcome = fileOutcomes[index] as 'written' | Outcome;
    if (outcome === 'written') written.push(planned.path);
    else skip(planned.path, outcome.code, outcome.reason);
    fileRecords.push(outcome === 'written' ? record : { ...record, skipped: outcome });
  }

  // 3. Skill folders.
  const skillsWritten: string[] = [];
  const skillsRemoved: string[] = [];
  const skillRecords: RunSkill[] = [];
  for (const [index, { planned, record }] of skills.entries()) {
    const outcome = outcomes[index] ?? { code: 'SYNC_SKILL_FAILED', reason: `${planned.dir} was not reached.` };
    if (outcome === 'done') (planned.action === 'write' ? skillsWritten : skillsRemoved).push(planned.dir);
    else skip(planned.dir, outcome.code, outcome.reason);
    skillRecords.push(outcome === 'done' ? record : { ...record, skipped: outcome });
  }

  // 4. The journal, last: a run killed before this point leaves the old journal, which the next plan reconciles.
  await saveJournalIfChanged(journalPath, before, scope, projectRoot, journalAfter());
  await writeRunRecord(stateDir, { ...started, status: 'complete', files: fileRecords, skills: skillRecords });
  await pruneRuns(stateDir, options.keepRuns ?? DEFAULT_KEEP_RUNS);
  await fingerprints.save({ prune: true });
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

interface SkillRun {
  readonly dir: string;
  readonly runId: string;
  readonly storeRoot: string | undefined;
  readonly fingerprints: SkillFolderFingerprints;
}

type FolderMaker = (dir: string) => Promise<void>;

/**
 * Applies the skill folders, SKILL_CONCURRENCY at a time (each folder's own steps in
 * order; folders are independent). A store entry is read and verified once for all
 * the folders it is copied to, which are taken next to one another so that its bytes
 * are held only while they are needed (a few entries at a time, whatever the plan's
 * size). Outcomes in the order of `skills`.
 */
async function applySkills(skills: readonly PendingSkill[], run: SkillRun): Promise<('done' | Outcome)[]> {
  const sources = createSourceReader();
  const sourceOf = (planned: PlannedSkill): string | undefined =>
    planned.action !== 'write'
      ? undefined
      : (planned.storeDir ?? (planned.integrity !== undefined && run.storeRoot !== undefined ? storeEntryDir(run.storeRoot, planned.integrity) : undefined));
  const work = skills.map((skill, index) => ({ skill, index, source: sourceOf(skill.planned) }));
  for (const { source } of work) if (source !== undefined) sources.expect(source);
  const byKey = (item: (typeof work)[number]): string => `${item.source ?? ''}\u0000${item.skill.planned.dir}`;
  work.sort((left, right) => (byKey(left) < byKey(right) ? -1 : byKey(left) > byKey(right) ? 1 : 0));
  const outcomes = new Array<'done' | Outcome>(skills.length);
  const ensureFolder = folderMaker();
  await mapConcurrent(work, SKILL_CONCURRENCY, async ({ skill, index, source }) => {
    try {
      outcomes[index] = await applySkill(skill.planned, skill.record, source, run, sources, ensureFolder);
    } finally {
      if (source !== undefined) sources.release(source);
    }
  });
  return outcomes;
}

/** Store entries read for copying, each once, kept until the last folder copied from it is done. */
interface SourceReader {
  expect(source: string): void;
  read(source: string): Promise<SkillTree>;
  release(source: string): void;
}

function createSourceReader(): SourceReader {
  const pending = new Map<string, { uses: number; tree?: Promise<SkillTree> }>();
  return {
    expect: (source) => {
      const entry = pending.get(source) ?? { uses: 0 };
      entry.uses += 1;
      pending.set(source, entry);
    },
    read: (source) => {
      const entry = pending.get(source) ?? { uses: 1 };
      entry.tree ??= readSkillTree(source);
      pending.set(source, entry);
      return entry.tree;
    },
    release: (source) => {
      const entry = pending.get(source);
      if (entry !== undefined && (entry.uses -= 1) <= 0) pending.delete(source);
    },
  };
}

async function applySkill(
  planned: PlannedSkill,
  record: RunSkill,
  source: string | undefined,
  run: SkillRun,
  sources: SourceReader,
  ensureFolder: FolderMaker,
): Promise<'done' | Outcome> {
  const target = planned.dir;
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.skillsync-${run.runId}.tmp`);
  try {
    // Re-read right before writing (the fingerprint where it still holds, else a full hash): never replace a folder someone changed.
    const now = await run.fingerprints.state(target);
    if (now !== record.before) return { code: 'SYNC_FILE_CHANGED', reason: `${target} changed while skillsync was syncing; it was left alone.` };
    if (planned.action === 'write') {
      if (source === undefined) return { code: 'SYNC_SKILL_FAILED', reason: `No store folder is known for the skill ${planned.name}.` };
      // Read and hashed in full: the copy is written from exactly the bytes that hash to the planned integrity.
      const tree = await sources.read(source).catch((error: unknown) => failed(target, error));
      if (!('integrity' in tree)) return tree;
      if (tree.integrity !== planned.integrity) {
        return { code: 'SYNC_SKILL_FAILED', reason: `The store copy of ${planned.name} hashes to ${tree.integrity}, not ${String(planned.integrity)}: it was not installed.` };
      }
      await ensureFolder(path.dirname(target));
      // Every file written and size-checked from those bytes, then every file and folder fsynced:
      // durable before it gets the real name, so a power cut after the rename never leaves empty files there.
      const written = await writeTreeDurably(temp, tree).catch((error: unknown) => failed(target, error));
      if (written !== undefined) {
        await rm(temp, { recursive: true, force: true });
        return written;
      }
    }
    run.fingerprints.forget(target);
    // Synchronous: a rename is quick, and would otherwise wait behind every other folder's fsyncs in the thread pool.
    if (record.backup !== undefined) renameSync(target, record.aside);
    if (planned.action === 'write') renameSync(temp, target);
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

/** Reading the store entry or writing the copy failed: the folder is skipped, as a failed copy always was. */
function failed(target: string, error: unknown): Outcome {
  return { code: 'SYNC_SKILL_FAILED', reason: `${target}: ${toSkillsyncError(error).message}` };
}

/** `mkdir -p` once per folder for one run: a sync puts hundreds of skill folders into a handful of skills folders. */
function folderMaker(): FolderMaker {
  const made = new Map<string, Promise<void>>();
  return (dir) => {
    let done = made.get(dir);
    if (done === undefined) {
      done = mkdir(dir, { recursive: true }).then(() => undefined);
      made.set(dir, done);
      // A failure is not remembered: the next folder tries again.
      void done.catch(() => made.delete(dir));
    }
    return done;
  };
}

/**
 * The plan's journal, except that every path left as it was (skipped, or not asked for)
 * keeps its entries from the journal as it was: the file still holds what that journal describes.
 */
function mergeJournal(planned: Journal, previous: Journal, leftAlone: readonly string[]): Journal {
  const left = new Set(leftAlone);
  return {
    entries: [...planned.entries.filter((entry) => !left.has(entry.path)), ...previous.entries.filter((entry) => left.has(entry.path))],
  };
}

async function saveJournalIfChanged(
  file: string,
  before: { readonly text: string | undefined; readonly journal: Journal },
  scope: 'user' | 'project',
  projectRoot: string | undefined,
  journal: Journal,
): Promise<void> {
  // Exactly the entries the file holds, in its order, field for field: nothing to write (and no 1 MB JSON to build to find out).
  if (before.text !== undefined && sameJournalEntries(journal.entries, before.journal.entries)) return;
  const text = serializeJournal(scope, projectRoot, journal);
  if (text !== before.text) await writeFileAtomic(file, text);
}

function changedReason(file: string): string {
  return `${file} changed after the plan was made (a running client wrote it); it was left as it is: run sync again.`;
}

function encode(text: string | undefined): Buffer | undefined {
  return text === undefined ? undefined : Buffer.from(text, 'utf8');
}
