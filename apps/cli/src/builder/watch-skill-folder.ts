import path from 'node:path';
import { isExcludedFromSkill } from '@skillsync/core';
import { watch } from 'chokidar';

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
 * `node_modules`, editor swap files, …). Resolves once the watch is in place and the
 * first run has started, so a change made after that is never missed.
 */
export async function watchSkillFolder(dir: string, options: WatchSkillFolderOptions): Promise<SkillFolderWatcher> {
  if (options.settleMs <= CHANGE_THROTTLE_MS) throw new Error(`watchSkillFolder: settleMs must be over ${CHANGE_THROTTLE_MS} ms`);
  const watcher = watch(dir, { ignoreInitial: true, ignored: (file) => file !== dir && isExcludedFromSkill(path.basename(file)) });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;

  const run = (): void => {
    if (closed) return;
    if (running !== undefined) {
      again = true;
      return;
    }
    running = options
      .onSettled()
      .catch(options.onError)
      .finally(() => {
        running = undefined;
        if (again) {
          again = false;
          run();
        }
      });
  };
  const changed = (): void => {
    clearTimeout(timer);
    timer = setTimeout(run, options.settleMs);
  };

  watcher.on('all', changed);
  watcher.on('error', options.onError);
  await new Promise<void>((resolve) => watcher.once('ready', resolve));
  run();
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await watcher.close();
      await running;
    },
  };
}
