import type { Document, Pair, YAMLMap } from 'yaml';
import { namesToRemove, type CodecFailure, type EditResult, type MapEdit, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, setAtPath } from './deep-equal.js';
import { detectTextStyle } from './detect-text-style.js';
import { insertLines, joinLines, removeLines, replaceLines, splitBom, splitLines } from './text-lines.js';
import {
  columnOf,
  documentValue,
  isMap,
  isScalar,
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

/** The mapping at `keyPath` (Goose's `extensions:`), `{}` when absent or empty. */
export function readYamlMap(text: string | undefined, keyPath: readonly string[]): CodecReadResult<Record<string, unknown>> {
  const body = splitBom(text ?? '').body;
  const parsed = parseYaml(body);
  if (!parsed.ok) return parsed;
  const value = documentValue(parsed.doc);
  if (!value.ok) return value;
  const map = getAtPath(value.value, keyPath);
  if (map === undefined || map === null) return { ok: true, value: {} };
  if (!isPlainRecord(map)) return unsupported(body, 0, `the value at ${keyPath.join(' > ')} is not a mapping`);
  return { ok: true, value: { ...map } };
}

/**
 * Sets and removes entries of a block mapping by splicing whole lines: an entry is
 * its key line through the end of its value, rendered anew when it changes; every
 * other line (comments included) is untouched. The result is re-parsed and must
 * equal the original document with only the intended entries changed.
 */
export function editYamlMap(text: string | undefined, edit: MapEdit): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const { keyPath } = edit;
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, unknown] => [name, toPlainValue(value, 'editYamlMap')]);
  const removals = namesToRemove(edit);
  const parsed = parseYaml(body);
  if (!parsed.ok) return parsed;
  const original = documentValue(parsed.doc);
  if (!original.ok) return original;
  const style = detectTextStyle(body);
  const width = yamlIndentWidth(style.indent);
  const first = locateMap(body, parsed.doc, keyPath);
  if (!first.ok) return first;

  let current = body;
  for (const name of removals) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot } = state;
    if (slot.kind !== 'found') continue;
    const pair = slot.map.items.find((item) => keyOf(item) === name);
    if (pair === undefined) continue;
    const range = pairLines(pair, lineIndexer(splitLines(current)));
    current = joinLines(removeLines(splitLines(current), range.start, range.end, 'exact'));
    if (slot.map.items.length === 1 && slot.pair !== undefined) {
      // An emptied map stays as `{}`: the key may be the user's, and `{}` is what an add started from.
      const after = reparse(current, keyPath);
      if (!after.ok) return after;
      if (after.slot.kind === 'empty') current = rewritePairValue(current, after.slot.pair, '{}');
    }
  }

  const appended: [string, unknown][] = [];
  for (const [name, value] of entries) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot, value: whole } = state;
    const pair = slot.kind === 'found' ? slot.map.items.find((item) => keyOf(item) === name) : undefined;
    if (pair === undefined) {
      appended.push([name, value]);
      continue;
    }
    if (deepEqual(getAtPath(whole, [...keyPath, name]), value)) continue;
    const lines = splitLines(current);
    const range = pairLines(pair, lineIndexer(lines));
    const block = renderYamlLines({ [name]: value }, columnOf(current, rangeStart(pair.key)), width);
    current = joinLines(replaceLines(lines, range.start, range.end, block, style.eol));
  }

  if (appended.length > 0) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    current = appendEntries(current, state.slot, keyPath, Object.fromEntries(appended), { eol: style.eol, width });
  }

  if (current === body) return { ok: true, text: text ?? '', changed: false };
  const before = getAtPath(original.value, keyPath);
  const intended: Record<string, unknown> = { ...(isPlainRecord(before) ? before : {}) };
  for (const name of removals) Reflect.deleteProperty(intended, name);
  for (const [name, value] of entries) intended[name] = value;
  const failure = verifyYaml(current, setAtPath(original.value, keyPath, intended));
  return failure ?? { ok: true, text: bom + current, changed: true };
}

/** Compares the edited document with what it should now hold; any other difference refuses the edit. */
export function verifyYaml(text: string, expected: unknown): CodecFailure | undefined {
  const parsed = parseYaml(text);
  if (!parsed.ok) return unsupported(text, 0, 'the edited file would not parse');
  const value = documentValue(parsed.doc);
  if (!value.ok || !deepEqual(value.value, expected)) return unsupported(text, 0, 'the edited file did not read back as intended');
  return undefined;
}

type MapSlot =
  | { kind: 'found'; map: YAMLMap; pair: Pair | undefined }
  | Exclude<YamlSlot, { kind: 'found' }>;

function locateMap(text: string, doc: Document.Parsed, keyPath: readonly string[]): { ok: true; slot: MapSlot } | CodecFailure {
  const slot = locateYaml(text, doc, keyPath);
  if ('ok' in slot) return slot;
  if (slot.kind !== 'found') return { ok: true, slot };
  const { node, pair } = slot;
  if (isMap(node) && node.flow !== true) return { ok: true, slot: { kind: 'found', map: node, pair } };
  if (isMap(node) && node.items.length === 0 && pair !== undefined) return { ok: true, slot: { kind: 'empty', pair, depth: keyPath.length - 1 } };
  return unsupported(text, rangeStart(node), `the value at ${keyPath.join(' > ')} is not a block mapping`);
}

function reparse(text: string, keyPath: readonly string[]): { ok: true; slot: MapSlot; value: unknown } | CodecFailure {
  const parsed = parseYaml(text);
  if (!parsed.ok) return unsupported(text, 0, 'an earlier edit left the file unparseable');
  const value = documentValue(parsed.doc);
  if (!value.ok) return value;
  const located = locateMap(text, parsed.doc, keyPath);
  return located.ok ? { ok: true, slot: located.slot, value: value.value } : located;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function nest(path: readonly string[], value: unknown): unknown {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
}

/**
 * Appends entries after the last one at its indentation; into an empty `key:` /
 * `key: {}` below the key; or, when the map is missing, as a new key at the end of
 * its parent mapping (or of the document).
 */
function appendEntries(text: string, slot: MapSlot, keyPath: readonly string[], entries: Record<string, unknown>, layout: { eol: string; width: number }): string {
  if (slot.kind === 'found') {
    const last = slot.map.items.at(-1);
    const lines = splitLines(text);
    if (last === undefined) return text;
    const range = pairLines(last, lineIndexer(lines));
    const block = renderYamlLines(entries, columnOf(text, rangeStart(last.key)), layout.width);
    return joinLines(insertLines(lines, range.end, block, layout.eol));
  }
  if (slot.kind === 'empty') {
    const column = columnOf(text, rangeStart(slot.pair.key));
    const cleared = rewritePairValue(text, slot.pair, '');
    const lines = splitLines(cleared);
    const keyLine = lineIndexer(lines)(rangeStart(slot.pair.key));
    const block = renderYamlLines(nest(keyPath.slice(slot.depth + 1), entries), column + layout.width, layout.width);
    return joinLines(insertLines(lines, keyLine + 1, block, layout.eol));
  }
  const lines = splitLines(text);
  const value = { [keyPath[slot.depth] ?? '']: nest(keyPath.slice(slot.depth + 1), entries) };
  const last = slot.map?.items.at(-1);
  if (last === undefined) return joinLines(insertLines(lines, lines.length, renderYamlLines(value, 0, layout.width), layout.eol));
  const range = pairLines(last, lineIndexer(lines));
  return joinLines(insertLines(lines, range.end, renderYamlLines(value, columnOf(text, rangeStart(last.key)), layout.width), layout.eol));
}
