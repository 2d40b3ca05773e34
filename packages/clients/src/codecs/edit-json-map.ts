import { parseTree, printParseErrorCode, type Node, type ParseError, type ParseOptions } from 'jsonc-parser';
import { codecFailure, namesToRemove, positionAt, type CodecFailure, type EditResult, type MapEdit, type CodecReadResult } from './codec-result.js';
import { deepEqual, getAtPath, isPlainRecord, nest, setAtPath } from './deep-equal.js';
import { detectTextStyle, type TextStyle } from './detect-text-style.js';
import { splitBom } from './text-lines.js';

/** Comments and trailing commas are accepted on read: JSONC clients write them, and we must keep them. */
const parseOptions: ParseOptions = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false };

type Parsed = { ok: true; root: Node | undefined } | CodecFailure;

type Located =
  | { kind: 'found'; object: Node }
  | { kind: 'missing'; parent: Node; depth: number }
  | CodecFailure;

/** The object at `keyPath` in a JSON/JSONC text, `{}` when it (or the file) is absent. */
export function readJsonMap(text: string | undefined, keyPath: readonly string[]): CodecReadResult<Record<string, unknown>> {
  const body = splitBom(text ?? '').body;
  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  if (parsed.root === undefined) return { ok: true, value: {} };
  const located = locateObject(body, parsed.root, keyPath);
  if ('ok' in located) return located;
  if (located.kind === 'missing') return { ok: true, value: {} };
  return { ok: true, value: nodeToValue(located.object) as Record<string, unknown> };
}

/**
 * Sets and removes entries of the object at `keyPath`, touching only their text:
 * every other byte (comments, trailing commas, neighbours' layout, line endings)
 * stays. New entries take the file's indentation and line ending; an unchanged
 * entry is left alone. The result is re-parsed and checked before it is returned.
 */
export function editJsonMap(text: string | undefined, edit: MapEdit): EditResult {
  const { bom, body } = splitBom(text ?? '');
  const entries = Object.entries(edit.set ?? {}).map(([name, value]): [string, unknown] => [name, toJsonValue(value)]);
  const removals = namesToRemove(edit);

  const parsed = parseJson(body);
  if (!parsed.ok) return parsed;
  const style = detectTextStyle(body);
  if (parsed.root === undefined) {
    if (entries.length === 0) return { ok: true, text: text ?? '', changed: false };
    // A new file: the conventional 2-space layout every client writes.
    const created = renderMultiline(nest(edit.keyPath, Object.fromEntries(entries)), { indent: '  ', base: '', eol: style.eol });
    return { ok: true, text: bom + created + style.eol, changed: true };
  }

  const originalRoot = nodeToValue(parsed.root);
  const originalMap = getAtPath(originalRoot, edit.keyPath);
  const located = locateObject(body, parsed.root, edit.keyPath);
  if ('ok' in located) return located;

  let current = body;
  let removedAny = false;
  for (const name of removals) {
    const target = findEntry(current, edit.keyPath, name);
    if (!target.ok) return target;
    if (target.property === undefined) continue;
    current = removeProperty(current, target.object, target.property);
    removedAny = true;
  }
  if (removedAny) current = collapseEmptyObject(current, edit.keyPath);

  const appended: [string, unknown][] = [];
  for (const [name, value] of entries) {
    const target = findEntry(current, edit.keyPath, name);
    if (!target.ok) return target;
    if (target.property === undefined) {
      appended.push([name, value]);
      continue;
    }
    const valueNode = target.property.children?.[1];
    if (valueNode === undefined || deepEqual(nodeToValue(valueNode), value)) continue;
    const ownLine = isOwnLine(current, target.property.offset);
    const rendered = ownLine
      ? renderMultiline(value, { indent: style.indent, base: leadingWhitespace(current, target.property.offset), eol: style.eol })
      : renderInline(value);
    current = splice(current, valueNode.offset, valueNode.offset + valueNode.length, rendered);
  }

  if (appended.length > 0) {
    const reparsed = parseJson(current);
    if (!reparsed.ok || reparsed.root === undefined) return unsupported(current, 0, 'an earlier edit left the file unparseable');
    const where = locateObject(current, reparsed.root, edit.keyPath);
    if ('ok' in where) return where;
    if (where.kind === 'found') current = appendProperties(current, where.object, appended, style);
    else {
      const rest = edit.keyPath.slice(where.depth + 1);
      const key = edit.keyPath[where.depth] ?? '';
      current = appendProperties(current, where.parent, [[key, nest(rest, Object.fromEntries(appended))]], style);
    }
  }

  if (current === body) return { ok: true, text: text ?? '', changed: false };
  const intended = { ...(isPlainRecord(originalMap) ? originalMap : {}) };
  for (const name of removals) Reflect.deleteProperty(intended, name);
  for (const [name, value] of entries) intended[name] = value;
  const verified = verify(current, setAtPath(originalRoot, edit.keyPath, intended));
  if (verified !== undefined) return verified;
  return { ok: true, text: bom + current, changed: true };
}

