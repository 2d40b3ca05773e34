import { constants as zlibConstants, gzip } from 'node:zlib';
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isExcludedFromSkill, SkillsyncError } from '@skillsync/core';
import { buildCanonicalTar, comparePaths, normalizeMode, type CanonicalFile } from '../format/canonical-tar.js';
import { resolveLimits, type PackageLimits } from '../format/limits.js';
import { checkRelativePath, createPathRegistry } from '../format/package-path.js';
import { parseSkillIdentity, SKILL_FILE } from '../format/skill-identity.js';
import { computeIntegrity, type Integrity } from '../integrity/integrity.js';

const gzipAsync = promisify(gzip);

export interface PackedFile {
  /** Relative to the package root, `/`-separated. */
  readonly path: string;
  readonly size: number;
  /** 0o644 or 0o755. */
  readonly mode: number;
}

export interface PackedSkill {
  readonly name: string;
  readonly version: string;
  readonly integrity: Integrity;
  /** The gzip tarball (`.tgz`) bytes. */
  readonly tarball: Uint8Array;
  /** In package order (byte order of the path). */
  readonly files: readonly PackedFile[];
  readonly unpackedSize: number;
}

export interface PackOptions {
  readonly limits?: Partial<PackageLimits>;
}

/**
 * Packs a skill folder into a deterministic package: the same files always give
 * the same integrity, whatever their mtimes, owners, permission bits other than
 * execute, creation order or the machine. See docs/package-format.md.
 */
export async function packSkill(dir: string, options: PackOptions = {}): Promise<PackedSkill> {
  const limits = resolveLimits(options.limits);
  const root = await realpathOrThrow(dir);
  const collected = await collectFiles(root, limits);
  const skillFile = collected.find((file) => file.path === SKILL_FILE);
  if (skillFile === undefined) {
    throw new SkillsyncError('SKILL_MD_MISSING', `No ${SKILL_FILE} in ${dir}.`, { details: { path: dir } });
  }
  const identity = parseSkillIdentity(Buffer.from(skillFile.content).toString('utf8'), path.join(dir, SKILL_FILE));
  const tar = buildCanonicalTar(collected);
  const files = collected
    .map((file) => ({ path: file.path, size: file.content.byteLength, mode: normalizeMode(file.mode) }))
    .sort((a, b) => comparePaths(a.path, b.path));
  return {
    name: identity.name,
    version: identity.version,
    integrity: computeIntegrity(tar),
    tarball: await gzipDeterministic(tar),
    files,
    unpackedSize: files.reduce((sum, file) => sum + file.size, 0),
  };
}

/** The gzip header byte naming the OS that wrote the stream; 255 is "unknown". */
const gzipOsByte = 9;

/**
 * Level 9, header mtime 0 (Node never sets one), OS byte forced to 255 so the
 * wrapper does not say which platform packed it. Deflate output may still differ
 * between zlib builds, which is why identity is the digest of the tar, not of this.
 */
export async function gzipDeterministic(tar: Uint8Array): Promise<Buffer> {
  const out = await gzipAsync(tar, { level: zlibConstants.Z_BEST_COMPRESSION });
  out[gzipOsByte] = 255;
  return out;
}

async function realpathOrThrow(dir: string): Promise<string> {
  try {
    const real = await realpath(dir);
    if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (error) {
    throw new SkillsyncError('FILE_NOT_FOUND', `Skill folder ${dir} does not exist or is not a folder.`, {
      details: { path: dir },
      cause: error,
    });
  }
}

async function collectFiles(root: string, limits: PackageLimits): Promise<CanonicalFile[]> {
  const files: CanonicalFile[] = [];
  const registry = createPathRegistry();
  let total = 0;

  const tooLarge = (message: string, relative: string): SkillsyncError =>
    new SkillsyncError('PACKAGE_TOO_LARGE', message, { details: { path: relative, limits } });

  const visit = async (absoluteDir: string, relativeDir: string): Promise<void> => {
    const entries = await readdir(absoluteDir, { withFileTypes: true });
    entries.sort((a, b) => comparePaths(a.name, b.name));
    for (const entry of entries) {
      if (isExcludedFromSkill(entry.name)) continue;
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const absolute = path.join(absoluteDir, entry.name);
      const info = await lstat(absolute);
      if (info.isDirectory()) {
        await visit(absolute, relative);
        continue;
      }
      checkRelativePath(relative);
      const source = info.isSymbolicLink() ? await followLink(root, absolute, relative) : absolute;
      const target = source === absolute ? info : await stat(source);
      if (!target.isFile()) throw unsafeEntry(relative, describeType(target), 'Only regular files can be packed.');
      if (target.size > limits.maxFileSize) {
        throw tooLarge(`${relative} is ${target.size} bytes, over the ${limits.maxFileSize}-byte file limit.`, relative);
      }
      total += target.size;
      if (total > limits.maxTotalSize) {
        throw tooLarge(`The skill is over the ${limits.maxTotalSize}-byte package limit.`, relative);
      }
      if (files.length + 1 > limits.maxFiles) {
        throw tooLarge(`The skill has more than ${limits.maxFiles} files.`, relative);
      }
      registry.addFile(relative);
      files.push({ path: relative, mode: normalizeMode(target.mode), content: await readFile(source) });
    }
  };

  await visit(root, '');
  return files;
}

/**
 * A link is packed as the file it points to, but only when that file is inside
 * the skill: a link leaving the folder would pack whatever the packer's machine
 * has there (a key, a home directory file).
 */
async function followLink(root: string, absolute: string, relative: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(absolute);
  } catch (error) {
    throw unsafeEntry(relative, 'dangling-symlink', 'The symbolic link points to nothing; remove it or fix its target.', error);
  }
  const inside = path.relative(root, target);
  if (inside === '' || inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside)) {
    throw unsafeEntry(
      relative,
      'symlink-outside',
      'The symbolic link points outside the skill folder; copy the file into the skill instead.',
    );
  }
  if ((await stat(target)).isDirectory()) {
    throw unsafeEntry(relative, 'symlink-to-directory', 'Links to folders are not packed; make it a real folder.');
  }
  return target;
}

function unsafeEntry(relative: string, kind: string, hint: string, cause?: unknown): SkillsyncError {
  return new SkillsyncError('PACKAGE_UNSAFE_ENTRY', `Cannot pack ${relative}: ${kind}.`, {
    details: { path: relative, kind },
    hint,
    cause,
  });
}

function describeType(info: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (info.isFIFO()) return 'fifo';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'device';
  return 'special-file';
}
