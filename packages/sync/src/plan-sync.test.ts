import { clientAdapters, renderConnector, type ClientAdapter, type ConnectorsLocation } from '@skillsync/clients';
import { createEnv, type ConnectorDefinition } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { loadConnectorCodecs } from './connector-codecs.js';
import { editConnectorEntries, readConnectorEntries } from './connector-entries.js';
import type { DesiredState } from './create-desired-state.js';
import { emptyJournal, type Journal } from './journal.js';
import { planSync, planSyncLoadingCodecs } from './plan-sync.js';
import { readConnectorFiles } from './read-connector-files.js';
import { DRIFT_STATUSES, type SyncPlan } from './sync-plan.js';

/**
 * The one suite every adapter passes through the planner (as the clients package's
 * conformance suite does for locations): adding a client to the registry covers it.
 */

const env = createEnv({ home: '/home/ada', cwd: '/src/app' });
const projectRoot = '/src/app';
const codecs = await loadConnectorCodecs();

const connectors: Record<string, ConnectorDefinition> = {
  docs: { command: 'npx', args: ['-y', '@acme/docs-mcp'], env: { LOG_LEVEL: 'info' } },
  search: { url: 'https://mcp.example.com/mcp' },
  vault: { command: 'vault-mcp', env: { TOKEN: '${secret:VAULT_TOKEN}' } },
};

const desired: DesiredState = {
  gateway: { mode: 'direct' },
  connectors,
  skills: [{ name: 'review', version: '1.2.0', integrity: 'sha512-review', storeDir: '/data/store/review' }],
  instructions: [{ id: 'style', content: 'Prefer small pure functions.' }],
};

type Files = Map<string, string | undefined>;
type SkillDirs = Map<string, { integrity: string } | undefined>;

interface World {
  files: Files;
  skillDirs: SkillDirs;
  journal: Journal;
}

function emptyWorld(): World {
  return { files: new Map(), skillDirs: new Map(), journal: emptyJournal };
}

function plan(clients: readonly ClientAdapter[], world: World, state: DesiredState = desired, scope: 'user' | 'project' = 'project'): SyncPlan {
  return planSync({ env, scope, projectRoot, clients, desired: state, files: world.files, skillDirs: world.skillDirs, journal: world.journal, connectorCodecs: codecs });
}

/** What the apply engine will do, in memory. */
function apply(world: World, result: SyncPlan): World {
  const files = new Map(world.files);
  for (const file of result.files) files.set(file.path, file.after);
  const skillDirs = new Map(world.skillDirs);
  for (const skill of result.skills) skillDirs.set(skill.dir, skill.action === 'write' && skill.integrity !== undefined ? { integrity: skill.integrity } : undefined);
  return { files, skillDirs, journal: result.journal };
}

function expectEmpty(result: SyncPlan): void {
  expect(result.files).toEqual([]);
  expect(result.skills).toEqual([]);
  expect(result.problems).toEqual([]);
  expect(result.items.filter((item) => DRIFT_STATUSES.includes(item.status))).toEqual([]);
}

function connectorsLocation(adapter: ClientAdapter, scope: 'user' | 'project'): ConnectorsLocation | undefined {
  const location = adapter.locations(env, scope, scope === 'project' ? projectRoot : undefined).connectors;
  return location.kind === 'supported' ? location : undefined;
}

function renderedNames(adapter: ClientAdapter): string[] {
  return Object.entries(connectors)
    .filter(([name, connector]) => renderConnector(connector, adapter.connectorDialect, name).kind === 'rendered')
    .map(([name]) => name);
}

function entriesOf(text: string | undefined, location: ConnectorsLocation): Record<string, unknown> {
  const read = readConnectorEntries(text, location, codecs);
  if (!read.ok) throw new Error(read.problem.message);
  return read.value;
}

