import { byEntryKey } from '../text/byte-order.js';

/** The lockfile's file name, next to the manifest it locks. */
export const LOCKFILE_FILE = 'skillsync.lock';
/** The lockfile format this skillsync reads and writes. */
export const LOCKFILE_VERSION = 1;

/** A root skill: what the manifest asked for and the version it got. */
export interface LockedSkill {
  /** The manifest's source in its canonical string form (`formatSkillSpecifier`). */
  readonly specifier: string;
  readonly version: string;
}

export interface LockedSignature {
  readonly algorithm: 'ed25519';
  readonly keyId: string;
  readonly signature: string;
}

/** One resolved package, keyed `name@version` in `Lockfile.packages`. */
export interface LockedPackage {
  /** Where it was fetched: `registry+file:///…`, `registry+https://…`, `path:./skills/x`, `tarball:./x.tgz`. */
  readonly resolved: string;
  /** `sha512-<base64>` of the package's canonical tar (docs/package-format.md). */
  readonly integrity: string;
  readonly signature?: LockedSignature;
  /** The skills it requires: name → exact version (each also a key of `packages`). */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/**
 * `skillsync.lock`: exact versions and integrity of everything installed, so two
 * machines with the same lock get byte-identical skills.
 */
export interface Lockfile {
  readonly lockfileVersion: typeof LOCKFILE_VERSION;
  /** Root skills by name. */
  readonly skills: Readonly<Record<string, LockedSkill>>;
  /** Every resolved package by `name@version`. */
  readonly packages: Readonly<Record<string, LockedPackage>>;
}

/** The key of a package in `Lockfile.packages`. */
export function packageKey(name: string, version: string): string {
  return `${name}@${version}`;
}

/** Splits a `packages` key; the name never holds `@`, so the first one separates. */
export function splitPackageKey(key: string): { name: string; version: string } | undefined {
  const at = key.indexOf('@');
  if (at <= 0) return undefined;
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}

/** A `resolved` value taken apart. Paths are relative to the lockfile's folder, or absolute, or `~/…`. */
export type LockedResolution =
  | { readonly kind: 'registry'; readonly registry: string }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'tarball'; readonly path: string };

export function formatResolution(resolution: LockedResolution): string {
  return resolution.kind === 'registry' ? `registry+${resolution.registry}` : `${resolution.kind}:${resolution.path}`;
}

export function parseResolution(resolved: string): LockedResolution | undefined {
  if (resolved.startsWith('registry+') && resolved.length > 'registry+'.length) return { kind: 'registry', registry: resolved.slice('registry+'.length) };
  if (resolved.startsWith('path:') && resolved.length > 'path:'.length) return { kind: 'path', path: resolved.slice('path:'.length) };
  if (resolved.startsWith('tarball:') && resolved.length > 'tarball:'.length) return { kind: 'tarball', path: resolved.slice('tarball:'.length) };
  return undefined;
}

/**
 * Writes the lockfile text: JSON with keys in byte order at every level, fields in a
 * fixed order, two-space indentation, no timestamps and one trailing newline, so the
 * same lockfile always gives the same bytes and a merge conflict touches only the
 * entries both sides changed. JSON rather than YAML because the lock is read on every
 * install: a 500-skill lock parses in about a millisecond instead of ~70.
 */
export function serializeLockfile(lockfile: Lockfile): string {
  const packages = Object.fromEntries(
    sortedEntries(lockfile.packages).map(([key, entry]) => [
      key,
      {
        resolved: entry.resolved,
        integrity: entry.integrity,
        ...(entry.signature === undefined
          ? {}
          : { signature: { algorithm: entry.signature.algorithm, keyId: entry.signature.keyId, signature: entry.signature.signature } }),
        ...(entry.dependencies === undefined || Object.keys(entry.dependencies).length === 0
          ? {}
          : { dependencies: Object.fromEntries(sortedEntries(entry.dependencies)) }),
      },
    ]),
  );
  const skills = Object.fromEntries(
    sortedEntries(lockfile.skills).map(([name, skill]) => [name, { specifier: skill.specifier, version: skill.version }]),
  );
  return `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, skills, packages }, null, 2)}\n`;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(byEntryKey);
}

/** An empty lockfile, the starting point before the first install. */
export function createEmptyLockfile(): Lockfile {
  return { lockfileVersion: LOCKFILE_VERSION, skills: {}, packages: {} };
}
