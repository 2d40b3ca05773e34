import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findProjectManifest,
  isRecord,
  loadManifests,
  LOCKFILE_FILE,
  parseJsonRecord,
  parseSkillSpecifier,
  serializeLockfile,
  pathFor,
  readTextIfExists,
  SkillsyncError,
  skillsyncPaths,
  type Env,
  type LoadedManifests,
  type Lockfile,
  type ManifestCache,
  type ManifestFinding,
  writeFileAtomic,
} from '@skillsync/core';

/** The user and project manifests of `env`, parsed through the cache of parsed manifests (`<cache>/manifests`). */
export function readManifests(env: Env): Promise<LoadedManifests> {
  return loadManifests(env, { cache: manifestCache(env) });
}

let buildIdentity: string | undefined;

function manifestCache(env: Env): ManifestCache {
  return parsedFilesCache(env, 'manifests');
}

/**
 * `<cache>/<name>`, where parsed files are kept, keyed by the identity of this build
 * of skillsync: every build writes new files, so the file holding this code is a new
 * file (inode, mtime) whenever a parser may have changed.
 */
export function parsedFilesCache(env: Env, name: string): { readonly dir: string; readonly key: string } {
  if (buildIdentity === undefined) {
    const self = statSync(fileURLToPath(import.meta.url));
    buildIdentity = `${self.ino}:${self.mtimeMs}:${self.size}`;
  }
  return { dir: pathFor(env).join(skillsyncPaths(env).cache, name), key: buildIdentity };
}

/**
 * The lockfile a set of manifests is locked by: next to the project manifest, or next
 * to the user manifest when there is no project. Undefined when there is neither.
 */
export function lockfilePathFor(env: Env, manifests: Pick<LoadedManifests, 'user' | 'project'>): string | undefined {
  const owner = manifests.project ?? manifests.user;
  return owner === undefined ? undefined : pathFor(env).join(pathFor(env).dirname(owner.file), LOCKFILE_FILE);
}

/**
 * The lockfile at `file`, or undefined when there is none yet. With `cache`
 * (`parsedFilesCache(env, 'lockfiles')`), a lockfile this build has parsed before, text
 * for text, is taken from there: checking every version and integrity in it is most of
 * what reading it costs a `status` or no-op `sync`. The cache is an optimisation only:
 * an unreadable or foreign entry is a miss, and failing to write one is ignored.
 */
export async function readLockfile(file: string, cache?: { readonly dir: string; readonly key: string }): Promise<Lockfile | undefined> {
  const text = await readTextIfExists(file);
  if (text === undefined) return undefined;
  if (cache === undefined) return parseLockfileText(text, file);
  const entryFile = path.join(cache.dir, `${sha256(file).slice(0, 32)}.json`);
  const digest = sha256(`${cache.key}\0${file}\0${text}`);
  const entry = parseJsonRecord((await readTextIfExists(entryFile).catch(() => undefined)) ?? '');
  if (entry?.digest === digest && isRecord(entry.lockfile)) return entry.lockfile as unknown as Lockfile;
  const lockfile = await parseLockfileText(text, file);
  await writeFileAtomic(entryFile, JSON.stringify({ digest, lockfile }), { mode: 0o600 }).catch(() => undefined);
  return lockfile;
}

async function parseLockfileText(text: string, file: string): Promise<Lockfile> {
  return (await import('./parse-lockfile.js')).parseLockfile(text, { file });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Refuses to act on a manifest with errors: the first error becomes the message, all
 * of them go in `details.findings`, so `--json` users see every one.
 */
export function requireValidManifests(manifests: Pick<LoadedManifests, 'findings'>): void {
  const errors = manifests.findings.filter((finding) => finding.severity === 'error');
  const first = errors[0];
  if (first === undefined) return;
  const where = [first.file, first.line, first.line === undefined ? undefined : first.column].filter((part) => part !== undefined).join(':');
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  throw new SkillsyncError(first.code, `${where}: ${first.message}${more}`, {
    hint: first.hint,
    details: { findings: errors.map(findingDetails) },
  });
}

function findingDetails(finding: ManifestFinding): Record<string, unknown> {
  const { code, severity, message, file, line, column, hint } = finding;
  return { code, severity, message, file, ...(line === undefined ? {} : { line }), ...(column === undefined ? {} : { column }), hint };
}

/** The manifests of `env`, which must exist and be valid, with the lockfile that goes with them. */
export async function loadInstallContext(env: Env): Promise<{
  readonly manifests: LoadedManifests;
  readonly lockfileFile: string;
  readonly manifestDir: string;
  readonly lockfileText: string | undefined;
  readonly lockfile: Lockfile | undefined;
}> {
  const manifests = await readManifests(env);
  requireValidManifests(manifests);
  const lockfileFile = lockfilePathFor(env, manifests);
  if (lockfileFile === undefined) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `No skillsync.yaml in ${env.cwd} or above it, and no user manifest.`, {
      details: { cwd: env.cwd },
    });
  }
  const lockfileText = await readTextIfExists(lockfileFile);
  const lockfile = lockfileText === undefined ? undefined : await parseLockfileText(lockfileText, lockfileFile);
  return { manifests, lockfileFile, manifestDir: pathFor(env).dirname(lockfileFile), lockfileText, lockfile };
}

/** Writes the lockfile only when its bytes change, so an install that changes nothing touches nothing. */
export async function writeLockfileIfChanged(file: string, previousText: string | undefined, lockfile: Lockfile): Promise<boolean> {
  const text = serializeLockfile(lockfile);
  if (text === previousText) return false;
  await writeFileAtomic(file, text);
  return true;
}

/** The manifest a command edits: the user one with `--user`, else the project one (which must exist). */
export async function manifestToEdit(env: Env, user: boolean): Promise<{ file: string; scope: 'user' | 'project' }> {
  if (user) return { file: skillsyncPaths(env).userManifest, scope: 'user' };
  const file = await findProjectManifest(env);
  if (file === undefined) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `No skillsync.yaml in ${env.cwd} or any folder above it.`, {
      hint: 'Run `skillsync init` to create one here, or pass --user to use your user manifest.',
      details: { cwd: env.cwd },
    });
  }
  return { file, scope: 'project' };
}

/** The local skill folders the manifests list (absolute), each resolved against its own manifest's folder. */
export async function localSkillFolders(env: Env): Promise<string[]> {
  const manifests = await readManifests(env);
  const p = pathFor(env);
  const folders: string[] = [];
  for (const skill of manifests.effective.skills) {
    const parsed = parseSkillSpecifier(skill.specifier);
    if (!parsed.ok || parsed.specifier.kind !== 'path') continue;
    folders.push(resolveManifestPath(env, p.dirname(skill.source.file), parsed.specifier.path));
  }
  return folders;
}

/** A path as a manifest writes it: relative to the manifest's folder, absolute, or `~/…`. */
export function resolveManifestPath(env: Env, base: string, value: string): string {
  const p = pathFor(env);
  if (value === '~' || value.startsWith('~/') || value.startsWith('~\\')) return p.join(env.home, value.slice(1));
  return p.resolve(base, value);
}
