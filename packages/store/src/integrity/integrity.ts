import { createHash, timingSafeEqual } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';

/** A package's identity: `sha512-<base64>` (Subresource Integrity form, as npm). */
export type Integrity = string;

export interface ParsedIntegrity {
  readonly algorithm: 'sha512';
  /** The 64 digest bytes. */
  readonly digest: Buffer;
}

const integrityPattern = /^sha512-([A-Za-z0-9+/]{86}==)$/;

export function computeIntegrity(bytes: Uint8Array): Integrity {
  return `sha512-${createHash('sha512').update(bytes).digest('base64')}`;
}

/**
 * Accepts exactly one sha512 digest in canonical padded base64: no other
 * algorithms, no SRI options, no list. Integrity strings are keys (store
 * directories, lockfile entries), so two spellings of one digest must not exist.
 */
export function parseIntegrity(value: string): ParsedIntegrity {
  const match = integrityPattern.exec(value);
  const base64 = match?.[1];
  const digest = base64 === undefined ? undefined : Buffer.from(base64, 'base64');
  if (digest?.length !== 64 || digest.toString('base64') !== base64) {
    throw new SkillsyncError('INTEGRITY_INVALID', `Invalid integrity ${JSON.stringify(value.slice(0, 120))}.`, {
      details: { integrity: value.slice(0, 120) },
    });
  }
  return { algorithm: 'sha512', digest };
}

export function isIntegrity(value: string): boolean {
  try {
    parseIntegrity(value);
    return true;
  } catch {
    return false;
  }
}

/** The digest as 128 lowercase hex characters: the store's directory names. */
export function integrityToHex(integrity: Integrity): string {
  return parseIntegrity(integrity).digest.toString('hex');
}

export function integrityFromHex(hex: string): Integrity | undefined {
  if (!/^[0-9a-f]{128}$/.test(hex)) return undefined;
  return `sha512-${Buffer.from(hex, 'hex').toString('base64')}`;
}

/** Throws INTEGRITY_MISMATCH unless both name the same digest; compares in constant time. */
export function verifyIntegrity(actual: Integrity, expected: Integrity): void {
  const a = parseIntegrity(actual).digest;
  const e = parseIntegrity(expected).digest;
  if (!timingSafeEqual(a, e)) {
    throw new SkillsyncError('INTEGRITY_MISMATCH', `Integrity mismatch: expected ${expected}, got ${actual}.`, {
      details: { expected, actual },
    });
  }
}
