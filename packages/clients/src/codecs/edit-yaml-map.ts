import type { Pair } from 'yaml';
import { namesToRemove, type CodecFailure, type EditResult, type MapEdit, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, setAtPath } from './deep-equal.js';
import {
  appendToBlock,
  documentValue,
  finishYamlEdit,
  isScalar,
  locateBlock,
  openYaml,
  pairLines,
  removeEntries,
  replaceEntry,
  reparseYaml,
  toPlainValue,
  unsupported,
  yamlLayout,
  type BlockSlot,
} from './yaml-document.js';

/** The mapping at `keyPath` (Goose's `extensions:`), `{}` when absent or empty. */
export function readYamlMap(text: string | undefined, keyPath: readonly string[]): CodecReadResult<Record<string, unknown>> {
  const opened = openYaml(text);
  if (!opened.ok) return opened;
  const map = getAtPath(opened.value, keyPath);
  if (map === undefined || map === null) return { ok: true, value: {} };
  if (!isPlainRecord(map)) return unsupported(opened.body, 0, `the value at ${keyPath.join(' > ')} is not a mapping`);
  return { ok: true, value: { ...map } };
}

/**
 * Sets and removes entries of a block mapping by splicing whole lines: an entry is
 * its key line through the end of its value, rendered anew when it changes; every
 * other line (comments included) is untouched. The result is re-parsed and must
 * equal the original document with only the intended entries changed.
 */
export function editYamlMap(text: string | undefined, edit: MapEdit): EditResult {
  const { keyPath } = edit;
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, unknown] => [name, toPlainValue(value, 'editYamlMap')]);
  const removals = namesToRemove(edit);
  const opened = openYaml(text);
  if (!opened.ok) return opened;
  const { body } = opened;
  const layout = yamlLayout(body);
  const first = locateBlock(body, opened.doc, keyPath, 'mapping');
  if (!first.ok) return first;

  const removal = removeEntries(body, removals, {
    reparse: (edited) => reparse(edited, keyPath),
    find: (slot, name) => slot.node.items.find((item) => keyOf(item) === name),
    entryLines: pairLines,
    emptyValue: '{}',
  });
  if (!removal.ok) return removal;
  let current = removal.text;

  const appended: [string, unknown][] = [];
  for (const [name, value] of entries) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot, value: whole } = state;
    const pair = slot.kind === 'found' ? slot.node.items.find((item) => keyOf(item) === name) : undefined;
    if (pair === undefined) {
      appended.push([name, value]);
      continue;
    }
    if (deepEqual(getAtPath(whole, [...keyPath, name]), value)) continue;
    current = replaceEntry(current, pair, pairLines, { [name]: value }, layout);
  }

  if (appended.length > 0) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    current = appendToBlock(current, state.slot, keyPath, Object.fromEntries(appended), pairLines, layout);
  }

  const before = getAtPath(opened.value, keyPath);
  const intended: Record<string, unknown> = { ...(isPlainRecord(before) ? before : {}) };
  for (const name of removals) Reflect.deleteProperty(intended, name);
  for (const [name, value] of entries) intended[name] = value;
  return finishYamlEdit(opened, current, setAtPath(opened.value, keyPath, intended));
}

function reparse(text: string, keyPath: readonly string[]): { ok: true; slot: BlockSlot<'mapping'>; value: unknown } | CodecFailure {
  const parsed = reparseYaml(text);
  if (!parsed.ok) return parsed;
  const value = documentValue(parsed.doc);
  if (!value.ok) return value;
  const located = locateBlock(text, parsed.doc, keyPath, 'mapping');
  return located.ok ? { ok: true, slot: located.slot, value: value.value } : located;
}

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}
