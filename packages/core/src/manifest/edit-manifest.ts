import { isCollection, isMap, isScalar, LineCounter, parseDocument, stringify, type Document, type Pair, type YAMLMap } from 'yaml';
import { SkillsyncError } from '../errors/skillsync-error.js';
import { MANIFEST_SCHEMA_ID } from './manifest-names.js';
import { parseSkillSpecifier, type SkillSpecifierInput } from './parse-skill-specifier.js';
import { contentEnd, cutMapEntry, lineEnd, lineStart, nodeEnd, nodeStart } from './yaml-text.js';
import { byEntryKey } from '../text/byte-order.js';

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * Adds `name: spec` under `skills:`, creating the section when needed. Text in, text
 * out: every byte outside the new entry is kept, comments and blank lines included.
 * Throws SKILL_ALREADY_ADDED when the name is there, SKILL_NAME_INVALID /
 * SOURCE_INVALID for a bad name or source, MANIFEST_INVALID_YAML when `text` does not parse.
 */
export function addSkillToManifest(text: string, name: string, spec: SkillSpecifierInput): string {
  checkEntry(name, spec);
  const { document, skills } = locateSkills(text, name);
  if (skills?.pair !== undefined) {
    throw new SkillsyncError('SKILL_ALREADY_ADDED', `The skill ${name} is already in the manifest.`, { details: { name } });
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const line = `${name}: ${renderSpecifier(spec)}`;
  const edited = ((): string => {
    if (skills === undefined) {
      if (document.contents !== null && !(isMap(document.contents) && !document.contents.flow)) return fallback(document, ['skills', name], spec);
      const base = text === '' || text.endsWith('\n') ? text : `${text}${eol}`;
      return `${base}skills:${eol}  ${line}${eol}`;
    }
    const { map, keyEnd } = skills;
    if (map === undefined || map.items.length === 0) {
      // `skills:`, `skills: ~` or `skills: {}`: drop the empty value and open a block under the key.
      const colon = text.indexOf(':', keyEnd);
      const valueEnd = Math.max(colon + 1, map?.range?.[1] ?? (isScalar(skills.value) && skills.value.source !== '' ? nodeEnd(skills.value) : colon + 1));
      const cut = text.slice(0, colon + 1) + text.slice(valueEnd);
      const at = lineEnd(cut, colon);
      const before = cut.slice(0, at);
      return `${before}${before.endsWith('\n') ? '' : eol}  ${line}${eol}${cut.slice(at)}`;
    }
    if (map.flow) return renderFlow(text, map, [...flowItems(text, map), line]);
    const first = map.items[0];
    const last = map.items.at(-1);
    if (first === undefined || last === undefined) return fallback(document, ['skills', name], spec);
    const firstStart = nodeStart(first.key);
    const indent = text.slice(lineStart(text, firstStart), firstStart);
    const at = lineEnd(text, contentEnd(last) - 1);
    const before = text.slice(0, at);
    return `${before}${before.endsWith('\n') ? '' : eol}${indent}${line}${eol}${text.slice(at)}`;
  })();
  return checked(edited, text, name, spec);
}

/**
 * Removes the `name` entry from `skills:`, keeping every other byte. Throws
 * SKILL_NOT_IN_MANIFEST when it is not there.
 */
export function removeSkillFromManifest(text: string, name: string): string {
  const { document, skills } = locateSkills(text, name);
  const pair = skills?.pair;
  if (skills?.map === undefined || pair === undefined) throw notInManifest(name);
  const { map, keyEnd } = skills;
  let edited: string;
  if (map.flow) {
    edited = renderFlow(text, map, flowItems(text, map, pair));
  } else {
    edited = cutMapEntry(text, map, pair, keyEnd);
  }
  const reparsed = locateSkills(edited, name);
  if (reparsed.skills?.pair !== undefined || reparsed.document.errors.length > 0) {
    const fallbackDocument = document.clone();
    fallbackDocument.deleteIn(['skills', name]);
    return fallbackDocument.toString();
  }
  return edited;
}

/**
 * Replaces the source of the `name` entry (e.g. a new range after `update`), keeping
 * every other byte, including a comment after the value. Throws SKILL_NOT_IN_MANIFEST
 * when it is not there.
 */
export function setSkillSpecifier(text: string, name: string, spec: SkillSpecifierInput): string {
  checkEntry(name, spec);
  const { skills } = locateSkills(text, name);
  const pair = skills?.pair;
  if (skills?.map === undefined || pair === undefined) throw notInManifest(name);
  const { map } = skills;
  let edited: string;
  if (map.flow) {
    edited = renderFlow(
      text,
      map,
      map.items.map((item) => (item === pair ? `${name}: ${renderSpecifier(spec)}` : itemText(text, item))),
    );
  } else {
    const colon = text.indexOf(':', nodeEnd(pair.key));
    edited = `${text.slice(0, colon + 1)} ${renderSpecifier(spec)}${text.slice(contentEnd(pair))}`;
  }
  return checked(edited, text, name, spec);
}

export interface CreateManifestOptions {
  /** The default registry, e.g. `file:///srv/skills`. */
  registry?: string;
  /** Skills to start with. */
  skills?: Readonly<Record<string, SkillSpecifierInput>>;
  /** Client ids to target; omitted leaves the commented example. */
  clients?: readonly string[];
}

/** The commented starter `skillsync.yaml` that `init` writes. */
export function createManifestText(options: CreateManifestOptions = {}): string {
  const skills = Object.entries(options.skills ?? {}).sort(byEntryKey);
  for (const [name, spec] of skills) checkEntry(name, spec);
  const lines = [
    `# yaml-language-server: $schema=${MANIFEST_SCHEMA_ID}`,
    '# skillsync manifest: the skills, connectors and instructions every AI client here should have.',
    '# Run `skillsync install` after editing; commit this file and skillsync.lock.',
    'version: 1',
    '',
    '# Where skills given as a version range come from (file:///dir, file:./dir or https://…).',
    options.registry === undefined ? '# registry: file:///srv/skillsync-registry' : `registry: ${renderScalar(options.registry)}`,
    '',
    '# Skill name: a version range (^1.2.0, latest), a folder (./skills/x) or a package (x.tgz).',
    skills.length === 0 ? 'skills: {}' : 'skills:',
    ...skills.map(([name, spec]) => `  ${name}: ${renderSpecifier(spec)}`),
    '',
    // The example sits above the key: entries added later go below it, not among its lines.
    '# MCP servers; secrets only as ${secret:NAME} or ${env:NAME}. Add one with',
    '# `skillsync add --connector <name> -- <command>`, or write it here, e.g.:',
    '#   github:',
    '#     command: npx',
    '#     args: ["-y", "@modelcontextprotocol/server-github"]',
    '#     env: { GITHUB_PERSONAL_ACCESS_TOKEN: "${secret:GITHUB_TOKEN}" }',
    'connectors: {}',
    '',
    '# Guidance for every client: - text: "…"  or  - file: ./AGENTS.md',
    'instructions: []',
    '',
    '# The clients to keep in sync; leave it out to use every client found on this machine.',
    options.clients === undefined ? '# clients: [claude-code, cursor]' : `clients: [${options.clients.map(renderScalar).join(', ')}]`,
    '',
  ];
  return lines.join('\n');
}

/** A specifier as the manifest writes it: a plain string, or a one-line flow mapping. */
export function renderSpecifier(spec: SkillSpecifierInput): string {
  if (typeof spec === 'string') return renderScalar(spec);
  const parts = (['version', 'registry', 'path', 'tarball'] as const)
    .filter((key) => spec[key] !== undefined)
    .map((key) => `${key}: ${renderScalar(spec[key] ?? '')}`);
  return `{ ${parts.join(', ')} }`;
}

function renderScalar(value: string): string {
  return stringify(value, { lineWidth: 0 }).trimEnd();
}

function checkEntry(name: string, spec: SkillSpecifierInput): void {
  if (!skillNamePattern.test(name) || name.length > 64) {
    throw new SkillsyncError('SKILL_NAME_INVALID', `\`${name}\` is not a skill name.`, { details: { name } });
  }
  const parsed = parseSkillSpecifier(spec);
  if (!parsed.ok) throw new SkillsyncError('SOURCE_INVALID', `The source of ${name} ${parsed.reason}.`, { details: { name } });
}

function notInManifest(name: string): SkillsyncError {
  return new SkillsyncError('SKILL_NOT_IN_MANIFEST', `The skill ${name} is not in the manifest.`, { details: { name } });
}

interface SkillsSection {
  pair: Pair | undefined;
  map: YAMLMap | undefined;
  value: unknown;
  /** Offset just after the `skills` key (before its colon). */
  keyEnd: number;
}

function locateSkills(text: string, name?: string): { document: Document; skills: SkillsSection | undefined } {
  const document = parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: true, keepSourceTokens: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    throw new SkillsyncError('MANIFEST_INVALID_YAML', `The manifest is not valid YAML: ${first?.message.split('\n')[0] ?? ''}`, {
      details: { position: first?.pos[0] },
    });
  }
  const root = document.contents;
  if (!isMap(root)) return { document, skills: undefined };
  const section = root.items.find((item) => isScalar(item.key) && item.key.value === 'skills');
  if (section === undefined) return { document, skills: undefined };
  const value: unknown = section.value;
  const map = isMap(value) ? value : undefined;
  const pair =
    map === undefined || name === undefined ? undefined : map.items.find((item) => isScalar(item.key) && String(item.key.value) === name);
  const keyEnd = nodeEnd(section.key);
  return { document, skills: { pair, map, value, keyEnd } };
}

