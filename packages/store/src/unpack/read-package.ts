import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { SkillsyncError } from '@skillsync/core';
import { Header, Pax, type HeaderData } from 'tar';
import { buildCanonicalTar, comparePaths, normalizeMode } from '../format/canonical-tar.js';
import { resolveLimits, tarStreamBudget, type PackageLimits } from '../format/limits.js';
import { createPathRegistry, toPackageRelativePath } from '../format/package-path.js';
import { SKILL_FILE } from '../format/skill-identity.js';
import { computeIntegrity, parseIntegrity, verifyIntegrity, type Integrity } from '../integrity/integrity.js';

const gunzipAsync = promisify(gunzip);

export interface PackageFile {
  /** Relative to the package root, `/`-separated, checked against the path rules. */
  readonly path: string;
  /** 0o644 or 0o755. */
  readonly mode: number;
  readonly content: Uint8Array;
}

export interface PackageContents {
  /** The digest of the canonical tar of `files`: see docs/package-format.md. */
  readonly integrity: Integrity;
  /** In package order (byte order of the path). */
  readonly files: readonly PackageFile[];
}

export interface ReadPackageOptions {
  /** When given, anything that does not decode to exactly this package is INTEGRITY_MISMATCH. */
  readonly expectedIntegrity?: Integrity;
  readonly limits?: Partial<PackageLimits>;
}

/**
 * Decodes and validates a package entirely in memory; nothing touches the disk.
 * Every refusal is a coded SkillsyncError: PACKAGE_INVALID (not gzip, not tar,
 * truncated, no SKILL.md), PACKAGE_UNSAFE_PATH, PACKAGE_UNSAFE_ENTRY,
 * PACKAGE_TOO_LARGE (checked while inflating, so a bomb is never inflated past
 * the budget), INTEGRITY_MISMATCH.
 */
export async function readPackage(tarball: Uint8Array, options: ReadPackageOptions = {}): Promise<PackageContents> {
  const limits = resolveLimits(options.limits);
  const expected = options.expectedIntegrity;
  if (expected !== undefined) parseIntegrity(expected);
  let files: PackageFile[];
  try {
    files = parseTar(await inflate(tarball, limits), limits);
  } catch (error) {
    // With a recorded integrity, bytes that do not even decode are simply not that package.
    if (expected !== undefined && error instanceof SkillsyncError && error.code === 'PACKAGE_INVALID') {
      throw new SkillsyncError('INTEGRITY_MISMATCH', `The package does not match ${expected}: ${error.message}`, {
        details: { expected, ...error.details },
        cause: error,
      });
    }
    throw error;
  }
  if (!files.some((file) => file.path === SKILL_FILE)) {
    throw invalid(`The package has no ${SKILL_FILE} at its root.`, 'skill-md-missing');
  }
  const integrity = computeIntegrity(buildCanonicalTar(files));
  if (expected !== undefined) verifyIntegrity(integrity, expected);
  return { integrity, files };
}

function invalid(message: string, reason: string, cause?: unknown): SkillsyncError {
  return new SkillsyncError('PACKAGE_INVALID', message, { details: { reason }, cause });
}

function tooLarge(message: string, details: Record<string, unknown>): SkillsyncError {
  return new SkillsyncError('PACKAGE_TOO_LARGE', message, { details });
}

/**
 * zlib stops as soon as its output passes `maxOutputLength`, so a small stream
 * that inflates to gigabytes costs at most the budget in memory and time.
 */
async function inflate(tarball: Uint8Array, limits: PackageLimits): Promise<Buffer> {
  if (tarball.byteLength < 18 || tarball[0] !== 0x1f || tarball[1] !== 0x8b || tarball[2] !== 0x08) {
    throw invalid('The file is not a gzip stream.', 'not-gzip');
  }
  const budget = tarStreamBudget(limits);
  try {
    return await gunzipAsync(tarball, { maxOutputLength: budget });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw tooLarge(`The package inflates to more than ${budget} bytes.`, { limit: budget, reason: 'inflated-size' });
    }
    throw invalid(`The gzip stream is corrupt or truncated: ${(error as Error).message}`, 'bad-gzip', error);
  }
}

const blockSize = 512;
const zeroBlock = Buffer.alloc(blockSize);
/** Bigger than any pax header the path rules allow, small enough to never matter. */
const maxMetaSize = 64 * 1024;

