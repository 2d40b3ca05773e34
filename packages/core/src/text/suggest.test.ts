import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editDistance, suggest } from './suggest.js';

describe('editDistance', () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('flaw', 'lawn')).toBe(2);
    expect(editDistance('jsno', 'json')).toBe(1);
    expect(editDistance('ab', 'ba')).toBe(1);
    expect(editDistance('abc', 'ca')).toBe(3);
  });

  it('counts code points, not UTF-16 units', () => {
    expect(editDistance('😀a', '😀b')).toBe(1);
  });

  it('is a metric: symmetric, zero only on equal strings, triangle inequality', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, c) => {
        expect(editDistance(a, b)).toBe(editDistance(b, a));
        expect(editDistance(a, b) === 0).toBe(a === b);
        expect(editDistance(a, c)).toBeLessThanOrEqual(editDistance(a, b) + editDistance(b, c));
      }),
    );
  });

  it('caps at limit + 1 when it stops early', () => {
    expect(editDistance('aaaaaaaa', 'bbbbbbbb', 2)).toBe(3);
    expect(editDistance('a', 'abcdef', 2)).toBe(3);
  });
});

describe('suggest', () => {
  const keys = ['name', 'description', 'license', 'allowed-tools', 'metadata', 'compatibility'];

  it('offers the closest candidate for a typo', () => {
    expect(suggest('descripton', keys)).toBe('description');
    expect(suggest('licence', keys)).toBe('license');
    expect(suggest('metdata', keys)).toBe('metadata');
    expect(suggest('--jsno', ['--json', '--cwd', '--quiet'])).toBe('--json');
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
    expect(suggest('nmx', ['name'], { maxDistance: 1 })).toBeUndefined();
    expect(suggest('nmx', ['name'], { maxDistance: 2 })).toBe('name');
    expect(suggest('nmae', ['name'], { maxDistance: 1 })).toBe('name');
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
