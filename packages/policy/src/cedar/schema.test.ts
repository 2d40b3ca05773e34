import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkPolicies } from './check-policies.js';
import { DEFAULT_POLICY, SKILLSYNC_CEDAR_SCHEMA } from './schema.js';

describe('the shipped schema and default policy', () => {
  it('docs/policy.md shows them exactly as shipped', async () => {
    const docs = await readFile(new URL('../../../../docs/policy.md', import.meta.url), 'utf8');
    expect(docs).toContain(SKILLSYNC_CEDAR_SCHEMA.trim());
    expect(docs).toContain(DEFAULT_POLICY.trim());
  });

  it('the default policy and every commented example in it validate without warnings', () => {
    const uncommented = DEFAULT_POLICY.split('\n')
      .map((line) => line.replace(/^\/\/ (forbid| {2})/, '$1'))
      .join('\n');
    expect(uncommented.match(/^forbid/gm)).toHaveLength(4);
    for (const text of [DEFAULT_POLICY, uncommented]) {
      expect(checkPolicies([{ id: 'default', text }])).toMatchObject({ ok: true, findings: [] });
    }
  });
});

describe('docs/policy.md', () => {
  it('every cedar policy example in it validates against the schema', async () => {
    const docs = await readFile(new URL('../../../../docs/policy.md', import.meta.url), 'utf8');
    const blocks = [...docs.matchAll(/```cedar\n([\s\S]*?)```/g)].map((match) => match[1]!).filter((block) => !block.includes('namespace Skillsync') && !block.includes('SkillsyncOrg::')); // org policies: rbac/engine.test.ts
    expect(blocks.length).toBeGreaterThan(5);
    for (const [index, text] of blocks.entries()) {
      expect(checkPolicies([{ id: `example${index}`, text }]), text).toMatchObject({ ok: true, findings: [] });
    }
  });
});
