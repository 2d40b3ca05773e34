import { createHash } from 'node:crypto';
import { codecFailure, type CodecFailure, type EditResult, type CodecReadResult } from './codec-result.js';
import { detectTextStyle } from './detect-text-style.js';
import { appendBlock, joinLines, removeLines, replaceLines, splitBom, splitLines, type TextLine } from './text-lines.js';

/**
 * The block skillsync owns inside an instruction file (AGENTS.md, CLAUDE.md,
 * `.cursor/rules/*.mdc`, …), between two HTML comments every Markdown renderer
 * hides. The begin marker carries a hash of the content as written, so a later run
 * can tell whether someone edited inside the block.
 */
export interface ManagedBlock {
  /** The text between the markers, with `\n` line endings and no final newline. */
  readonly content: string;
  /** False when the content no longer matches the hash in the begin marker. */
  readonly intact: boolean;
}

export interface ManagedBlockInput {
  readonly id: string;
  readonly content: string;
}

const MARKER = /^\s*<!--\s*skillsync:(begin|end)\s+(\S+)(?:\s+sha256=([0-9a-f]+))?\s*-->\s*$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The first 12 hex digits of the SHA-256 of the content with `\n` line endings. */
export function hashManagedContent(content: string): string {
  return createHash('sha256').update(normaliseContent(content), 'utf8').digest('hex').slice(0, 12);
}

export function readManagedBlock(text: string | undefined, id: string): CodecReadResult<ManagedBlock | undefined> {
  const lines = splitLines(splitBom(text ?? '').body);
  const found = findBlock(lines, checkedId(id));
  if (!found.ok) return found;
  if (found.block === undefined) return { ok: true, value: undefined };
  const { begin, end, hash } = found.block;
  const content = lines.slice(begin + 1, end).map((line) => line.text).join('\n');
  return { ok: true, value: { content, intact: hash !== undefined && hash === hashManagedContent(content) } };
}

/**
 * Writes the block: replaced in place when present, otherwise appended after the
 * existing text with one blank line between (or as the whole file when it is
 * empty). Text outside the block is untouched; the block uses the file's line ending.
 */
export function renderManagedBlock(text: string | undefined, input: ManagedBlockInput): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const id = checkedId(input.id);
  const content = normaliseContent(input.content);
  const contentLines = content === '' ? [] : content.split('\n');
  if (contentLines.some((line) => MARKER.test(line))) throw new Error('renderManagedBlock: the content must not contain skillsync markers');
  const lines = splitLines(body);
  const found = findBlock(lines, id);
  if (!found.ok) return found;
  const { eol } = detectTextStyle(body);
  const block = [`<!-- skillsync:begin ${id} sha256=${hashManagedContent(content)} -->`, ...contentLines, `<!-- skillsync:end ${id} -->`];
  const next = found.block === undefined ? appendBlock(lines, block, eol) : replaceLines(lines, found.block.begin, found.block.end + 1, block, eol);
  const rendered = joinLines(next);
  return rendered === body ? { ok: true, text: text ?? '', changed: false } : { ok: true, text: bom + rendered, changed: true };
}

/** Deletes the block and the blank line that separated it; absent → unchanged. */
export function removeManagedBlock(text: string | undefined, id: string): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const lines = splitLines(body);
  const found = findBlock(lines, checkedId(id));
  if (!found.ok) return found;
  if (found.block === undefined) return { ok: true, text: text ?? '', changed: false };
  return { ok: true, text: bom + joinLines(removeLines(lines, found.block.begin, found.block.end + 1, 'separated')), changed: true };
}

function checkedId(id: string): string {
  if (!ID.test(id)) throw new TypeError(`managed block id "${id}" must be letters, digits and . _ : @ / -`);
  return id;
}

function normaliseContent(content: string): string {
  return content.replace(/\r\n/g, '\n').replace(/\n+$/, '');
}

type Found = { ok: true; block: { begin: number; end: number; hash: string | undefined } | undefined } | CodecFailure;

/**
 * Finds the one begin/end pair for `id`, skipping YAML frontmatter and fenced code
 * (where markers are examples, not ours). Inside our block fences are not tracked:
 * the content is ours and an unclosed fence in it must not hide the end marker.
 */
function findBlock(lines: readonly TextLine[], id: string): Found {
  let index = frontmatterEnd(lines);
  let fence: string | undefined;
  let begin: { line: number; hash: string | undefined } | undefined;
  let block: { begin: number; end: number; hash: string | undefined } | undefined;
  for (; index < lines.length; index += 1) {
    const text = lines[index]?.text ?? '';
    const marker = MARKER.exec(text);
    const ours = marker !== null && marker[2] === id;
    if (begin !== undefined) {
      if (!ours) continue;
      if (marker[1] === 'begin') return unbalanced(index, id, 'a second begin marker before the end marker');
      block = { begin: begin.line, end: index, hash: begin.hash };
      begin = undefined;
      continue;
    }
    const fenceMatch = FENCE.exec(text);
    if (fence !== undefined) {
      if (fenceMatch?.[1] !== undefined && fenceMatch[1][0] === fence[0] && fenceMatch[1].length >= fence.length && text.trim() === fenceMatch[1]) fence = undefined;
      continue;
    }
    if (fenceMatch?.[1] !== undefined) {
      fence = fenceMatch[1];
      continue;
    }
    if (!ours) continue;
    if (marker[1] === 'end') return unbalanced(index, id, 'an end marker without a begin marker');
    if (block !== undefined) return unbalanced(index, id, 'a second block');
    begin = { line: index, hash: marker[3] };
  }
  if (begin !== undefined) return unbalanced(begin.line, id, 'a begin marker without an end marker');
  return { ok: true, block };
}

function unbalanced(line: number, id: string, what: string): CodecFailure {
  return codecFailure('CLIENT_FILE_INVALID', `The skillsync markers for "${id}" are unbalanced: ${what}.`, { line: line + 1, column: 1 });
}

/** The first line after a leading `---` … `---` frontmatter (0 when there is none or it is unclosed). */
function frontmatterEnd(lines: readonly TextLine[]): number {
  if (lines[0]?.text.trimEnd() !== '---') return 0;
  for (let index = 1; index < lines.length; index += 1) {
    const text = lines[index]?.text.trimEnd();
    if (text === '---' || text === '...') return index + 1;
  }
  return 0;
}

/**
 * The whole text becomes the block: what `import` took over from a file is moved
 * inside skillsync's markers, keeping the file's byte-order mark and line ending.
 */
export function wrapInManagedBlock(text: string, input: ManagedBlockInput): string {
  const { bom, body } = splitBom(text);
  const { eol } = detectTextStyle(body);
  const rendered = renderManagedBlock(undefined, input);
  // Rendering into an empty text cannot meet a foreign marker.
  if (!rendered.ok) throw new Error(`wrapInManagedBlock: ${rendered.problem.message}`);
  return bom + (eol === '\n' ? rendered.text : rendered.text.replaceAll('\n', eol));
}
