import { detectClients } from '@skillsync/clients';
import { loadManifests, packageKey, type ManifestFinding } from '@skillsync/core';
import { openStore } from '@skillsync/store';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, plural, renderFinding, renderPairs } from '../format.js';
import { lockfilePathFor, readLockfile } from '../project.js';

export interface OverviewData {
  readonly cwd: string;
  readonly manifests: {
    readonly user: { readonly path: string; readonly found: boolean };
    readonly project: { readonly path: string } | null;
  };
  readonly lockfile: { readonly path: string; readonly found: boolean } | null;
  /** The skills the lockfile installs, and whether the store still holds each. */
  readonly skills: readonly { readonly name: string; readonly version: string; readonly integrity: string; readonly inStore: boolean }[];
  /** Skills the manifests declare that the lockfile does not have yet. */
  readonly notInstalled: readonly string[];
  readonly store: string;
  readonly clients: readonly { readonly id: string; readonly name: string; readonly found: boolean; readonly evidence: readonly string[] }[];
  readonly findings: readonly ManifestFinding[];
}

/** `skillsync` with no command: where things are, what is installed, which clients exist. */
export const overviewHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<Record<string, never>>) => {
    const [manifests, clients] = await Promise.all([loadManifests(env), detectClients(env)]);
    const lockfilePath = lockfilePathFor(env, manifests);
    // A broken lockfile must not hide the rest of the overview; install reports it properly.
    const lockfile = lockfilePath === undefined ? undefined : await readLockfile(lockfilePath).catch(() => undefined);
    const store = openStore(paths.store);
    const skills = await Promise.all(
      Object.entries(lockfile?.skills ?? {}).map(async ([name, skill]) => {
        const integrity = lockfile?.packages[packageKey(name, skill.version)]?.integrity ?? '';
        return { name, version: skill.version, integrity, inStore: integrity !== '' && (await store.has(integrity)) };
      }),
    );
    const data: OverviewData = {
      cwd: env.cwd,
      manifests: {
        user: { path: paths.userManifest, found: manifests.user !== undefined },
        project: manifests.project === undefined ? null : { path: manifests.project.file },
      },
      lockfile: lockfilePath === undefined ? null : { path: lockfilePath, found: lockfile !== undefined },
      skills,
      notInstalled: manifests.effective.skills.map((skill) => skill.name).filter((name) => lockfile?.skills[name] === undefined),
      store: paths.store,
      clients: clients.map((client) => ({ id: client.id, name: client.displayName, found: client.found, evidence: client.evidence })),
      findings: manifests.findings,
    };
    return { ok: true, data };
  },
  render: (data: OverviewData, ui, env) => {
    const found = data.clients.filter((client) => client.found);
    const missing = data.skills.filter((skill) => !skill.inStore);
    const lines = renderPairs(
      [
        ['project manifest', data.manifests.project === null ? ui.dim('none here or above') : displayPath(env, data.manifests.project.path)],
        ['user manifest', data.manifests.user.found ? displayPath(env, data.manifests.user.path) : ui.dim(`none (${data.manifests.user.path})`)],
        [
          'lockfile',
          data.lockfile === null ? ui.dim('none') : data.lockfile.found ? displayPath(env, data.lockfile.path) : ui.dim(`not yet (${displayPath(env, data.lockfile.path)})`),
        ],
        ['store', data.store],
        ['AI clients', found.length === 0 ? ui.dim('none found') : found.map((client) => client.name).join(', ')],
      ],
      ui,
      '',
    );
    lines.push('', ui.bold(`Skills installed (${data.skills.length})`));
    for (const skill of data.skills) {
      lines.push(`  ${skill.inStore ? ui.green('✓') : ui.red('✗')} ${skill.name}@${skill.version}${skill.inStore ? '' : ui.red(' missing from the store')}`);
    }
    if (data.skills.length === 0) lines.push(ui.dim('  none'));
    if (data.notInstalled.length > 0) lines.push(ui.yellow(`  ${plural(data.notInstalled.length, 'skill')} declared but not installed: ${data.notInstalled.join(', ')}`));
    for (const finding of data.findings) lines.push(renderFinding(finding, env, ui));
    if (ui.verbose) {
      lines.push('', ui.bold('Clients'));
      for (const client of data.clients) lines.push(`  ${client.found ? ui.green('✓') : ui.dim('·')} ${client.name}${client.found ? ui.dim(` (${client.evidence.join(', ')})`) : ''}`);
    }
    lines.push('', nextStep(data, missing.length));
    return lines.join('\n');
  },
});

function nextStep(data: OverviewData, missing: number): string {
  if (data.findings.some((finding) => finding.severity === 'error')) return 'Fix the manifest errors above, then run `skillsync install`.';
  if (data.manifests.project === null && !data.manifests.user.found) return 'Start with `skillsync init` (a project manifest here) or `skillsync init --user`.';
  if (missing > 0 || data.notInstalled.length > 0 || data.lockfile?.found === false) return 'Run `skillsync install` to install what is missing.';
  return 'Everything declared is installed. `skillsync --help` lists what else you can do.';
}

