import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { levenshtein, suggest } from './suggest.js';

describe('levenshtein', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('abc', 'abc')).toBe(0);
    expect(levenshtein('flaw', 'lawn')).toBe(2);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(levenshtein('😀a', '😀b')).toBe(1);
  });

  it('is a metric: symmetric, zero only on equal strings, triangle inequality', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        expect(levenshtein(a, b)).toBe(levenshtein(b, a));
        expect(levenshtein(a, b) === 0).toBe(a === b);
        expect(levenshtein(a, c)).toBeLessThanOrEqual(levenshtein(a, b) + levenshtein(b, c));
      }),
    );
  });

  it('caps at limit + 1 when it stops early', () => {
    expect(levenshtein('aaaaaaaa', 'bbbbbbbb', 2)).toBe(3);
    expect(levenshtein('a', 'abcdef', 2)).toBe(3);
  });
});

describe('suggest', () => {
  const keys = ['name', 'description', 'license', 'allowed-tools', 'metadata', 'compatibility'];

  it('offers the closest candidate for a typo', () => {
    expect(suggest('descripton', keys)).toBe('description');
    expect(suggest('licence', keys)).toBe('license');
    expect(suggest('metdata', keys)).toBe('metadata');
  });

  it('treats case and _ versus - alike', () => {
    expect(suggest('allowed_tools', keys)).toBe('allowed-tools');
    expect(suggest('Name', keys)).toBe('name');
  });

  it('offers nothing when no candidate is plausibly meant', () => {
    expect(suggest('argument-hint', keys)).toBeUndefined();
    expect(suggest('x', keys)).toBeUndefined();
    expect(suggest('', keys)).toBeUndefined();
    expect(suggest('anything', [])).toBeUndefined();
  });

  it('honours an explicit maxDistance and keeps the first of equally close candidates', () => {
    expect(suggest('nmae', ['name'], { maxDistance: 1 })).toBeUndefined();
    expect(suggest('nmae', ['name'], { maxDistance: 2 })).toBe('name');
    expect(suggest('cat', ['bat', 'hat'])).toBe('bat');
  });

  it('only ever returns one of the candidates', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string()), (word, candidates) => {
        const found = suggest(word, candidates);
        if (found !== undefined) expect(candidates).toContain(found);
      }),
    );
  });
});
