import type { ItemStatus, SyncItem, SyncProblem } from '@skillsync/sync';
import type { statusOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { plural, renderTable, shortPath } from '../format.js';
import { readOrgProfiles, type OrgProfileState } from '../org-profiles.js';
import type { Ui } from '../ui.js';
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

/** Statuses that ask for nothing: listed item by item only with --verbose. */
const QUIET_STATUSES: ReadonlySet<ItemStatus> = new Set(['in-sync', 'via-gateway', 'unsupported']);
const KIND_NAMES: Readonly<Record<SyncItem['kind'], [string, string]>> = { connector: ['connector', 'connectors'], skill: ['skill', 'skills'], instructions: ['instruction file', 'instruction files'] };

/**
 * A scope's items for a person: one line per client saying what it holds and how much of
 * it is in sync, then a row for every item that asks for something (drift, a foreign
 * entry, one only the gateway can carry). Thousands of in-sync rows would bury those: they
 * are listed with --verbose, and always in --json.
 */
function renderScopeItems(items: readonly SyncItem[], ui: Ui, show: (file: string) => string): string[] {
  const clients = new Map<string, { kinds: Map<SyncItem['kind'], number>; states: Map<ItemStatus, number> }>();
  for (const item of items) {
    let client = clients.get(item.client);
    if (client === undefined) {
      client = { kinds: new Map(), states: new Map() };
      clients.set(item.client, client);
    }
    if (item.status === 'unsupported') continue;
    if (item.status !== 'unmanaged') client.kinds.set(item.kind, (client.kinds.get(item.kind) ?? 0) + 1);
    client.states.set(item.status, (client.states.get(item.status) ?? 0) + 1);
  }
  const summary = [...clients].map(([client, { kinds, states }]) => {
    const viaGateway = states.get('via-gateway') ?? 0;
    const held = [...kinds].map(([kind, count]) => plural(count, ...KIND_NAMES[kind]) + (kind === 'connector' && viaGateway > 0 ? ` (${viaGateway} through the gateway)` : '')).join(', ');
    const attention = [...states].filter(([status]) => !QUIET_STATUSES.has(status)).map(([status, count]) => `${count} ${status}`);
    return [client, held === '' ? 'nothing managed' : held, attention.length === 0 ? (held === '' ? '' : 'in-sync') : attention.join(', ')];
  });
  const lines = summary.length === 0 ? [] : renderTable(['client', 'managed here', 'status'], summary, ui, (row) => (row[2] === 'in-sync' ? ui.green : (text) => text));
  const listed = items.filter((item) => (ui.verbose ? true : !QUIET_STATUSES.has(item.status)));
  if (listed.length > 0) {
    const rows = listed.map((item) => [item.client, item.kind, item.name, item.status, item.path === undefined ? (item.detail ?? '') : show(item.path)]);
    const table = renderTable(['client', 'kind', 'item', 'status', 'where'], rows, ui, (row) => {
      const status = row[3] ?? '';
      return status === 'in-sync' ? ui.green : status === 'unmanaged' || status === 'needs-gateway' || status === 'via-gateway' ? ui.dim : ['missing', 'modified', 'outdated', 'conflict'].includes(status) ? ui.yellow : (text) => text;
    });
    lines.push('', ...table);
  }
  return lines;
}

/**
 * `skillsync status`: per client and scope, what it holds and what drifted (every item
 * with --verbose or --json), and what violates an org profile. Reports only: exit 0 on drift (`sync --check` is the gate), exit 1 on a
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
      lines.push(...renderScopeItems(scope.items, ui, show).map((line) => (line === '' ? line : `  ${line}`)));
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
