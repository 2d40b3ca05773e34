import { applyOrgProfiles, landingScope, LOCKFILE_FILE, packageKey, parseSkillSpecifier, pathFor, renderSpecifier, skillsyncPaths, type ManifestFinding, type ManifestScope } from '@skillsync/core';
import { openStore } from '@skillsync/store';
import type { listOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, renderFinding, renderTable } from '../format.js';
import { readOrgProfiles } from '../org-profiles.js';
import { manifestViolation, renderViolation, type OrgViolation } from '../org-violations.js';
import { lockfilePathFor, readLockfile, readManifests } from '../project.js';

export interface ListedSkill {
  readonly name: string;
  readonly specifier: string;
  readonly kind: 'path' | 'tarball' | 'registry' | 'invalid';
  /** `org`: required by an org profile (`manifest` is then the org's registry address). */
  readonly scope: ManifestScope;
  readonly manifest: string;
  /** From the lockfile; absent when the skill is not installed yet. */
  readonly locked?: { readonly version: string; readonly integrity: string; readonly resolved: string };
  readonly inStore: boolean;
}

export interface ListData {
  readonly manifests: { readonly user?: string; readonly project?: string };
  readonly lockfile?: string;
  readonly skills: readonly ListedSkill[];
  readonly findings: readonly ManifestFinding[];
  /** What the org profiles refuse (those skills are not listed) or find wanting, from the cached profiles. */
  readonly violations: readonly OrgViolation[];
  readonly warnings: readonly string[];
}

export const listHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<typeof listOptions>) => {
    const [manifests, org] = await Promise.all([readManifests(env), readOrgProfiles(env)]);
    const lockfileFile = lockfilePathFor(env, manifests);
    const userLockfileFile = pathFor(env).join(pathFor(env).dirname(skillsyncPaths(env).userManifest), LOCKFILE_FILE);
    const [lockfile, userLockfile] = await Promise.all([
      lockfileFile === undefined ? undefined : readLockfile(lockfileFile),
      org.layers.length === 0 || userLockfileFile === lockfileFile ? undefined : readLockfile(userLockfileFile),
    ]);
    const layered = applyOrgProfiles(manifests.effective, org.layers, { addOrgScope: true });
    const store = openStore(paths.store);
    const skills = await Promise.all(
      layered.manifest.skills.map(async (skill): Promise<ListedSkill> => {
        const parsed = parseSkillSpecifier(skill.specifier);
        // The org's skills are locked in the user lockfile (`sync` installs them there).
        const lock = skill.source.scope !== 'org' || userLockfileFile === lockfileFile ? lockfile : userLockfile;
        const root = lock?.skills[skill.name];
        const entry = root === undefined ? undefined : lock?.packages[packageKey(skill.name, root.version)];
        return {
          name: skill.name,
          specifier: renderSpecifier(skill.specifier),
          kind: parsed.ok ? parsed.specifier.kind : 'invalid',
          scope: skill.source.scope,
          manifest: skill.source.file,
          ...(root === undefined || entry === undefined
            ? {}
            : { locked: { version: root.version, integrity: entry.integrity, resolved: entry.resolved } }),
          inStore: entry === undefined ? false : await store.has(entry.integrity),
        };
      }),
    );
    const data: ListData = {
      manifests: {
        ...(manifests.user === undefined ? {} : { user: manifests.user.file }),
        ...(manifests.project === undefined ? {} : { project: manifests.project.file }),
      },
      ...(lockfile === undefined || lockfileFile === undefined ? {} : { lockfile: lockfileFile }),
      skills,
      findings: manifests.findings,
      violations: layered.violations.map((violation) => manifestViolation(landingScope(violation.source), violation)),
      warnings: org.warnings,
    };
    return { ok: manifests.findings.every((finding) => finding.severity !== 'error'), data };
  },
  render: (data: ListData, ui, env) => {
    const lines = data.findings.map((finding) => renderFinding(finding, env, ui));
    for (const warning of data.warnings) lines.push(ui.yellow(`warning: ${warning}`));
    for (const violation of data.violations) lines.push(...renderViolation(violation, ui, (file) => displayPath(env, file)));
    if (data.manifests.user === undefined && data.manifests.project === undefined && data.skills.length === 0) {
      lines.push(`No skillsync.yaml here or in your config folder. Run ${ui.cyan('skillsync init')} to start one.`);
      return lines.join('\n');
    }
    if (data.skills.length === 0) {
      lines.push(`No skills declared. Add one with ${ui.cyan('skillsync add <source>')}.`);
      return lines.join('\n');
    }
    const rows = data.skills.map((skill) => [
      skill.name,
      skill.locked?.version ?? '-',
      skill.locked === undefined ? 'not installed' : skill.inStore ? 'installed' : 'missing from store',
      skill.scope,
      skill.specifier,
    ]);
    lines.push(
      ...renderTable(['skill', 'version', 'state', 'scope', 'source'], rows, ui, (row) =>
        row[2] === 'installed' ? (text) => text : row[2] === 'not installed' ? ui.yellow : ui.red,
      ),
    );
    if (data.skills.some((skill) => skill.locked === undefined || !skill.inStore)) {
      lines.push('', `Run ${ui.cyan(data.skills.some((skill) => skill.scope === 'org') ? 'skillsync sync' : 'skillsync install')} to install what is missing.`);
    }
    if (ui.verbose && data.lockfile !== undefined) lines.push(ui.dim(`lockfile: ${displayPath(env, data.lockfile)}`));
    return lines.join('\n');
  },
});
