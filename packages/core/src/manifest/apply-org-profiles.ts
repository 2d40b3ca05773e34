import semver from 'semver';
import type { EffectiveConnector, EffectiveInstruction, EffectiveManifest, EffectiveSkill, Provenance } from './merge-manifests.js';
import { parseSkillSpecifier, rangeOf } from './parse-skill-specifier.js';

/** A required skill's version: `latest` (any) or a semver range. */
const ANY_VERSION = 'latest';

/**
 * One org's effective profile (the server's `GET /orgs/{org}/profile`), as the org layer
 * takes it: what its members must run (`required`) and must not (`blocked*`), and which
 * connectors alone they may (`allowedConnectors`, when present).
 */
export interface OrgProfileLayer {
  /** The org's registry address: its required skills resolve from there. */
  readonly address: string;
  readonly org: string;
  readonly required: readonly { readonly name: string; readonly version: string }[];
  readonly blockedSkills: readonly string[];
  readonly allowedConnectors?: readonly string[] | undefined;
  readonly blockedConnectors: readonly string[];
  readonly instructions?: string | undefined;
}

/**
 * `required-missing` is not the merge's: it is a required skill the merge added that is not
 * installed (yet), which the commands find when they look at the lockfile and the store.
 */
export type ProfileViolationKind = 'blocked-skill' | 'blocked-connector' | 'connector-not-allowed' | 'required-version' | 'required-missing';

/** Where desired state breaks an org profile, and why (for people). */
export interface ProfileViolation {
  readonly kind: ProfileViolationKind;
  readonly name: string;
  readonly org: string;
  /** The org's registry address. */
  readonly registry: string;
  readonly reason: string;
  /** The entry that breaks the profile. */
  readonly source: Provenance;
}

export interface ApplyOrgProfilesOptions {
  /**
   * Add the org scope: each required skill no manifest here names, and the profile's
   * instructions. True for the user scope (org skills are user-level); false where only
   * the blocks apply (the project scope).
   */
  readonly addOrgScope: boolean;
}

export interface OrgLayerResult {
  readonly manifest: EffectiveManifest;
  readonly violations: readonly ProfileViolation[];
}

/**
 * The org profiles as the top scope over an effective manifest. Pure.
 *
 * - required: a skill no manifest names is added at the org scope (`{ version: <requirement>,
 *   registry: <org address> }`); one a manifest names keeps the manifest's specifier, and
 *   a registry range that no version of the requirement satisfies is a `required-version`
 *   violation. With several orgs, the first (in `layers` order) to require a skill adds it.
 * - blockedSkills, blockedConnectors, and connectors outside `allowedConnectors`: removed,
 *   each a violation. Blocks are applied after every requirement, so a skill one org
 *   requires and another blocks is blocked.
 * - instructions: one instruction named `org:<org>`, before the manifests' own.
 */
export function applyOrgProfiles(manifest: EffectiveManifest, layers: readonly OrgProfileLayer[], options: ApplyOrgProfilesOptions): OrgLayerResult {
  const skills = new Map<string, EffectiveSkill>(manifest.skills.map((skill) => [skill.name, skill]));
  const connectors = new Map<string, EffectiveConnector>(manifest.connectors.map((connector) => [connector.name, connector]));
  const violations: ProfileViolation[] = [];
  const orgInstructions: EffectiveInstruction[] = [];
  const violation = (layer: OrgProfileLayer, kind: ProfileViolationKind, name: string, reason: string, where: Provenance): void => {
    violations.push({ kind, name, org: layer.org, registry: layer.address, reason, source: where });
  };

  for (const layer of layers) {
    const source: Provenance = { scope: 'org', file: layer.address };
    for (const { name, version } of layer.required) {
      const named = skills.get(name);
      if (named === undefined) {
        if (options.addOrgScope) skills.set(name, { name, specifier: { version, registry: layer.address }, source });
        continue;
      }
      const asked = registryRange(named);
      if (asked !== undefined && !canSatisfy(asked, version)) {
        violation(layer, 'required-version', name, `the ${layer.org} org profile requires ${name} ${version}, but ${describeSource(named.source)} asks for ${asked}`, named.source);
      }
    }
    const text = layer.instructions?.trim();
    if (options.addOrgScope && text !== undefined && text !== '') orgInstructions.push({ instruction: { name: `org:${layer.org}`, text }, source });
  }

  for (const skill of [...skills.values()]) {
    const blocking = layers.find((layer) => layer.blockedSkills.includes(skill.name));
    if (blocking === undefined) continue;
    skills.delete(skill.name);
    violation(blocking, 'blocked-skill', skill.name, `the ${blocking.org} org profile blocks the skill ${skill.name}`, skill.source);
  }
  for (const connector of [...connectors.values()]) {
    const refused = refuseConnector(layers, connector.name);
    if (refused === undefined) continue;
    connectors.delete(connector.name);
    violations.push({ ...refused, source: connector.source });
  }

  return {
    manifest: {
      ...manifest,
      skills: [...skills.values()].sort(byName),
      connectors: [...connectors.values()].sort(byName),
      instructions: [...orgInstructions, ...manifest.instructions],
    },
    violations,
  };
}

/**
 * Why the org profiles refuse a connector of this name (the first that does, in `layers`
 * order): blocked, or outside an allow-list. Undefined when every profile allows it.
 */
export function refuseConnector(layers: readonly OrgProfileLayer[], name: string): Omit<ProfileViolation, 'source'> | undefined {
  for (const layer of layers) {
    const base = { name, org: layer.org, registry: layer.address };
    if (layer.blockedConnectors.includes(name)) return { ...base, kind: 'blocked-connector', reason: `the ${layer.org} org profile blocks the connector ${name}` };
    if (layer.allowedConnectors !== undefined && !layer.allowedConnectors.includes(name)) {
      const allowed = layer.allowedConnectors.length === 0 ? 'it allows no connector' : `it allows only ${layer.allowedConnectors.join(', ')}`;
      return { ...base, kind: 'connector-not-allowed', reason: `the ${layer.org} org profile does not allow the connector ${name}: ${allowed}` };
    }
  }
  return undefined;
}

/** The range a skill entry resolves from a registry, or undefined for a folder or a tarball (no range to compare). */
function registryRange(skill: EffectiveSkill): string | undefined {
  const parsed = parseSkillSpecifier(skill.specifier);
  return parsed.ok && parsed.specifier.kind === 'registry' ? rangeOf(parsed.specifier) : undefined;
}

/** Whether the exact `version` meets a profile's `requirement` (`latest`: any version does). */
export function meetsRequirement(version: string, requirement: string): boolean {
  if (requirement === ANY_VERSION) return true;
  return semver.valid(version) !== null && semver.validRange(requirement) !== null && semver.satisfies(version, requirement);
}

/** Whether some version within `range` meets `requirement`. */
function canSatisfy(range: string, requirement: string): boolean {
  if (requirement === ANY_VERSION) return true;
  try {
    return semver.intersects(range, requirement);
  } catch {
    // A requirement the server let through that semver cannot compare: nothing to hold against the manifest.
    return true;
  }
}

function describeSource(source: Provenance): string {
  return source.scope === 'org' ? `the org profile of ${source.file}` : source.file;
}

function byName(left: { readonly name: string }, right: { readonly name: string }): number {
  return left.name < right.name ? -1 : left.name > right.name ? 1 : 0;
}
