import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeIntegrity } from '../integrity/integrity.js';
import { parseSignature, serializeSignature, signaturePathFor, signIntegrity, verifyPackageSignature } from './sign-integrity.js';
import { generateSigningKeyPair, keyIdOf, publicKeyOf } from './signing-key.js';

const integrity = computeIntegrity(Buffer.from('a package'));
const code = (code: string): unknown => expect.objectContaining({ code });

describe('package signatures', () => {
  const publisher = generateSigningKeyPair();
  const other = generateSigningKeyPair();

  it('generates ed25519 keys in the short public form', () => {
    expect(publisher.publicKey).toMatch(/^ed25519:[A-Za-z0-9+/]{43}=$/);
    expect(publisher.privateKeyPem).toContain('BEGIN PRIVATE KEY');
    expect(publicKeyOf(publisher.privateKeyPem)).toBe(publisher.publicKey);
    expect(keyIdOf(publisher.publicKey)).toMatch(/^[0-9a-f]{16}$/);
    expect(keyIdOf(other.publicKey)).not.toBe(keyIdOf(publisher.publicKey));
  });

  it('round-trips sign and verify, with the key as ed25519:… or as SPKI PEM', () => {
    const signature = signIntegrity(integrity, publisher.privateKeyPem);
    expect(signature).toMatchObject({ algorithm: 'ed25519', keyId: keyIdOf(publisher.publicKey) });
    const trusted = { name: 'acme', publicKey: publisher.publicKey };
    expect(verifyPackageSignature(integrity, signature, [{ publicKey: other.publicKey }, trusted])).toMatchObject({
      name: 'acme',
      keyId: signature.keyId,
    });
    const pem = createPublicKey(publisher.privateKeyPem).export({ type: 'spki', format: 'pem' }).toString();
    expect(keyIdOf(pem)).toBe(keyIdOf(publisher.publicKey));
    expect(() => verifyPackageSignature(integrity, signature, [{ publicKey: pem }])).not.toThrow();
  });

  it('stores the signature as a small stable JSON file next to the tarball', () => {
    const signature = signIntegrity(integrity, publisher.privateKeyPem);
    const text = serializeSignature(signature);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['algorithm', 'keyId', 'signature']);
    expect(parseSignature(text)).toEqual(signature);
    expect(signaturePathFor('/r/demo-1.0.0.tgz')).toBe('/r/demo-1.0.0.tgz.sig');
    expect(() => parseSignature('{')).toThrow(code('SIGNATURE_INVALID'));
    expect(() => parseSignature('{"algorithm":"rsa","keyId":"x","signature":"y"}')).toThrow(code('SIGNATURE_INVALID'));
  });

  it('refuses a signature by an untrusted key', () => {
    const signature = signIntegrity(integrity, other.privateKeyPem);
    expect(() => verifyPackageSignature(integrity, signature, [{ publicKey: publisher.publicKey }])).toThrow(
      code('SIGNATURE_UNTRUSTED_KEY'),
    );
    expect(() => verifyPackageSignature(integrity, signature, [])).toThrow(code('SIGNATURE_UNTRUSTED_KEY'));
  });

  it('refuses a tampered integrity, a forged key id and a corrupted signature', () => {
    const signature = signIntegrity(integrity, publisher.privateKeyPem);
    const trusted = [{ publicKey: publisher.publicKey }];
    const tampered = computeIntegrity(Buffer.from('another package'));
    expect(() => verifyPackageSignature(tampered, signature, trusted)).toThrow(code('SIGNATURE_INVALID'));
    const forged = { ...signIntegrity(integrity, other.privateKeyPem), keyId: signature.keyId };
    expect(() => verifyPackageSignature(integrity, forged, trusted)).toThrow(code('SIGNATURE_INVALID'));
    const bytes = Buffer.from(signature.signature, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    expect(() => verifyPackageSignature(integrity, { ...signature, signature: bytes.toString('base64') }, trusted)).toThrow(
      code('SIGNATURE_INVALID'),
    );
    expect(() => verifyPackageSignature(integrity, { ...signature, signature: 'short' }, trusted)).toThrow(
      code('SIGNATURE_INVALID'),
    );
    expect(() => verifyPackageSignature(integrity, { ...signature, algorithm: 'rsa' as never }, trusted)).toThrow(
      code('SIGNATURE_INVALID'),
    );
    expect(() => verifyPackageSignature('sha512-x', signature, trusted)).toThrow(code('INTEGRITY_INVALID'));
  });

  it('refuses malformed keys with KEY_INVALID, without echoing them', () => {
    const signature = signIntegrity(integrity, publisher.privateKeyPem);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const bad = [
      'ed25519:',
      'ed25519:AAAA',
      `ed25519:${Buffer.alloc(33).toString('base64')}`,
      'ssh-ed25519 AAAAC3Nza',
      '-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----',
      rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      publisher.privateKeyPem,
    ];
    for (const publicKey of bad) {
      expect(() => verifyPackageSignature(integrity, signature, [{ publicKey }])).toThrow(code('KEY_INVALID'));
      expect(() => keyIdOf(publicKey)).toThrow(code('KEY_INVALID'));
    }
    expect(() => signIntegrity(integrity, 'not a key')).toThrow(code('KEY_INVALID'));
    const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => signIntegrity(integrity, rsaPem)).toThrow(code('KEY_INVALID'));
    try {
      signIntegrity(integrity, publisher.privateKeyPem.replace('MC4', 'MC5'));
    } catch (error) {
      expect(JSON.stringify(error)).not.toContain(publisher.privateKeyPem.slice(40, 60));
    }
  });
});
