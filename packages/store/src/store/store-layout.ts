import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { SkillsyncError } from '@skillsync/core';
import type { PackedFile } from '../pack/pack-skill.js';
import { integrityToHex, type Integrity } from '../integrity/integrity.js';

/** Bump when the layout changes; old and new stores can then live side by side. */
export const STORE_LAYOUT_VERSION = 'v1';

/** What `<hex>.json` holds: no timestamps, so equal packages give equal bytes on every machine. */
export interface StoreMetadata {
  readonly name: string;
  readonly version: string;
  readonly integrity: Integrity;
  readonly files: readonly PackedFile[];
}

export interface StorePaths {
  readonly root: string;
  readonly entries: string;
  readonly tmp: string;
  /** Machine-specific fingerprints of verified entries (entry-fingerprint.ts). */
  readonly checks: string;
}

export function storePaths(root: string): StorePaths {
  const resolved = path.resolve(root);
  return { root: resolved, entries: path.join(resolved, STORE_LAYOUT_VERSION), tmp: path.join(resolved, 'tmp'), checks: path.join(resolved, 'checks') };
}

/** The folder holding an entry's files. */
export function entryDir(paths: StorePaths, integrity: Integrity): string {
  return path.join(paths.entries, integrityToHex(integrity));
}

/** The folder of the store entry `integrity` in the store at `root` (whether or not the store holds it). */
export function storeEntryDir(root: string, integrity: Integrity): string {
  return entryDir(storePaths(root), integrity);
}

/** The entry's metadata file: written last, so its presence is what commits the entry. */
export function entryMetadataFile(paths: StorePaths, integrity: Integrity): string {
  return `${entryDir(paths, integrity)}.json`;
}

export function serializeMetadata(metadata: StoreMetadata): string {
  const { name, version, integrity } = metadata;
  const files = metadata.files.map(({ path: file, size, mode }) => ({ path: file, size, mode }));
  return `${JSON.stringify({ name, version, integrity, files }, null, 2)}\n`;
}

/** Parses `<hex>.json`; undefined when absent, STORE_CORRUPT when unreadable. */
export async function readMetadata(file: string): Promise<StoreMetadata | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw corrupt(file, 'unreadable', error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, 'not JSON', error);
  }
  if (!isMetadata(value)) throw corrupt(file, 'not store metadata');
  return value;
}

function isMetadata(value: unknown): value is StoreMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const { name, version, integrity, files } = value as Record<string, unknown>;
  return (
    typeof name === 'string' &&
    typeof version === 'string' &&
    typeof integrity === 'string' &&
    Array.isArray(files) &&
    files.every((file: unknown) => {
      if (typeof file !== 'object' || file === null) return false;
      const { path: filePath, size, mode } = file as Record<string, unknown>;
      return typeof filePath === 'string' && typeof size === 'number' && typeof mode === 'number';
    })
  );
}

function corrupt(file: string, reason: string, cause?: unknown): SkillsyncError {
  return new SkillsyncError('STORE_CORRUPT', `Store metadata ${file} is ${reason}.`, { details: { path: file, reason }, cause });
}

export async function makeTempDir(paths: StorePaths): Promise<string> {
  await mkdir(paths.tmp, { recursive: true });
  return path.join(paths.tmp, randomBytes(8).toString('hex'));
}

/**
 * Removes a directory so that no reader can ever see it half-deleted at its
 * place: it is first renamed into tmp/ (atomic), then deleted there. A directory
 * under v1/ is therefore always complete.
 */
export async function removeDirectory(paths: StorePaths, dir: string): Promise<void> {
  const doomed = await makeTempDir(paths);
  try {
    await rename(dir, doomed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  await rm(doomed, { recursive: true, force: true });
}

/** Sum of the sizes of the regular files under `target` (or of `target` itself). */
export async function diskUsage(target: string): Promise<number> {
  let info;
  try {
    info = await lstat(target);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const entry of await readdir(target)) total += await diskUsage(path.join(target, entry));
  return total;
}

export async function listNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