/**
 * jsonc-parser's error names, as a person reads them. The offending text itself is not
 * quoted: in a connector file it may be a credential.
 */
const PARSE_ERRORS: Readonly<Record<string, string>> = {
  InvalidSymbol: 'something that is not JSON here (an unquoted word or a stray character)',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'a property name (in double quotes) was expected',
  ValueExpected: 'a value was expected',
  ColonExpected: 'a `:` was expected',
  CommaExpected: 'a `,` was expected',
  CloseBraceExpected: 'a `}` was expected',
  CloseBracketExpected: 'a `]` was expected',
  EndOfFileExpected: 'there is more text after the end of the JSON',
  InvalidCommentToken: 'a malformed comment',
  UnexpectedEndOfComment: 'a comment that is never closed',
  UnexpectedEndOfString: 'a string that is never closed',
  UnexpectedEndOfNumber: 'a number that ends too soon',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'an invalid escape in a string',
  InvalidCharacter: 'a control character inside a string',
};

function parseJson(text: string): Parsed {
  if (text.trim() === '') return { ok: true, root: undefined };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, parseOptions);
  const first = errors[0];
  if (first !== undefined || root === undefined) {
    const offset = first?.offset ?? 0;
    const reason = first === undefined ? 'there is no JSON value' : (PARSE_ERRORS[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error));
    return codecFailure('CLIENT_FILE_INVALID', `The file is not valid JSON: ${reason}.`, positionAt(text, offset));
  }
  return { ok: true, root };
}

function verify(text: string, expected: unknown): CodecFailure | undefined {
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.root === undefined || !deepEqual(nodeToValue(parsed.root), expected)) {
    return unsupported(text, 0, 'the edited file did not read back as intended');
  }
  return undefined;
}

function unsupported(text: string, offset: number, reason: string): CodecFailure {
  return codecFailure('CLIENT_FILE_UNSUPPORTED_LAYOUT', `The file was left untouched: ${reason}.`, positionAt(text, offset));
}

function propertiesNamed(object: Node, name: string): Node[] {
  return (object.children ?? []).filter((property) => property.children?.[0]?.value === name);
}

function locateObject(text: string, root: Node, keyPath: readonly string[]): Located {
  let node = root;
  for (const [depth, key] of keyPath.entries()) {
    if (node.type !== 'object') return unsupported(text, node.offset, `the value above "${key}" is not an object`);
    const matches = propertiesNamed(node, key);
    if (matches.length > 1) return unsupported(text, matches[1]?.offset ?? 0, `the key "${key}" appears more than once`);
    const value = matches[0]?.children?.[1];
    if (value === undefined) return { kind: 'missing', parent: node, depth };
    node = value;
  }
  if (node.type !== 'object') return unsupported(text, node.offset, `the value at ${keyPath.join(' > ') || 'the root'} is not an object`);
  return { kind: 'found', object: node };
}

function findEntry(text: string, keyPath: readonly string[], name: string): { ok: true; object: Node; property: Node | undefined } | CodecFailure {
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.root === undefined) return unsupported(text, 0, 'an earlier edit left the file unparseable');
  const located = locateObject(text, parsed.root, keyPath);
  if ('ok' in located) return located;
  if (located.kind === 'missing') return { ok: true, object: parsed.root, property: undefined };
  const matches = propertiesNamed(located.object, name);
  if (matches.length > 1) return unsupported(text, matches[1]?.offset ?? 0, `the entry "${name}" appears more than once`);
  return { ok: true, object: located.object, property: matches[0] };
}

