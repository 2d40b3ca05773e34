import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { byEntryKey, pathExists, SkillsyncError, syncDirectory, withFileLock, writeFileAtomic } from '@skillsync/core';
import { compare as compareSemver, valid as validSemver } from 'semver';
import type { PackageLimits } from '../format/limits.js';
import { parseSkillIdentity, SKILL_FILE } from '../format/skill-identity.js';
import { integrityFromHex, integrityToHex, type Integrity } from '../integrity/integrity.js';
import type { PackedFile } from '../pack/pack-skill.js';
import { readPackage } from '../unpack/read-package.js';
import { writePackageFiles } from '../unpack/write-package-files.js';
import { checkStoreEntry, type StoreCorruption } from './check-store-entry.js';
import { fingerprintMatches, readFingerprint, removeFingerprint, takeFingerprint, writeFingerprint } from './entry-fingerprint.js';
import {
  diskUsage,
  entryDir as entryDirIn,
  entryMetadataFile,
  listNames,
  makeTempDir,
  readMetadata,
  removeDirectory,
  serializeMetadata,
  storePaths,
  type StoreMetadata,
} from './store-layout.js';

export interface StoreEntry {
  readonly integrity: Integrity;
  readonly name: string;
  readonly version: string;
  /** The folder holding the package's files (no `package/` prefix). */
  readonly dir: string;
  readonly files: readonly PackedFile[];
  /** Sum of the file sizes. */
  readonly size: number;
}

export interface AddPackageOptions {
  /**
   * The integrity the caller expects (from a lockfile). When the store already
   * holds it the tarball is not even read; otherwise a different package is
   * INTEGRITY_MISMATCH.
   */
  readonly expectedIntegrity?: Integrity;
  readonly limits?: Partial<PackageLimits>;
}

export interface StoreVerifyReport {
  readonly checked: number;
  readonly corrupt: readonly StoreCorruption[];
  /** True when `repair` removed the corrupt entries. */
  readonly repaired: boolean;
}

export interface StorePruneResult {
  readonly removed: readonly { integrity: Integrity; name: string | undefined; version: string | undefined }[];
  readonly freedBytes: number;
}

/** The answer of `Store.check`: is this package here, and are its files as stored? */
export type StoreCheck =
  | { readonly state: 'absent' }
  | { readonly state: 'intact'; readonly entry: StoreEntry }
  | { readonly state: 'corrupt'; readonly corruption: StoreCorruption };

export interface Store {
  readonly root: string;
  addPackage(tarball: Uint8Array, options?: AddPackageOptions): Promise<StoreEntry>;
  has(integrity: Integrity): Promise<boolean>;
  entryDir(integrity: Integrity): string;
  get(integrity: Integrity): Promise<StoreEntry | undefined>;
  /**
   * Confirms an entry still holds exactly the files it was stored with. Cheap when
   * nothing on disk changed since the last full hash (one lstat per path); a changed
   * entry is re-hashed, so an edit or a tampered byte is reported as `corrupt`.
   */
  check(integrity: Integrity): Promise<StoreCheck>;
  list(): Promise<StoreEntry[]>;
  verify(options?: { repair?: boolean }): Promise<StoreVerifyReport>;
  prune(keep: Iterable<Integrity>): Promise<StorePruneResult>;
  /**
   * Runs `task` holding the store's inter-process lock. `verify({ repair })` and
   * `prune` take it themselves; an install wraps its adds in it so a concurrent
   * prune can never delete a package between its unpack and its metadata write.
   */
  lock<T>(task: () => Promise<T>): Promise<T>;
}

/**
 * A content-addressed store of unpacked packages:
 *
 *     root/v1/<hex of sha512>/…files…   the package files, modes 0644/0755
 *     root/v1/<hex>.json                { name, version, integrity, files }
 *     root/tmp/                         work space, always safe to delete
 *     root/checks/<hex>.json            this machine's fingerprint of a verified entry
 *
 * `v1/` is the content: equal on every machine that stored the same packages.
 *
 * An entry is added by unpacking into tmp/ and renaming the folder into place,
 * then writing its metadata (the commit marker `has` looks for). Two processes
 * adding one package race only on that rename: the loser drops its copy and uses
 * the winner's, so no global lock is needed to add. `verify({ repair })` and
 * `prune` delete entries, so they hold the store lock, as do installs around their
 * adds. No I/O happens until a method is called.
 */
