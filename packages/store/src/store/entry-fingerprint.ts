import { lstatSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '@skillsync/core';
import { sameStamp, stampOf, stampsMatch, takeStampsSync, type PathStamp } from './folder-stamps.js';
import type { StoreMetadata } from './store-layout.js';

/**
 * What an entry's files looked like on disk right after they were last hashed:
 * every folder and file with its size, mtime, ctime, inode and mode (`PathStamp`,
 * folder-stamps.ts, the mechanism client skill folders are checked with too). If
 * none of these changed, the bytes were not rewritten, so an install can trust the
 * entry at the cost of one lstat per path instead of re-hashing it; anything else
 * (an edited, added or removed file also changes its folder's stamp) sends the entry
 * back through the full check. Fingerprints are machine-specific, so they live beside
 * the content (`root/checks/`), never inside an entry.
 *
 * Unlike a client's skill folder, a store entry is written only by skillsync, from
 * bytes it has just verified, and nothing else is meant to write there: so its stamps
 * are trusted as soon as they are taken (no "racy" window, see `stampsSettled`). A
 * tamperer who rewrites a file with the same size within the same clock tick as our
 * own write is not caught here; `store verify` re-hashes everything.
 */
export interface EntryFingerprint {
  /** The entry's metadata as verified, so a matching fingerprint answers without reading it again. */
  readonly metadata: StoreMetadata;
  readonly metadataStamp: PathStamp;
  readonly stamps: readonly PathStamp[];
}

export async function takeFingerprint(dir: string, metadataFile: string, metadata: StoreMetadata): Promise<EntryFingerprint> {
  const metadataStamp = stampOf(metadataFile, lstatSync(metadataFile));
  return Promise.resolve({ metadata, metadataStamp, stamps: takeStampsSync(dir) });
}

export async function fingerprintMatches(dir: string, metadataFile: string, fingerprint: EntryFingerprint): Promise<boolean> {
  if (fingerprint.stamps.length === 0 || fingerprint.metadataStamp.path !== metadataFile) return false;
  try {
    if (!sameStamp(lstatSync(metadataFile, { throwIfNoEntry: false }), fingerprint.metadataStamp)) return false;
  } catch {
    return false;
  }
  return Promise.resolve(stampsMatch(dir, fingerprint.stamps));
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

/** A damaged or foreign fingerprint (one written before stamps had a ctime, say) is simply not trusted: the entry gets the full check. */
function isFingerprint(value: unknown): value is EntryFingerprint {
  if (typeof value !== 'object' || value === null) return false;
  const { metadata, metadataStamp, stamps } = value as Partial<Record<keyof EntryFingerprint, unknown>>;
  return isMetadata(metadata) && isStamp(metadataStamp) && Array.isArray(stamps) && stamps.every(isStamp);
}

function isStamp(stamp: unknown): stamp is PathStamp {
  if (typeof stamp !== 'object' || stamp === null) return false;
  const fields = stamp as Record<string, unknown>;
  return typeof fields.path === 'string' && ['size', 'mtimeMs', 'ctimeMs', 'ino', 'mode'].every((key) => typeof fields[key] === 'number');
}

function isMetadata(value: unknown): value is StoreMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Record<string, unknown>;
  return typeof fields.name === 'string' && typeof fields.version === 'string' && typeof fields.integrity === 'string' && Array.isArray(fields.files);
}
