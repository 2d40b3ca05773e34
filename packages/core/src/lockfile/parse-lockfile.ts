import semver from 'semver';
import { LineCounter, parseDocument } from 'yaml';
import { SkillsyncError } from '../errors/skillsync-error.js';
import { LOCKFILE_FILE, LOCKFILE_VERSION, packageKey, parseResolution, splitPackageKey, type LockedPackage, type LockedSkill, type Lockfile } from './lockfile.js';

// Apart from lockfile.ts (the format's types and writer): reading checks every version
// with semver, and a caller with the parsed lockfile cached (`status`) never loads it.

const skillNamePattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const integrityPattern = /^sha512-[A-Za-z0-9+/]{86}==$/;
const keyIdPattern = /^[0-9a-f]{16}$/;
const MAX_LOCKFILE_BYTES = 16 * 1024 * 1024;

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

