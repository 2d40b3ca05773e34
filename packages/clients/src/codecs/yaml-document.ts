import { isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { codecFailure, positionAt, type CodecFailure } from './codec-result.js';
import type { TextLine } from './text-lines.js';

/**
 * Shared plumbing of the YAML codecs. Edits are spliced into the source by line,
 * using the node ranges the `yaml` parser reports, instead of re-stringifying the
 * document: that keeps every untouched byte (quoting, flow styles, blank lines),
 * which `Document#toString()` would not.
 */
export type ParsedYaml = { ok: true; doc: Document.Parsed } | CodecFailure;

export function parseYaml(text: string): ParsedYaml {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (error) {
    return codecFailure('CLIENT_FILE_INVALID', `The file is not valid YAML: ${error instanceof Error ? error.message : String(error)}.`, { line: 1, column: 1 });
  }
  const first = doc.errors[0];
  if (first === undefined) return { ok: true, doc };
  const position = first.linePos?.[0] ?? positionAt(text, first.pos[0]);
  const line = 'line' in position ? position.line : 1;
  const column = 'col' in position ? position.col : position.column;
  if (first.code === 'MULTIPLE_DOCS') {
    return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', 'The file was left untouched: it holds several YAML documents.', { line, column });
  }
  return codecFailure('CLIENT_FILE_INVALID', `The file is not valid YAML: ${first.message.split('\n')[0] ?? first.code}`, { line, column });
}

/** The JS value of the whole document, or a failure when it cannot be built (alias bombs, …). */
export function documentValue(doc: Document.Parsed): { ok: true; value: unknown } | CodecFailure {
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (error) {
    return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', `The file was left untouched: ${error instanceof Error ? error.message : String(error)}.`, { line: 1, column: 1 });
  }
}

export type YamlSlot =
  /** The node at the key path exists. */
  | { kind: 'found'; node: Node; pair: Pair | undefined }
  /** The pair for keyPath[depth] exists with no value (`key:`, `key: ~`). */
  | { kind: 'empty'; pair: Pair; depth: number }
  /** keyPath[depth] is absent from `map` (undefined: the document is empty). */
  | { kind: 'missing'; map: YAMLMap | undefined; depth: number };

export function locateYaml(text: string, doc: Document.Parsed, keyPath: readonly string[]): YamlSlot | CodecFailure {
  let node: unknown = doc.contents;
  let pair: Pair | undefined;
  for (const [depth, key] of keyPath.entries()) {
    if (node === null || (isScalar(node) && node.value === null && depth === 0)) return { kind: 'missing', map: undefined, depth };
    if (!isMap(node) || node.flow === true) return unsupported(text, rangeStart(node), `the value above "${key}" is not a block mapping`);
    const found = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (found === undefined) return { kind: 'missing', map: node, depth };
    if (found.value === null || (isScalar(found.value) && found.value.value === null)) return { kind: 'empty', pair: found, depth };
    pair = found;
    node = found.value;
  }
  return { kind: 'found', node: node as Node, pair };
}

export function unsupported(text: string, offset: number, reason: string): CodecFailure {
  return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', `The file was left untouched: ${reason}.`, positionAt(text, offset));
}

export function rangeStart(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

function rangeEnd(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
}

/** Maps offsets to line indexes of `splitLines` of the same text. */
export function lineIndexer(lines: readonly TextLine[]): (offset: number) => number {
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.text.length + line.eol.length;
  }
  return (target) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = Math.ceil((low + high) / 2);
      if ((starts[middle] ?? 0) <= target) low = middle;
      else high = middle - 1;
    }
    return low;
  };
}

/** Lines `[start, end)` of a mapping entry: from its key to the end of its value (comments after it belong to what follows). */
export function pairLines(pair: Pair, lineOf: (offset: number) => number): { start: number; end: number } {
  const start = lineOf(rangeStart(pair.key));
  const valueEnd = pair.value === null ? rangeEnd(pair.key) : rangeEnd(pair.value);
  return { start, end: lineOf(Math.max(valueEnd - 1, rangeStart(pair.key))) + 1 };
}

/** Lines `[start, end)` of a block sequence item, from its `-` indicator to the end of its value. */
export function itemLines(text: string, item: unknown, lineOf: (offset: number) => number): { start: number; end: number; column: number } {
  let dash = rangeStart(item) - 1;
  while (dash >= 0 && ' \t\r\n'.includes(text[dash] ?? '')) dash -= 1;
  const start = text[dash] === '-' ? dash : rangeStart(item);
  return { start: lineOf(start), end: lineOf(Math.max(rangeEnd(item) - 1, start)) + 1, column: columnOf(text, start) };
}

/** The column of a node's first character on its line. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Block YAML for `value`, indented by `column` spaces, as lines without endings. */
export function renderYamlLines(value: unknown, column: number, indent: number): string[] {
  const rendered = stringify(value, { indent, lineWidth: 0, minContentWidth: 0 }).replace(/\n+$/, '');
  const pad = ' '.repeat(column);
  return rendered.split('\n').map((line) => (line === '' ? line : pad + line));
}

/** Indentation width for new YAML text: YAML forbids tabs, so the detected unit counts in spaces. */
export function yamlIndentWidth(unit: string): number {
  return unit === '\t' ? 2 : Math.max(1, unit.length);
}

/**
 * Rewrites the line holding `pair`'s key so the value is `replacement` (`{}` or
 * `[]`) or nothing; a comment after the value stays on the line.
 */
export function rewritePairValue(text: string, pair: Pair, replacement: string): string {
  const keyEnd = rangeEnd(pair.key);
  const colon = text.indexOf(':', keyEnd);
  if (colon === -1) return text;
  // An absent value (`key:` or `key: # note`) has an empty scalar placed after any comment: insert at the colon.
  const absent = pair.value === null || (isScalar(pair.value) && pair.value.source === '');
  const valueEnd = absent ? colon + 1 : Math.max(rangeEnd(pair.value), colon + 1);
  return text.slice(0, colon + 1) + (replacement === '' ? '' : ` ${replacement}`) + text.slice(valueEnd);
}

/** JSON values only: they are what client configs hold and what reads back unchanged. */
export function toPlainValue(value: unknown, what: string): unknown {
  const serialised = JSON.stringify(value);
  if (typeof serialised !== 'string') throw new TypeError(`${what}: every value to set must be JSON-serialisable`);
  return JSON.parse(serialised) as unknown;
}

export { isMap, isScalar, isSeq };
