import { renderManagedBlock } from '@skillsync/clients';
import type { DesiredInstruction } from './create-desired-state.js';

/** The id of the one managed block every instruction file gets. */
export const INSTRUCTIONS_BLOCK_ID = 'instructions';

/**
 * Every desired instruction in one block body, each under its own heading, in manifest
 * order. A scoped instruction says which files it is for: one block serves every client,
 * and the model reads the scope where a client has no per-glob rule files.
 */
export function renderInstructionsContent(instructions: readonly DesiredInstruction[]): string {
  return instructions
    .map((instruction) => {
      const scope = instruction.scope === undefined ? '' : `Applies to files matching \`${instruction.scope}\`.\n\n`;
      return `## ${instruction.id}\n\n${scope}${instruction.content.replace(/\r\n/g, '\n').trim()}`;
    })
    .join('\n\n');
}

/**
 * The whole text of an instruction file skillsync owns (Cursor `.mdc`, Kiro steering,
 * Continue and Cline rules): the frontmatter the client needs, then the managed block,
 * so an edit inside the file shows up as drift just like in a shared file.
 */
export function renderOwnedInstructionsFile(content: string, frontmatter: Readonly<Record<string, string | boolean>> | undefined): string {
  const head = frontmatter === undefined ? '' : renderFrontmatter(frontmatter);
  const block = renderManagedBlock(undefined, { id: INSTRUCTIONS_BLOCK_ID, content });
  // Rendering into an empty text cannot meet a foreign marker, so it never fails.
  if (!block.ok) throw new Error(`renderOwnedInstructionsFile: ${block.problem.message}`);
  return head + block.text;
}

/** The frontmatter text, `---` fenced, followed by one blank line. */
export function renderFrontmatter(frontmatter: Readonly<Record<string, string | boolean>>): string {
  const lines = Object.entries(frontmatter).map(([key, value]) => `${key}: ${typeof value === 'boolean' ? String(value) : yamlString(value)}`);
  return `---\n${lines.join('\n')}\n---\n\n`;
}

/** Plain when YAML reads it back as the same string, double-quoted (JSON is valid YAML) otherwise. */
function yamlString(value: string): string {
  const plain = /^[A-Za-z0-9_][A-Za-z0-9 _.,()/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null|~|[0-9.]+)$/i.test(value) && !value.endsWith(' ');
  return plain ? value : JSON.stringify(value);
}
