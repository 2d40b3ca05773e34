import { clientAdapters, detectClients, type ClientAdapter } from '@skillsync/clients';
import { packageKey, type ManifestFinding } from '@skillsync/core';
import { openStore } from '@skillsync/store';
import { readClientInventory, type ClientInventory } from '@skillsync/sync';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, plural, renderFinding, renderPairs } from '../format.js';
import { lockfilePathFor, readLockfile, readManifests } from '../project.js';

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
  /** What each client found has in your user files: server and skill names, and whether it has instructions. */
  readonly inventory: readonly { readonly id: string; readonly name: string; readonly connectors: readonly string[]; readonly skills: readonly string[]; readonly instructions: boolean }[];
  /** Servers and skills some clients found have and others do not. */
  readonly differences: readonly { readonly kind: 'connector' | 'skill'; readonly name: string; readonly in: readonly string[]; readonly missingIn: readonly string[] }[];
  readonly findings: readonly ManifestFinding[];
}

/** `skillsync` with no command: where things are, what is installed, which clients exist. */
export const overviewHandler = defineHandler({
  run: async ({ env, paths }: CommandInput<Record<string, never>>) => {
    const [manifests, clients] = await Promise.all([readManifests(env), detectClients(env)]);
    const lockfilePath = lockfilePathFor(env, manifests);
    // A broken lockfile must not hide the rest of the overview; install reports it properly.
    const lockfile = lockfilePath === undefined ? undefined : await readLockfile(lockfilePath).catch(() => undefined);
    const store = openStore(paths.store);
    const foundAdapters = clientAdapters.filter((_adapter, index) => clients[index]?.found === true);
    const inventories = await readClientInventory({ env, scope: 'user', clients: foundAdapters, skills: 'listed' });
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
      inventory: inventories.map((inventory) => ({
        id: inventory.client,
        name: inventory.displayName,
        connectors: inventory.connectors.filter((found) => found.read.kind === 'connector').map((found) => found.name),
        skills: inventory.skills.map((found) => found.folderName),
        instructions: inventory.instructions !== undefined,
      })),
      differences: differences(inventories, foundAdapters),
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
    const width = Math.max(0, ...data.inventory.map((client) => client.name.length));
    for (const client of data.inventory) {
      const parts = [
        client.connectors.length === 0 ? ui.dim('no servers') : `${plural(client.connectors.length, 'server')} (${listed(client.connectors)})`,
        client.skills.length === 0 ? ui.dim('no skills') : `${plural(client.skills.length, 'skill')} (${listed(client.skills)})`,
        client.instructions ? 'instructions' : ui.dim('no instructions'),
      ];
      lines.push(`  ${client.name.padEnd(width)}  ${parts.join(ui.dim(' · '))}`);
    }
    const shown = ui.verbose ? data.differences : data.differences.slice(0, 8);
    for (const difference of shown) {
      lines.push(`  ${ui.yellow('≠')} ${difference.kind} ${ui.bold(difference.name)}: in ${difference.in.join(', ')}; not in ${difference.missingIn.join(', ')}`);
    }
    if (shown.length < data.differences.length) lines.push(ui.dim(`  … and ${data.differences.length - shown.length} more differences (--verbose lists them)`));
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
  if (data.manifests.project === null && !data.manifests.user.found) {
    const has = data.inventory.some((client) => client.connectors.length > 0 || client.skills.length > 0 || client.instructions);
    return has
      ? 'Run `skillsync import` to adopt what your clients have into one manifest (nothing in them changes until `skillsync sync`).'
      : 'Start with `skillsync init` (a project manifest here) or `skillsync init --user`.';
  }
  if (missing > 0 || data.notInstalled.length > 0 || data.lockfile?.found === false) return 'Run `skillsync install` to install what is missing.';
  return 'Everything declared is installed. `skillsync --help` lists what else you can do.';
}


/** Names, the first few of them: `a, b, c, +4`. */
function listed(names: readonly string[]): string {
  const head = names.slice(0, 4).join(', ');
  return names.length > 4 ? `${head}, +${names.length - 4}` : head;
}

/**
 * Servers and skills that only some of the clients have, among the clients able to
 * hold them: "github: in Claude Code, Cursor; not in Codex".
 */
function differences(inventories: readonly ClientInventory[], adapters: readonly ClientAdapter[]): OverviewData['differences'] {
  const out: OverviewData['differences'][number][] = [];
  for (const kind of ['connector', 'skill'] as const) {
    const able = inventories.filter((inventory) => adapters.find((adapter) => adapter.id === inventory.client)?.capabilities.user[kind === 'connector' ? 'connectors' : 'skills'].kind === 'supported');
    const namesOf = (inventory: ClientInventory): string[] =>
      kind === 'connector' ? inventory.connectors.filter((found) => found.read.kind === 'connector').map((found) => found.name) : inventory.skills.map((found) => found.folderName);
    const all = [...new Set(able.flatMap(namesOf))].sort();
    for (const name of all) {
      const holding = able.filter((inventory) => namesOf(inventory).includes(name));
      if (holding.length === able.length) continue;
      out.push({ kind, name, in: holding.map((inventory) => inventory.displayName), missingIn: able.filter((inventory) => !holding.includes(inventory)).map((inventory) => inventory.displayName) });
    }
  }
  return out;
}
