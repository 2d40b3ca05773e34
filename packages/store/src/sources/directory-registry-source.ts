import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pathExists, SkillsyncError, syncDirectory } from '@skillsync/core';
import semver from 'semver';
import type { PackedSkill } from '../pack/pack-skill.js';
import { parseSignature, serializeSignature, signaturePathFor, type PackageSignature } from '../sign/sign-integrity.js';
import type { FetchedPackage, SkillSource } from './skill-source.js';
import { readSourceFile } from './tarball-source.js';

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** `<root>/<name>/<name>-<version>.tgz`, the layout of docs/directory-registry.md. */
export function directoryRegistryPath(root: string, name: string, version: string): string {
  checkName(name);
  if (semver.valid(version) !== version) throw new SkillsyncError('INVALID_INPUT', `\`${version}\` is not an exact version.`, { details: { version } });
  return path.join(root, name, `${name}-${version}.tgz`);
}

/**
 * A registry that is just a folder (local disk, a network share, a synced drive):
 * `<root>/<name>/<name>-<version>.tgz`, with an optional `.sig` next to each package.
 * `root` is a path or a `file://` URL.
 */
export function createDirectoryRegistrySource(root: string, options: { resolved: string }): SkillSource {
  const dir = toDirectory(root);
  return {
    async listVersions(name) {
      checkName(name);
      await checkRoot(dir, options.resolved);
      let entries: string[];
      try {
        entries = await readdir(path.join(dir, name));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw unreachable(options.resolved, error);
      }
      const prefix = `${name}-`;
      return entries
        .filter((entry) => entry.startsWith(prefix) && entry.endsWith('.tgz'))
        .map((entry) => entry.slice(prefix.length, -'.tgz'.length))
        .filter((version) => semver.valid(version) === version);
    },
    async fetch(name, version): Promise<FetchedPackage> {
      const file = directoryRegistryPath(dir, name, version);
      const tarball = await readSourceFile(file);
      if (tarball === undefined) {
        throw new SkillsyncError('VERSION_NOT_FOUND', `${name}@${version} is not in the registry ${options.resolved}.`, { details: { name, version, registry: options.resolved } });
      }
      const signatureText = await readSourceFile(signaturePathFor(file));
      if (signatureText === undefined) return { tarball };
      return { tarball, signature: parseSignature(signatureText.toString('utf8')) };
    },
    describe: () => options.resolved,
  };
}

export interface PublishedPackage {
  readonly tarballPath: string;
  readonly signaturePath?: string;
}

/**
 * Adds a packed skill to a directory registry. Versions are immutable: an existing
 * `name@version` is refused (VERSION_ALREADY_PUBLISHED) and nothing is written. Each file is
 * written to a temp name and hard-linked into place, which fails instead of
 * replacing when another publisher got there first; the signature goes first so a
 * reader never sees a signed package without its signature.
 */
export async function publishToDirectoryRegistry(root: string, packed: PackedSkill, signature?: PackageSignature): Promise<PublishedPackage> {
  const dir = toDirectory(root);
  const target = directoryRegistryPath(dir, packed.name, packed.version);
  const refuse = (): SkillsyncError =>
    new SkillsyncError('VERSION_ALREADY_PUBLISHED', `${packed.name}@${packed.version} is already published in ${dir}; published versions never change.`, {
      details: { name: packed.name, version: packed.version, path: target },
    });
  if (await pathExists(target)) throw refuse();
  await mkdir(path.dirname(target), { recursive: true });
  const signaturePath = signaturePathFor(target);
  if (signature !== undefined) {
    // A stale signature without its package is debris from an interrupted publish.
    await rm(signaturePath, { force: true });
    await writeExclusive(signaturePath, serializeSignature(signature), refuse);
  }
  await writeExclusive(target, packed.tarball, refuse);
  await syncDirectory(path.dirname(target));
  return signature === undefined ? { tarballPath: target } : { tarballPath: target, signaturePath };
}

async function writeExclusive(file: string, data: string | Uint8Array, refuse: () => SkillsyncError): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temp, data, { flag: 'wx', mode: 0o644 });
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw refuse();
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not write ${file}: ${(error as Error).message}`, { details: { path: file }, cause: error });
  } finally {
    await rm(temp, { force: true });
  }
}

function toDirectory(root: string): string {
  if (!root.startsWith('file:')) return root;
  try {
    return fileURLToPath(root);
  } catch (error) {
    throw new SkillsyncError('SOURCE_INVALID', `\`${root}\` is not a file:// URL of a folder.`, { details: { registry: root }, cause: error });
  }
}

function checkName(name: string): void {
  // The name becomes a path segment: anything but a skill name could leave the registry.
  if (!skillNamePattern.test(name)) throw new SkillsyncError('SKILL_NAME_INVALID', `\`${name}\` is not a skill name.`, { details: { name } });
}

async function checkRoot(dir: string, resolved: string): Promise<void> {
  try {
    if ((await stat(dir)).isDirectory()) return;
  } catch (error) {
    throw unreachable(resolved, error);
  }
  throw unreachable(resolved);
}

function unreachable(resolved: string, cause?: unknown): SkillsyncError {
  return new SkillsyncError('SOURCE_UNREACHABLE', `The registry ${resolved.replace(/^registry\+/, '')} is not a readable folder.`, { details: { registry: resolved }, cause });
}
