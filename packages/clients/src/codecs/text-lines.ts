/**
 * Line-level splicing for the codecs that edit whole lines (TOML sections, YAML
 * entries, Markdown blocks). Each line keeps its own ending, so a mixed or CRLF file
 * keeps its bytes, and the absence of a final newline survives an append and its removal.
 */
export interface TextLine {
  readonly text: string;
  /** `\n` or `\r\n`; empty only on a last line without a final newline. */
  readonly eol: string;
}

const BOM = '\uFEFF';

/** Splits off a byte-order mark, which parsers reject and we must write back. */
export function splitBom(text: string): { bom: string; body: string } {
  return text.startsWith(BOM) ? { bom: BOM, body: text.slice(1) } : { bom: '', body: text };
}

export function splitLines(text: string): TextLine[] {
  const lines: TextLine[] = [];
  let start = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
    const crlf = index > start && text[index - 1] === '\r';
    lines.push({ text: text.slice(start, crlf ? index - 1 : index), eol: crlf ? '\r\n' : '\n' });
    start = index + 1;
  }
  if (start < text.length) lines.push({ text: text.slice(start), eol: '' });
  return lines;
}

export function joinLines(lines: readonly TextLine[]): string {
  return lines.map((line) => line.text + line.eol).join('');
}

export function isBlankLine(line: TextLine | undefined): boolean {
  return line !== undefined && line.text.trim() === '';
}

/**
 * Inserts `block` before line `index`. At the end of a file without a final newline,
 * the old last line gets one and the block's last line goes without, so the file
 * still ends the way it did.
 */
export function insertLines(lines: readonly TextLine[], index: number, block: readonly string[], eol: string): TextLine[] {
  const before = lines.slice(0, index);
  const after = lines.slice(index);
  const last = before.at(-1);
  const keepNoFinalNewline = after.length === 0 && last !== undefined && last.eol === '';
  if (keepNoFinalNewline) before[before.length - 1] = { text: last.text, eol };
  const inserted = block.map((text, position) => ({
    text,
    eol: keepNoFinalNewline && position === block.length - 1 ? '' : eol,
  }));
  return [...before, ...inserted, ...after];
}

/** Appends `block` after one blank line (or as the whole file when it is empty). */
export function appendBlock(lines: readonly TextLine[], block: readonly string[], eol: string): TextLine[] {
  if (lines.length === 0) return block.map((text) => ({ text, eol }));
  return insertLines(lines, lines.length, ['', ...block], eol);
}

/** Replaces lines `[start, end)`; the block's last line keeps the ending of the last replaced line. */
export function replaceLines(lines: readonly TextLine[], start: number, end: number, block: readonly string[], eol: string): TextLine[] {
  const lastEol = lines[end - 1]?.eol ?? eol;
  const inserted = block.map((text, position) => ({ text, eol: position === block.length - 1 ? lastEol : eol }));
  return [...lines.slice(0, start), ...inserted, ...lines.slice(end)];
}

/**
 * Deletes lines `[start, end)`. `exact` removes just them (the inverse of
 * `insertLines`); `separated` also removes the blank line that separated them (the
 * inverse of `appendBlock`): at the end of the file the blank line before goes, in
 * the middle the blank lines after go when a blank line or the file start precedes
 * the block. Either way a missing final newline stays missing.
 */
export function removeLines(lines: readonly TextLine[], start: number, end: number, mode: 'exact' | 'separated'): TextLine[] {
  if (mode === 'exact') {
    const kept = [...lines.slice(0, start), ...lines.slice(end)];
    const before = kept[start - 1];
    if (end === lines.length && before !== undefined && lines.at(-1)?.eol === '') kept[start - 1] = { text: before.text, eol: '' };
    return kept;
  }
  let next = end;
  while (next < lines.length && isBlankLine(lines[next])) next += 1;
  if (next === lines.length) {
    const from = start > 0 && isBlankLine(lines[start - 1]) ? start - 1 : start;
    const kept = lines.slice(0, from);
    const last = kept.at(-1);
    if (last !== undefined && lines.at(-1)?.eol === '') kept[kept.length - 1] = { text: last.text, eol: '' };
    return kept;
  }
  const to = start === 0 || isBlankLine(lines[start - 1]) ? next : end;
  return [...lines.slice(0, start), ...lines.slice(to)];
}
