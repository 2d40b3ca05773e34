import { existsSync } from 'node:fs';
import type { PlatformPath } from 'node:path';
import { FSWatcher } from 'chokidar';
import { pathFor, type Env } from '@skillsync/core';
import { relevantPaths, sameTargets, type WatchTargets } from './watch-targets.js';

/** Watches a set of targets with the OS's change notifications (never polling), and can move to another set. */
export interface FileWatcher {
  /**
   * Watches `targets` from now on. The new set is ready before the old one closes, so
   * no change falls in between. Resolves true when the set changed; once closed, it
   * watches nothing any more and resolves false.
   */
  readonly update: (targets: WatchTargets) => Promise<boolean>;
  /** How many files and folders are watched now. */
  readonly count: () => number;
  readonly close: () => Promise<void>;
}

export interface FileWatcherOptions {
  readonly env: Env;
  /** A relevant path was created, changed or removed. */
  readonly onChange: (file: string) => void;
  readonly onError: (error: Error) => void;
}

export function createFileWatcher(options: FileWatcherOptions): FileWatcher {
  const p = pathFor(options.env);
  let current: { readonly targets: WatchTargets; readonly watcher: FSWatcher } | undefined;
  let closed = false;
  /** Makes a watcher that just got ready the current one, unless the whole was closed meanwhile: then nothing else would close it. */
  const adopt = async (targets: WatchTargets, watcher: FSWatcher): Promise<boolean> => {
    if (closed) {
      await watcher.close();
      return false;
    }
    const previous = current;
    current = { targets, watcher };
    await previous?.watcher.close();
    return true;
  };
  return {
    update: async (targets) => {
      if (closed || (current !== undefined && sameTargets(current.targets, targets))) return false;
      return adopt(targets, await watchTargets(targets, p, options));
    },
    count: () => (current === undefined ? 0 : Object.values(current.watcher.getWatched()).reduce((sum, names) => sum + names.length, 0)),
    close: async () => {
      closed = true;
      const last = current;
      current = undefined;
      await last?.watcher.close();
    },
  };
}

async function watchTargets(targets: WatchTargets, p: PlatformPath, options: FileWatcherOptions): Promise<FSWatcher> {
  const relevant = relevantPaths(targets, p);
  const watcher = new FSWatcher({
    ignoreInitial: true,
    // Asked of every entry under a root before it is watched: only targets and the folders leading to them are.
    ignored: (file: string) => !relevant(file),
    ignorePermissionErrors: true,
  });
  watcher.on('all', (_event, file) => {
    if (relevant(file)) options.onChange(file);
  });
  watcher.on('error', (error) => {
    options.onError(error instanceof Error ? error : new Error(String(error)));
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', resolve));
  watcher.add(watchRoots([...targets.paths, ...targets.trees], p));
  await ready;
  return watcher;
}

/**
 * Where to start watching so that every target is seen, existing or not: each target's
 * nearest existing folder (or itself), without those inside another root.
 */
function watchRoots(targets: readonly string[], p: PlatformPath): string[] {
  const roots = new Set<string>();
  for (const target of targets) {
    let dir = target;
    while (!existsSync(dir) && p.dirname(dir) !== dir) dir = p.dirname(dir);
    roots.add(dir);
  }
  const insideAnother = (root: string): boolean => {
    for (let dir = root; p.dirname(dir) !== dir; ) {
      dir = p.dirname(dir);
      if (roots.has(dir)) return true;
    }
    return false;
  };
  return [...roots].filter((root) => !insideAnother(root)).sort();
}