/** Plain values with own properties only: `__proto__` as a key stays data. */
function nodeToValue(node: Node): unknown {
  if (node.type === 'object') {
    return Object.fromEntries((node.children ?? []).map((property) => [String(property.children?.[0]?.value), nodeToValue(property.children?.[1] ?? node)]));
  }
  if (node.type === 'array') return (node.children ?? []).map(nodeToValue);
  return node.value as unknown;
}

function toJsonValue(value: unknown): unknown {
  const serialised = JSON.stringify(value);
  if (typeof serialised !== 'string') throw new TypeError('editJsonMap: every value to set must be JSON-serialisable');
  return JSON.parse(serialised) as unknown;
}

interface Layout {
  readonly indent: string;
  readonly base: string;
  readonly eol: string;
}

function renderMultiline(value: unknown, layout: Layout): string {
  return JSON.stringify(value, null, layout.indent).split('\n').join(layout.eol + layout.base);
}

/** One-line JSON in the spacing people write by hand: `{ "a": [1, 2] }`. */
function renderInline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(renderInline).join(', ')}]`;
  if (isPlainRecord(value)) {
    const members = Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${renderInline(item)}`);
    return members.length === 0 ? '{}' : `{ ${members.join(', ')} }`;
  }
  return JSON.stringify(value);
}

function splice(text: string, start: number, end: number, insert: string): string {
  return text.slice(0, start) + insert + text.slice(end);
}

function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function leadingWhitespace(text: string, offset: number): string {
  const start = lineStartAt(text, offset);
  const match = /^[ \t]*/.exec(text.slice(start, offset));
  return match === null ? '' : match[0];
}

function isOwnLine(text: string, offset: number): boolean {
  return text.slice(lineStartAt(text, offset), offset).trim() === '';
}

/**
 * What follows a value on its line: an optional comma, then only spaces and
 * comments up to the line end. Undefined when anything else follows (inline layout).
 */
function scanLineTail(text: string, offset: number): { comma: number; nextLineStart: number } | undefined {
  let position = skipSpaces(text, offset);
  let comma = -1;
  if (text[position] === ',') {
    comma = position;
    position += 1;
  }
  for (;;) {
    position = skipSpaces(text, position);
    if (!text.startsWith('/*', position)) break;
    const close = text.indexOf('*/', position + 2);
    if (close === -1 || text.slice(position, close).includes('\n')) return undefined;
    position = close + 2;
  }
  if (text.startsWith('//', position)) {
    const newline = text.indexOf('\n', position);
    return newline === -1 ? undefined : { comma, nextLineStart: newline + 1 };
  }
  if (text.startsWith('\r\n', position)) return { comma, nextLineStart: position + 2 };
  if (text[position] === '\n') return { comma, nextLineStart: position + 1 };
  return undefined;
}

function skipSpaces(text: string, offset: number): number {
  let position = offset;
  while (text[position] === ' ' || text[position] === '\t') position += 1;
  return position;
}

/** The offset of the next comma after `offset`, skipping whitespace and comments; -1 if another token comes first. */
function findCommaAfter(text: string, offset: number): number {
  let position = offset;
  while (position < text.length) {
    const char = text[position];
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r') position += 1;
    else if (text.startsWith('//', position)) {
      const newline = text.indexOf('\n', position);
      position = newline === -1 ? text.length : newline + 1;
    } else if (text.startsWith('/*', position)) {
      const close = text.indexOf('*/', position + 2);
      position = close === -1 ? text.length : close + 2;
    } else return char === ',' ? position : -1;
  }
  return -1;
}

function endOf(node: Node): number {
  return node.offset + node.length;
}

/**
 * Removes one property. On its own line(s) the lines go, and when it was the last
 * property without a trailing comma the comma before it goes too; inline, the
 * separator on one side goes. Each case is the exact inverse of `appendProperties`.
 */
