import { Document, isMap, isScalar, isSeq, parseDocument, type Node, type Pair } from 'yaml';
import { SkillsyncError } from '../errors/skillsync-error.js';
import type { ConnectorDefinition, InstructionDefinition } from './manifest-schema.js';
import { parseManifest } from './parse-manifest.js';
import { contentEnd, cutMapEntry, lineEnd, lineStart, nodeEnd, nodeStart } from './yaml-text.js';

export interface ManifestAdditions {
  /** Connectors to add by name; a name already in the manifest is refused. */
  readonly connectors?: Readonly<Record<string, ConnectorDefinition>>;
  /** Instructions to append, in order; a `name` already in the manifest is refused. */
  readonly instructions?: readonly InstructionDefinition[];
}

type Section = 'connectors' | 'instructions';

/**
 * Adds connectors and instructions to a manifest's text. Text in, text out: the new
 * entries are spliced in after the last entry of their section (an empty `{}` / `[]`
 * opens into a block; a missing section is appended), so every other byte, comments
 * included, stays as written. The result is parsed again and refused if it does not
 * validate, so a caller never writes a manifest the next command would reject.
 */
export function addManifestEntries(text: string, additions: ManifestAdditions, file = 'skillsync.yaml'): string {
  let edited = text;
  const connectors = Object.entries(additions.connectors ?? {});
  if (connectors.length > 0) {
    const existing = sectionOf(edited, 'connectors', file);
    for (const [name] of connectors) {
      if (isMap(existing.value) && existing.value.has(name)) throw alreadyThere('connector', name, file);
    }
    edited = splice(edited, existing, Object.fromEntries(connectors));
  }
  const instructions = additions.instructions ?? [];
  if (instructions.length > 0) {
    const existing = sectionOf(edited, 'instructions', file);
    const names = new Set(isSeq(existing.value) ? existing.value.items.map((item) => (isMap(item) ? item.get('name') : undefined)) : []);
    for (const instruction of instructions) {
      if (instruction.name !== undefined && names.has(instruction.name)) throw alreadyThere('instruction', instruction.name, file);
    }
    edited = splice(edited, existing, instructions);
  }
  return validated(edited, file);
}

function validated(edited: string, file: string): string {
  const parsed = parseManifest(edited, { file });
  const error = parsed.findings.find((finding) => finding.severity === 'error');
  if (error !== undefined) {
    throw new SkillsyncError(error.code, `The entries would make ${file} invalid: ${error.message}`, { hint: error.hint, details: { path: file } });
  }
  return edited;
}

/**
 * Replaces the definition of the connector `name` (adding it when the manifest has
 * none), text in, text out: only the lines of that entry change, rewritten at their
 * own indentation; comments and every other entry stay as written. Refused, like
 * `addManifestEntries`, when the result would not validate.
 */
export function replaceManifestConnector(text: string, name: string, connector: ConnectorDefinition, file = 'skillsync.yaml'): string {
  const section = sectionOf(text, 'connectors', file);
  const map = isMap(section.value) ? section.value : undefined;
  const pair = map?.items.find((item) => isScalar(item.key) && item.key.value === name);
  if (map === undefined || pair === undefined) return addManifestEntries(text, { connectors: { [name]: connector } }, file);
  let edited: string;
  if (map.flow || section.document.contents === null || !isMap(section.document.contents) || section.document.contents.flow) {
    edited = libraryEdit(section.document, 'connectors', { [name]: connector });
  } else {
    const eol = text.includes('\r\n') ? '\r\n' : '\n';
    const start = lineStart(text, nodeStart(pair.key));
    const end = lineEnd(text, contentEnd(pair) - 1);
    edited = `${text.slice(0, start)}${render({ [name]: connector }, text.slice(start, nodeStart(pair.key)), eol)}${text.slice(end)}`;
  }
  return validated(edited, file);
}

/**
 * Removes the connector `name`, text in, text out: only that entry's lines go (the last
 * one leaves `connectors: {}`, as an empty block would read as null); comments and every
 * other entry stay as written. CONNECTOR_NOT_IN_MANIFEST when there is no such entry.
 */
export function removeManifestConnector(text: string, name: string, file = 'skillsync.yaml'): string {
  const section = sectionOf(text, 'connectors', file);
  const map = isMap(section.value) ? section.value : undefined;
  const pair = map?.items.find((item) => isScalar(item.key) && item.key.value === name);
  if (map === undefined || pair === undefined || section.pair === undefined) {
    throw new SkillsyncError('CONNECTOR_NOT_IN_MANIFEST', `The connector ${name} is not in ${file}.`, { details: { path: file, name } });
  }
  const root = section.document.contents;
  if (map.flow || !isMap(root) || root.flow) {
    const copy = section.document.clone();
    copy.deleteIn(['connectors', name]);
    return validated(copy.toString({ lineWidth: 0 }), file);
  }
  return validated(cutMapEntry(text, map, pair, nodeEnd(section.pair.key)), file);
}

