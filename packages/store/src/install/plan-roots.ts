import {
  errorCatalogue,
  formatSkillSpecifier,
  parseSkillSpecifier,
  pathFor,
  rangeOf,
  type EffectiveManifest,
  type Env,
  type LockedResolution,
  type Manifest,
  type SerializedError,
  type SkillSpecifier,
} from '@skillsync/core';
import { createSourceForResolution, resolutionForSpecifier, type RegistryReference, type RemoteSourceFactory, type SourceOptions } from '../sources/create-skill-source.js';
import type { SkillSource } from '../sources/skill-source.js';

/** A manifest skill with its source worked out. */
export interface PlannedRoot {
  readonly name: string;
  readonly specifier: SkillSpecifier;
  /** The canonical specifier string the lockfile records. */
  readonly canonical: string;
  readonly resolution: LockedResolution;
  readonly source: SkillSource;
  readonly range: string;
  readonly anyVersion: boolean;
}

export interface RootPlan {
  readonly roots: readonly PlannedRoot[];
  readonly defaultRegistry: SkillSource | undefined;
  readonly problems: readonly SerializedError[];
}

/** Where install's inputs come from: one manifest (with its folder) or the stacked scopes. */
export interface ManifestInput {
  readonly env: Env;
  readonly manifest: Manifest | EffectiveManifest;
  /** The folder of the manifest and its lockfile: `resolved` paths are relative to it. */
  readonly manifestDir: string;
  /** Reads `http(s)://` registries (the org registry); without it they are SOURCE_INVALID. */
  readonly remoteSource?: RemoteSourceFactory | undefined;
}

/** Turns the manifest's skills into sources, without I/O. Bad entries are problems. */
export function planRoots(input: ManifestInput): RootPlan {
  const { env, manifestDir } = input;
  const p = pathFor(env);
  const entries: { name: string; specifier: unknown; declaredIn: string }[] = [];
  let registry: RegistryReference | undefined;
  if (isEffective(input.manifest)) {
    for (const skill of input.manifest.skills) entries.push({ name: skill.name, specifier: skill.specifier, declaredIn: p.dirname(skill.source.file) });
    const declared = input.manifest.registry;
    if (declared !== undefined) registry = { url: declared.value, declaredIn: p.dirname(declared.source.file) };
  } else {
    for (const [name, specifier] of Object.entries(input.manifest.skills)) entries.push({ name, specifier, declaredIn: manifestDir });
    if (input.manifest.registry !== undefined) registry = { url: input.manifest.registry, declaredIn: manifestDir };
  }
  const problems: SerializedError[] = [];
  const fail = (code: 'SOURCE_INVALID' | 'REGISTRY_NOT_CONFIGURED', message: string, name: string): void => {
    problems.push({ code, message, hint: errorCatalogue[code].hint, details: { name } });
  };
  const context: SourceOptions = { env, lockDir: manifestDir, remoteSource: input.remoteSource };
  let defaultRegistry: SkillSource | undefined;
  if (registry !== undefined) {
    const resolution = resolutionForSpecifier({ kind: 'registry', range: '*' }, { ...context, declaredIn: registry.declaredIn, defaultRegistry: registry });
    defaultRegistry = resolution === undefined ? undefined : safeSource(resolution, context, 'registry', fail);
  }
  const roots: PlannedRoot[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const parsed = parseSkillSpecifier(entry.specifier as Parameters<typeof parseSkillSpecifier>[0]);
    if (!parsed.ok) {
      fail('SOURCE_INVALID', `The source of ${entry.name} ${parsed.reason}.`, entry.name);
      continue;
    }
    const specifier = parsed.specifier;
    const resolution = resolutionForSpecifier(specifier, { ...context, declaredIn: entry.declaredIn, defaultRegistry: registry });
    if (resolution === undefined) {
      fail('REGISTRY_NOT_CONFIGURED', `${entry.name} asks for ${formatSkillSpecifier(specifier)} but no registry is configured.`, entry.name);
      continue;
    }
    const source = safeSource(resolution, context, entry.name, fail);
    if (source === undefined) continue;
    roots.push({
      name: entry.name,
      specifier,
      canonical: formatSkillSpecifier(specifier),
      resolution,
      source,
      range: specifier.kind === 'registry' ? rangeOf(specifier) : '*',
      anyVersion: specifier.kind !== 'registry',
    });
  }
  return { roots, defaultRegistry, problems };
}

function safeSource(
  resolution: LockedResolution,
  context: SourceOptions,
  name: string,
  fail: (code: 'SOURCE_INVALID', message: string, name: string) => void,
): SkillSource | undefined {
  try {
    return createSourceForResolution(resolution, context);
  } catch (error) {
    fail('SOURCE_INVALID', error instanceof Error ? error.message : String(error), name);
    return undefined;
  }
}

function isEffective(manifest: Manifest | EffectiveManifest): manifest is EffectiveManifest {
  return Array.isArray((manifest as EffectiveManifest).skills);
}
