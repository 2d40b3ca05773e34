import semver from 'semver';

/**
 * Where a skill comes from, parsed from its manifest entry.
 *
 * - `registry`: a semver `range` (or `latest`) from `registry`, or from the manifest's
 *   default registry when `registry` is undefined.
 * - `path`: a skill folder, packed at install time.
 * - `tarball`: a `.tgz` package file.
 *
 * Paths are as written (relative to the manifest's folder, absolute, or `~/…`).
 */
export type SkillSpecifier =
  | { readonly kind: 'registry'; readonly range: string; readonly registry?: string }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'tarball'; readonly path: string };

/** The object form of a manifest skill entry: exactly one source. */
export interface SkillSpecifierObject {
  version?: string | undefined;
  registry?: string | undefined;
  path?: string | undefined;
  tarball?: string | undefined;
}

/** A manifest skill entry as written: a string or the object form. */
export type SkillSpecifierInput = string | SkillSpecifierObject;

export type SpecifierParseResult = { ok: true; specifier: SkillSpecifier } | { ok: false; reason: string };

const pathPrefix = /^(?:\.{1,2}(?:[\\/]|$)|[\\/]|~[\\/]|[A-Za-z]:[\\/])/;
const tarballSuffix = /\.(?:tgz|tar\.gz)$/i;

/**
 * Parses a skill specifier. Pure and total: an unusable specifier is a `reason`, never
 * an exception. String forms, in the order they are recognised:
 *
 * - `path:<p>` / `tarball:<p>`: explicit (the lockfile's canonical form uses them);
 * - `file:<registry>[#range]`, `https://<registry>[#range]`, `http://…`: a registry;
 * - `./x`, `../x`, `/abs`, `~/x`, `C:\x`: a folder, or a tarball when it ends in `.tgz`;
 * - `x.tgz`: a tarball next to the manifest;
 * - `latest` or a semver range (`^1.2.0`, `1.x`, `*`): from the default registry.
 */
export function parseSkillSpecifier(input: SkillSpecifierInput): SpecifierParseResult {
  return typeof input === 'string' ? parseSpecifierString(input) : parseSpecifierObject(input);
}

function parseSpecifierString(raw: string): SpecifierParseResult {
  const text = raw.trim();
  if (text === '') return { ok: false, reason: 'is empty' };
  if (text.startsWith('path:')) return pathSpec('path', text.slice('path:'.length));
  if (text.startsWith('tarball:')) return pathSpec('tarball', text.slice('tarball:'.length));
  if (/^(?:file:|https?:\/\/)/i.test(text)) {
    const hash = text.indexOf('#');
    const registry = hash === -1 ? text : text.slice(0, hash);
    const range = hash === -1 ? 'latest' : text.slice(hash + 1);
    const registryProblem = checkRegistryUrl(registry);
    if (registryProblem !== undefined) return { ok: false, reason: registryProblem };
    const rangeProblem = checkRange(range);
    if (rangeProblem !== undefined) return { ok: false, reason: rangeProblem };
    return { ok: true, specifier: { kind: 'registry', registry, range } };
  }
  if (pathPrefix.test(text)) return pathSpec(tarballSuffix.test(text) ? 'tarball' : 'path', text);
  if (tarballSuffix.test(text)) return pathSpec('tarball', text);
  const rangeProblem = checkRange(text);
  if (rangeProblem !== undefined) {
    return { ok: false, reason: `\`${text}\` is not a version range, a path (./x), a tarball (x.tgz) or a registry URL (file:…, https://…)` };
  }
  return { ok: true, specifier: { kind: 'registry', range: text } };
}

function parseSpecifierObject(input: SkillSpecifierObject): SpecifierParseResult {
  const sources = [input.path !== undefined, input.tarball !== undefined, input.version !== undefined || input.registry !== undefined];
  if (sources.filter(Boolean).length !== 1) {
    return { ok: false, reason: 'needs exactly one source: `version` (with an optional `registry`), `path` or `tarball`' };
  }
  if (input.path !== undefined) return pathSpec('path', input.path);
  if (input.tarball !== undefined) return pathSpec('tarball', input.tarball);
  const range = input.version ?? 'latest';
  const rangeProblem = checkRange(range);
  if (rangeProblem !== undefined) return { ok: false, reason: rangeProblem };
  if (input.registry === undefined) return { ok: true, specifier: { kind: 'registry', range } };
  const registryProblem = checkRegistryUrl(input.registry);
  if (registryProblem !== undefined) return { ok: false, reason: registryProblem };
  return { ok: true, specifier: { kind: 'registry', registry: input.registry, range } };
}

function pathSpec(kind: 'path' | 'tarball', value: string): SpecifierParseResult {
  const trimmed = value.trim();
  if (trimmed === '') return { ok: false, reason: `has an empty ${kind}` };
  if (trimmed.includes('\0')) return { ok: false, reason: `has a NUL byte in its ${kind}` };
  return { ok: true, specifier: { kind, path: trimmed } };
}

/** `undefined` when `range` is `latest` or a valid semver range. */
export function checkRange(range: string): string | undefined {
  if (range === 'latest') return undefined;
  if (range.trim() === '' || semver.validRange(range) === null) return `\`${range}\` is not a semver range such as ^1.2.0`;
  return undefined;
}

/**
 * `undefined` when `url` is a registry address skillsync can name: `file:///abs`,
 * `file:./relative` (to the manifest's folder), or `http(s)://host/…`.
 */
export function checkRegistryUrl(url: string): string | undefined {
  if (/^file:/i.test(url)) {
    const rest = url.slice('file:'.length);
    if (rest === '' || rest === '//') return `\`${url}\` names no folder`;
    if (rest.startsWith('//') && !rest.startsWith('///') && !/^\/\/localhost\//i.test(rest)) {
      return `\`${url}\` names a host; use file:///absolute/path or file:./relative/path`;
    }
    return undefined;
  }
  if (/^https?:\/\//i.test(url)) {
    try {
      const parsed = new URL(url);
      if (parsed.username !== '' || parsed.password !== '') return 'a registry URL must not hold credentials; configure them as secrets';
      return undefined;
    } catch {
      return 'is not a valid URL';
    }
  }
  return `\`${url}\` is not a registry URL (file:…, https://…)`;
}

/** The default range a registry specifier means when it says `latest`: every release. */
export function rangeOf(specifier: Extract<SkillSpecifier, { kind: 'registry' }>): string {
  return specifier.range === 'latest' ? '*' : specifier.range;
}

/**
 * The one string form of a specifier, as the lockfile records it. It parses back to
 * an equal specifier, so two spellings of one source compare equal.
 */
export function formatSkillSpecifier(specifier: SkillSpecifier): string {
  if (specifier.kind === 'registry') {
    return specifier.registry === undefined ? specifier.range : `${specifier.registry}#${specifier.range}`;
  }
  const natural = parseSpecifierString(specifier.path);
  if (natural.ok && natural.specifier.kind === specifier.kind && 'path' in natural.specifier && natural.specifier.path === specifier.path) {
    return specifier.path;
  }
  return `${specifier.kind}:${specifier.path}`;
}