function itemText(text: string, item: Pair): string {
  return text.slice(nodeStart(item.key), contentEnd(item));
}

function flowItems(text: string, map: YAMLMap, without?: Pair): string[] {
  return map.items.filter((item) => item !== without).map((item) => itemText(text, item));
}

function renderFlow(text: string, map: YAMLMap, items: readonly string[]): string {
  const [start, end] = map.range ?? [0, 0];
  return `${text.slice(0, start)}${items.length === 0 ? '{}' : `{ ${items.join(', ')} }`}${text.slice(end)}`;
}

/** The edit must parse and hold exactly the new entry; otherwise let the YAML library write it. */
function checked(edited: string, original: string, name: string, spec: SkillSpecifierInput): string {
  const { document } = locateSkills(original);
  try {
    const after = parseDocument(edited, { uniqueKeys: true });
    const written: unknown = after.errors.length === 0 ? after.getIn(['skills', name]) : undefined;
    const value: unknown = isCollection(written) ? written.toJSON() : written;
    if (JSON.stringify(canonical(value)) === JSON.stringify(canonical(spec))) return edited;
  } catch {
    // fall through to the library edit
  }
  return fallback(document, ['skills', name], spec);
}

function fallback(document: Document, path: readonly string[], spec: SkillSpecifierInput): string {
  const copy = document.clone();
  copy.setIn(path, copy.createNode(spec, { flow: true }));
  return copy.toString();
}

function canonical(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter((entry) => entry[1] !== undefined)
      .sort(byEntryKey),
  );
}
