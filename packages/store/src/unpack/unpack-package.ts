import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathExists, SkillsyncError, syncDirectory } from '@skillsync/core';
import type { PackedFile } from '../pack/pack-skill.js';
import type { Integrity } from '../integrity/integrity.js';
import { readPackage, type ReadPackageOptions } from './read-package.js';
import { writePackageFiles } from './write-package-files.js';

export type UnpackOptions = ReadPackageOptions;

export interface UnpackedPackage {
  readonly integrity: Integrity;
  readonly dir: string;
  readonly files: readonly PackedFile[];
  readonly unpackedSize: number;
}

/**
 * Unpacks a package into `destDir`, which must not exist. The whole package is
 * validated in memory first; the files are then written to a temp folder beside
 * the destination and renamed into place, so on any failure nothing is left and
 * a reader never sees half a package.
 */
export async function unpackPackage(
  tarball: Uint8Array,
  destDir: string,
  options: UnpackOptions = {},
): Promise<UnpackedPackage> {
  const contents = await readPackage(tarball, options);
  const dest = path.resolve(destDir);
  if (await pathExists(dest)) {
    throw new SkillsyncError('FILE_WRITE_FAILED', `Cannot unpack into ${dest}: it already exists.`, {
      details: { path: dest, reason: 'exists' },
      hint: 'Unpack into a new folder, or remove the existing one first.',
    });
  }
  const parent = path.dirname(dest);
  const temp = path.join(parent, `.${path.basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(parent, { recursive: true });
    await writePackageFiles(contents.files, temp);
    await rename(temp, dest);
    await syncDirectory(parent);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not unpack into ${dest}: ${(error as Error).message}`, {
      details: { path: dest },
      cause: error,
    });
  }
  const files = contents.files.map((file) => ({ path: file.path, size: file.content.byteLength, mode: file.mode }));
  return {
    integrity: contents.integrity,
    dir: dest,
    files,
    unpackedSize: files.reduce((sum, file) => sum + file.size, 0),
  };
}
