import { lstat, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '@skillsync/core';
import type { StoreMetadata } from './store-layout.js';

/**
 * What an entry's files looked like on disk right after they were last hashed:
 * every folder and file with its size, mtime, inode and mode. If none of these
 * changed, the bytes were not rewritten in place, so an install can trust the
 * entry at the cost of one lstat per path instead of re-hashing it; anything
 * else (an edited, added or removed file also changes its folder's mtime) sends
 * the entry back through the full check. Fingerprints are machine-specific, so
 * they live beside the content (`root/checks/`), never inside an entry.
 */
interface PathStamp {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
  readonly mode: number;
}

export interface EntryFingerprint {
  /** The entry's metadata as verified, so a matching fingerprint answers without reading it again. */
  readonly metadata: StoreMetadata;
  readonly metadataStamp: PathStamp;
  readonly stamps: readonly PathStamp[];
}

export async function takeFingerprint(dir: string, metadataFile: string, metadata: StoreMetadata): Promise<EntryFingerprint> {
  const stamps: PathStamp[] = [];
  const info = await lstat(metadataFile);
  const metadataStamp = { path: metadataFile, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, mode: info.mode };
  const visit = async (relative: string): Promise<void> => {
    const absolute = relative === '' ? dir : path.join(dir, relative);
    const info = await lstat(absolute);
    stamps.push({ path: relative, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino, mode: info.mode });
    if (!info.isDirectory()) return;
    for (const name of (await readdir(absolute)).sort()) await visit(relative === '' ? name : `${relative}/${name}`);
  };
  await visit('');
  return { metadata, metadataStamp, stamps };
}

export async function fingerprintMatches(dir: string, metadataFile: string, fingerprint: EntryFingerprint): Promise<boolean> {
  const same = async (absolute: string, stamp: PathStamp): Promise<boolean> => {
    try {
      const info = await lstat(absolute);
      return info.size === stamp.size && info.mtimeMs === stamp.mtimeMs && info.ino === stamp.ino && info.mode === stamp.mode;
    } catch {
      return false;
    }
  };
  if (fingerprint.stamps.length === 0 || fingerprint.metadataStamp.path !== metadataFile) return false;
  const results = await Promise.all([
    same(metadataFile, fingerprint.metadataStamp),
    ...fingerprint.stamps.map((stamp) => same(stamp.path === '' ? dir : path.join(dir, stamp.path), stamp)),
  ]);
  return results.every(Boolean);
}

export async function readFingerprint(file: string): Promise<EntryFingerprint | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
    return isFingerprint(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export async function writeFingerprint(file: string, fingerprint: EntryFingerprint): Promise<void> {
  await writeFileAtomic(file, JSON.stringify(fingerprint));
}

export async function removeFingerprint(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** A damaged or foreign fingerprint is simply not trusted: the entry gets the full check. */
function isFingerprint(value: unknown): value is EntryFingerprint {
  if (typeof value !== 'object' || value === null) return false;
  const { metadata, metadataStamp, stamps } = value as Partial<Record<keyof EntryFingerprint, unknown>>;
  return isMetadata(metadata) && isStamp(metadataStamp) && Array.isArray(stamps) && stamps.every(isStamp);
}

function isStamp(stamp: unknown): stamp is PathStamp {
  if (typeof stamp !== 'object' || stamp === null) return false;
  const fields = stamp as Record<string, unknown>;
  return typeof fields.path === 'string' && ['size', 'mtimeMs', 'ino', 'mode'].every((key) => typeof fields[key] === 'number');
}

function isMetadata(value: unknown): value is StoreMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields.name === 'string' && typeof fields.version === 'string' && typeof fields.integrity === 'string' && Array.isArray(fields.files);
}
