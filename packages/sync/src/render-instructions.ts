import { renderManagedBlock, type ScopedRulesLocation } from '@skillsync/clients';
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

/** An instruction for some files only: what a per-glob rule file is written for. */
export type ScopedInstruction = DesiredInstruction & { readonly scope: string };

export function isScoped(instruction: DesiredInstruction): instruction is ScopedInstruction {
  return instruction.scope !== undefined;
}

/**
 * The whole text of a scoped instruction's own rule file: the frontmatter that makes the
 * client load it only for files matching the scope, then the managed block. The block
 * keeps the "Applies to" line: the journal holds the block's hash, which then changes
 * with the scope, so a new scope is `outdated`, not taken for a hand edit of the frontmatter.
 */
export function renderScopedRuleFile(instruction: ScopedInstruction, rules: ScopedRulesLocation): string {
  const globs = splitGlobs(instruction.scope);
  const glob: FrontmatterValue = rules.globForm === 'string' ? globs.join(',') : rules.globForm === 'list' ? globs : { unquoted: globs.flatMap(expandBraces).join(',') };
  const frontmatter = { ...(rules.nameKey === undefined ? {} : { [rules.nameKey]: instruction.id }), ...rules.frontmatter, [rules.globKey]: glob };
  return renderOwnedInstructionsFile(renderInstructionsContent([instruction]), frontmatter);
}

/**
 * The file name of each scoped instruction's rule file, `skillsync-<name><extension>`, in
 * order: its id lowercased (two names differing by case alone are one file on a
 * case-insensitive disk), every run of characters but letters, digits, `.`, `_` and `-`
 * made one `-`, at most 64 characters, and numbered when two come out the same.
 */
export function scopedRuleFileNames(instructions: readonly ScopedInstruction[], extension: string): string[] {
  const used = new Set<string>();
  const trim = (text: string): string => text.replace(/^[-.]+|[-.]+$/g, '');
  return instructions.map((instruction) => {
    const base = trim(trim(instruction.id.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')).slice(0, 64)) || 'instruction';
    let name = base;
    for (let n = 2; used.has(name); n += 1) name = `${base}-${n}`;
    used.add(name);
    return `skillsync-${name}${extension}`;
  });
}

/** `a/**, b/*.{c,d}` → `a/**`, `b/*.{c,d}`: the globs of a comma-separated scope (commas inside braces belong to the glob). */
function splitGlobs(scope: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < scope.length; index += 1) {
    const char = scope[index];
    if (char === '{') depth += 1;
    else if (char === '}' && depth > 0) depth -= 1;
    else if (char === ',' && depth === 0) {
      parts.push(scope.slice(start, index));
      start = index + 1;
    }
  }
  parts.push(scope.slice(start));
  const globs = parts.map((part) => part.trim()).filter((part) => part !== '');
  return globs.length > 0 ? globs : [scope];
}

/** `src/*.{ts,tsx}` → `src/*.ts`, `src/*.tsx`, nested groups included; a group without a comma, or unclosed, stays as written. */
function expandBraces(glob: string): string[] {
  for (let open = glob.indexOf('{'); open !== -1; open = glob.indexOf('{', open + 1)) {
    let depth = 0;
    const bounds = [open];
    for (let index = open; index < glob.length; index += 1) {
      const char = glob[index];
      if (char === '{') depth += 1;
      else if (char === ',' && depth === 1) bounds.push(index);
      else if (char === '}') {
        depth -= 1;
        if (depth > 0) continue;
        if (bounds.length === 1) break;
        bounds.push(index);
        const head = glob.slice(0, open);
        const tail = glob.slice(index + 1);
        return bounds.slice(1).flatMap((end, at) => expandBraces(head + glob.slice((bounds[at] as number) + 1, end) + tail));
      }
    }
  }
  return [glob];
}

/**
 * The whole text of an instruction file skillsync owns (Cursor `.mdc`, Kiro steering,
 * Continue and Cline rules, per-glob rule files): the frontmatter the client needs, then
 * the managed block, so an edit inside the file shows up as drift just like in a shared file.
 */
export function renderOwnedInstructionsFile(content: string, frontmatter: Readonly<Record<string, FrontmatterValue>> | undefined): string {
  const head = frontmatter === undefined ? '' : renderFrontmatter(frontmatter);
  const block = renderManagedBlock(undefined, { id: INSTRUCTIONS_BLOCK_ID, content });
  // Rendering into an empty text cannot meet a foreign marker, so it never fails.
  if (!block.ok) throw new Error(`renderOwnedInstructionsFile: ${block.problem.message}`);
  return head + block.text;
}

/** A frontmatter value: a YAML scalar or list, or text a client reads as written (Cursor's `globs`). */
export type FrontmatterValue = string | boolean | readonly string[] | { readonly unquoted: string };

/** The frontmatter text, `---` fenced, followed by one blank line. */
export function renderFrontmatter(frontmatter: Readonly<Record<string, FrontmatterValue>>): string {
  const lines = Object.entries(frontmatter).map(([key, value]) => `${key}:${renderFrontmatterValue(value)}`);
  return `---\n${lines.join('\n')}\n---\n\n`;
}

function renderFrontmatterValue(value: FrontmatterValue): string {
  if (typeof value === 'boolean') return ` ${String(value)}`;
  if (typeof value === 'string') return ` ${yamlString(value)}`;
  if (Array.isArray(value)) return value.map((item: string) => `\n  - ${yamlString(item)}`).join('');
  // A line break would end the value and start a key of the manifest's choosing: quoted instead.
  const { unquoted } = value as { readonly unquoted: string };
  return ` ${/[\r\n]/.test(unquoted) ? JSON.stringify(unquoted) : unquoted}`;
}

/** Plain when YAML reads it back as the same string, double-quoted (JSON is valid YAML) otherwise. */
function yamlString(value: string): string {
  // No leading digit: YAML reads `1e5`, `0x1f` and `1_000` as numbers.
  const plain = /^[A-Za-z_][A-Za-z0-9 _.,()/-]*$/.test(value) && !/^(true|false|yes|no|on|off|null)$/i.test(value) && !value.endsWith(' ');
  return plain ? value : JSON.stringify(value);
}