function withEntry(text: string | undefined, location: ConnectorsLocation, name: string, value: Record<string, unknown>): string {
  const edited = editConnectorEntries(text, location, { set: { [name]: value }, remove: [] }, codecs);
  if (!edited.ok) throw new Error(edited.problem.message);
  return edited.text;
}

const brokenText = { json: '{ "mcpServers": { "x": ', jsonc: '{ "mcpServers": { "x": ', toml: '[mcp_servers.x\ncommand = "y"\n', yaml: 'mcpServers: [\n  - {name: x\n' } as const;

describe.each(clientAdapters.map((adapter) => [adapter.id, adapter] as const))('planSync × %s', (_id, adapter) => {
  describe.each(['user', 'project'] as const)('%s scope', (scope) => {
    const locations = adapter.locations(env, scope, scope === 'project' ? projectRoot : undefined);
    const location = connectorsLocation(adapter, scope);
    const names = renderedNames(adapter);

    it('from nothing, writes every supported kind, and answers for the rest', () => {
      const result = plan([adapter], emptyWorld(), desired, scope);
      expect(result.problems).toEqual([]);
      const kinds = new Set(result.items.map((item) => item.kind));
      expect(kinds).toEqual(new Set(['connector', 'skill', 'instructions']));
      for (const item of result.items) expect(['missing', 'needs-gateway', 'unsupported']).toContain(item.status);
      for (const item of result.items.filter((i) => i.status === 'unsupported' || i.status === 'needs-gateway')) expect(item.detail?.length).toBeGreaterThan(10);
      expect(result.items.find((item) => item.name === 'vault')?.status).toMatch(/needs-gateway|unsupported/);
      if (location !== undefined && names.length > 0) {
        const file = result.files.find((f) => f.path === location.path);
        expect(file?.before).toBeUndefined();
        expect(Object.keys(entriesOf(file?.after, location)).sort()).toEqual(names.sort());
      }
      expect(result.skills.length).toBe(locations.skills.kind === 'supported' ? 1 : 0);
      if (locations.instructions.kind === 'supported') {
        const file = result.files.find((f) => f.path === (locations.instructions.kind === 'supported' ? locations.instructions.path : ''));
        expect(file?.after).toContain('Prefer small pure functions.');
      }
    });

    it('is idempotent: planning against what the plan wrote plans nothing', () => {
      const world = apply(emptyWorld(), plan([adapter], emptyWorld(), desired, scope));
      const again = plan([adapter], world, desired, scope);
      expectEmpty(again);
      expect(again.journal).toEqual(world.journal);
      const written = plan([adapter], emptyWorld(), desired, scope).items.filter((item) => item.status === 'missing').length;
      expect(again.items.filter((item) => item.status === 'in-sync').length).toBe(written);
    });

    it('plans the same from entries parsed before, loading a codec only to edit; a plan that edits nothing needs none', async () => {
      const first = plan([adapter], emptyWorld(), desired, scope);
      const synced = apply(emptyWorld(), first);
      const moved = { ...desired, connectors: { ...connectors, docs: { ...connectors.docs!, args: ['-y', '@acme/docs-mcp@2'] } } };
      for (const [world, state] of [[emptyWorld(), desired], [synced, desired], [synced, moved]] as const) {
        const present = location === undefined ? [] : [location.path, ...(location.alternatives ?? [])].flatMap((path) => {
          const text = world.files.get(path);
          return text === undefined ? [] : [{ path, text, layout: location }];
        });
        const { entries } = await readConnectorFiles(present, undefined);
        const input = { env, scope, projectRoot, clients: [adapter], desired: state, files: world.files, skillDirs: world.skillDirs, journal: world.journal, connectorEntries: entries };
        expect(await planSyncLoadingCodecs(input)).toEqual(plan([adapter], world, state, scope));
      }
      const { entries } = await readConnectorFiles(location === undefined || !synced.files.has(location.path) ? [] : [{ path: location.path, text: synced.files.get(location.path) ?? '', layout: location }], undefined);
      const noop = planSync({ env, scope, projectRoot, clients: [adapter], desired, files: synced.files, skillDirs: synced.skillDirs, journal: synced.journal, connectorEntries: entries, connectorCodecs: {} });
      expectEmpty(noop);
      expect(noop.journalUnchanged).toBe(true);
    });

    it('a file with a syntax error is a problem for this client only', () => {
      const target = location;
      if (target === undefined) return;
      const other = clientAdapters.find(
        (candidate) => candidate.id !== adapter.id && connectorsLocation(candidate, scope)?.path !== target.path && plan([candidate], emptyWorld(), desired, scope).files.length > 0,
      );
      if (other === undefined) throw new Error('no other adapter');
      const world = emptyWorld();
      world.files.set(target.path, brokenText[target.format]);
      const result = plan([adapter, other], world, desired, scope);
      expect(result.problems.map((problem) => [problem.client, problem.path, problem.code])).toEqual([[adapter.id, target.path, 'CLIENT_FILE_INVALID']]);
      expect(result.problems[0]?.line).toBeGreaterThan(0);
      expect(result.files.every((file) => file.path !== target.path && !file.clients.includes(adapter.id))).toBe(true);
      expect(result.files.some((file) => file.clients.includes(other.id))).toBe(true);
      expect(result.items.every((item) => item.client === other.id)).toBe(true);
    });

    // Kinds a client lacks at a scope are covered above: their items must be `unsupported` with a reason.
    if (location !== undefined && names.includes('docs')) describe('connectors', () => {
      const loc = location;
      const foreign = (name = 'theirs') => {
        const rendered = renderConnector({ command: 'their-tool', args: ['--serve'] }, adapter.connectorDialect, name);
        if (rendered.kind !== 'rendered') throw new Error(rendered.reason);
        return rendered.value;
      };

      it('keeps a foreign server, lists it unmanaged, and removes only our entry', () => {
        const start = emptyWorld();
        start.files.set(loc.path, withEntry(undefined, loc, 'theirs', foreign()));
        const first = plan([adapter], start, desired, scope);
        expect(first.items.find((item) => item.name === 'theirs')).toMatchObject({ status: 'unmanaged', kind: 'connector' });
        const synced = apply(start, first);
        expect(entriesOf(synced.files.get(loc.path), loc).theirs).toEqual(foreign());

        const without = { ...desired, connectors: { search: connectors.search!, vault: connectors.vault! } };
        const removal = plan([adapter], synced, without, scope);
        expect(removal.items.find((item) => item.name === 'docs')).toMatchObject({ status: 'outdated', removal: true });
        const after = apply(synced, removal);
        const entries = entriesOf(after.files.get(loc.path), loc);
        expect(Object.keys(entries)).not.toContain('docs');
        expect(entries.theirs).toEqual(foreign());
        expect(Object.keys(entries).sort()).toEqual(['theirs', ...names.filter((n) => n !== 'docs')].sort());
        expectEmpty(plan([adapter], after, without, scope));
      });

      it('a hand edit of our entry is modified, flagged, and repaired', () => {
        const synced = apply(emptyWorld(), plan([adapter], emptyWorld(), desired, scope));
        const ours = entriesOf(synced.files.get(loc.path), loc).docs as Record<string, unknown>;
        const edited = { ...ours, [Object.hasOwn(ours, 'disabled') ? 'disabled' : 'note']: true };
        synced.files.set(loc.path, withEntry(synced.files.get(loc.path), loc, 'docs', edited));
        const result = plan([adapter], synced, desired, scope);
        expect(result.items.find((item) => item.name === 'docs')).toMatchObject({ status: 'modified', overwritesEdit: true });
        expect(entriesOf(apply(synced, result).files.get(loc.path), loc).docs).toEqual(ours);
      });

      it('a changed desired connector over our untouched entry is outdated', () => {
        const synced = apply(emptyWorld(), plan([adapter], emptyWorld(), desired, scope));
        const moved = { ...desired, connectors: { ...connectors, docs: { ...connectors.docs!, args: ['-y', '@acme/docs-mcp@2'] } } };
        const result = plan([adapter], synced, moved, scope);
        expect(result.items.find((item) => item.name === 'docs')?.status).toBe('outdated');
        expectEmpty(plan([adapter], apply(synced, result), moved, scope));
      });

      it('a foreign entry with our name is a conflict and is left alone', () => {
        const start = emptyWorld();
        start.files.set(loc.path, withEntry(undefined, loc, 'docs', foreign('docs')));
        const result = plan([adapter], start, desired, scope);
        expect(result.items.find((item) => item.name === 'docs')?.status).toBe('conflict');
        expect(entriesOf(apply(start, result).files.get(loc.path), loc).docs).toEqual(foreign('docs'));
        expect(result.journal.entries.find((entry) => entry.name === 'docs')).toBeUndefined();
      });
    });

    if (locations.instructions.kind === 'supported') describe('instructions', () => {
      const path = locations.instructions.kind === 'supported' ? locations.instructions.path : '';

      it('a hand edit inside our block is modified; a changed desired text is outdated', () => {
        const synced = apply(emptyWorld(), plan([adapter], emptyWorld(), desired, scope));
        const text = synced.files.get(path) ?? '';
        const edited = new Map(synced.files).set(path, text.replace('Prefer small pure functions.', 'Prefer big classes.'));
        const result = plan([adapter], { ...synced, files: edited }, desired, scope);
        expect(result.items.find((item) => item.kind === 'instructions')).toMatchObject({ status: 'modified', overwritesEdit: true });
        expect(result.files.find((f) => f.path === path)?.after).toBe(text);

        const moved = { ...desired, instructions: [{ id: 'style', content: 'Prefer tiny pure functions.' }] };
        expect(plan([adapter], synced, moved, scope).items.find((item) => item.kind === 'instructions')?.status).toBe('outdated');
        const gone = plan([adapter], synced, { ...desired, instructions: [] }, scope);
        expect(gone.items.find((item) => item.kind === 'instructions')).toMatchObject({ status: 'outdated', removal: true });
        expectEmpty(plan([adapter], apply(synced, gone), { ...desired, instructions: [] }, scope));
      });
    });

    if (locations.skills.kind === 'supported') describe('skills', () => {
      it('a folder of ours changed on disk is modified; a new version is outdated; a foreign folder is a conflict', () => {
        const first = plan([adapter], emptyWorld(), desired, scope);
        const dir = first.skills[0]?.dir ?? '';
        const synced = apply(emptyWorld(), first);
        synced.skillDirs.set(dir, { integrity: 'sha512-edited' });
        expect(plan([adapter], synced, desired, scope).items.find((item) => item.kind === 'skill')).toMatchObject({ status: 'modified', overwritesEdit: true });

        const clean = apply(emptyWorld(), first);
        const newer = { ...desired, skills: [{ ...desired.skills[0]!, version: '1.3.0', integrity: 'sha512-newer' }] };
        const upgrade = plan([adapter], clean, newer, scope);
        expect(upgrade.items.find((item) => item.kind === 'skill')?.status).toBe('outdated');
        expect(upgrade.skills).toEqual([expect.objectContaining({ dir, action: 'write', integrity: 'sha512-newer' })]);

        const foreign = emptyWorld();
        foreign.skillDirs.set(dir, { integrity: 'sha512-theirs' });
        const conflict = plan([adapter], foreign, desired, scope);
        expect(conflict.items.find((item) => item.kind === 'skill')?.status).toBe('conflict');
        expect(conflict.skills).toEqual([]);
      });
    });
  });
});

