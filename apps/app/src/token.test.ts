import { describe, expect, it } from 'vitest';
import { tokenFromHash } from './token.js';

describe('tokenFromHash', () => {
  it('reads the token the daemon puts in the fragment', () => {
    expect(tokenFromHash('#token=EC__cV19px9fQmQ_uz4P-A')).toBe('EC__cV19px9fQmQ_uz4P-A');
    expect(tokenFromHash('#x=1&token=abc')).toBe('abc');
  });

  it('finds none in an empty or other fragment', () => {
    for (const hash of ['', '#', '#token=', '#tokens=abc', '#/drift']) expect(tokenFromHash(hash)).toBeUndefined();
  });
});
