import { isMap, isPair, isScalar, parse, Scalar, type Pair } from 'yaml';
import { SkillsyncError } from '../errors/index.js';
import { parseSkillMd } from './parse-skill-md.js';
import { isSemver } from './validate-skill-md.js';

/**
 * Sets `metadata.version` in SKILL.md text and changes nothing else: every other byte,
 * comment, quote style and key order survives, because the edit is spliced into the
 * original text at the node's offsets rather than re-serialising the YAML.
 * Throws SkillsyncError when `version` is not semver or the frontmatter cannot be edited
 * safely (absent, invalid YAML, `metadata` not a mapping).
 */
export function setSkillVersion(skillMdText: string, version: string): string {
  if (!isSemver(version)) {
    throw new SkillsyncError('SKILL_VERSION_INVALID', `"${version}" is not a semantic version (MAJOR.MINOR.PATCH).`, { details: { version } });
  }
  const parsed = parseSkillMd(skillMdText);
  const blocking = parsed.findings.find((finding) => finding.severity === 'error');
  const document = parsed.document;
  if (blocking !== undefined || document === undefined || parsed.frontmatter === undefined) {
    throw new SkillsyncError(blocking?.code ?? 'SKILL_FRONTMATTER_MISSING', `Cannot set the version: ${blocking?.message ?? 'SKILL.md has no frontmatter.'}`, {
      details: blocking === undefined ? {} : { line: blocking.line },
    });
  }

  const bom = parsed.hasBom ? '\uFEFF' : '';
  const text = parsed.hasBom ? skillMdText.slice(1) : skillMdText;
  const eol = parsed.lineEnding;
  const base = parsed.frontmatterOffset;
  const splice = (start: number, end: number, insert: string): string => `${bom}${text.slice(0, base + start)}${insert}${text.slice(base + end)}`;
  const fmText = parsed.frontmatterText;

  const metadataPair = findPair(document.contents, 'metadata');
  let result: string;
  if (metadataPair === undefined) {
    const end = fmText.length;
    const needsBreak = end > 0 && !fmText.endsWith('\n') && !fmText.endsWith('\r');
    result = splice(end, end, `${needsBreak ? eol : ''}metadata:${eol}  version: ${quote(version)}${eol}`);
  } else {
    result = editMetadata(metadataPair, fmText, version, eol, splice);
  }

  const check = parseSkillMd(result).frontmatter?.metadata;
  if (typeof check !== 'object' || check === null || (check as Record<string, unknown>).version !== version) {
    throw new Error(`setSkillVersion produced text whose metadata.version is not ${version}`);
  }
  return result;
}

type Splice = (start: number, end: number, insert: string) => string;

function editMetadata(pair: Pair, fmText: string, version: string, eol: string, splice: Splice): string {
  const value = pair.value;
  const keyEnd = (pair.key as { range?: [number, number, number] | null }).range?.[1] ?? 0;
  const emptyValue = value === null || (isScalar(value) && value.value === null && value.range?.[0] === value.range?.[1]);
  if (isScalar(value) && value.value === null && value.range && !emptyValue) {
    // `metadata: ~` or `metadata: null`: the value becomes a flow mapping, so a trailing comment stays put.
    return splice(value.range[0], value.range[1], `{ version: ${quote(version)} }`);
  }
  if (emptyValue) {
    // `metadata:` with nothing after it: the entry goes on the next line, after any comment on this one.
    const lineEnd = keyEnd + lineRemainderLength(fmText, keyEnd);
    return splice(lineEnd, lineEnd, `${eol}  version: ${quote(version)}`);
  }
  if (!isMap(value) || !value.range) {
    throw new SkillsyncError('SKILL_METADATA_INVALID', 'Cannot set the version: `metadata` is not a mapping.');
  }
  const versionPair = findPair(value, 'version');
  if (versionPair !== undefined) {
    const node = versionPair.value;
    const range = (node as { range?: [number, number, number] | null } | null)?.range;
    if (!range) {
      const end = (versionPair.key as { range?: [number, number, number] | null }).range?.[1] ?? 0;
      return splice(end, end, ` ${quote(version)}`);
    }
    return splice(range[0], range[1], formatLike(node, version));
  }
  if (value.flow === true) {
    const close = fmText.lastIndexOf('}', value.range[1]);
    const before = fmText.slice(value.range[0] + 1, close).trimEnd();
    const separator = value.items.length > 0 ? (before.endsWith(',') ? ' ' : ', ') : ' ';
    const insertAt = value.range[0] + 1 + before.length;
    return splice(insertAt, insertAt, `${separator}version: ${quote(version)}${value.items.length > 0 ? '' : ' '}`);
  }
  const firstKey = value.items[0]?.key as { range?: [number, number, number] | null } | undefined;
  const firstKeyStart = firstKey?.range?.[0] ?? value.range[0];
  const indent = firstKeyStart - (fmText.lastIndexOf('\n', firstKeyStart - 1) + 1);
  // Insert after the line that holds the end of the last entry.
  const contentEnd = value.range[1];
  const lastBreak = /\r\n|\n|\r/g;
  lastBreak.lastIndex = contentEnd > 0 && /[\r\n]/.test(fmText[contentEnd - 1] ?? '') ? contentEnd - 1 : contentEnd;
  const match = lastBreak.exec(fmText);
  if (match === null) {
    return splice(fmText.length, fmText.length, `${eol}${' '.repeat(indent)}version: ${quote(version)}${eol}`);
  }
  const at = match.index + match[0].length;
  return splice(at, at, `${' '.repeat(indent)}version: ${quote(version)}${eol}`);
}

function findPair(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((item): item is Pair => isPair(item) && isScalar(item.key) && item.key.value === key);
}

/** Keeps the quoting style the author chose, when it can hold the version as a string. */
function formatLike(node: unknown, version: string): string {
  if (isScalar(node)) {
    if (node.type === Scalar.QUOTE_SINGLE) return `'${version}'`;
    if (node.type === Scalar.PLAIN && parse(version) === version) return version;
  }
  return quote(version);
}

function quote(version: string): string {
  return `"${version}"`;
}

function lineRemainderLength(text: string, from: number): number {
  const rest = text.slice(from);
  const match = /\r\n|\n|\r/.exec(rest);
  return match === null ? rest.length : match.index;
}
