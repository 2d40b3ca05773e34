import type { SyncItem, SyncProblem } from '@skillsync/sync';
import type { statusOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { plural, renderTable, shortPath } from '../format.js';
import { readOrgProfiles, type OrgProfileState } from '../org-profiles.js';
import { renderViolation, VIOLATION_CODE, type OrgViolation } from '../org-violations.js';
import { buildSyncPlans, driftItems, saveFingerprints, type SyncScope } from '../sync-context.js';

export interface StatusScope {
  readonly scope: SyncScope;
  readonly projectRoot: string | null;
  readonly clients: readonly string[];
  readonly items: readonly SyncItem[];
  readonly problems: readonly SyncProblem[];
  readonly drift: number;
  /** What violates an org profile here (from the cached profiles). */
  readonly violations: readonly OrgViolation[];
}

export interface StatusData {
  readonly inSync: boolean;
  readonly scopes: readonly StatusScope[];
  /** The org profiles that apply, as cached (status never asks a server), and warnings about them. */
  readonly org: { readonly profiles: readonly OrgProfileState[]; readonly warnings: readonly string[] };
}

/**
 * `skillsync status`: every item per client and scope with its status, and what violates
 * an org profile. Reports only: exit 0 on drift (`sync --check` is the gate), exit 1 on a
 * violation. Reads the org profiles from the cache: no network.
 */
export const statusHandler = defineHandler({
  run: async ({ env, paths, options }: CommandInput<typeof statusOptions>) => {
    const org = await readOrgProfiles(env);
    const plans = await buildSyncPlans({ env, paths, scope: options.scope, clients: options.client, org });
    await saveFingerprints(plans);
    const scopes = plans.map(({ scope, projectRoot, clients, plan, violations }): StatusScope => ({
      scope,
      projectRoot: projectRoot ?? null,
      clients,
      items: plan.items,
      problems: plan.problems,
      drift: driftItems(plan).length,
      violations,
    }));
    const data: StatusData = {
      inSync: scopes.every((scope) => scope.drift === 0 && scope.problems.length === 0),
      scopes,
      org: { profiles: org.profiles, warnings: org.warnings },
    };
    return { ok: scopes.every((scope) => scope.violations.length === 0), data };
  },
  render: (data: StatusData, ui, env) => {
    const lines: string[] = [];
    for (const profile of data.org.profiles) {
      if (profile.source !== 'none') lines.push(ui.dim(`org profile ${profile.org} (${profile.registry}, fetched ${profile.fetchedAt ?? '?'})`));
    }
    for (const warning of data.org.warnings) lines.push(ui.yellow(`warning: ${warning}`));
    for (const scope of data.scopes) {
      // Thousands of rows, far fewer distinct paths (every client of a shared skills folder names the same ones).
      const shown = new Map<string, string>();
      const show = (file: string): string => {
        let short = shown.get(file);
        if (short === undefined) {
          short = shortPath(env, file, scope.projectRoot ?? undefined);
          shown.set(file, short);
        }
        return short;
      };
      if (lines.length > 0) lines.push('');
      lines.push(ui.bold(`${scope.scope} scope`) + ui.dim(` · ${scope.clients.length === 0 ? 'no clients' : scope.clients.join(', ')}`));
      const listed = scope.items.filter((item) => ui.verbose || item.status !== 'unsupported');
      const rows = listed.map((item) => [item.client, item.kind, item.name, item.status, item.path === undefined ? (item.detail ?? '') : show(item.path)]);
      if (rows.length > 0) {
        const table = renderTable(['client', 'kind', 'item', 'status', 'where'], rows, ui, (row) => {
          const status = row[3] ?? '';
          return status === 'in-sync' ? ui.green : status === 'unmanaged' || status === 'needs-gateway' ? ui.dim : ['missing', 'modified', 'outdated', 'conflict'].includes(status) ? ui.yellow : (text) => text;
        });
        lines.push(...table.map((line) => `  ${line}`));
      }
      for (const problem of scope.problems) {
        const where = [show(problem.path), problem.line, problem.line === undefined ? undefined : problem.column].filter((part) => part !== undefined).join(':');
        lines.push(`  ${ui.red('✗')} ${problem.client}: ${ui.bold(where)} ${problem.code}: ${problem.message}`);
      }
      for (const violation of scope.violations) lines.push(...renderViolation(violation, ui, show));
      lines.push(`  ${scope.drift === 0 && scope.problems.length === 0 ? ui.green('in sync') : ui.yellow(`${scope.drift} drifted${scope.problems.length > 0 ? `, ${scope.problems.length} unreadable` : ''} · \`skillsync sync\` repairs`)}`);
      if (scope.violations.length > 0) lines.push(`  ${ui.red(`${plural(scope.violations.length, 'violation')} of your org profile (${VIOLATION_CODE})`)}`);
    }
    return lines.join('\n');
  },
});