/**
 * A strict walk over the tar blocks, decoding each header with node-tar's `Header`
 * and pax bodies with its `Pax`. node-tar's streaming `Parser` is not used: it
 * sniffs for a nested gzip/zstd stream inside the tar (which would inflate
 * outside our byte budget), accepts a stream cut at an entry boundary, and
 * rewrites `\` to `/` only on Windows, so one package would read differently per
 * platform.
 */
function parseTar(tar: Buffer, limits: PackageLimits): PackageFile[] {
  const files: PackageFile[] = [];
  const registry = createPathRegistry();
  let total = 0;
  let offset = 0;
  let extended: HeaderData | undefined;
  let globalExtended: HeaderData | undefined;
  let ended = false;

  while (offset + blockSize <= tar.length) {
    const block = tar.subarray(offset, offset + blockSize);
    if (block.equals(zeroBlock)) {
      ended = true;
      break;
    }
    let header: Header;
    try {
      header = new Header(block, 0, extended, globalExtended);
    } catch (error) {
      throw invalid(`Unreadable tar header at byte ${offset}.`, 'bad-header', error);
    }
    if (!header.cksumValid) throw invalid(`Bad tar header checksum at byte ${offset}.`, 'bad-checksum');
    const size = header.size;
    if (size === undefined || !Number.isSafeInteger(size) || size < 0) {
      throw invalid(`Bad entry size at byte ${offset}.`, 'bad-size');
    }
    if (size > limits.maxFileSize && size > maxMetaSize) {
      throw tooLarge(`An entry at byte ${offset} is ${size} bytes, over the ${limits.maxFileSize}-byte file limit.`, {
        limit: limits.maxFileSize,
      });
    }
    const bodyStart = offset + blockSize;
    if (bodyStart + size > tar.length) throw invalid('The tar stream is truncated.', 'truncated');
    const body = tar.subarray(bodyStart, bodyStart + size);
    offset = bodyStart + Math.ceil(size / blockSize) * blockSize;

    const type = header.typeKey;
    if (type === 'x' || type === 'X' || type === 'g' || type === 'L' || type === 'N' || type === 'K') {
      if (size > maxMetaSize) throw tooLarge(`A tar extended header is over ${maxMetaSize} bytes.`, { reason: 'meta-size' });
      const text = body.toString('utf8');
      if (type === 'g') globalExtended = Pax.parse(text, globalExtended, true);
      else if (type === 'x' || type === 'X') extended = Pax.parse(text, extended, false);
      else if (type === 'K') extended = { ...extended, linkpath: text.replace(/\0[\s\S]*$/, '') };
      else extended = { ...extended, path: text.replace(/\0[\s\S]*$/, '') };
      continue;
    }

    // A pax or GNU long name replaces the ustar name and prefix as a whole.
    const entryPath = extended?.path ?? header.path ?? '';
    extended = undefined;

    if (type === '5') {
      registry.addDirectory(toPackageRelativePath(entryPath, { directory: true }));
      continue;
    }
    if (type !== '0' && type !== '' && type !== '7') {
      throw new SkillsyncError('PACKAGE_UNSAFE_ENTRY', `The package entry ${JSON.stringify(entryPath)} is a ${header.type}.`, {
        details: { path: entryPath, type: header.type },
      });
    }
    const relative = toPackageRelativePath(entryPath);
    if (size > limits.maxFileSize) {
      throw tooLarge(`${relative} is ${size} bytes, over the ${limits.maxFileSize}-byte file limit.`, { path: relative });
    }
    total += size;
    if (total > limits.maxTotalSize) {
      throw tooLarge(`The package unpacks to more than ${limits.maxTotalSize} bytes.`, { limit: limits.maxTotalSize });
    }
    if (files.length + 1 > limits.maxFiles) {
      throw tooLarge(`The package has more than ${limits.maxFiles} files.`, { limit: limits.maxFiles });
    }
    registry.addFile(relative);
    files.push({ path: relative, mode: normalizeMode(header.mode ?? 0o644), content: body });
  }
  if (!ended) throw invalid('The tar stream is truncated (no end-of-archive marker).', 'truncated');
  return files.sort((a, b) => comparePaths(a.path, b.path));
}
