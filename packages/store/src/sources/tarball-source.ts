import { readFile } from 'node:fs/promises';
import { SkillsyncError } from '@skillsync/core';
import { parseSkillIdentity, SKILL_FILE, type SkillIdentity } from '../format/skill-identity.js';
import { parseSignature, signaturePathFor, type PackageSignature } from '../sign/sign-integrity.js';
import { readPackage } from '../unpack/read-package.js';
import type { FetchedPackage, SkillSource } from './skill-source.js';

interface LoadedTarball {
  readonly tarball: Uint8Array;
  readonly identity: SkillIdentity;
  readonly signature: PackageSignature | undefined;
}

/** A `.tgz` package file, with the `<file>.sig` next to it when there is one. It offers one version. */
export function createTarballSource(file: string, options: { resolved: string }): SkillSource {
  let loaded: Promise<LoadedTarball> | undefined;
  const load = (): Promise<LoadedTarball> => (loaded ??= loadTarball(file));
  const check = (identity: SkillIdentity, name: string, version?: string): void => {
    if (identity.name !== name || (version !== undefined && identity.version !== version)) {
      throw new SkillsyncError('VERSION_NOT_FOUND', `${file} holds ${identity.name}@${identity.version}, not ${name}${version === undefined ? '' : `@${version}`}.`, {
        details: { path: file, name, version, actual: `${identity.name}@${identity.version}` },
      });
    }
  };
  return {
    async listVersions(name) {
      const { identity } = await load();
      if (identity.name !== name) check(identity, name);
      return [identity.version];
    },
    async fetch(name, version): Promise<FetchedPackage> {
      const { tarball, identity, signature } = await load();
      check(identity, name, version);
      return signature === undefined ? { tarball } : { tarball, signature };
    },
    describe: () => options.resolved,
  };
}

async function loadTarball(file: string): Promise<LoadedTarball> {
  const tarball = await readSourceFile(file);
  if (tarball === undefined) throw new SkillsyncError('FILE_NOT_FOUND', `The package ${file} does not exist.`, { details: { path: file } });
  const contents = await readPackage(tarball);
  const skill = contents.files.find((entry) => entry.path === SKILL_FILE);
  const identity = parseSkillIdentity(Buffer.from(skill?.content ?? []).toString('utf8'), `${file}/${SKILL_FILE}`);
  const signatureText = await readSourceFile(signaturePathFor(file));
  const signature = signatureText === undefined ? undefined : parseSignature(Buffer.from(signatureText).toString('utf8'));
  return { tarball, identity, signature };
}

/** The file's bytes, or undefined when it does not exist. */
export async function readSourceFile(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
  }
}
