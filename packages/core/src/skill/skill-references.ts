import path from 'node:path';

/** A relative file link found in a SKILL.md body. */
export interface SkillReference {
  /** The link target as written. */
  target: string;
  /** The target as a normalised path relative to the skill root (may start with `../`). */
  path: string;
  /** 1-based line in SKILL.md. */
  line: number;
  column: number;
}

const inlineLink = /!?\[(?:[^\]\\]|\\.)*\]\(\s*(<[^>\n]*>|[^\s()]+(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g;
const referenceDefinition = /^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)/;
const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The relative links of a Markdown body (inline links, images and reference
 * definitions), outside code blocks and code spans. URLs, anchors, absolute paths and
 * templated targets (`${VAR}`, `{{x}}`) are not files in the skill and are left out.
 */
export function findSkillReferences(body: string, bodyStartLine: number): SkillReference[] {
  const references: SkillReference[] = [];
  let fence: string | undefined;
  body.split(/\r\n|\n|\r/).forEach((rawLine, index) => {
    const opener = fenceOpen.exec(rawLine)?.[1];
    if (fence !== undefined) {
      if (opener !== undefined && opener[0] === fence[0] && opener.length >= fence.length && rawLine.trim() === opener) fence = undefined;
      return;
    }
    if (opener !== undefined) {
      fence = opener;
      return;
    }
    // Blank code spans out but keep columns aligned.
    const line = rawLine.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
    const add = (rawTarget: string, column: number): void => {
      const resolved = resolveTarget(rawTarget);
      if (resolved !== undefined) references.push({ target: rawTarget, path: resolved, line: bodyStartLine + index, column });
    };
    for (const match of line.matchAll(inlineLink)) {
      const target = match[1];
      if (target !== undefined) add(target, match.index + 1);
    }
    const definition = referenceDefinition.exec(line);
    if (definition?.[1] !== undefined) add(definition[1], 1);
  });
  return references;
}

function resolveTarget(raw: string): string | undefined {
  let target = raw.startsWith('<') && raw.endsWith('>') ? raw.slice(1, -1) : raw;
  target = target.replace(/[#?].*$/, '');
  if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('/') || target.startsWith('~') || /\$|\{\{/.test(target)) {
    return undefined;
  }
  try {
    target = decodeURI(target);
  } catch {
    // A malformed escape is checked as written.
  }
  const normalised = path.posix.normalize(target.replaceAll('\\', '/')).replace(/\/$/, '');
  return normalised === '.' || normalised === '' ? undefined : normalised;
}
