import { LOCKFILE_FILE, pathFor, SkillsyncError } from '@skillsync/core';
import { openStore } from '@skillsync/store';
import type { storePruneOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, formatBytes, plural } from '../format.js';
import { readLockfile, readManifests } from '../project.js';

export interface StorePruneData {
  readonly store: string;
  readonly dryRun: boolean;
  /** The lockfiles whose packages were kept. */
  readonly lockfiles: readonly string[];
  readonly kept: number;
  readonly removed: readonly { readonly integrity: string; readonly name?: string; readonly version?: string }[];
  /** Unknown in a dry run. */
  readonly freedBytes?: number;
}

export const storePruneHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof storePruneOptions>) => {
    const p = pathFor(env);
    const manifests = await readManifests(env);
    // Both scopes' lockfiles: pruning the user's skills while in a project would surprise.
    const candidates = [manifests.project, manifests.user].flatMap((loaded) =>
      loaded === undefined ? [] : [p.join(p.dirname(loaded.file), LOCKFILE_FILE)],
    );
    const lockfiles: string[] = [];
    const keep = new Set<string>();
    for (const file of candidates) {
      const lockfile = await readLockfile(file);
      if (lockfile === undefined) continue;
      lockfiles.push(file);
      for (const entry of Object.values(lockfile.packages)) keep.add(entry.integrity);
    }
    if (lockfiles.length === 0) {
      // The store is shared by every project: with no lockfile to keep, prune would empty it.
      throw new SkillsyncError('LOCKFILE_MISSING', `No skillsync.lock in ${env.cwd} or above it, nor next to your user manifest.`, {
        hint: 'Run `skillsync store prune` in a project with a skillsync.lock, or `skillsync install` first.',
        details: { cwd: env.cwd },
      });
    }
    const store = openStore(paths.store);
    let data: StorePruneData;
    if (options['dry-run']) {
      const removed = (await store.list())
        .filter((entry) => !keep.has(entry.integrity))
        .map(({ integrity, name, version }) => ({ integrity, name, version }));
      data = { store: paths.store, dryRun: true, lockfiles, kept: keep.size, removed };
    } else {
      const result = await store.prune(keep);
      const removed = result.removed.map(({ integrity, name, version }) => ({
        integrity,
        ...(name === undefined ? {} : { name }),
        ...(version === undefined ? {} : { version }),
      }));
      data = { store: paths.store, dryRun: false, lockfiles, kept: keep.size, removed, freedBytes: result.freedBytes };
    }
    return { ok: true, data };
  },
  render: (data: StorePruneData, ui, env) => {
    const verb = data.dryRun ? 'would remove' : 'removed';
    const lines = data.removed.map(
      (entry) => `  ${ui.dim(verb)} ${entry.name === undefined ? entry.integrity : `${entry.name}@${entry.version ?? '?'}`}`,
    );
    const kept = `kept what ${data.lockfiles.map((file) => displayPath(env, file)).join(' and ')} ${data.lockfiles.length === 1 ? 'uses' : 'use'}`;
    const freed = data.freedBytes === undefined ? '' : `, ${formatBytes(data.freedBytes)} freed`;
    lines.push(`${data.dryRun ? 'Would remove' : ui.green('Removed')} ${plural(data.removed.length, 'package')}${freed}; ${kept}.`);
    return lines.join('\n');
  },
});