interface Located {
  readonly key: Section;
  readonly document: Document;
  readonly pair: Pair | undefined;
  readonly value: unknown;
}

function sectionOf(text: string, key: Section, file: string): Located {
  const document = parseDocument(text, { keepSourceTokens: false });
  if (document.errors.length > 0) {
    throw new SkillsyncError('MANIFEST_INVALID_YAML', `${file} is not valid YAML: ${document.errors[0]?.message.split('\n')[0] ?? ''}`, { details: { path: file } });
  }
  const root = document.contents;
  const pair = isMap(root) ? root.items.find((item) => isScalar(item.key) && item.key.value === key) : undefined;
  const value: unknown = pair?.value ?? undefined;
  const wrongKind = key === 'connectors' ? value !== undefined && value !== null && !isMap(value) && !isEmptyScalar(value) : value !== undefined && value !== null && !isSeq(value) && !isEmptyScalar(value);
  if (wrongKind) throw new SkillsyncError('MANIFEST_INVALID', `\`${key}\` in ${file} is not a ${key === 'connectors' ? 'mapping' : 'list'}.`, { details: { path: file, key } });
  return { key, document, pair, value };
}

function isEmptyScalar(value: unknown): boolean {
  return isScalar(value) && (value.value === null || value.value === '');
}

/** The new entries written where they belong, in the file's own line ending and indentation. */
function splice(text: string, section: Located, entries: object): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const { document, pair, value, key } = section;
  const root = document.contents;
  const collection = isMap(value) || isSeq(value) ? value : undefined;
  const items = collection?.items ?? [];

  if (root !== null && !(isMap(root) && !root.flow)) return libraryEdit(document, key, entries);
  if (collection !== undefined && collection.flow && items.length > 0) return libraryEdit(document, key, entries);

  if (pair === undefined) {
    const base = text === '' || text.endsWith('\n') ? text : `${text}${eol}`;
    return `${base}${key}:${eol}${render(entries, '  ', eol)}`;
  }
  if (items.length === 0) {
    // `connectors:`, `connectors: ~` or `connectors: {}`: drop the empty value and open a block under the key.
    const keyEnd = nodeEnd(pair.key);
    const colon = text.indexOf(':', keyEnd);
    const valueEnd = value === null || value === undefined ? colon + 1 : Math.max(colon + 1, nodeEnd(value));
    const cut = text.slice(0, colon + 1) + text.slice(valueEnd);
    const at = lineEnd(cut, colon);
    const before = cut.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : eol}${render(entries, '  ', eol)}${cut.slice(at)}`;
  }
  const first: unknown = items[0];
  const firstStart = nodeStart(isMap(value) ? (first as Pair).key : first);
  // A list item's own column is where its `- ` starts.
  const indentEnd = isSeq(value) ? text.lastIndexOf('-', firstStart) : firstStart;
  const indent = text.slice(lineStart(text, indentEnd), indentEnd);
  const at = lineEnd(text, contentEnd(items.at(-1)) - 1);
  const before = text.slice(0, at);
  return `${before}${before.endsWith('\n') ? '' : eol}${render(entries, indent, eol)}${text.slice(at)}`;
}

/** Entries as block YAML lines under `indent`, lists of plain values inline (`args: [-y, pkg]`), as people write them. */
function render(entries: object, indent: string, eol: string): string {
  const document = new Document();
  document.contents = blockNode(document, entries);
  const yaml = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  return yaml
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `${indent}${line}${eol}`)
    .join('');
}

function blockNode(document: Document, value: object): Node {
  const node = document.createNode(value) as Node;
  const visit = (current: unknown): void => {
    if (isSeq(current)) {
      current.flow = current.items.length > 0 && current.items.every((item) => isScalar(item));
      current.items.forEach(visit);
    } else if (isMap(current)) {
      current.flow = false;
      for (const item of current.items) visit(item.value);
    }
  };
  visit(node);
  return node;
}

/** A layout this splice does not handle (a flow root or a filled flow section): the YAML library rewrites the file (`setIn` replaces an entry of the same name). */
function libraryEdit(document: Document, key: Section, entries: object): string {
  const copy = document.clone();
  if (Array.isArray(entries)) for (const entry of entries as unknown[]) copy.addIn([key], copy.createNode(entry));
  else for (const [name, value] of Object.entries(entries)) copy.setIn([key, name], copy.createNode(value));
  return copy.toString({ lineWidth: 0 });
}

function alreadyThere(kind: 'connector' | 'instruction', name: string, file: string): SkillsyncError {
  return new SkillsyncError('MANIFEST_ENTRY_EXISTS', `The ${kind} ${name} is in ${file} already.`, { details: { path: file, kind, name } });
}
