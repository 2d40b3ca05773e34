import path from 'node:path';
import { isExcludedFromSkill } from '@skillsync/core';
import { watch } from 'chokidar';
import { createSettleQueue } from '../daemon/settle-queue.js';

/** How long chokidar ignores further change events of a file after one (its `_throttle('change', …, 50)`). */
const CHANGE_THROTTLE_MS = 50;

export interface WatchSkillFolderOptions {
  /**
   * Quiet time after the last change before `onSettled` runs: an editor's save is
   * several events. Over 50 ms: chokidar drops a file's change events that come within
   * 50 ms of the one before, so only a run that starts later than that sees what they wrote.
   */
  readonly settleMs: number;
  /** Runs once when the watch is in place, then once per burst of changes, never twice at once (changes during a run make one more run after it). */
  readonly onSettled: () => Promise<void>;
  /** A watcher error, or a rejection of `onSettled`. */
  readonly onError: (error: unknown) => void;
}

export interface SkillFolderWatcher {
  /** Stops watching; resolves once a run under way has finished. */
  close(): Promise<void>;
}

/**
 * Watches every file of a skill folder (not the names packing leaves out: `.git`,
 * `node_modules`, editor swap files, …), through the daemon's settle queue. Resolves
 * once the watch is in place and the first run has started, so a change made after
 * that is never missed.
 */
export async function watchSkillFolder(dir: string, options: WatchSkillFolderOptions): Promise<SkillFolderWatcher> {
  if (options.settleMs <= CHANGE_THROTTLE_MS) throw new Error(`watchSkillFolder: settleMs must be over ${CHANGE_THROTTLE_MS} ms`);
  const watcher = watch(dir, { ignoreInitial: true, ignored: (file) => file !== dir && isExcludedFromSkill(path.basename(file)) });
  let closed = false;
  // Monotonic: a clock step back must not make a later change look already seen.
  const now = (): number => performance.now();
  let lastRunAt = Number.NEGATIVE_INFINITY;
  const run = (): Promise<void> => {
    lastRunAt = now();
    return options.onSettled();
  };
  const queue = createSettleQueue({
    settleMs: options.settleMs,
    now,
    // Bursts that settled while a run was under way queue behind it: the first makes one
    // more run, which reads the folder as it is then, so the others (all changed before
    // that run began) have nothing left to show.
    onSettled: (batch) => (closed || batch.lastChangeAt < lastRunAt ? Promise.resolve() : run()),
    onError: options.onError,
  });

  watcher.on('all', (_event, file) => {
    if (!closed) queue.changed(file);
  });
  watcher.on('error', options.onError);
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  queue.run(run).catch(options.onError);
  return {
    close: async () => {
      closed = true;
      queue.cancel();
      await watcher.close();
      await queue.idle();
    },
  };
}