function removeProperty(text: string, object: Node, property: Node): string {
  const siblings = object.children ?? [];
  const index = siblings.indexOf(property);
  const previous = siblings[index - 1];
  const next = siblings[index + 1];
  const end = endOf(property);
  const tail = scanLineTail(text, end);
  if (isOwnLine(text, property.offset) && tail !== undefined) {
    let result = splice(text, lineStartAt(text, property.offset), tail.nextLineStart, '');
    if (tail.comma === -1 && findCommaAfter(text, end) === -1 && previous !== undefined) {
      const comma = findCommaAfter(text, endOf(previous));
      if (comma !== -1) result = splice(result, comma, comma + 1, '');
    }
    return result;
  }
  if (next !== undefined) return splice(text, property.offset, next.offset, '');
  if (previous !== undefined) {
    const trailing = findCommaAfter(text, end);
    if (trailing === -1) return splice(text, endOf(previous), end, '');
    const separator = findCommaAfter(text, endOf(previous));
    return splice(text, separator + 1, trailing + 1, '');
  }
  return splice(text, object.offset + 1, endOf(object) - 1, '');
}

/** After removing entries, an object left with only whitespace inside becomes `{}` (the inverse of filling `{}`). */
function collapseEmptyObject(text: string, keyPath: readonly string[]): string {
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.root === undefined) return text;
  const located = locateObject(text, parsed.root, keyPath);
  if ('ok' in located || located.kind !== 'found' || (located.object.children ?? []).length > 0) return text;
  const inner = text.slice(located.object.offset + 1, endOf(located.object) - 1);
  return inner.trim() === '' && inner !== '' ? splice(text, located.object.offset + 1, endOf(located.object) - 1, '') : text;
}

/**
 * Appends properties after the last one, copying its layout: on their own lines
 * with its indentation (and its trailing-comma habit), or inline after it. Only
 * the inserted text is formatted, so neighbours (an inline array, say) keep theirs.
 */
function appendProperties(text: string, object: Node, entries: readonly [string, unknown][], style: TextStyle): string {
  const siblings = object.children ?? [];
  const last = siblings.at(-1);
  if (last === undefined) {
    const base = leadingWhitespace(text, object.offset);
    const indent = base + style.indent;
    const rendered = entries.map(([name, value]) => `${indent}${JSON.stringify(name)}: ${renderMultiline(value, { indent: style.indent, base: indent, eol: style.eol })}`);
    const open = object.offset + 1;
    const close = endOf(object) - 1;
    const inner = text.slice(open, close);
    if (inner.trim() === '') return splice(text, open, close, style.eol + rendered.join(`,${style.eol}`) + style.eol + base);
    return splice(text, open, open, style.eol + rendered.join(`,${style.eol}`));
  }
  const lastEnd = endOf(last);
  const trailingComma = findCommaAfter(text, lastEnd);
  const tail = scanLineTail(text, lastEnd);
  // A trailing comma on a later line would end up before our lines: insert inline after it instead.
  if (isOwnLine(text, last.offset) && tail !== undefined && (trailingComma === -1 || tail.comma !== -1)) {
    const indent = leadingWhitespace(text, last.offset);
    const rendered = entries.map(([name, value]) => `${indent}${JSON.stringify(name)}: ${renderMultiline(value, { indent: style.indent, base: indent, eol: style.eol })}`);
    if (trailingComma !== -1) return splice(text, tail.nextLineStart, tail.nextLineStart, rendered.map((line) => line + ',' + style.eol).join(''));
    const withLines = splice(text, tail.nextLineStart, tail.nextLineStart, rendered.join(`,${style.eol}`) + style.eol);
    return splice(withLines, lastEnd, lastEnd, ',');
  }
  const inline = entries.map(([name, value]) => `${JSON.stringify(name)}: ${renderInline(value)}`);
  if (trailingComma !== -1) return splice(text, trailingComma + 1, trailingComma + 1, inline.map((member) => ` ${member},`).join(''));
  return splice(text, lastEnd, lastEnd, inline.map((member) => `, ${member}`).join(''));
}
