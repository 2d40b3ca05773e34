import { parse, stringify, TomlError } from 'smol-toml';
import { codecFailure, namesToRemove, type CodecFailure, type EditResult, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, nest, omitAtPath } from './deep-equal.js';
import { detectTextStyle } from './detect-text-style.js';
import { scanToml, type TomlScan } from './toml-scan.js';
import { appendBlock, joinLines, removeLines, replaceLines, splitBom, splitLines } from './text-lines.js';

export interface TomlTablesEdit {
  /** The table holding the entries: `mcp_servers` (one key), or a path of keys. */
  readonly prefix: string | readonly string[];
  /** Tables to create or replace, each written as `[prefix.name]` plus sub-tables. */
  readonly set?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** Tables to delete with all their sub-tables; a name also in `set` is set. */
  readonly remove?: readonly string[];
}

type ParsedToml = { ok: true; value: Record<string, unknown> } | CodecFailure;

/** The tables under `prefix` (e.g. every `[mcp_servers.<name>]`), `{}` when absent. */
export function readTomlTables(text: string | undefined, prefix: string | readonly string[]): CodecReadResult<Record<string, unknown>> {
  const parsed = parseToml(splitBom(text ?? '').body);
  if (!parsed.ok) return parsed;
  const tables = getAtPath(parsed.value, prefixPath(prefix));
  return { ok: true, value: isPlainRecord(tables) ? { ...tables } : {} };
}

/**
 * Edits `[prefix.name]` tables at the section level: a changed table's lines (its
 * header, its sub-tables, or its one-line inline form) are replaced by freshly
 * rendered TOML, new tables are appended at the end after one blank line, removed
 * ones are deleted, and every other line stays byte-identical. Layouts the scanner
 * cannot edit safely (dotted keys spelling out an entry) end in
 * CLIENT_FILE_UNSUPPORTED_LAYOUT, checked by re-reading the result.
 */
export function editTomlTables(text: string | undefined, edit: TomlTablesEdit): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const path = prefixPath(edit.prefix);
  const parsed = parseToml(body);
  if (!parsed.ok) return parsed;
  const style = detectTextStyle(body);
  const original = parsed.value;
  const existingTables = getAtPath(original, path);
  const existing = isPlainRecord(existingTables) ? existingTables : {};
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, Record<string, unknown>] => [name, normaliseTable(path, name, value)]);
  const removals = namesToRemove({ keyPath: path, set: edit.set ?? {}, remove: edit.remove ?? [] }).filter((name) => Object.hasOwn(existing, name));

  let current = body;
  const appended: [string, Record<string, unknown>][] = [];
  for (const name of removals) {
    const located = locateEntry(current, path, name);
    if (!located.ok) return located;
    current = deleteRanges(current, located.ranges);
  }
  for (const [name, value] of entries) {
    if (Object.hasOwn(existing, name) && deepEqual(existing[name], value)) continue;
    const located = locateEntry(current, path, name);
    if (!located.ok) return located;
    const [first, ...others] = located.ranges;
    if (first === undefined) {
      if (Object.hasOwn(existing, name)) return unsupported(`the entry "${name}" is written in a layout skillsync cannot edit`, 1);
      appended.push([name, value]);
      continue;
    }
    // Later ranges go first so the first range's line numbers stay valid.
    current = deleteRanges(current, others);
    const lines = splitLines(current);
    const block = first.inlineKey === undefined ? renderTable(path, name, value) : [`${first.inlineKey} = ${renderInline(value)}`];
    current = joinLines(replaceLines(lines, first.start, first.end, block, style.eol));
  }
  for (const [name, value] of appended) {
    current = joinLines(appendBlock(splitLines(current), renderTable(path, name, value), style.eol));
  }

  if (current === body) return { ok: true, text: text ?? '', changed: false };
  const intended: Record<string, unknown> = { ...existing };
  for (const name of removals) Reflect.deleteProperty(intended, name);
  for (const [name, value] of entries) intended[name] = value;
  const reread = parseToml(current);
  if (!reread.ok) return unsupported('the edited file would not parse', reread.problem.line);
  const rereadTables = getAtPath(reread.value, path);
  if (
    !deepEqual(isPlainRecord(rereadTables) ? rereadTables : {}, intended) ||
    !deepEqual(omitAtPath(reread.value, path), omitAtPath(original, path))
  ) {
    return unsupported('the edited file did not read back as intended', 1);
  }
  return { ok: true, text: bom + current, changed: true };
}

function prefixPath(prefix: string | readonly string[]): readonly string[] {
  return typeof prefix === 'string' ? [prefix] : prefix;
}

