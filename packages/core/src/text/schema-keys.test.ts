import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { knownKeysAt } from './schema-keys.js';

describe('knownKeysAt', () => {
  const schema = z.object({
    skills: z.record(z.string(), z.union([z.string(), z.object({ version: z.string(), path: z.string() })])).optional(),
    list: z.array(z.object({ text: z.string() })).default([]),
    name: z.string(),
  });

  it('lists the keys at the root and inside records, unions and arrays', () => {
    expect(knownKeysAt(schema, [])).toEqual(['skills', 'list', 'name']);
    expect(knownKeysAt(schema, ['skills', 'pdf'])).toEqual(['version', 'path']);
    expect(knownKeysAt(schema, ['list', 0])).toEqual(['text']);
  });

  it('answers nothing where the schema has no object', () => {
    expect(knownKeysAt(schema, ['name'])).toEqual([]);
    expect(knownKeysAt(schema, ['nope', 'deeper'])).toEqual([]);
  });
});
