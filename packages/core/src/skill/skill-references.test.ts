import { describe, expect, it } from 'vitest';
import { findSkillReferences } from './skill-references.js';

describe('findSkillReferences', () => {
  it('finds relative links, images and definitions with their lines', () => {
    const body = [
      'See [forms](./references/FORMS.md#filling) and ![logo](assets/logo%20big.png "Logo").',
      '[ref]: references/api.md',
      'Web: [site](https://example.com), [mail](mailto:a@b.c), [top](#top), [abs](/etc/x), [var](${CLAUDE_SKILL_DIR}/x.md)',
      'Code: `[x](not-a-link.md)`',
      '```md',
      '[inside](fenced.md)',
      '```',
      '[up](../sibling/SKILL.md) [dir](scripts/)',
    ].join('\n');
    expect(findSkillReferences(body, 10).map((r) => [r.path, r.line])).toEqual([
      ['references/FORMS.md', 10],
      ['assets/logo big.png', 10],
      ['references/api.md', 11],
      ['../sibling/SKILL.md', 17],
      ['scripts', 17],
    ]);
  });
});
