import { isMap, isScalar, isSeq, parseDocument, stringify, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { codecFailure, positionAt, type CodecFailure, type EditResult } from './codec-result.js';
import { deepEqual, nest } from './deep-equal.js';
import { detectTextStyle } from './detect-text-style.js';
import { insertLines, joinLines, removeLines, replaceLines, splitBom, splitLines, type TextLine } from './text-lines.js';

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

/** A file as the YAML codecs start from it: the BOM split off (an edit writes it back), the document and its JS value. */
export type OpenedYaml = { ok: true; bom: string; body: string; doc: Document.Parsed; value: unknown };

export function openYaml(text: string | undefined): OpenedYaml | CodecFailure {
  const { bom, body } = splitBom(text ?? '');
  const parsed = parseYaml(body);
  if (!parsed.ok) return parsed;
  const value = documentValue(parsed.doc);
  if (!value.ok) return value;
  return { ok: true, bom, body, doc: parsed.doc, value: value.value };
}

/** Parses the text after one of our own splices: the file parsed before, so a failure now refuses the edit. */
export function reparseYaml(text: string): ParsedYaml {
  const parsed = parseYaml(text);
  return parsed.ok ? parsed : unsupported(text, 0, 'an earlier edit left the file unparseable');
}

/**
 * The edit's result: the file as it was when no byte changed; otherwise the edited
 * text, once it re-reads as `expected` (any other difference refuses the edit).
 */
export function finishYamlEdit(opened: OpenedYaml, edited: string, expected: unknown): EditResult {
  if (edited === opened.body) return { ok: true, text: opened.bom + edited, changed: false };
  const parsed = parseYaml(edited);
  if (!parsed.ok) return unsupported(edited, 0, 'the edited file would not parse');
  const value = documentValue(parsed.doc);
  if (!value.ok || !deepEqual(value.value, expected)) return unsupported(edited, 0, 'the edited file did not read back as intended');
  return { ok: true, text: opened.bom + edited, changed: true };
}

type YamlSlot =
  /** The node at the key path exists. */
  | { kind: 'found'; node: Node; pair: Pair | undefined }
  /** The pair for keyPath[depth] exists with no value (`key:`, `key: ~`). */
  | { kind: 'empty'; pair: Pair; depth: number }
  /** keyPath[depth] is absent from `map` (undefined: the document is empty). */
  | { kind: 'missing'; map: YAMLMap | undefined; depth: number };

function locateYaml(text: string, doc: Document.Parsed, keyPath: readonly string[]): YamlSlot | CodecFailure {
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

/** The slots where the collection at the key path is not there yet. */
export type AbsentSlot = Exclude<YamlSlot, { kind: 'found' }>;

interface BlockNodes {
  list: YAMLSeq;
  mapping: YAMLMap;
}

const isBlockNode: { [Kind in keyof BlockNodes]: (node: unknown) => node is BlockNodes[Kind] } = { list: isSeq, mapping: isMap };

export type BlockSlot<Kind extends keyof BlockNodes> = { kind: 'found'; node: BlockNodes[Kind]; pair: Pair | undefined } | AbsentSlot;

/**
 * The block list or mapping at `keyPath`. An empty flow collection under a key
 * (`key: {}`, or `key: []` for a list) is `empty`: an add fills it like `key:`.
 * Any other value is refused.
 */
export function locateBlock<Kind extends keyof BlockNodes>(
  text: string,
  doc: Document.Parsed,
  keyPath: readonly string[],
  kind: Kind,
): { ok: true; slot: BlockSlot<Kind> } | CodecFailure {
  const slot = locateYaml(text, doc, keyPath);
  if ('ok' in slot) return slot;
  if (slot.kind !== 'found') return { ok: true, slot };
  const { node, pair } = slot;
  if (isBlockNode[kind](node) && node.flow !== true) return { ok: true, slot: { kind: 'found', node, pair } };
  const emptyFlow = (isMap(node) || (kind === 'list' && isSeq(node))) && node.items.length === 0;
  if (emptyFlow && pair !== undefined) return { ok: true, slot: { kind: 'empty', pair, depth: keyPath.length - 1 } };
  return unsupported(text, rangeStart(node), `the value at ${keyPath.join(' > ')} is not a block ${kind}`);
}

export function unsupported(text: string, offset: number, reason: string): CodecFailure {
  return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', `The file was left untouched: ${reason}.`, positionAt(text, offset));
}

function rangeStart(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[0] ?? 0;
}

function rangeEnd(node: unknown): number {
  return (node as { range?: [number, number, number] } | null)?.range?.[1] ?? 0;
}

/** Maps offsets to line indexes of `splitLines` of the same text. */
function lineIndexer(lines: readonly TextLine[]): (offset: number) => number {
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

/** A block collection found at the key path, as the entry splicing below sees it. */
type FoundBlock<Entry> = { kind: 'found'; node: { items: readonly Entry[] }; pair: Pair | undefined };

/** Lines `[start, end)` of one entry of a block collection, and the column it starts at. */
export type EntryLines<Entry> = (text: string, entry: Entry, lineOf: (offset: number) => number) => { start: number; end: number; column: number };

/** Lines `[start, end)` of a mapping entry: from its key to the end of its value (comments after it belong to what follows). */
export function pairLines(text: string, pair: Pair, lineOf: (offset: number) => number): { start: number; end: number; column: number } {
  const start = lineOf(rangeStart(pair.key));
  const valueEnd = pair.value === null ? rangeEnd(pair.key) : rangeEnd(pair.value);
  return { start, end: lineOf(Math.max(valueEnd - 1, rangeStart(pair.key))) + 1, column: columnOf(text, rangeStart(pair.key)) };
}

/** Lines `[start, end)` of a block sequence item, from its `-` indicator to the end of its value. */
export function itemLines(text: string, item: unknown, lineOf: (offset: number) => number): { start: number; end: number; column: number } {
  let dash = rangeStart(item) - 1;
  while (dash >= 0 && ' \t\r\n'.includes(text[dash] ?? '')) dash -= 1;
  const start = text[dash] === '-' ? dash : rangeStart(item);
  return { start: lineOf(start), end: lineOf(Math.max(rangeEnd(item) - 1, start)) + 1, column: columnOf(text, start) };
}

/** The column of a node's first character on its line. */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** Block YAML for `value`, indented by `column` spaces, as lines without endings. */
function renderYamlLines(value: unknown, column: number, indent: number): string[] {
  const rendered = stringify(value, { indent, lineWidth: 0, minContentWidth: 0 }).replace(/\n+$/, '');
  const pad = ' '.repeat(column);
  return rendered.split('\n').map((line) => (line === '' ? line : pad + line));
}

/** How new YAML lines are written: the file's line ending, and its indentation width. */
export interface YamlLayout {
  readonly eol: string;
  readonly width: number;
}

export function yamlLayout(text: string): YamlLayout {
  const style = detectTextStyle(text);
  return { eol: style.eol, width: yamlIndentWidth(style.indent) };
}

/** Indentation width for new YAML text: YAML forbids tabs, so the detected unit counts in spaces. */
function yamlIndentWidth(unit: string): number {
  return unit === '\t' ? 2 : Math.max(1, unit.length);
}

/** Re-renders an entry in place as `value`, at the column the entry started at. */
export function replaceEntry<Entry>(text: string, entry: Entry, entryLines: EntryLines<Entry>, value: unknown, layout: YamlLayout): string {
  const lines = splitLines(text);
  const range = entryLines(text, entry, lineIndexer(lines));
  return joinLines(replaceLines(lines, range.start, range.end, renderYamlLines(value, range.column, layout.width), layout.eol));
}

/** What `removeEntries` needs to know of a kind of block collection. */
export interface EntryRemoval<Entry, Found extends FoundBlock<Entry>> {
  /** The collection in the text as it is after the removals so far. */
  reparse: (text: string) => { ok: true; slot: Found | AbsentSlot } | CodecFailure;
  find: (slot: Found, name: string) => Entry | undefined;
  entryLines: EntryLines<Entry>;
  /** What a collection emptied under a key is written as: `[]` or `{}`. */
  emptyValue: string;
}

/**
 * Deletes the lines of each named entry; `removed` lists the names that were there.
 * An emptied collection keeps its key, as `emptyValue`: the key may be the user's,
 * and `[]`/`{}` is what an add started from.
 */
export function removeEntries<Entry, Found extends FoundBlock<Entry>>(
  text: string,
  names: readonly string[],
  collection: EntryRemoval<Entry, Found>,
): { ok: true; text: string; removed: string[] } | CodecFailure {
  let current = text;
  const removed: string[] = [];
  for (const name of names) {
    const state = collection.reparse(current);
    if (!state.ok) return state;
    const { slot } = state;
    if (slot.kind !== 'found') continue;
    const entry = collection.find(slot, name);
    if (entry === undefined) continue;
    const lines = splitLines(current);
    const range = collection.entryLines(current, entry, lineIndexer(lines));
    current = joinLines(removeLines(lines, range.start, range.end, 'exact'));
    removed.push(name);
    if (slot.node.items.length === 1 && slot.pair !== undefined) {
      const after = collection.reparse(current);
      if (!after.ok) return after;
      if (after.slot.kind === 'empty') current = rewritePairValue(current, after.slot.pair, collection.emptyValue);
    }
  }
  return { ok: true, text: current, removed };
}

/**
 * Appends `contents` after the last entry at its indentation; into an empty `key:` /
 * `key: {}` below the key; or, when the collection is missing, as a new key at the
 * end of its parent mapping (or of the document).
 */
export function appendToBlock<Entry>(
  text: string,
  slot: FoundBlock<Entry> | AbsentSlot,
  keyPath: readonly string[],
  contents: unknown,
  entryLines: EntryLines<Entry>,
  layout: YamlLayout,
): string {
  if (slot.kind === 'found') {
    const last = slot.node.items.at(-1);
    if (last === undefined) return text;
    const lines = splitLines(text);
    const range = entryLines(text, last, lineIndexer(lines));
    return insertYaml(lines, range.end, contents, range.column, layout);
  }
  if (slot.kind === 'empty') {
    const column = columnOf(text, rangeStart(slot.pair.key));
    const lines = splitLines(rewritePairValue(text, slot.pair, ''));
    const keyLine = lineIndexer(lines)(rangeStart(slot.pair.key));
    return insertYaml(lines, keyLine + 1, nest(keyPath.slice(slot.depth + 1), contents), column + layout.width, layout);
  }
  const lines = splitLines(text);
  const value = { [keyPath[slot.depth] ?? '']: nest(keyPath.slice(slot.depth + 1), contents) };
  const last = slot.map?.items.at(-1);
  if (last === undefined) return insertYaml(lines, lines.length, value, 0, layout);
  const range = pairLines(text, last, lineIndexer(lines));
  return insertYaml(lines, range.end, value, range.column, layout);
}

function insertYaml(lines: readonly TextLine[], index: number, value: unknown, column: number, layout: YamlLayout): string {
  return joinLines(insertLines(lines, index, renderYamlLines(value, column, layout.width), layout.eol));
}

/**
 * Rewrites the line holding `pair`'s key so the value is `replacement` (`{}` or
 * `[]`) or nothing; a comment after the value stays on the line.
 */
function rewritePairValue(text: string, pair: Pair, replacement: string): string {
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

export { isScalar };
