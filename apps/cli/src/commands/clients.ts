import { stat } from 'node:fs/promises';
import {
  clientAdapters,
  connectorFeaturesOf,
  detectClients,
  SCOPES,
  type ArtifactKind,
  type ClientAdapter,
  type ConfigFormat,
  type ConnectorFeatures,
  type Evidence,
  type InstructionsFormat,
  type Located,
  type Scope,
  type ScopedRulesLocation,
} from '@skillsync/clients';
import { findProjectManifest, pathFor, type Env } from '@skillsync/core';
import type { clientsOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { plural, renderTable, shortPath } from '../format.js';
import { parseSyncScope } from '../sync-context.js';
import type { Ui } from '../ui.js';

export interface PathState {
  readonly path: string;
  readonly exists: boolean;
}

interface SupportedReport {
  readonly kind: 'supported';
  /** Absolute. */
  readonly path: string;
  /** Whether anything is at `path` now; skillsync creates it on the first sync otherwise. */
  readonly exists: boolean;
  readonly docs: string;
  readonly evidence: Evidence;
  /** The capability's caveat, when the adapter gives one. */
  readonly note?: string;
}

export interface ConnectorsReport extends SupportedReport {
  readonly format: ConfigFormat;
  readonly keyPath: readonly string[];
  readonly container: 'map' | 'list';
  /** Files the client reads in place of `path`; the first that exists is the one edited. */
  readonly alternatives: readonly PathState[];
  readonly newFile?: Readonly<Record<string, unknown>>;
  /** Present when this file is spelt unlike the client's other connector files (Goose's project plugin): its own features. */
  readonly connectorFeatures?: ConnectorFeatures;
}

export interface SkillsReport extends SupportedReport {
  /** True for the cross-client `.agents/skills` folder, written once for every client that reads it. */
  readonly shared: boolean;
  readonly alsoReads: readonly PathState[];
}

export interface InstructionsReport extends SupportedReport {
  readonly format: InstructionsFormat;
  readonly ownership: 'block' | 'file';
  readonly frontmatter?: Readonly<Record<string, string | boolean>>;
  /** True for the project's `AGENTS.md`, written once for every client that reads it. */
  readonly shared: boolean;
  readonly alsoReads: readonly PathState[];
  /** Where each scoped instruction gets a rule file of its own; absent: scoped ones stay in `path`. */
  readonly scopedRules?: ScopedRulesLocation;
}

export interface UnsupportedReport {
  readonly kind: 'unsupported';
  readonly reason: string;
}

export interface ScopeReport {
  readonly connectors: ConnectorsReport | UnsupportedReport;
  readonly skills: SkillsReport | UnsupportedReport;
  readonly instructions: InstructionsReport | UnsupportedReport;
}

/**
 * One client. There is no `version`: no client keeps its version in a file we can read
 * without running it, and this command never spawns a client's binary.
 */
export interface ClientReport {
  readonly id: string;
  readonly name: string;
  readonly found: boolean;
  /** The detection markers that exist (absolute paths); empty when not found. */
  readonly evidence: readonly string[];
  readonly docs: readonly string[];
  readonly connectorFeatures: ConnectorFeatures;
  /** Per scope asked for (both unless `--scope`), the files skillsync would manage. */
  readonly locations: Partial<Record<Scope, ScopeReport>>;
}

export interface ClientsData {
  readonly home: string;
  /** The folder holding the project manifest, or the current folder when there is none. */
  readonly projectRoot: string;
  readonly projectManifest: string | null;
  readonly scopes: readonly Scope[];
  /** True with `--all`: every known client is listed, found or not. */
  readonly all: boolean;
  readonly counts: { readonly known: number; readonly found: number };
  readonly clients: readonly ClientReport[];
}

/** `skillsync clients`: which AI clients are here and, per scope, the files skillsync would manage for each. */
export const clientsHandler = defineHandler({
  run: async ({ env, options }: CommandInput<typeof clientsOptions>) => {
    const scopes = parseScope(options.scope);
    const [detected, projectManifest] = await Promise.all([detectClients(env, clientAdapters), findProjectManifest(env)]);
    const projectRoot = projectManifest === undefined ? env.cwd : pathFor(env).dirname(projectManifest);
    const listed = clientAdapters.flatMap((adapter, index) => {
      const detection = detected[index];
      return detection !== undefined && (options.all || detection.found) ? [{ adapter, evidence: detection.evidence }] : [];
    });
    const clients = await Promise.all(
      listed.map(async ({ adapter, evidence }): Promise<ClientReport> => {
        const locations: Partial<Record<Scope, ScopeReport>> = {};
        for (const scope of scopes) locations[scope] = await reportScope(env, adapter, scope, projectRoot);
        return {
          id: adapter.id,
          name: adapter.displayName,
          found: evidence.length > 0,
          evidence,
          docs: adapter.docs,
          connectorFeatures: adapter.capabilities.connectors,
          locations,
        };
      }),
    );
    const data: ClientsData = {
      home: env.home,
      projectRoot,
      projectManifest: projectManifest ?? null,
      scopes,
      all: options.all,
      counts: { known: clientAdapters.length, found: detected.filter((client) => client.found).length },
      clients,
    };
    return { ok: true, data };
  },
  render: (data: ClientsData, ui, env) => {
    const lines: string[] = [
      `${ui.bold(`${data.counts.found} of ${plural(data.counts.known, 'known client')} found`)}${ui.dim(` · project root ${shortPath(env, data.projectRoot)}`)}`,
    ];
    for (const client of data.clients) lines.push('', ...renderClient(client, data.projectRoot, ui, env));
    if (data.counts.found === 0 && !data.all) {
      lines.push('', 'No AI client found in this home folder. `skillsync clients --all` shows where skillsync looks for each one.');
    } else if (!data.all && data.counts.found < data.counts.known) {
      lines.push('', ui.dim(`\`skillsync clients --all\` also shows the ${plural(data.counts.known - data.counts.found, 'client')} not found.`));
    }
    return lines.join('\n');
  },
});

function parseScope(value: string | undefined): readonly Scope[] {
  const scope = parseSyncScope(value);
  return scope === undefined ? SCOPES : [scope];
}

async function reportScope(env: Env, adapter: ClientAdapter, scope: Scope, projectRoot: string): Promise<ScopeReport> {
  const located = adapter.locations(env, scope, projectRoot);
  const noteOf = (kind: ArtifactKind): { note?: string } => {
    const capability = adapter.capabilities[scope][kind];
    return capability.kind === 'supported' && capability.note !== undefined ? { note: capability.note } : {};
  };
  const [connectors, skills, instructions] = await Promise.all([
    ifSupported(located.connectors, async ({ kind: _kind, alternatives, dialect, ...location }): Promise<ConnectorsReport> => ({
      kind: 'supported',
      ...location,
      ...(dialect === undefined ? {} : { connectorFeatures: connectorFeaturesOf(dialect) }),
      exists: await exists(location.path),
      alternatives: await pathStates(alternatives ?? []),
      ...noteOf('connectors'),
    })),
    ifSupported(located.skills, async ({ kind: _kind, alsoReads, ...location }): Promise<SkillsReport> => ({
      kind: 'supported',
      ...location,
      exists: await exists(location.path),
      alsoReads: await pathStates(alsoReads),
      ...noteOf('skills'),
    })),
    ifSupported(located.instructions, async ({ kind: _kind, alsoReads, ...location }): Promise<InstructionsReport> => ({
      kind: 'supported',
      ...location,
      exists: await exists(location.path),
      alsoReads: await pathStates(alsoReads),
      ...noteOf('instructions'),
    })),
  ]);
  return { connectors, skills, instructions };
}

async function ifSupported<K extends ArtifactKind, R>(
  located: Located<K>,
  report: (location: Exclude<Located<K>, { readonly kind: 'unsupported' }>) => Promise<R>,
): Promise<R | UnsupportedReport> {
  if (located.kind === 'unsupported') return { kind: 'unsupported', reason: located.reason };
  return report(located as Exclude<Located<K>, { readonly kind: 'unsupported' }>);
}

function pathStates(paths: readonly string[]): Promise<PathState[]> {
  return Promise.all(paths.map(async (path) => ({ path, exists: await exists(path) })));
}

/** Read-only; anything at the path counts (a folder where a file belongs is for sync to report). */
async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const kindOrder: readonly ArtifactKind[] = ['connectors', 'skills', 'instructions'];

function renderClient(client: ClientReport, projectRoot: string, ui: Ui, env: Env): string[] {
  const status = client.found
    ? `${ui.green('found')} ${ui.dim(client.evidence.map((file) => shortPath(env, file)).join(', '))}`
    : ui.dim('not found');
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const scope of SCOPES) {
    const locations = client.locations[scope];
    if (locations === undefined) continue;
    // User files are the person's own: shown from HOME even when the project is HOME.
    const show = (file: string): string => shortPath(env, file, scope === 'project' ? projectRoot : undefined);
    for (const kind of kindOrder) {
      const entry = locations[kind];
      if (entry.kind === 'unsupported') {
        rows.push([scope, kind, 'unsupported', '—', entry.reason]);
        continue;
      }
      rows.push([scope, kind, entry.exists ? 'exists' : 'absent', show(entry.path), describe(entry, show)]);
      if (entry.note !== undefined) notes.push(`${scope} ${kind}: ${entry.note}`);
    }
  }
  const lines = [`${ui.bold(client.name)} ${ui.dim(`(${client.id})`)}  ${status}`];
  const table = renderTable(['scope', 'kind', 'state', 'path', 'details'], rows, ui, (row) => {
    const paint = row[2] === 'unsupported' ? ui.dim : row[2] === 'exists' ? ui.green : (text: string): string => text;
    // An empty last cell would leave the padding of the one before it at the end of the line.
    return (text) => paint(text.trimEnd());
  });
  lines.push(...table.map((line) => `  ${line}`));
  if (ui.verbose) {
    for (const note of notes) lines.push(`  ${ui.dim('note:')} ${note}`);
    for (const docs of client.docs) lines.push(`  ${ui.dim('docs:')} ${docs}`);
  }
  return lines;
}

/** The one-cell summary of how skillsync writes a location. */
function describe(entry: ConnectorsReport | SkillsReport | InstructionsReport, show: (file: string) => string): string {
  if ('keyPath' in entry) {
    const key = entry.keyPath.map((part) => (part.includes('.') ? `"${part}"` : part)).join('.');
    const parts = [entry.format, `${key}${entry.container === 'list' ? '[]' : ''}`];
    if (entry.alternatives.length > 0) parts.push(`or ${entry.alternatives.map((alternative) => show(alternative.path)).join(', ')}`);
    return parts.join(' · ');
  }
  if ('ownership' in entry) {
    const parts = [entry.format, entry.ownership === 'block' ? 'managed block' : 'whole file'];
    if (entry.shared) parts.push('shared AGENTS.md');
    if (entry.scopedRules !== undefined) parts.push(`scoped: ${show(entry.scopedRules.dir)}`);
    return parts.join(' · ');
  }
  return entry.shared ? 'shared .agents/skills' : '';
}
