import type { Document, Pair, YAMLSeq } from 'yaml';
import { namesToRemove, type CodecFailure, type EditResult, type MapEdit, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, setAtPath } from './deep-equal.js';
import { detectTextStyle } from './detect-text-style.js';
import { verifyYaml } from './edit-yaml-map.js';
import { insertLines, joinLines, removeLines, replaceLines, splitBom, splitLines } from './text-lines.js';
import {
  columnOf,
  documentValue,
  isMap,
  isSeq,
  itemLines,
  lineIndexer,
  locateYaml,
  pairLines,
  parseYaml,
  rangeStart,
  renderYamlLines,
  rewritePairValue,
  toPlainValue,
  unsupported,
  yamlIndentWidth,
  type YamlSlot,
} from './yaml-document.js';

export interface ListEdit extends MapEdit {
  /** The field naming an item (`name` for Continue's `mcpServers:`). */
  readonly idField: string;
}

/** The items of the list at `keyPath` that have a string `idField`, keyed by it (whole items, id included). */
export function readYamlList(text: string | undefined, keyPath: readonly string[], idField: string): CodecReadResult<Record<string, unknown>> {
  const body = splitBom(text ?? '').body;
  const parsed = parseYaml(body);
  if (!parsed.ok) return parsed;
  const value = documentValue(parsed.doc);
  if (!value.ok) return value;
  const list = getAtPath(value.value, keyPath);
  if (list === undefined || list === null) return { ok: true, value: {} };
  if (!Array.isArray(list)) return unsupported(body, 0, `the value at ${keyPath.join(' > ')} is not a list`);
  const items: Record<string, unknown> = {};
  for (const item of list) {
    const id = isPlainRecord(item) ? item[idField] : undefined;
    if (typeof id === 'string' && !Object.hasOwn(items, id)) items[id] = item;
  }
  return { ok: true, value: items };
}

/**
 * Sets and removes items of a block sequence identified by `idField`: a changed
 * item is re-rendered in place, a new one appended after the last item at its
 * indentation, a removed one deleted with its lines. Items are written with the id
 * first (`- name: x`). Other items, comments and layout are untouched, and the
 * result must re-read as the original with only those items changed.
 */
export function editYamlList(text: string | undefined, edit: ListEdit): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const { keyPath, idField } = edit;
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, Record<string, unknown>] => [name, toItem(idField, name, value)]);
  const removals = namesToRemove(edit);
  const parsed = parseYaml(body);
  if (!parsed.ok) return parsed;
  const original = documentValue(parsed.doc);
  if (!original.ok) return original;
  const style = detectTextStyle(body);
  const width = yamlIndentWidth(style.indent);
  const first = locateList(body, parsed.doc, keyPath);
  if (!first.ok) return first;
  const before = getAtPath(original.value, keyPath);
  let intended: unknown[] = Array.isArray(before) ? [...(before as unknown[])] : [];
  for (const name of [...entries.map(([name]) => name), ...removals]) {
    if (intended.filter((item) => idOf(item, idField) === name).length > 1) {
      return unsupported(body, 0, `more than one item has ${idField} "${name}"`);
    }
  }

  let current = body;
  for (const name of removals) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot } = state;
    if (slot.kind !== 'found') continue;
    const index = slot.values.findIndex((item) => idOf(item, idField) === name);
    const node = slot.seq.items[index];
    if (node === undefined) continue;
    const range = itemLines(current, node, lineIndexer(splitLines(current)));
    current = joinLines(removeLines(splitLines(current), range.start, range.end, 'exact'));
    intended = intended.filter((item) => idOf(item, idField) !== name);
    if (slot.seq.items.length === 1 && slot.pair !== undefined) {
      // An emptied list stays as `[]`: the key may be the user's, and `[]` is what an add started from.
      const after = reparse(current, keyPath);
      if (!after.ok) return after;
      if (after.slot.kind === 'empty') current = rewritePairValue(current, after.slot.pair, '[]');
    }
  }

  const appended: Record<string, unknown>[] = [];
  for (const [name, item] of entries) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot } = state;
    const index = slot.kind === 'found' ? slot.values.findIndex((value) => idOf(value, idField) === name) : -1;
    const node = slot.kind === 'found' ? slot.seq.items[index] : undefined;
    if (node === undefined || slot.kind !== 'found') {
      appended.push(item);
      intended.push(item);
      continue;
    }
    intended = intended.map((value) => (idOf(value, idField) === name ? item : value));
    if (deepEqual(slot.values[index], item)) continue;
    const lines = splitLines(current);
    const range = itemLines(current, node, lineIndexer(lines));
    current = joinLines(replaceLines(lines, range.start, range.end, renderYamlLines([item], range.column, width), style.eol));
  }

  if (appended.length > 0) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    current = appendItems(current, state.slot, keyPath, appended, { eol: style.eol, width });
  }

  if (current === body) return { ok: true, text: text ?? '', changed: false };
  const failure = verifyYaml(current, setAtPath(original.value, keyPath, intended));
  return failure ?? { ok: true, text: bom + current, changed: true };
}

