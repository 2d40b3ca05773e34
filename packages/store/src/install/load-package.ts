import { packageKey, SkillsyncError } from '@skillsync/core';
import type { Integrity } from '../integrity/integrity.js';
import type { PackageSignature } from '../sign/sign-integrity.js';
import type { SkillSource } from '../sources/skill-source.js';
import { readPackageSkill } from '../unpack/package-skill.js';
import { readPackage } from '../unpack/read-package.js';

/** A fetched package, decoded and checked to be the `name@version` it was fetched as. */
export interface LoadedPackage {
  readonly tarball: Uint8Array;
  readonly integrity: Integrity;
  readonly signature: PackageSignature | undefined;
  /** `requires.skills` of its sidecar. */
  readonly dependencies: Readonly<Record<string, string>>;
}

export type PackageLoader = (source: SkillSource, name: string, version: string) => Promise<LoadedPackage>;

/**
 * Fetches each package once per run (resolution reads its dependencies, install then
 * stores it) and refuses a package whose SKILL.md names another skill or version.
 */
export function createPackageLoader(): PackageLoader {
  const cache = new Map<string, Promise<LoadedPackage>>();
  return (source, name, version) => {
    const key = `${source.describe()}\n${packageKey(name, version)}`;
    let loaded = cache.get(key);
    if (loaded === undefined) {
      loaded = loadPackage(source, name, version);
      cache.set(key, loaded);
    }
    return loaded;
  };
}

async function loadPackage(source: SkillSource, name: string, version: string): Promise<LoadedPackage> {
  const fetched = await source.fetch(name, version);
  const contents = await readPackage(fetched.tarball);
  const skill = readPackageSkill(contents, packageKey(name, version));
  if (skill.name !== name || skill.version !== version) {
    throw new SkillsyncError('PACKAGE_INVALID', `${source.describe()} served ${skill.name}@${skill.version} for ${name}@${version}.`, {
      details: { name, version, actual: `${skill.name}@${skill.version}`, source: source.describe() },
    });
  }
  return { tarball: fetched.tarball, integrity: contents.integrity, signature: fetched.signature, dependencies: skill.dependencies };
}
