import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import { SkillsyncError } from '../errors/skillsync-error.js';

/** The lockfile's file name, next to the manifest it locks. */
export const LOCKFILE_FILE = 'skillsync.lock';
/** The lockfile format this skillsync reads and writes. */
export const LOCKFILE_VERSION = 1;

/** A root skill: what the manifest asked for and the version it got. */
export interface LockedSkill {
  /** The manifest's source in its canonical string form (`formatSkillSpecifier`). */
  readonly specifier: string;
  readonly version: string;
}

export interface LockedSignature {
  readonly algorithm: 'ed25519';
  readonly keyId: string;
  readonly signature: string;
}

/** One resolved package, keyed `name@version` in `Lockfile.packages`. */
export interface LockedPackage {
  /** Where it was fetched: `registry+file:///…`, `registry+https://…`, `path:./skills/x`, `tarball:./x.tgz`. */
  readonly resolved: string;
  /** `sha512-<base64>` of the package's canonical tar (docs/package-format.md). */
  readonly integrity: string;
  readonly signature?: LockedSignature;
  /** The skills it requires: name → exact version (each also a key of `packages`). */
  readonly dependencies?: Readonly<Record<string, string>>;
}

/**
 * `skillsync.lock`: exact versions and integrity of everything installed, so two
 * machines with the same lock get byte-identical skills.
 */
export interface Lockfile {
  readonly lockfileVersion: typeof LOCKFILE_VERSION;
  /** Root skills by name. */
  readonly skills: Readonly<Record<string, LockedSkill>>;
  /** Every resolved package by `name@version`. */
  readonly packages: Readonly<Record<string, LockedPackage>>;
}

/** The key of a package in `Lockfile.packages`. */
export function packageKey(name: string, version: string): string {
  return `${name}@${version}`;
}

/** Splits a `packages` key; the name never holds `@`, so the first one separates. */
export function splitPackageKey(key: string): { name: string; version: string } | undefined {
  const at = key.indexOf('@');
  if (at <= 0) return undefined;
  return { name: key.slice(0, at), version: key.slice(at + 1) };
}

/** A `resolved` value taken apart. Paths are relative to the lockfile's folder, or absolute, or `~/…`. */
export type LockedResolution =
  | { readonly kind: 'registry'; readonly registry: string }
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'tarball'; readonly path: string };

export function formatResolution(resolution: LockedResolution): string {
  return resolution.kind === 'registry' ? `registry+${resolution.registry}` : `${resolution.kind}:${resolution.path}`;
}

export function parseResolution(resolved: string): LockedResolution | undefined {
  if (resolved.startsWith('registry+') && resolved.length > 'registry+'.length) return { kind: 'registry', registry: resolved.slice('registry+'.length) };
  if (resolved.startsWith('path:') && resolved.length > 'path:'.length) return { kind: 'path', path: resolved.slice('path:'.length) };
  if (resolved.startsWith('tarball:') && resolved.length > 'tarball:'.length) return { kind: 'tarball', path: resolved.slice('tarball:'.length) };
  return undefined;
}

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const integrityPattern = /^sha512-[A-Za-z0-9+/]{86}==$/;
const keyIdPattern = /^[0-9a-f]{16}$/;
const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;

/**
 * Writes the lockfile text: JSON with keys in byte order at every level, fields in a
 * fixed order, two-space indentation, no timestamps and one trailing newline, so the
 * same lockfile always gives the same bytes and a merge conflict touches only the
 * entries both sides changed. JSON rather than YAML because the lock is read on every
 * install: a 500-skill lock parses in about a millisecond instead of ~70.
 */
