import { describe, expect, it } from 'vitest';
import { computeIntegrity, integrityFromHex, integrityToHex, isIntegrity, parseIntegrity, verifyIntegrity } from './integrity.js';

describe('integrity', () => {
  const value = computeIntegrity(Buffer.from('hello'));

  it('is the SRI sha512 of the bytes', () => {
    expect(value).toBe('sha512-m3HSJL1i83hdltRq0+o9czGb+8KJDKra4t/3JRlnPKcjI8PZm6XBHXx6zG4UuMXaDEZjR1wuXDre9G9zvN7AQw==');
    expect(parseIntegrity(value).digest).toHaveLength(64);
  });

  it('converts to and from hex', () => {
    const hex = integrityToHex(value);
    expect(hex).toMatch(/^[0-9a-f]{128}$/);
    expect(integrityFromHex(hex)).toBe(value);
    expect(integrityFromHex('XYZ')).toBeUndefined();
  });

  it.each([
    '',
    'sha512-',
    'sha256-LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=',
    `${value} ${value}`,
    `${value}?opt`,
    value.replace('sha512', 'SHA512'),
    value.slice(0, -2),
    value.replace('==', 'A='),
  ])('refuses %j with INTEGRITY_INVALID', (bad) => {
    expect(() => parseIntegrity(bad)).toThrow(expect.objectContaining({ code: 'INTEGRITY_INVALID' }));
    expect(isIntegrity(bad)).toBe(false);
  });

  it('verifies equal digests and refuses different ones', () => {
    expect(() => { verifyIntegrity(value, value); }).not.toThrow();
    expect(() => { verifyIntegrity(computeIntegrity(Buffer.from('hellO')), value); }).toThrow(
      expect.objectContaining({ code: 'INTEGRITY_MISMATCH' }),
    );
    expect(() => { verifyIntegrity('nope', value); }).toThrow(expect.objectContaining({ code: 'INTEGRITY_INVALID' }));
  });
});
