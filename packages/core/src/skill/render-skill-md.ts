import { stringify } from 'yaml';
import { SPEC_FRONTMATTER_KEYS } from './skill-info.js';
import { byteOrder } from '../text/byte-order.js';

export interface SkillMdParts {
  /** The frontmatter fields; a field whose value is `undefined` is left out. */
  readonly frontmatter: Readonly<Record<string, unknown>>;
  /** The markdown under the frontmatter. */
  readonly body: string;
}

const specKeys: ReadonlySet<string> = new Set(SPEC_FRONTMATTER_KEYS);

/**
 * SKILL.md text from its parts. The frontmatter is YAML in a stable key order: the
 * specification's fields in its order, then any others in byte order, so the same
 * parts always give the same bytes whatever order a form sent them in. The body
 * follows a blank line (one it starts with is not doubled, so text read back with
 * `parseSkillMd` renders to itself) and ends with a newline. Pure.
 */
export function renderSkillMd(parts: SkillMdParts): string {
  const { frontmatter, body } = parts;
  const others = Object.keys(frontmatter)
    .filter((key) => !specKeys.has(key))
    .sort(byteOrder);
  const ordered: Record<string, unknown> = {};
  for (const key of [...SPEC_FRONTMATTER_KEYS, ...others]) {
    if (frontmatter[key] !== undefined) ordered[key] = frontmatter[key];
  }
  // lineWidth 0: a long description stays on one line, as people write it.
  const yaml = Object.keys(ordered).length === 0 ? '' : stringify(ordered, { lineWidth: 0 });
  const head = `---\n${yaml}---\n`;
  if (body === '') return head;
  const separated = /^\r?\n/.test(body) ? body : `\n${body}`;
  return `${head}${separated}${/\n$/.test(body) ? '' : '\n'}`;
}
