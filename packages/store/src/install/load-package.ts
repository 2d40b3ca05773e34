import { packageKey, parseSkillSidecar, SKILL_SIDECAR_FILE, SkillsyncError } from '@skillsync/core';
import { parseSkillIdentity, SKILL_FILE } from '../format/skill-identity.js';
import type { Integrity } from '../integrity/integrity.js';
import type { PackageSignature } from '../sign/sign-integrity.js';
import type { SkillSource } from '../sources/skill-source.js';
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
  const text = (path: string): string | undefined => {
    const file = contents.files.find((entry) => entry.path === path);
    return file === undefined ? undefined : Buffer.from(file.content).toString('utf8');
  };
  const identity = parseSkillIdentity(text(SKILL_FILE) ?? '', `${name}@${version}/${SKILL_FILE}`);
  if (identity.name !== name || identity.version !== version) {
    throw new SkillsyncError('PACKAGE_INVALID', `${source.describe()} served ${identity.name}@${identity.version} for ${name}@${version}.`, {
      details: { name, version, actual: `${identity.name}@${identity.version}`, source: source.describe() },
    });
  }
  const sidecarText = text(SKILL_SIDECAR_FILE);
  let dependencies: Readonly<Record<string, string>> = {};
  if (sidecarText !== undefined) {
    const { sidecar, findings } = parseSkillSidecar(sidecarText, { file: `${name}@${version}/${SKILL_SIDECAR_FILE}` });
    if (sidecar === undefined) {
      const first = findings[0];
      throw new SkillsyncError('SKILL_SIDECAR_INVALID', `${name}@${version}: ${first?.message ?? 'invalid sidecar'}`, { details: { name, version } });
    }
    dependencies = sidecar.requires?.skills ?? {};
  }
  return { tarball: fetched.tarball, integrity: contents.integrity, signature: fetched.signature, dependencies };
}
