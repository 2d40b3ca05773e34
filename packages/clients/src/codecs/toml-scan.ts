import { splitLines, type TextLine } from './text-lines.js';

/**
 * A line scanner for TOML that finds table headers and key/value statements
 * without building values: it tracks strings (all four kinds), comments and
 * bracket depth across lines, so a `[` inside a multi-line array or string is never
 * mistaken for a header. It only runs on text smol-toml has already accepted.
 */
export type TomlLineKind = 'header' | 'statement' | 'comment' | 'blank';

export interface TomlHeader {
  readonly path: readonly string[];
  readonly arrayTable: boolean;
  readonly line: number;
}

export interface TomlStatement {
  /** The key as written, split into segments (`a."b.c"` → ['a', 'b.c']). */
  readonly key: readonly string[];
  /** The path of the table the statement sits in ([] at the top). */
  readonly table: readonly string[];
  /** The key's source text up to (not including) `=`, with leading whitespace. */
  readonly keySource: string;
  readonly startLine: number;
  /** Inclusive: a multi-line array or string continues the statement. */
  readonly endLine: number;
}

export interface TomlScan {
  readonly lines: TextLine[];
  readonly kinds: TomlLineKind[];
  readonly headers: TomlHeader[];
  readonly statements: TomlStatement[];
}

type Mode = 'normal' | 'multiBasic' | 'multiLiteral';

export function scanToml(text: string): TomlScan | undefined {
  const lines = splitLines(text);
  const kinds: TomlLineKind[] = [];
  const headers: TomlHeader[] = [];
  const statements: TomlStatement[] = [];
  let mode: Mode = 'normal';
  let depth = 0;
  let table: readonly string[] = [];
  let open: { key: string[]; keySource: string; startLine: number; table: readonly string[] } | undefined;

  for (const [index, line] of lines.entries()) {
    const source = line.text;
    let position = 0;
    if (mode === 'normal' && depth === 0) {
      const start = skipBlank(source, 0);
      const char = source[start];
      if (char === undefined) {
        kinds.push('blank');
        continue;
      }
      if (char === '#') {
        kinds.push('comment');
        continue;
      }
      if (char === '[') {
        const arrayTable = source[start + 1] === '[';
        const key = parseKey(source, start + (arrayTable ? 2 : 1));
        if (key === undefined) return undefined;
        let close = skipBlank(source, key.end);
        if (source[close] !== ']' || (arrayTable && source[close + 1] !== ']')) return undefined;
        close += arrayTable ? 2 : 1;
        const rest = source.slice(close).trim();
        if (rest !== '' && !rest.startsWith('#')) return undefined;
        headers.push({ path: key.segments, arrayTable, line: index });
        table = key.segments;
        kinds.push('header');
        continue;
      }
      const key = parseKey(source, start);
      if (key === undefined) return undefined;
      const equals = skipBlank(source, key.end);
      if (source[equals] !== '=') return undefined;
      open = { key: key.segments, keySource: source.slice(0, key.end), startLine: index, table };
      position = equals + 1;
    }
    kinds.push('statement');
    const scanned = scanRest(source, position, mode, depth);
    if (scanned === undefined) return undefined;
    ({ mode, depth } = scanned);
    if (mode === 'normal' && depth === 0 && open !== undefined) {
      statements.push({ ...open, endLine: index });
      open = undefined;
    }
  }
  if (mode !== 'normal' || depth !== 0) return undefined;
  return { lines, kinds, headers, statements };
}

/** Scans the rest of a line for strings, comments and brackets; the state carries to the next line. */
function scanRest(source: string, from: number, startMode: Mode, startDepth: number): { mode: Mode; depth: number } | undefined {
  let mode = startMode;
  let depth = startDepth;
  let position = from;
  while (position < source.length) {
    if (mode === 'multiBasic' || mode === 'multiLiteral') {
      const quote = mode === 'multiBasic' ? '"' : "'";
      const char = source[position];
      if (mode === 'multiBasic' && char === '\\') {
        position += 2;
        continue;
      }
      if (char === quote && source.startsWith(quote.repeat(3), position)) {
        position += 3;
        // Up to two more quotes belong to the content (`""""` ends with a quote).
        let extra = 0;
        while (extra < 2 && source[position] === quote) {
          position += 1;
          extra += 1;
        }
        mode = 'normal';
        continue;
      }
      position += 1;
      continue;
    }
    const char = source[position];
    if (char === '#') break;
    if (char === '"' || char === "'") {
      if (source.startsWith(char.repeat(3), position)) {
        mode = char === '"' ? 'multiBasic' : 'multiLiteral';
        position += 3;
        continue;
      }
      const end = endOfString(source, position);
      if (end === undefined) return undefined;
      position = end;
      continue;
    }
    if (char === '[' || char === '{') depth += 1;
    else if (char === ']' || char === '}') depth -= 1;
    position += 1;
  }
  return { mode, depth };
}

function skipBlank(source: string, from: number): number {
  let position = from;
  while (source[position] === ' ' || source[position] === '\t') position += 1;
  return position;
}

/** The offset just after a one-line string starting at `start`, or undefined when it is unterminated. */
function endOfString(source: string, start: number): number | undefined {
  const quote = source[start];
  let position = start + 1;
  while (position < source.length) {
    const char = source[position];
    if (quote === '"' && char === '\\') position += 2;
    else if (char === quote) return position + 1;
    else position += 1;
  }
  return undefined;
}

/** Parses a (dotted) key; quoted segments are decoded. */
export function parseKey(source: string, from: number): { segments: string[]; end: number } | undefined {
  const segments: string[] = [];
  let position = from;
  for (;;) {
    position = skipBlank(source, position);
    const char = source[position];
    if (char === '"' || char === "'") {
      const end = endOfString(source, position);
      if (end === undefined) return undefined;
      const raw = source.slice(position + 1, end - 1);
      const decoded = char === '"' ? decodeBasic(raw) : raw;
      if (decoded === undefined) return undefined;
      segments.push(decoded);
      position = end;
    } else {
      const match = /^[A-Za-z0-9_-]+/.exec(source.slice(position));
      if (match === null) return undefined;
      segments.push(match[0]);
      position += match[0].length;
    }
    const after = skipBlank(source, position);
    if (source[after] !== '.') return { segments, end: position };
    position = after + 1;
  }
}

const simpleEscapes: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\u001b', '"': '"', '\\': '\\' };

function decodeBasic(raw: string): string | undefined {
  let result = '';
  for (let position = 0; position < raw.length; position += 1) {
    const char = raw[position] ?? '';
    if (char !== '\\') {
      result += char;
      continue;
    }
    const code = raw[position + 1] ?? '';
    const simple = simpleEscapes[code];
    if (simple !== undefined) {
      result += simple;
      position += 1;
      continue;
    }
    const width = code === 'u' ? 4 : code === 'U' ? 8 : code === 'x' ? 2 : 0;
    const hex = raw.slice(position + 2, position + 2 + width);
    if (width === 0 || !/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== width) return undefined;
    const point = Number.parseInt(hex, 16);
    if (point > 0x10ffff) return undefined;
    result += String.fromCodePoint(point);
    position += 1 + width;
  }
  return result;
}