function parseToml(text: string): ParsedToml {
  try {
    return { ok: true, value: parse(text, { integersAsBigInt: 'asNeeded' }) };
  } catch (error) {
    const position = error instanceof TomlError ? { line: error.line, column: error.column } : { line: 1, column: 1 };
    const reason = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    return codecFailure('CLIENT_FILE_INVALID', `The file is not valid TOML: ${reason.replace(/^Invalid TOML document: /, '')}.`, position);
  }
}

function unsupported(reason: string, line: number): CodecFailure {
  return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', `The file was left untouched: ${reason}.`, { line, column: 1 });
}

/** The value as TOML will read it back (nulls dropped, integral floats as integers), for no-op checks. */
function normaliseTable(path: readonly string[], name: string, value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (!isPlainRecord(value)) throw new TypeError(`editTomlTables: the value of "${name}" must be a plain object`);
  const reread = getAtPath(parse(stringify(nest([...path, name], value)), { integersAsBigInt: 'asNeeded' }), [...path, name]);
  return isPlainRecord(reread) ? { ...reread } : {};
}

/** `[prefix.name]` followed by its keys, then its sub-tables (`[prefix.name.env]`, …), as smol-toml renders them. */
function renderTable(path: readonly string[], name: string, value: Record<string, unknown>): string[] {
  const header = stringify(nest([...path, name], {})).trim();
  const lines = stringify(nest([...path, name], value)).replace(/\n+$/, '').split('\n');
  if (lines[0] === header) return lines;
  return lines.length === 1 && lines[0] === '' ? [header] : [header, '', ...lines];
}

/** A one-line inline table, for entries the user wrote as `name = { … }`. */
function renderInline(value: unknown): string {
  if (isPlainRecord(value)) {
    const members = Object.entries(value).map(([key, item]) => `${renderKey(key)} = ${renderInline(item)}`);
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`;
  }
  if (Array.isArray(value)) return `[ ${value.map(renderInline).join(', ')} ]`.replace('[  ]', '[]');
  return stringify({ value }).trim().slice('value = '.length);
}

function renderKey(key: string): string {
  const line = stringify({ [key]: true }).trim();
  return line.slice(0, line.length - ' = true'.length);
}

interface EntryRange {
  readonly start: number;
  readonly end: number;
  /** Set for the inline form (`name = { … }`): the key as the user wrote it. */
  readonly inlineKey?: string;
}

/**
 * Every place that defines the entry: its `[prefix.name…]` sections (owned lines
 * only, see `ownedEnd`) and an inline `name = { … }` statement. Dotted keys that
 * spell out the entry's fields are refused rather than half-edited.
 */
function locateEntry(text: string, path: readonly string[], name: string): { ok: true; ranges: EntryRange[] } | CodecFailure {
  const scan = scanToml(text);
  if (scan === undefined) return unsupported('the file has a construct the section scanner does not handle', 1);
  const target = [...path, name];
  const ranges: EntryRange[] = [];
  for (const [index, header] of scan.headers.entries()) {
    if (!startsWith(header.path, target)) continue;
    const next = scan.headers[index + 1];
    ranges.push({ start: header.line, end: ownedEnd(scan, header.line, next?.line ?? scan.lines.length, next !== undefined) + 1 });
  }
  for (const statement of scan.statements) {
    const full = [...statement.table, ...statement.key];
    // Statements inside the entry's own sections move with those sections.
    if (startsWith(statement.table, target) || !startsWith(full, target)) continue;
    if (full.length !== target.length) return unsupported(`the entry "${name}" is written with dotted keys`, statement.startLine + 1);
    ranges.push({ start: statement.startLine, end: statement.endLine + 1, inlineKey: statement.keySource.trimEnd() });
  }
  ranges.sort((left, right) => left.start - right.start);
  return { ok: true, ranges };
}

function startsWith(path: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((key, index) => path[index] === key);
}

/**
 * The last line a section owns: its header, its statements, and comments inside it,
 * but not trailing comments after a blank line nor comments sitting directly on
 * the next header (those describe what follows).
 */
function ownedEnd(scan: TomlScan, headerLine: number, limit: number, hasNext: boolean): number {
  let end = headerLine;
  let gap = false;
  for (let index = headerLine + 1; index < limit; index += 1) {
    const kind = scan.kinds[index];
    if (kind === 'blank') gap = true;
    else if (kind === 'statement' || (kind === 'comment' && !gap)) {
      end = index;
      gap = false;
    }
  }
  if (hasNext && end === limit - 1) {
    while (end > headerLine && scan.kinds[end] === 'comment') end -= 1;
  }
  return end;
}

/** Deletes ranges bottom-up so earlier line numbers stay valid. */
function deleteRanges(text: string, ranges: readonly EntryRange[]): string {
  let lines = splitLines(text);
  for (const range of [...ranges].sort((left, right) => right.start - left.start)) lines = removeLines(lines, range.start, range.end, 'separated');
  return joinLines(lines);
}
