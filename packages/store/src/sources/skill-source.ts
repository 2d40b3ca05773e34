import type { PackageSignature } from '../sign/sign-integrity.js';

/** A package as a source hands it over: the `.tgz` bytes and, when published with one, its signature. */
export interface FetchedPackage {
  readonly tarball: Uint8Array;
  readonly signature?: PackageSignature;
}

/**
 * Anything skills can be installed from: a local folder, a tarball file, a directory
 * registry, and later the HTTP registry. Sources only fetch bytes; checking them
 * (integrity, identity, signatures) is install's job, so a new source cannot weaken it.
 */
export interface SkillSource {
  /** The versions this source has of `name`, in any order; empty when it has none. */
  listVersions(name: string): Promise<string[]>;
  /** One version's package. VERSION_NOT_FOUND when the source does not have it. */
  fetch(name: string, version: string): Promise<FetchedPackage>;
  /**
   * The source as the lockfile's `resolved` records it (`registry+file:///…`,
   * `path:./skills/x`, `tarball:./x.tgz`): stable, and the same on every machine
   * that uses the same manifest.
   */
  describe(): string;
}
