import { refuseConnector, type EffectiveSkill, type OrgProfileLayer, type ProfileViolation, type ProfileViolationKind } from '@skillsync/core';
import type { SyncPlan } from '@skillsync/sync';
import type { Ui } from './ui.js';

/** The error code a violation is reported under: what the profile refused. */
export const VIOLATION_CODE = 'PROFILE_BLOCKED';

/** One way the desired state of a scope, or a client file, breaks an org profile (`status` and `sync` list them). */
export interface OrgViolation {
  readonly kind: ProfileViolationKind;
  readonly name: string;
  readonly org: string;
  readonly registry: string;
  readonly reason: string;
  readonly scope: 'user' | 'project';
  /** The manifest that asks for what the profile refuses; absent for what the org itself says. */
  readonly manifest?: string;
  /** A client file holding an entry the profile refuses (added by hand), and the clients that read it. */
  readonly path?: string;
  readonly clients?: readonly string[];
}

/** A violation the merge found, as reported for `scope`. */
export function manifestViolation(scope: OrgViolation['scope'], violation: ProfileViolation): OrgViolation {
  const { kind, name, org, registry, reason, source } = violation;
  return { kind, name, org, registry, reason, scope, ...(source.scope === 'org' ? {} : { manifest: source.file }) };
}

/** The org's required skills (`skills` of the org scope) that are not installed. */
export function missingRequired(scope: OrgViolation['scope'], skills: readonly EffectiveSkill[], layers: readonly OrgProfileLayer[]): OrgViolation[] {
  return skills.flatMap((skill): OrgViolation[] => {
    const layer = layers.find((candidate) => candidate.address === skill.source.file);
    if (layer === undefined) return [];
    const requirement = layer.required.find((required) => required.name === skill.name)?.version ?? 'latest';
    const reason = `the ${layer.org} org profile requires ${skill.name} ${requirement}, which is not installed: \`skillsync sync\` installs it`;
    return [{ kind: 'required-missing', name: skill.name, org: layer.org, registry: layer.address, reason, scope }];
  });
}

/**
 * Connector entries in the client files that the profiles refuse and skillsync did not
 * write (someone added them by hand): the plan removes them (`refused` items). One
 * violation per file and name, with every client reading that file, until a sync has
 * removed it.
 */
export function foreignEntryViolations(scope: OrgViolation['scope'], plan: SyncPlan, layers: readonly OrgProfileLayer[]): OrgViolation[] {
  if (layers.length === 0) return [];
  const found = new Map<string, { violation: Omit<ProfileViolation, 'source'>; path: string; clients: string[] }>();
  for (const item of plan.items) {
    if (item.kind !== 'connector' || item.refused === undefined || item.path === undefined) continue;
    const refused = refuseConnector(layers, item.name);
    if (refused === undefined) continue;
    const key = `${item.path}\u0000${item.name}`;
    const entry = found.get(key) ?? { violation: refused, path: item.path, clients: [] };
    entry.clients.push(item.client);
    found.set(key, entry);
  }
  return [...found.values()].map(({ violation, path, clients }) => ({
    ...violation,
    reason: `${violation.reason}; it was added to this file by hand: \`skillsync sync\` removes it (rollback restores it)`,
    scope,
    path,
    clients,
  }));
}

/** `✗ PROFILE_BLOCKED connector shell: the acme org profile blocks …` and where it comes from. */
export function renderViolation(violation: OrgViolation, ui: Ui, show: (file: string) => string): string[] {
  const what = violation.kind.includes('connector') ? 'connector' : 'skill';
  const where = violation.path !== undefined ? `${show(violation.path)} (${(violation.clients ?? []).join(', ')})` : violation.manifest !== undefined ? show(violation.manifest) : `org profile ${violation.registry}`;
  return [`  ${ui.red('✗')} ${ui.bold(VIOLATION_CODE)} ${what} ${ui.bold(violation.name)}: ${violation.reason}`, `    ${ui.dim(`${violation.kind} · ${violation.scope} scope · ${where}`)}`];
}
