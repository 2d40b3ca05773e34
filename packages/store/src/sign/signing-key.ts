import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SkillsyncError } from '@skillsync/core';

export interface SigningKeyPair {
  /** `ed25519:<base64 of the raw 32-byte key>`: short enough for skillsync.yaml `trust.keys`. */
  readonly publicKey: string;
  /** PKCS#8 PEM. Keep it secret; never commit it. */
  readonly privateKeyPem: string;
}

const publicKeyPrefix = 'ed25519:';

export function generateSigningKeyPair(): SigningKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: formatPublicKey(publicKey),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The short fingerprint a signature names its key by: first 16 hex digits of sha256(raw key). */
export function keyIdOf(publicKey: string): string {
  return keyIdOfObject(parsePublicKey(publicKey));
}

export function keyIdOfObject(key: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(key)).digest('hex').slice(0, 16);
}

/** The `ed25519:<base64>` form of the public half of a private key. */
export function publicKeyOf(privateKeyPem: string): string {
  return formatPublicKey(createPublicKey(parsePrivateKey(privateKeyPem)));
}

function formatPublicKey(key: KeyObject): string {
  return publicKeyPrefix + rawPublicKey(key).toString('base64');
}

function rawPublicKey(key: KeyObject): Buffer {
  const x = key.export({ format: 'jwk' }).x;
  if (x === undefined) throw new Error('an ed25519 public key always has x');
  return Buffer.from(x, 'base64url');
}

function keyInvalid(reason: string, cause?: unknown): SkillsyncError {
  // Never echo the key: a pasted private key must not reach a log.
  return new SkillsyncError('KEY_INVALID', `Invalid key: ${reason}.`, { details: { reason }, cause });
}

/** Accepts `ed25519:<base64>` (32 raw bytes) or an SPKI PEM ("BEGIN PUBLIC KEY"); never private keys. */
export function parsePublicKey(value: string): KeyObject {
  const text = value.trim();
  if (text.startsWith(publicKeyPrefix)) {
    const base64 = text.slice(publicKeyPrefix.length);
    const raw = Buffer.from(base64, 'base64');
    if (raw.length !== 32 || raw.toString('base64') !== base64) throw keyInvalid('not 32 bytes of base64');
    try {
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
    } catch (error) {
      throw keyInvalid('not an ed25519 public key', error);
    }
  }
  if (!/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----$/.test(text)) {
    throw keyInvalid('expected `ed25519:<base64>` or a PEM public key');
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (error) {
    throw keyInvalid('unreadable PEM public key', error);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyInvalid(`a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519`);
  return key;
}

export function parsePrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (error) {
    throw keyInvalid('unreadable private key', error);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw keyInvalid(`a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519`);
  return key;
}
