import { existsSync } from 'node:fs';
import { packageKey, type Lockfile } from '@skillsync/core';
import { entryDir, entryMetadataFile, storePaths, type StorePaths } from '../store/store-layout.js';

/** One skill the lockfile installed and the store holds. */
export interface InstalledSkillEntry {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  /** The store folder holding the skill's files. */
  readonly dir: string;
}

export interface InstalledSkillsResult {
  /** The root skills and everything they depend on, each present in the store. */
  readonly installed: readonly InstalledSkillEntry[];
  /** Skills the lockfiles do not lock, or whose package the store does not hold (names; roots and dependencies). */
  readonly missing: readonly string[];
}

/**
 * The installed skills of a manifest: the root skills `names` and everything they
 * depend on, resolved through the lockfiles (the first that locks a root skill wins;
 * dependencies are pinned by version), each present in the store at `storeRoot`. What
 * is not locked or not stored is reported in `missing`, never thrown: `sync` refuses to
 * go on without it, `serve` serves the others. Reads only, synchronously (a stat per entry).
 */
export function installedSkills(names: readonly string[], lockfiles: readonly Lockfile[], storeRoot: string): InstalledSkillsResult {
  // The store's layout functions, not `openStore`: this read runs on every `status` and sync, and the store object brings the packer and the skill parser along.
  const store = storePaths(storeRoot);
  const out = new Map<string, InstalledSkillEntry>();
  const missing: string[] = [];
  const queue: { name: string; version?: string }[] = names.map((name) => ({ name }));
  const locate = (item: { name: string; version?: string }) => {
    const lock = lockfiles.find((candidate) => item.version !== undefined || candidate.skills[item.name] !== undefined);
    const version = item.version ?? lock?.skills[item.name]?.version;
    const entry = version === undefined ? undefined : lock?.packages[packageKey(item.name, version)];
    return { lock, version, entry };
  };
  // Every store entry the walk below can reach, checked before the walk.
  const stored = storedIntegrities(store, names, locate);
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    if (out.has(item.name)) continue;
    const { name } = item;
    const { lock, version, entry } = locate(item);
    if (lock === undefined || version === undefined || entry === undefined || stored.get(entry.integrity) !== true) {
      if (!missing.includes(name)) missing.push(name);
      continue;
    }
    out.set(name, { name, version, integrity: entry.integrity, dir: entryDir(store, entry.integrity) });
    for (const [dependency, dependencyVersion] of Object.entries(entry.dependencies ?? {})) queue.push({ name: dependency, version: dependencyVersion });
  }
  return { installed: [...out.values()], missing };
}

/** Whether the store holds each entry reachable from `names` through the lockfiles' dependencies. */
function storedIntegrities(
  store: StorePaths,
  names: readonly string[],
  locate: (item: { name: string; version?: string }) => { entry: { integrity: string; dependencies?: Readonly<Record<string, string>> } | undefined },
): Map<string, boolean> {
  const integrities = new Set<string>();
  const seen = new Set<string>();
  const queue: { name: string; version?: string }[] = names.map((name) => ({ name }));
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const key = `${item.name}@${item.version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const { entry } = locate(item);
    if (entry === undefined) continue;
    integrities.add(entry.integrity);
    for (const [dependency, version] of Object.entries(entry.dependencies ?? {})) queue.push({ name: dependency, version });
  }
  // existsSync: a stat is microseconds, a round trip through the thread pool ten times that, and a manifest has hundreds of skills.
  return new Map([...integrities].map((integrity) => [integrity, existsSync(entryMetadataFile(store, integrity))]));
}