export function openStore(root: string): Store {
  const paths = storePaths(root);
  const entryDir = (integrity: Integrity): string => entryDirIn(paths, integrity);
  const metadataFile = (integrity: Integrity): string => entryMetadataFile(paths, integrity);
  const fingerprintFile = (integrity: Integrity): string => path.join(paths.checks, `${integrityToHex(integrity)}.json`);

  const toEntry = (metadata: StoreMetadata, integrity: Integrity): StoreEntry => ({
    integrity,
    name: metadata.name,
    version: metadata.version,
    dir: entryDir(integrity),
    files: metadata.files,
    size: metadata.files.reduce((sum, file) => sum + file.size, 0),
  });

  const get = async (integrity: Integrity): Promise<StoreEntry | undefined> => {
    const metadata = await readMetadata(metadataFile(integrity));
    if (metadata === undefined) return undefined;
    if (metadata.integrity !== integrity) {
      throw new SkillsyncError('STORE_CORRUPT', `Store metadata for ${integrity} names ${metadata.integrity}.`, {
        details: { integrity, path: metadataFile(integrity) },
      });
    }
    return toEntry(metadata, integrity);
  };

  const has = async (integrity: Integrity): Promise<boolean> => pathExists(metadataFile(integrity));

  /** Hashes an entry in full; an intact one gets a fresh fingerprint. */
  const checkFully = async (integrity: Integrity): Promise<StoreCorruption | undefined> => {
    const corruption = await checkStoreEntry(integrity, entryDir(integrity), metadataFile(integrity));
    const metadata = corruption === undefined ? await readMetadata(metadataFile(integrity)) : undefined;
    if (metadata !== undefined) {
      await writeFingerprint(fingerprintFile(integrity), await takeFingerprint(entryDir(integrity), metadataFile(integrity), metadata));
    }
    return corruption;
  };

  const check = async (integrity: Integrity): Promise<StoreCheck> => {
    const fingerprint = await readFingerprint(fingerprintFile(integrity));
    if (fingerprint?.metadata.integrity === integrity && (await fingerprintMatches(entryDir(integrity), metadataFile(integrity), fingerprint))) {
      return { state: 'intact', entry: toEntry(fingerprint.metadata, integrity) };
    }
    if (!(await has(integrity))) return { state: 'absent' };
    const corruption = await checkFully(integrity);
    if (corruption !== undefined) return { state: 'corrupt', corruption };
    const entry = await get(integrity);
    return entry === undefined ? { state: 'absent' } : { state: 'intact', entry };
  };

  const addPackage = async (tarball: Uint8Array, options: AddPackageOptions = {}): Promise<StoreEntry> => {
    if (options.expectedIntegrity !== undefined) {
      const existing = await get(options.expectedIntegrity);
      if (existing !== undefined) return existing;
    }
    const contents = await readPackage(tarball, options);
    const { integrity } = contents;
    const existing = await get(integrity);
    if (existing !== undefined) return existing;

    const skill = contents.files.find((file) => file.path === SKILL_FILE);
    const identity = parseSkillIdentity(Buffer.from(skill?.content ?? []).toString('utf8'), `${integrity}/${SKILL_FILE}`);
    const files = contents.files.map((file) => ({ path: file.path, size: file.content.byteLength, mode: file.mode }));
    const metadata: StoreMetadata = { name: identity.name, version: identity.version, integrity, files };
    const target = entryDir(integrity);

    const temp = await makeTempDir(paths);
    try {
      await writePackageFiles(contents.files, temp);
      await mkdir(paths.entries, { recursive: true });
      await rename(temp, target).catch(async (error: unknown) => {
        // Another process renamed the same package into place first: theirs is
        // complete (folders only ever arrive whole), so ours is dropped.
        if (!(await pathExists(target))) throw error;
        await rm(temp, { recursive: true, force: true });
      });
      await syncDirectory(paths.entries);
      await writeFileAtomic(metadataFile(integrity), serializeMetadata(metadata));
      await writeFingerprint(fingerprintFile(integrity), await takeFingerprint(target, metadataFile(integrity), metadata));
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      if (error instanceof SkillsyncError) throw error;
      throw new SkillsyncError('FILE_WRITE_FAILED', `Could not add ${identity.name}@${identity.version} to the store: ${(error as Error).message}`, {
        details: { path: target, integrity },
        cause: error,
      });
    }
    return toEntry(metadata, integrity);
  };

  const entryKeys = async (): Promise<Map<string, Integrity>> => {
    const keys = new Map<string, Integrity>();
    for (const name of await listNames(paths.entries)) {
      const hex = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
      const integrity = integrityFromHex(hex);
      if (integrity !== undefined) keys.set(hex, integrity);
    }
    return keys;
  };

  const removeEntry = async (integrity: Integrity): Promise<void> => {
    await removeFingerprint(fingerprintFile(integrity));
    await rm(metadataFile(integrity), { force: true });
    await removeDirectory(paths, entryDir(integrity));
  };

  const list = async (): Promise<StoreEntry[]> => {
    const entries: StoreEntry[] = [];
    for (const integrity of (await entryKeys()).values()) {
      const entry = await get(integrity).catch(() => undefined);
      if (entry !== undefined) entries.push(entry);
    }
    return entries.sort(compareEntries);
  };

  const verify = async (options: { repair?: boolean } = {}): Promise<StoreVerifyReport> => {
    const corrupt: StoreCorruption[] = [];
    const keys = [...(await entryKeys()).entries()].sort(byEntryKey);
    for (const [, integrity] of keys) {
      const problem = await checkFully(integrity);
      if (problem !== undefined) corrupt.push(problem);
    }
    const repair = options.repair === true && corrupt.length > 0;
    if (repair) await lock(async () => { for (const problem of corrupt) await removeEntry(problem.integrity); });
    return { checked: keys.length, corrupt, repaired: repair };
  };

  const lock = <T>(task: () => Promise<T>): Promise<T> => withFileLock(paths.root, task);

  const prune = (keep: Iterable<Integrity>): Promise<StorePruneResult> => lock(() => pruneUnlocked(keep));

  const pruneUnlocked = async (keep: Iterable<Integrity>): Promise<StorePruneResult> => {
    const kept = new Set([...keep].map(integrityToHex));
    const removed: StorePruneResult['removed'][number][] = [];
    let freedBytes = 0;
    const keys = await entryKeys();
    for (const [hex, integrity] of [...keys.entries()].sort(byEntryKey)) {
      if (kept.has(hex)) continue;
      const metadata = await readMetadata(metadataFile(integrity)).catch(() => undefined);
      freedBytes += (await diskUsage(entryDir(integrity))) + (await diskUsage(metadataFile(integrity)));
      await removeEntry(integrity);
      removed.push({ integrity, name: metadata?.name, version: metadata?.version });
    }
    // Anything else under v1/ is a leftover (an interrupted metadata write), as is all of tmp/.
    for (const name of await listNames(paths.entries)) {
      const hex = name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
      if (keys.has(hex)) continue;
      const leftover = path.join(paths.entries, name);
      freedBytes += await diskUsage(leftover);
      await rm(leftover, { recursive: true, force: true });
    }
    const remaining = await entryKeys();
    for (const name of await listNames(paths.checks)) {
      if (!remaining.has(name.replace(/\.json$/, ''))) await rm(path.join(paths.checks, name), { force: true });
    }
    for (const name of await listNames(paths.tmp)) {
      const leftover = path.join(paths.tmp, name);
      freedBytes += await diskUsage(leftover);
      await rm(leftover, { recursive: true, force: true });
    }
    return { removed, freedBytes };
  };

  return { root: paths.root, addPackage, has, entryDir, get, check, list, verify, prune, lock };
}

function compareEntries(a: StoreEntry, b: StoreEntry): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.version !== b.version && validSemver(a.version) !== null && validSemver(b.version) !== null) {
    return compareSemver(a.version, b.version);
  }
  return a.integrity < b.integrity ? -1 : a.integrity > b.integrity ? 1 : 0;
}