export function serializeLockfile(lockfile: Lockfile): string {
  const packages = Object.fromEntries(
    sortedEntries(lockfile.packages).map(([key, entry]) => [
      key,
      {
        resolved: entry.resolved,
        integrity: entry.integrity,
        ...(entry.signature === undefined
          ? {}
          : { signature: { algorithm: entry.signature.algorithm, keyId: entry.signature.keyId, signature: entry.signature.signature } }),
        ...(entry.dependencies === undefined || Object.keys(entry.dependencies).length === 0
          ? {}
          : { dependencies: Object.fromEntries(sortedEntries(entry.dependencies)) }),
      },
    ]),
  );
  const skills = Object.fromEntries(
    sortedEntries(lockfile.skills).map(([name, skill]) => [name, { specifier: skill.specifier, version: skill.version }]),
  );
  return `${JSON.stringify({ lockfileVersion: LOCKFILE_VERSION, skills, packages }, null, 2)}\n`;
}

function sortedEntries<T>(record: Readonly<Record<string, T>>): [string, T][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface ParseLockfileOptions {
  /** The path named in errors; defaults to `skillsync.lock`. */
  file?: string;
}

/**
 * Reads lockfile text. Throws SkillsyncError LOCKFILE_INVALID (with the line when
 * known) for anything that is not a consistent lockfile: bad JSON, a bad field, a
 * root or dependency whose package is missing; LOCKFILE_UNSUPPORTED_VERSION for a
 * newer format. Never throws anything else.
 */
export function parseLockfile(text: string, options: ParseLockfileOptions = {}): Lockfile {
  const file = options.file ?? LOCKFILE_FILE;
  const fail = (message: string, line?: number): never => {
    throw new SkillsyncError('LOCKFILE_INVALID', `${file}${line === undefined ? '' : `:${line}`}: ${message}`, {
      details: { path: file, ...(line === undefined ? {} : { line }) },
    });
  };
  if (text.length > MAX_LOCKFILE_BYTES) fail(`the lockfile is over ${MAX_LOCKFILE_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    fail(`invalid JSON: ${message}`, jsonErrorLine(text, message));
  }

  const root = record(value, 'the lockfile', fail);
  const version = root.lockfileVersion;
  if (typeof version === 'number' && Number.isInteger(version) && version > LOCKFILE_VERSION) {
    throw new SkillsyncError('LOCKFILE_UNSUPPORTED_VERSION', `${file} is lockfile version ${version}; this skillsync reads version ${LOCKFILE_VERSION}.`, {
      details: { path: file, lockfileVersion: version },
    });
  }
  if (version !== LOCKFILE_VERSION) fail('`lockfileVersion` must be 1');
  for (const key of Object.keys(root)) if (!['lockfileVersion', 'skills', 'packages'].includes(key)) fail(`unknown key \`${key}\``);

  const packages: Record<string, LockedPackage> = {};
  for (const [key, raw] of Object.entries(record(root.packages ?? {}, '`packages`', fail))) {
    const id = splitPackageKey(key);
    if (id === undefined || !skillNamePattern.test(id.name) || semver.valid(id.version) !== id.version) fail(`\`packages\` key \`${key}\` is not name@version`);
    const entry = record(raw, `\`packages.${key}\``, fail);
    for (const field of Object.keys(entry)) if (!['resolved', 'integrity', 'signature', 'dependencies'].includes(field)) fail(`unknown key \`packages.${key}.${field}\``);
    const { resolved, integrity } = entry;
    if (typeof resolved !== 'string' || parseResolution(resolved) === undefined) fail(`\`packages.${key}.resolved\` must be registry+<url>, path:<path> or tarball:<path>`);
    if (typeof integrity !== 'string' || !integrityPattern.test(integrity)) fail(`\`packages.${key}.integrity\` must be sha512-<base64>`);
    const locked: { -readonly [K in keyof LockedPackage]: LockedPackage[K] } = { resolved: resolved as string, integrity: integrity as string };
    if (entry.signature !== undefined) {
      const signature = record(entry.signature, `\`packages.${key}.signature\``, fail);
      const { algorithm, keyId, signature: bytes } = signature;
      if (Object.keys(signature).length !== 3 || algorithm !== 'ed25519' || typeof keyId !== 'string' || !keyIdPattern.test(keyId) || typeof bytes !== 'string' || bytes === '') {
        fail(`\`packages.${key}.signature\` needs exactly algorithm: ed25519, keyId and signature`);
      }
      locked.signature = { algorithm: 'ed25519', keyId: keyId as string, signature: bytes as string };
    }
    if (entry.dependencies !== undefined) {
      const dependencies: Record<string, string> = {};
      for (const [name, depVersion] of Object.entries(record(entry.dependencies, `\`packages.${key}.dependencies\``, fail))) {
        if (!skillNamePattern.test(name) || typeof depVersion !== 'string' || semver.valid(depVersion) !== depVersion) {
          fail(`\`packages.${key}.dependencies.${name}\` must be an exact version`);
        }
        dependencies[name] = depVersion as string;
      }
      if (Object.keys(dependencies).length > 0) locked.dependencies = dependencies;
    }
    packages[key] = locked;
  }

  const skills: Record<string, LockedSkill> = {};
  for (const [name, raw] of Object.entries(record(root.skills ?? {}, '`skills`', fail))) {
    if (!skillNamePattern.test(name)) fail(`\`skills\` key \`${name}\` is not a skill name`);
    const entry = record(raw, `\`skills.${name}\``, fail);
    for (const field of Object.keys(entry)) if (!['specifier', 'version'].includes(field)) fail(`unknown key \`skills.${name}.${field}\``);
    const { specifier, version: skillVersion } = entry;
    if (typeof specifier !== 'string' || specifier === '') fail(`\`skills.${name}.specifier\` must be a string`);
    if (typeof skillVersion !== 'string' || semver.valid(skillVersion) !== skillVersion) fail(`\`skills.${name}.version\` must be an exact version`);
    skills[name] = { specifier: specifier as string, version: skillVersion as string };
  }

  // One version per name, and every reference points at a package the lock holds.
  const seen = new Map<string, string>();
  for (const key of Object.keys(packages)) {
    const id = splitPackageKey(key);
    if (id === undefined) continue;
    const other = seen.get(id.name);
    if (other !== undefined) fail(`\`packages\` holds two versions of ${id.name} (${other} and ${id.version})`);
    seen.set(id.name, id.version);
  }
  for (const [name, skill] of Object.entries(skills)) {
    if (packages[packageKey(name, skill.version)] === undefined) fail(`\`skills.${name}\` is locked to ${skill.version}, which \`packages\` does not hold`);
  }
  for (const [key, entry] of Object.entries(packages)) {
    for (const [name, depVersion] of Object.entries(entry.dependencies ?? {})) {
      if (packages[packageKey(name, depVersion)] === undefined) fail(`\`packages.${key}\` depends on ${name}@${depVersion}, which \`packages\` does not hold`);
    }
  }
  return { lockfileVersion: LOCKFILE_VERSION, skills, packages };
}

/**
 * The line of a JSON syntax error. V8's messages do not always carry a position, so
 * the text is read again by the YAML parser (JSON is YAML), which reports one; this
 * runs only on the error path.
 */
function jsonErrorLine(text: string, message: string): number | undefined {
  const line = /line (\d+)/.exec(message);
  if (line?.[1] !== undefined) return Number(line[1]);
  const lineCounter = new LineCounter();
  const firstError = parseDocument(text, { lineCounter }).errors[0];
  return firstError === undefined ? undefined : lineCounter.linePos(firstError.pos[0]).line;
}

function record(value: unknown, what: string, fail: (message: string) => never): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${what} must be a mapping`);
  return value as Record<string, unknown>;
}

/** An empty lockfile, the starting point before the first install. */
export function createEmptyLockfile(): Lockfile {
  return { lockfileVersion: LOCKFILE_VERSION, skills: {}, packages: {} };
}