describe('planSync: gateway mode', () => {
  const byId = (id: string): ClientAdapter => {
    const found = clientAdapters.find((adapter) => adapter.id === id);
    if (found === undefined) throw new Error(id);
    return found;
  };
  const plain = { docs: connectors.docs, search: connectors.search } as Record<string, ConnectorDefinition>;

  it('auto: a client that expands no variables, or must receive a secret, gets one entry that starts the gateway; the others get each connector', () => {
    const desktop = byId('claude-desktop');
    const cursor = byId('cursor');
    const state = (connectorMap: Record<string, ConnectorDefinition>): DesiredState => ({ ...desired, gateway: {}, connectors: connectorMap });
    const result = plan([desktop, cursor], emptyWorld(), state(plain), 'user');
    const desktopFile = result.files.find((file) => file.clients.includes('claude-desktop'));
    const cursorFile = result.files.find((file) => file.clients.includes('cursor') && file.path.endsWith('mcp.json'));
    const desktopLocation = connectorsLocation(desktop, 'user');
    const cursorLocation = connectorsLocation(cursor, 'user');
    if (desktopLocation === undefined || cursorLocation === undefined) throw new Error('locations');
    expect(entriesOf(desktopFile?.after, desktopLocation)).toEqual({ skillsync: { command: 'skillsync', args: ['serve', '--client', 'claude-desktop', '--scope', 'user'] } });
    expect(Object.keys(entriesOf(cursorFile?.after, cursorLocation)).sort()).toEqual(['docs', 'search']);
    expect(result.items.filter((item) => item.status === 'via-gateway').map((item) => `${item.client}:${item.name}`)).toEqual(['claude-desktop:docs', 'claude-desktop:search']);

    const withSecret = plan([cursor], emptyWorld(), state(connectors), 'user');
    expect(Object.keys(entriesOf(withSecret.files.find((file) => file.path.endsWith('mcp.json'))?.after, cursorLocation))).toEqual(['skillsync']);
  });

  it('follows the mode and the per-client override, and the command the manifest gives', () => {
    const cursor = byId('cursor');
    const location = connectorsLocation(cursor, 'project');
    if (location === undefined) throw new Error('location');
    const gateway = plan([cursor], emptyWorld(), { ...desired, connectors: plain, gateway: { mode: 'gateway', command: ['npx', '-y', 'skillsync'] } });
    expect(entriesOf(gateway.files[0]?.after, location)).toEqual({ skillsync: { type: 'stdio', command: 'npx', args: ['-y', 'skillsync', 'serve', '--client', 'cursor', '--scope', 'project'] } });
    const overridden = plan([cursor], emptyWorld(), { ...desired, connectors: plain, gateway: { mode: 'gateway', clients: { cursor: 'direct' } } });
    expect(Object.keys(entriesOf(overridden.files.find((file) => file.path === location.path)?.after, location)).sort()).toEqual(['docs', 'search']);
  });

  it('switching a client to the gateway removes the entries sync wrote and leaves foreign ones', () => {
    const cursor = byId('cursor');
    const location = connectorsLocation(cursor, 'project');
    if (location === undefined) throw new Error('location');
    const start: World = { ...emptyWorld(), files: new Map([[location.path, '{\n  "mcpServers": {\n    "mine": { "command": "mine" }\n  }\n}\n']]) };
    const direct = apply(start, plan([cursor], start, { ...desired, connectors: plain }));
    expect(Object.keys(entriesOf(direct.files.get(location.path), location)).sort()).toEqual(['docs', 'mine', 'search']);
    const switched = plan([cursor], direct, { ...desired, connectors: plain, gateway: { mode: 'gateway' } });
    const after = apply(direct, switched);
    expect(Object.keys(entriesOf(after.files.get(location.path), location)).sort()).toEqual(['mine', 'skillsync']);
    expectEmpty(plan([cursor], after, { ...desired, connectors: plain, gateway: { mode: 'gateway' } }));
  });
});
