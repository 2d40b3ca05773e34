import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, digestArguments } from './hooks.js';

describe('canonicalJson and digestArguments', () => {
  it('sorts keys at every level, in byte order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null }, B: 'x' })).toBe('{"B":"x","a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives equal objects the same digest whatever the key order', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (value) => {
        const reversed = Object.fromEntries(Object.entries(value).reverse());
        expect(digestArguments(reversed)).toBe(digestArguments(value));
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('is sha256 of the canonical text, never the arguments themselves', () => {
    const digest = digestArguments({ password: 'hunter2', user: 'ada' });
    expect(digest).toBe(`sha256:${createHash('sha256').update('{"password":"hunter2","user":"ada"}').digest('hex')}`);
    expect(digest).not.toContain('hunter2');
    expect(digestArguments(undefined)).toBe(digestArguments({}));
  });
});
