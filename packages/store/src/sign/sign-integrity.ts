import { createPublicKey, sign, verify } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';
import { parseIntegrity, type Integrity } from '../integrity/integrity.js';
import { keyIdOfObject, parsePrivateKey, parsePublicKey } from './signing-key.js';

/**
 * An ed25519 signature over the UTF-8 bytes of a package's integrity string.
 * Stored as `<tarball>.sig`, the JSON of this object (see docs/package-format.md).
 */
export interface PackageSignature {
  readonly algorithm: 'ed25519';
  /** keyIdOf(the signer's public key). */
  readonly keyId: string;
  /** base64 of the 64-byte signature. */
  readonly signature: string;
}

export interface TrustedKey {
  readonly name?: string;
  readonly publicKey: string;
}

export function signIntegrity(integrity: Integrity, privateKeyPem: string): PackageSignature {
  parseIntegrity(integrity);
  const key = parsePrivateKey(privateKeyPem);
  return {
    algorithm: 'ed25519',
    keyId: keyIdOfObject(createPublicKey(key)),
    signature: sign(null, Buffer.from(integrity, 'utf8'), key).toString('base64'),
  };
}

/**
 * Checks `signature` over `integrity` against the trusted keys and returns the
 * key that signed it. SIGNATURE_UNTRUSTED_KEY when no trusted key has the
 * signature's key id; SIGNATURE_INVALID when the signature is malformed or does
 * not verify; KEY_INVALID when a trusted key cannot be read.
 */
export function verifyPackageSignature(
  integrity: Integrity,
  signature: PackageSignature,
  trustedKeys: readonly TrustedKey[],
): TrustedKey & { keyId: string } {
  parseIntegrity(integrity);
  const bytes = signatureBytes(signature);
  const keys = trustedKeys.map((trusted) => ({ trusted, key: parsePublicKey(trusted.publicKey) }));
  const match = keys.find(({ key }) => keyIdOfObject(key) === signature.keyId);
  if (match === undefined) {
    throw new SkillsyncError('SIGNATURE_UNTRUSTED_KEY', `The package is signed by key ${signature.keyId}, which is not trusted.`, {
      details: { keyId: signature.keyId, integrity },
    });
  }
  if (!verify(null, Buffer.from(integrity, 'utf8'), match.key, bytes)) {
    throw invalidSignature(`The signature by key ${signature.keyId} does not verify for ${integrity}.`, signature.keyId);
  }
  return { ...match.trusted, keyId: signature.keyId };
}

function signatureBytes(signature: PackageSignature): Buffer {
  const algorithm: unknown = (signature as { algorithm: unknown }).algorithm;
  if (algorithm !== 'ed25519') throw invalidSignature(`Unsupported signature algorithm ${String(algorithm)}.`);
  if (typeof signature.keyId !== 'string' || !/^[0-9a-f]{16}$/.test(signature.keyId)) {
    throw invalidSignature('The signature has no valid key id.');
  }
  const bytes = typeof signature.signature === 'string' ? Buffer.from(signature.signature, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 64 || bytes.toString('base64') !== signature.signature) {
    throw invalidSignature('The signature is not 64 bytes of base64.', signature.keyId);
  }
  return bytes;
}

function invalidSignature(message: string, keyId?: string): SkillsyncError {
  return new SkillsyncError('SIGNATURE_INVALID', message, { details: keyId === undefined ? {} : { keyId } });
}

/** The path of the signature file that goes with a tarball. */
export function signaturePathFor(tarballPath: string): string {
  return `${tarballPath}.sig`;
}

/** The `.sig` file text: stable key order, one trailing newline. */
export function serializeSignature(signature: PackageSignature): string {
  const { algorithm, keyId, signature: value } = signature;
  return `${JSON.stringify({ algorithm, keyId, signature: value }, null, 2)}\n`;
}

/** Reads a `.sig` file; SIGNATURE_INVALID when it is not one. */
export function parseSignature(text: string): PackageSignature {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SkillsyncError('SIGNATURE_INVALID', 'The signature file is not JSON.', { cause: error });
  }
  if (typeof value !== 'object' || value === null) throw invalidSignature('The signature file is not a JSON object.');
  const { algorithm, keyId, signature } = value as Record<string, unknown>;
  if (algorithm !== 'ed25519' || typeof keyId !== 'string' || typeof signature !== 'string') {
    throw invalidSignature('The signature file needs `algorithm: "ed25519"`, `keyId` and `signature`.');
  }
  const parsed: PackageSignature = { algorithm, keyId, signature };
  signatureBytes(parsed);
  return parsed;
}
