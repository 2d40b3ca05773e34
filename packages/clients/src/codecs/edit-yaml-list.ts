import type { Document, Pair, YAMLSeq } from 'yaml';
import { namesToRemove, type CodecFailure, type EditResult, type MapEdit, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, setAtPath } from './deep-equal.js';
import {
  appendToBlock,
  documentValue,
  finishYamlEdit,
  itemLines,
  locateBlock,
  openYaml,
  removeEntries,
  replaceEntry,
  reparseYaml,
  toPlainValue,
  unsupported,
  yamlLayout,
  type AbsentSlot,
} from './yaml-document.js';

export interface ListEdit extends MapEdit {
  /** The field naming an item (`name` for Continue's `mcpServers:`). */
  readonly idField: string;
}

/** The items of the list at `keyPath` that have a string `idField`, keyed by it (whole items, id included). */
export function readYamlList(text: string | undefined, keyPath: readonly string[], idField: string): CodecReadResult<Record<string, unknown>> {
  const opened = openYaml(text);
  if (!opened.ok) return opened;
  const list = getAtPath(opened.value, keyPath);
  if (list === undefined || list === null) return { ok: true, value: {} };
  if (!Array.isArray(list)) return unsupported(opened.body, 0, `the value at ${keyPath.join(' > ')} is not a list`);
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
  const { keyPath, idField } = edit;
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, Record<string, unknown>] => [name, toItem(idField, name, value)]);
  const removals = namesToRemove(edit);
  const opened = openYaml(text);
  if (!opened.ok) return opened;
  const { body } = opened;
  const layout = yamlLayout(body);
  const first = locateList(body, opened.doc, keyPath);
  if (!first.ok) return first;
  const before = getAtPath(opened.value, keyPath);
  let intended: unknown[] = Array.isArray(before) ? [...(before as unknown[])] : [];
  for (const name of [...entries.map(([name]) => name), ...removals]) {
    if (intended.filter((item) => idOf(item, idField) === name).length > 1) {
      return unsupported(body, 0, `more than one item has ${idField} "${name}"`);
    }
  }

  const removal = removeEntries(body, removals, {
    reparse: (edited) => reparse(edited, keyPath),
    find: (slot, name) => slot.node.items[slot.values.findIndex((item) => idOf(item, idField) === name)],
    entryLines: itemLines,
    emptyValue: '[]',
  });
  if (!removal.ok) return removal;
  let current = removal.text;
  intended = intended.filter((item) => !removal.removed.some((name) => idOf(item, idField) === name));

  const appended: Record<string, unknown>[] = [];
  for (const [name, item] of entries) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    const { slot } = state;
    const index = slot.kind === 'found' ? slot.values.findIndex((value) => idOf(value, idField) === name) : -1;
    const node = slot.kind === 'found' ? slot.node.items[index] : undefined;
    if (node === undefined || slot.kind !== 'found') {
      appended.push(item);
      intended.push(item);
      continue;
    }
    intended = intended.map((value) => (idOf(value, idField) === name ? item : value));
    if (deepEqual(slot.values[index], item)) continue;
    current = replaceEntry(current, node, itemLines, [item], layout);
  }

  if (appended.length > 0) {
    const state = reparse(current, keyPath);
    if (!state.ok) return state;
    current = appendToBlock(current, state.slot, keyPath, appended, itemLines, layout);
  }

  return finishYamlEdit(opened, current, setAtPath(opened.value, keyPath, intended));
}

function toItem(idField: string, name: string, value: unknown): Record<string, unknown> {
  const plain = toPlainValue(value, 'editYamlList');
  if (!isPlainRecord(plain)) throw new TypeError(`editYamlList: the item "${name}" must be a plain object`);
  return { [idField]: name, ...Object.fromEntries(Object.entries(plain).filter(([key]) => key !== idField)) };
}

function idOf(item: unknown, idField: string): unknown {
  return isPlainRecord(item) ? item[idField] : undefined;
}

type ListSlot = { kind: 'found'; node: YAMLSeq; pair: Pair | undefined; values: unknown[] } | AbsentSlot;

function locateList(text: string, doc: Document.Parsed, keyPath: readonly string[]): { ok: true; slot: ListSlot } | CodecFailure {
  const located = locateBlock(text, doc, keyPath, 'list');
  if (!located.ok) return located;
  const { slot } = located;
  if (slot.kind !== 'found') return { ok: true, slot };
  const value = documentValue(doc);
  const values = value.ok ? getAtPath(value.value, keyPath) : [];
  return { ok: true, slot: { ...slot, values: Array.isArray(values) ? values : [] } };
}

function reparse(text: string, keyPath: readonly string[]): { ok: true; slot: ListSlot } | CodecFailure {
  const parsed = reparseYaml(text);
  return parsed.ok ? locateList(text, parsed.doc, keyPath) : parsed;
}
