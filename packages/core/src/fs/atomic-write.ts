import { randomBytes } from 'node:crypto';
import { link, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SkillsyncError } from '../errors/index.js';

export interface AtomicWriteOptions {
  /** File mode for a newly created file (the existing mode is not preserved). */
  mode?: number;
}

/**
 * The temp file `writeFileAtomic` writes `.<name>.skillsync-<12 hex>.tmp` beside its
 * target: the marker makes a crash's leftover recognisably ours (see `atomicWriteTempTarget`).
 */
const ATOMIC_TEMP = /^\.(.+)\.skillsync-[0-9a-f]{12}\.tmp$/s;

/** The file name a `writeFileAtomic` temp file was for (`.a.json.skillsync-0123456789ab.tmp` → `a.json`), or undefined when `name` is not one. */
export function atomicWriteTempTarget(name: string): string | undefined {
  return ATOMIC_TEMP.exec(name)?.[1];
}

/** A fresh temp path beside `file`, named as `writeFileAtomic` names its own, so a leftover is recognisably ours. */
export function atomicWriteTempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.skillsync-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes a file so that a reader (or a crash) sees either the old bytes or the new
 * ones, never a mix: temp file in the same directory → fsync → rename → fsync dir.
 * A process killed mid-write leaves the temp file; whoever owns the target under a
 * lock may delete it (`atomicWriteTempTarget` recognises it).
 */
export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  await publishAtomic(file, data, options, 'Could not write', rename);
}

/**
 * `writeFileAtomic` for a file that must not exist yet (a claim, a lock): the temp file
 * is hard-linked to its name instead of renamed over it, which fails when the name is
 * taken — FILE_WRITE_FAILED with the EEXIST error as its cause — and nothing changes.
 */
export async function createFileAtomic(file: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  await publishAtomic(file, data, options, 'Could not create', async (temp, target) => {
    try {
      await link(temp, target);
    } finally {
      await rm(temp, { force: true });
    }
  });
}

/** Writes `data` to a fresh temp file beside `file`, fsyncs it, then `publish`es it under its name and fsyncs the folder. */
async function publishAtomic(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions,
  failure: string,
  publish: (temp: string, file: string) => Promise<void>,
): Promise<void> {
  const dir = path.dirname(file);
  const temp = atomicWriteTempName(file);
  try {
    await mkdir(dir, { recursive: true });
    const handle = await open(temp, 'wx', options.mode ?? 0o644);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await publish(temp, file);
    await syncDirectory(dir);
  } catch (error) {
    await rm(temp, { force: true });
    throw new SkillsyncError('FILE_WRITE_FAILED', `${failure} ${file}: ${(error as Error).message}`, {
      details: { path: file },
      cause: error,
    });
  }
}

/**
 * Makes a rename durable. Some platforms (Windows) cannot open directories: that is fine.
 *
 * Concurrent calls for one folder share fsyncs (a group commit): a call waits for the
 * next fsync of the folder that starts after it was made, so its entry is covered,
 * while a hundred skill folders renamed into one parent at once cost a few fsyncs of
 * it, not a hundred.
 */
export function syncDirectory(dir: string): Promise<void> {
  let group = directorySyncs.get(dir);
  if (group === undefined) {
    group = { running: undefined, next: undefined };
    directorySyncs.set(dir, group);
  }
  const current = group;
  if (current.running === undefined) return startDirectorySync(dir, current);
  // One is running (it may have started before our entry changed): wait for the one after it.
  current.next ??= current.running.then(() => {
    current.next = undefined;
    return startDirectorySync(dir, current);
  });
  return current.next;
}

interface DirectorySyncGroup {
  running: Promise<void> | undefined;
  next: Promise<void> | undefined;
}

const directorySyncs = new Map<string, DirectorySyncGroup>();

function startDirectorySync(dir: string, group: DirectorySyncGroup): Promise<void> {
  const running = fsyncDirectory(dir).finally(() => {
    group.running = undefined;
    if (group.next === undefined && directorySyncs.get(dir) === group) directorySyncs.delete(dir);
  });
  group.running = running;
  return running;
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort: durability of the directory entry is not supported everywhere
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