function toItem(idField: string, name: string, value: unknown): Record<string, unknown> {
  const plain = toPlainValue(value, 'editYamlList');
  if (!isPlainRecord(plain)) throw new TypeError(`editYamlList: the item "${name}" must be a plain object`);
  return { [idField]: name, ...Object.fromEntries(Object.entries(plain).filter(([key]) => key !== idField)) };
}

function idOf(item: unknown, idField: string): unknown {
  return isPlainRecord(item) ? item[idField] : undefined;
}

type ListSlot =
  | { kind: 'found'; seq: YAMLSeq; pair: Pair | undefined; values: unknown[] }
  | Exclude<YamlSlot, { kind: 'found' }>;

function locateList(text: string, doc: Document.Parsed, keyPath: readonly string[]): { ok: true; slot: ListSlot } | CodecFailure {
  const slot = locateYaml(text, doc, keyPath);
  if ('ok' in slot) return slot;
  if (slot.kind !== 'found') return { ok: true, slot };
  const { node, pair } = slot;
  if (isSeq(node) && node.flow !== true) {
    const value = documentValue(doc);
    const values = value.ok ? getAtPath(value.value, keyPath) : [];
    return { ok: true, slot: { kind: 'found', seq: node, pair, values: Array.isArray(values) ? values : [] } };
  }
  if ((isSeq(node) || isMap(node)) && node.items.length === 0 && pair !== undefined) {
    return { ok: true, slot: { kind: 'empty', pair, depth: keyPath.length - 1 } };
  }
  return unsupported(text, rangeStart(node), `the value at ${keyPath.join(' > ')} is not a block list`);
}

function reparse(text: string, keyPath: readonly string[]): { ok: true; slot: ListSlot } | CodecFailure {
  const parsed = parseYaml(text);
  if (!parsed.ok) return unsupported(text, 0, 'an earlier edit left the file unparseable');
  return locateList(text, parsed.doc, keyPath);
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

function appendItems(text: string, slot: ListSlot, keyPath: readonly string[], items: Record<string, unknown>[], layout: { eol: string; width: number }): string {
  if (slot.kind === 'found') {
    const last = slot.seq.items.at(-1);
    const lines = splitLines(text);
    if (last === undefined) return text;
    const range = itemLines(text, last, lineIndexer(lines));
    return joinLines(insertLines(lines, range.end, renderYamlLines(items, range.column, layout.width), layout.eol));
  }
  if (slot.kind === 'empty') {
    const column = columnOf(text, rangeStart(slot.pair.key));
    const cleared = rewritePairValue(text, slot.pair, '');
    const lines = splitLines(cleared);
    const keyLine = lineIndexer(lines)(rangeStart(slot.pair.key));
    const block = renderYamlLines(nest(keyPath.slice(slot.depth + 1), items), column + layout.width, layout.width);
    return joinLines(insertLines(lines, keyLine + 1, block, layout.eol));
  }
  const lines = splitLines(text);
  const value = { [keyPath[slot.depth] ?? '']: nest(keyPath.slice(slot.depth + 1), items) };
  const last = slot.map?.items.at(-1);
  if (last === undefined) return joinLines(insertLines(lines, lines.length, renderYamlLines(value, 0, layout.width), layout.eol));
  const range = pairLines(last, lineIndexer(lines));
  return joinLines(insertLines(lines, range.end, renderYamlLines(value, columnOf(text, rangeStart(last.key)), layout.width), layout.eol));
}
