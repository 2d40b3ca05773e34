import { createHash } from 'node:crypto';
import type { EffectiveProfile, Profile, ProfileConflict } from '@skillsync/registry';
import { byteOrder } from '@skillsync/core';
import { teamOfScope } from '../scopes.js';
import { highestMinimum, intersectRequirements } from './version-requirement.js';

/** One scope's stored profile: the org's (`org`) or a team's (`team:<team>`). */
export interface ScopeProfile {
  readonly scope: string;
  readonly revision: number;
  readonly profile: Profile;
}

/**
 * A member's effective profile: the org's profile, then their teams' (by team name), as
 * one. Rules:
 * - required: the union; when several scopes require one skill, it must meet all their
 *   requirements (their intersection, see intersectRequirements). When none meets them
 *   all, the requirement with the highest minimum wins and the merge reports a `version`
 *   conflict.
 * - blockedSkills: the union. A skill required by one scope and blocked by another is
 *   blocked (not required), reported as a `blocked` conflict.
 * - allowedConnectors: the intersection of the scopes that restrict (absent when none does);
 *   blockedConnectors: the union.
 * - policies: all of them, each id prefixed by its scope (`org/…`, `team:x/…`).
 * - instructions: each scope's under a heading naming it, in scope order.
 * - revision: a digest of the (scope, revision) pairs, so it changes when any source does;
 *   sources: those scopes.
 */
export function mergeProfiles(org: ScopeProfile | undefined, teams: readonly ScopeProfile[]): EffectiveProfile {
  const scopes = [...(org === undefined ? [] : [org]), ...[...teams].sort((a, b) => byteOrder(a.scope, b.scope))];
  const blockedSkills = unionOf(scopes.map(({ profile }) => profile.blockedSkills));
  const { required, conflicts } = mergeRequired(scopes, new Set(blockedSkills));
  const restricting = scopes.flatMap(({ profile }) => (profile.allowedConnectors === undefined ? [] : [profile.allowedConnectors]));
  const instructions = scopes.flatMap(({ scope, profile }) => (profile.instructions === undefined || profile.instructions.trim() === '' ? [] : [`## ${headingOf(scope)}\n\n${profile.instructions.trim()}`]));
  return {
    revision: revisionOf(scopes),
    sources: scopes.map(({ scope }) => scope),
    required,
    blockedSkills,
    ...(restricting.length === 0 ? {} : { allowedConnectors: intersectionOf(restricting) }),
    blockedConnectors: unionOf(scopes.map(({ profile }) => profile.blockedConnectors)),
    policies: scopes.flatMap(({ scope, profile }) => profile.policies.map((policy) => ({ id: `${scope}/${policy.id}`, text: policy.text }))),
    ...(instructions.length === 0 ? {} : { instructions: instructions.join('\n\n') }),
    conflicts,
  };
}

function mergeRequired(scopes: readonly ScopeProfile[], blocked: ReadonlySet<string>): Pick<EffectiveProfile, 'required' | 'conflicts'> {
  const byName = new Map<string, { scope: string; version: string }[]>();
  for (const { scope, profile } of scopes) {
    for (const { name, version } of profile.required) byName.set(name, [...(byName.get(name) ?? []), { scope, version }]);
  }
  const required: EffectiveProfile['required'] = [];
  const conflicts: ProfileConflict[] = [];
  for (const [name, requirements] of [...byName].sort(([a], [b]) => byteOrder(a, b))) {
    const requiring = [...new Set(requirements.map(({ scope }) => scope))];
    if (blocked.has(name)) {
      const blocking = scopes.filter(({ profile }) => profile.blockedSkills.includes(name)).map(({ scope }) => scope);
      conflicts.push({ name, kind: 'blocked', scopes: [...new Set([...requiring, ...blocking])], resolution: 'blocked' });
      continue;
    }
    const version = intersectRequirements(requirements.map((requirement) => requirement.version));
    if (version !== undefined) {
      required.push({ name, version });
      continue;
    }
    const kept = highestMinimum(requirements.map((requirement) => requirement.version));
    required.push({ name, version: kept });
    conflicts.push({ name, kind: 'version', scopes: requiring, resolution: kept });
  }
  return { required, conflicts };
}

function headingOf(scope: string): string {
  const team = teamOfScope(scope);
  return team === undefined ? 'Org profile' : `Team ${team}`;
}

function revisionOf(scopes: readonly ScopeProfile[]): string {
  const pairs = scopes.map(({ scope, revision }) => [scope, revision]);
  return `sha256:${createHash('sha256').update(JSON.stringify(pairs)).digest('hex')}`;
}

function unionOf(lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort(byteOrder);
}

function intersectionOf(lists: readonly (readonly string[])[]): string[] {
  const [first = [], ...rest] = lists;
  return [...new Set(first)].filter((item) => rest.every((list) => list.includes(item))).sort(byteOrder);
}
