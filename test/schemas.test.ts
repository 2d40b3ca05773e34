import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { manifestJsonSchema, skillSidecarJsonSchema } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './support/corpus.js';

// The published schemas are committed so editors and reviewers can use them; they
// must be exactly what the code validates against (`npm run schemas` regenerates them).
describe('published JSON Schemas', () => {
  it.each([
    ['manifest.schema.json', manifestJsonSchema],
    ['skill-sidecar.schema.json', skillSidecarJsonSchema],
  ] as const)('schemas/%s matches the schema in the code', async (file, generate) => {
    const committed: unknown = JSON.parse(await readFile(path.join(repoRoot, 'schemas', file), 'utf8'));
    expect(committed).toEqual(generate());
  });
});
