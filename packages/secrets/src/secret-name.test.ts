import { isSkillsyncError } from '@skillsync/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertSecretName, assertSecretValue, isValidSecretName } from './secret-name.js';

describe('secret names and values', () => {
  it('accepts the names a ${secret:NAME} reference can spell, up to 128 characters', () => {
    for (const name of ['A', '_', 'GITHUB_TOKEN', 'npm.token', 'a-b_c.d', `x${'y'.repeat(127)}`]) expect(isValidSecretName(name), name).toBe(true);
    for (const name of ['', '1A', '-a', '.a', 'a b', 'a:b', 'a/b', 'ä', `x${'y'.repeat(128)}`, 'A\n']) expect(isValidSecretName(name), name).toBe(false);
  });

  it('any string is a valid name or SECRET_NAME_INVALID, whose message shows a long or odd name only by its length (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (name) => {
        try {
          assertSecretName(name);
          expect(isValidSecretName(name)).toBe(true);
        } catch (error) {
          expect(isSkillsyncError(error) && error.code === 'SECRET_NAME_INVALID').toBe(true);
          if (name.length > 64 || /[^\x21-\x7e]/.test(name)) expect((error as Error).message).toContain(`of ${name.length} characters`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('values are 1 byte to 64 KiB of UTF-8', () => {
    expect(() => { assertSecretValue('x'); }).not.toThrow();
    expect(() => { assertSecretValue('é'.repeat(32 * 1024)); }).not.toThrow();
    expect(() => { assertSecretValue(`${'é'.repeat(32 * 1024)}x`); }).toThrow(expect.objectContaining({ code: 'SECRET_VALUE_INVALID' }));
    expect(() => { assertSecretValue(''); }).toThrow(expect.objectContaining({ code: 'SECRET_VALUE_INVALID' }));
  });
});
