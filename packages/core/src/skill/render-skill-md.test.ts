import { describe, expect, it } from 'vitest';
import { parseSkillMd } from './parse-skill-md.js';
import { renderSkillMd } from './render-skill-md.js';

describe('renderSkillMd', () => {
  it('orders the specification fields first, in its order, then the others by byte order', () => {
    const text = renderSkillMd({
      frontmatter: { metadata: { version: '1.0.0' }, zeta: 1, 'allowed-tools': 'Read', Alpha: true, description: 'Does things.', name: 'tool' },
      body: '# Tool\n',
    });
    expect(text).toBe(
      '---\nname: tool\ndescription: Does things.\nallowed-tools: Read\nmetadata:\n  version: 1.0.0\nAlpha: true\nzeta: 1\n---\n\n# Tool\n',
    );
  });

  it('gives the same bytes for the same fields in any order, and leaves undefined fields out', () => {
    const one = renderSkillMd({ frontmatter: { name: 'a', description: 'b', license: undefined }, body: 'x' });
    const two = renderSkillMd({ frontmatter: { description: 'b', name: 'a' }, body: 'x' });
    expect(one).toBe(two);
    expect(one).not.toContain('license');
  });

  it('quotes what YAML would misread and keeps long descriptions on one line', () => {
    const description = `Use when asked "what changed?" # not a comment: ${'x'.repeat(200)}`;
    const text = renderSkillMd({ frontmatter: { name: 'n', description, metadata: { version: '1.0' } }, body: 'b\n' });
    const parsed = parseSkillMd(text);
    expect(parsed.findings).toEqual([]);
    expect(parsed.frontmatter).toEqual({ name: 'n', description, metadata: { version: '1.0' } });
    expect(text.split('\n').filter((line) => line.startsWith('description:'))).toHaveLength(1);
  });

  it('renders text read back with parseSkillMd to itself, and ends the body with a newline', () => {
    const first = renderSkillMd({ frontmatter: { name: 'n', description: 'd' }, body: '# Title\n\nSteps' });
    expect(first.endsWith('Steps\n')).toBe(true);
    const parsed = parseSkillMd(first);
    expect(renderSkillMd({ frontmatter: parsed.frontmatter ?? {}, body: parsed.body })).toBe(first);
  });

  it('writes only the frontmatter when the body is empty', () => {
    expect(renderSkillMd({ frontmatter: { name: 'n' }, body: '' })).toBe('---\nname: n\n---\n');
  });
});
