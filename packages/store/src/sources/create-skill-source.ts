import { fileURLToPath } from 'node:url';
import { formatResolution, pathFor, SkillsyncError, type Env, type LockedResolution, type SkillSpecifier } from '@skillsync/core';
import { createDirectoryRegistrySource } from './directory-registry-source.js';
import { createLocalFolderSource } from './local-folder-source.js';
import type { SkillSource } from './skill-source.js';
import { createTarballSource } from './tarball-source.js';

/** A registry address and the folder of the manifest that named it (for `file:./relative`). */
export interface RegistryReference {
  readonly url: string;
  readonly declaredIn: string;
}

export interface ResolutionOptions {
  readonly env: Env;
  /** The folder of the manifest that declared the specifier: its relative paths start there. */
  readonly declaredIn: string;
  /** The folder of the lockfile: `resolved` paths are written relative to it. */
  readonly lockDir: string;
  /** The manifest's default `registry`, for specifiers that are only a range. */
  readonly defaultRegistry?: RegistryReference | undefined;
}

/**
 * Where a specifier's packages come from, in the lockfile's terms: relative paths are
 * rewritten relative to the lockfile's folder, so the lock reads the same on every
 * machine. Undefined for a bare range when no default registry is configured.
 */
export function resolutionForSpecifier(specifier: SkillSpecifier, options: ResolutionOptions): LockedResolution | undefined {
  if (specifier.kind !== 'registry') return { kind: specifier.kind, path: relocate(specifier.path, options.declaredIn, options) };
  const registry: RegistryReference | undefined =
    specifier.registry === undefined ? options.defaultRegistry : { url: specifier.registry, declaredIn: options.declaredIn };
  if (registry === undefined) return undefined;
  return { kind: 'registry', registry: relocateRegistry(registry, options) };
}

/**
 * Makes the source of an `http(s)://` registry: store knows the lockfile's terms but not
 * the org registry's API, so whoever holds the client and the tokens (the CLI) supplies it.
 * `resolved` is what the lockfile records, `registry+<url>`.
 */
export type RemoteSourceFactory = (url: string, resolved: string) => SkillSource;

export interface SourceOptions {
  readonly env: Env;
  readonly lockDir: string;
  /** For `http(s)://` registries; without it they are refused with SOURCE_INVALID. */
  readonly remoteSource?: RemoteSourceFactory | undefined;
}

/** The source a lockfile resolution names. */
export function createSourceForResolution(resolution: LockedResolution, options: SourceOptions): SkillSource {
  const resolved = formatResolution(resolution);
  if (resolution.kind === 'path') return createLocalFolderSource(absolutePath(resolution.path, options), { resolved });
  if (resolution.kind === 'tarball') return createTarballSource(absolutePath(resolution.path, options), { resolved });
  const url = resolution.registry;
  if (/^file:/i.test(url)) {
    const rest = url.slice('file:'.length);
    const dir = rest.startsWith('//') ? fileUrlToPath(url) : absolutePath(rest, options);
    return createDirectoryRegistrySource(dir, { resolved });
  }
  if (/^https?:\/\//i.test(url) && options.remoteSource !== undefined) return options.remoteSource(url, resolved);
  throw new SkillsyncError('SOURCE_INVALID', `The registry ${url} cannot be read here: only directory registries (file:…) and org registries (http(s)://…/v0.1/orgs/<org>) are.`, {
    details: { registry: url },
    hint: 'Use a file:// directory registry, or an org registry address as `skillsync login` takes it.',
  });
}

function relocateRegistry(registry: RegistryReference, options: ResolutionOptions): string {
  if (!/^file:/i.test(registry.url)) return registry.url;
  const rest = registry.url.slice('file:'.length);
  if (rest.startsWith('//')) return registry.url;
  return `file:${relocate(rest, registry.declaredIn, options)}`;
}

/** A path as written in a manifest, rewritten relative to the lockfile's folder; `~/…` and absolute paths stay. */
function relocate(written: string, declaredIn: string, options: ResolutionOptions): string {
  const p = pathFor(options.env);
  if (/^~[\\/]/.test(written) || written === '~' || p.isAbsolute(written)) return written;
  const relative = p.relative(options.lockDir, p.resolve(declaredIn, written)).split(p.sep).join('/');
  if (relative === '') return '.';
  return relative.startsWith('../') || relative === '..' ? relative : `./${relative}`;
}

function absolutePath(written: string, options: { env: Env; lockDir: string }): string {
  const p = pathFor(options.env);
  if (written === '~') return options.env.home;
  if (/^~[\\/]/.test(written)) return p.join(options.env.home, written.slice(2));
  return p.resolve(options.lockDir, written);
}

function fileUrlToPath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch (error) {
    throw new SkillsyncError('SOURCE_INVALID', `\`${url}\` is not a file:// URL of a folder.`, { details: { registry: url }, cause: error });
  }
}
