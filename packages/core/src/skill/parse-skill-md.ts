import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { createFinding, type SkillFinding, type SourceLocation } from './skill-finding.js';
import { toLocation } from './yaml-location.js';

/**
 * SKILL.md split into its parts. `frontmatter` keeps every key, known or not, so a
 * skill read and written back loses nothing; `locations` maps each top-level key (and
 * each `metadata.*` key) to where it is written, for findings that point at a line.
 */
export interface ParsedSkillMd {
  file: string;
  /** The frontmatter as plain data; undefined when it is absent, unclosed, not a mapping or not valid YAML. */
  frontmatter: Record<string, unknown> | undefined;
  /** The raw text between the two `---` lines (empty when there is no frontmatter). */
  frontmatterText: string;
  /** Offset of `frontmatterText` in the text after any BOM. */
  frontmatterOffset: number;
  body: string;
  /** 1-based line of the first body line in the file. */
  bodyStartLine: number;
  hasBom: boolean;
  lineEnding: '\n' | '\r\n';
  locations: ReadonlyMap<string, SourceLocation>;
  /** The parsed YAML document, for callers that need node-level detail (source text of scalars, ranges). */
  document: Document | undefined;
  findings: SkillFinding[];
}

export interface ParseSkillMdOptions {
  /** Named in findings; defaults to `SKILL.md`. */
  file?: string;
}

const fence = /^---[ \t]*$/;

/**
 * Splits and parses SKILL.md. Pure and total: any input, however broken, gives a
 * result, and problems come back as findings rather than exceptions.
 */
export function parseSkillMd(input: string, options: ParseSkillMdOptions = {}): ParsedSkillMd {
  const file = options.file ?? 'SKILL.md';
  const hasBom = input.startsWith('\uFEFF');
  const text = hasBom ? input.slice(1) : input;
  const lineEnding = /\r\n/.test(text.slice(0, text.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const result: ParsedSkillMd = {
    file,
    frontmatter: undefined,
    frontmatterText: '',
    frontmatterOffset: 0,
    body: text,
    bodyStartLine: 1,
    hasBom,
    lineEnding,
    locations: new Map(),
    document: undefined,
    findings: [],
  };

  const lines = splitLinesWithOffsets(text);
  const first = lines[0];
  if (first === undefined || !fence.test(first.content)) {
    result.findings.push(
      createFinding({
        code: 'SKILL_FRONTMATTER_MISSING',
        severity: 'error',
        message: `${file} does not start with a \`---\` frontmatter block.`,
        file,
        location: { line: 1, column: 1 },
      }),
    );
    return result;
  }
  const closingIndex = lines.findIndex((line, index) => index > 0 && fence.test(line.content));
  const closing = lines[closingIndex];
  if (closing === undefined) {
    result.body = '';
    result.findings.push(
      createFinding({
        code: 'SKILL_FRONTMATTER_UNCLOSED',
        severity: 'error',
        message: `The frontmatter opened on line 1 of ${file} is never closed.`,
        file,
        location: { line: 1, column: 1 },
      }),
    );
    return result;
  }

  result.frontmatterOffset = first.end;
  result.frontmatterText = text.slice(first.end, closing.start);
  result.body = text.slice(closing.end);
  result.bodyStartLine = closingIndex + 2;

  const lineCounter = new LineCounter();
  // Line 1 is the opening fence, so frontmatter line n is file line n + 1.
  const lineOffset = 1;
  const document = parseDocument(result.frontmatterText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  result.document = document;
  for (const error of document.errors) {
    result.findings.push(
      createFinding({
        code: 'SKILL_FRONTMATTER_INVALID_YAML',
        severity: 'error',
        message: `Invalid YAML in the frontmatter: ${firstLine(error.message)}`,
        file,
        location: toLocation(lineCounter, error.pos[0], lineOffset),
      }),
    );
  }
  if (document.errors.length > 0) return result;

  const contents = document.contents;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    // An empty block is a mapping with no keys: the field rules then report what is missing.
    result.frontmatter = {};
    return result;
  }
  if (!isMap(contents)) {
    result.findings.push(
      createFinding({
        code: 'SKILL_FRONTMATTER_NOT_MAPPING',
        severity: 'error',
        message: `The frontmatter of ${file} is not a mapping of \`key: value\` pairs.`,
        file,
        location: toLocation(lineCounter, contents.range[0], lineOffset),
      }),
    );
    return result;
  }

  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 });
  } catch (error) {
    // yaml refuses alias expansions that would blow up (a "billion laughs" document).
    result.findings.push(
      createFinding({
        code: 'SKILL_FRONTMATTER_INVALID_YAML',
        severity: 'error',
        message: `Invalid YAML in the frontmatter: ${firstLine(error instanceof Error ? error.message : String(error))}`,
        file,
        location: { line: 2, column: 1 },
      }),
    );
    return result;
  }
  result.frontmatter = isPlainRecord(value) ? value : {};
  result.locations = collectKeyLocations(document, lineCounter, lineOffset);
  return result;
}

interface LineSpan {
  /** The line without its terminator. */
  content: string;
  start: number;
  /** Offset just past the line terminator. */
  end: number;
}

function splitLinesWithOffsets(text: string): LineSpan[] {
  const spans: LineSpan[] = [];
  const terminator = /\r\n|\n|\r/g;
  let start = 0;
  for (let match = terminator.exec(text); match !== null; match = terminator.exec(text)) {
    spans.push({ content: text.slice(start, match.index), start, end: match.index + match[0].length });
    start = match.index + match[0].length;
  }
  if (start < text.length || spans.length === 0) spans.push({ content: text.slice(start), start, end: text.length });
  return spans;
}

function collectKeyLocations(document: Document, lineCounter: LineCounter, lineOffset: number): Map<string, SourceLocation> {
  const locations = new Map<string, SourceLocation>();
  const root = document.contents;
  if (!isMap(root)) return locations;
  for (const pair of root.items) {
    if (!isPair(pair) || !isScalar(pair.key) || pair.key.range === undefined || pair.key.range === null) continue;
    const key = String(pair.key.value);
    locations.set(key, toLocation(lineCounter, pair.key.range[0], lineOffset));
    if (!isMap(pair.value)) continue;
    for (const inner of pair.value.items) {
      if (!isPair(inner) || !isScalar(inner.key) || inner.key.range === undefined || inner.key.range === null) continue;
      locations.set(`${key}.${String(inner.key.value)}`, toLocation(lineCounter, inner.key.range[0], lineOffset));
    }
  }
  return locations;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

export function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}
