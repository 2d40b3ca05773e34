import { clientAdapters, connectorDialectAt, renderConnector, type ClientAdapter, type ConnectorsLocation } from '@skillsync/clients';
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

/** The connectors the scope's file takes as they are, in that file's dialect. */
function renderedNames(adapter: ClientAdapter, location: ConnectorsLocation | undefined): string[] {
  if (location === undefined) return [];
  return Object.entries(connectors)
    .filter(([name, connector]) => renderConnector(connector, connectorDialectAt(adapter, location), name).kind === 'rendered')
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
    const names = renderedNames(adapter, location);

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
        const rendered = renderConnector({ command: 'their-tool', args: ['--serve'] }, connectorDialectAt(adapter, loc), name);
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

      it('removes a foreign server a policy refuses, keeps the others and the gateway entry', () => {
        const start = emptyWorld();
        start.files.set(loc.path, withEntry(withEntry(undefined, loc, 'theirs', foreign()), loc, 'shell', foreign('shell')));
        const governed: DesiredState = { ...desired, refusedConnector: (name) => (name === 'shell' || name === 'skillsync' ? `the acme org profile blocks the connector ${name}` : undefined) };
        const result = plan([adapter], start, governed, scope);
        expect(result.items.find((item) => item.name === 'shell')).toMatchObject({ status: 'modified', removal: true, overwritesEdit: true, refused: 'the acme org profile blocks the connector shell' });
        expect(result.items.find((item) => item.name === 'theirs')).toMatchObject({ status: 'unmanaged' });
        const entries = entriesOf(apply(start, result).files.get(loc.path), loc);
        expect(entries.shell).toBeUndefined();
        expect(entries.theirs).toEqual(foreign());
        // Without the policy the same entry is only listed.
        expect(plan([adapter], start, desired, scope).items.find((item) => item.name === 'shell')).toMatchObject({ status: 'unmanaged' });
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

describe('planSync: scoped instructions', () => {
  const byId = (id: string): ClientAdapter => {
    const found = clientAdapters.find((adapter) => adapter.id === id);
    if (found === undefined) throw new Error(id);
    return found;
  };
  const style = { id: 'style', content: 'Prefer small pure functions.' };
  const tests = { id: 'tests', content: 'Use vitest.', scope: '**/*.test.ts' };
  const scoped: DesiredState = { ...desired, instructions: [style, tests] };
  const instructionItems = (result: SyncPlan) => result.items.filter((item) => item.kind === 'instructions').map((item) => [item.client, item.name, item.status, item.path]);

  const withRules = clientAdapters.flatMap((adapter) =>
    (['user', 'project'] as const).flatMap((scope) => {
      const location = adapter.locations(env, scope, scope === 'project' ? projectRoot : undefined).instructions;
      return location.kind === 'supported' && location.scopedRules !== undefined ? [[adapter.id, scope, adapter, location, location.scopedRules] as const] : [];
    }),
  );

  it('writes rule files where the client loads them per glob, and only there', () => {
    expect(withRules.map(([id, scope]) => `${id} ${scope}`).sort()).toEqual([
      'claude-code project',
      'cline user',
      'continue project',
      'continue user',
      'cursor project',
      'kiro project',
      'vscode project',
      'vscode user',
    ]);
  });

  it.each(withRules)('%s %s: the scoped instruction gets a rule file of its own, the others stay in the instruction file', (_id, scope, adapter, location, rules) => {
    const result = plan([adapter], emptyWorld(), scoped, scope);
    expect(result.problems).toEqual([]);
    const rulePath = `${rules.dir}/skillsync-tests${rules.extension}`;
    const rule = result.files.find((file) => file.path === rulePath)?.after ?? '';
    expect(rule).toMatch(new RegExp(`^---\\n[\\s\\S]*${rules.globKey}:[^:]*\\*\\*/\\*\\.test\\.ts[\\s\\S]*\\n---\\n`));
    expect(rule).toContain('Use vitest.');
    expect(rule).not.toContain('Prefer small');
    const main = result.files.find((file) => file.path === location.path)?.after ?? '';
    expect(main).toContain('Prefer small pure functions.');
    expect(main).not.toContain('Use vitest.');
    expect(instructionItems(result)).toEqual([
      [adapter.id, 'instructions', 'missing', location.path],
      [adapter.id, 'tests', 'missing', rulePath],
    ]);
    expect(result.journal.entries.find((entry) => entry.path === rulePath)).toMatchObject({ name: 'tests', kind: 'instructions', ruleFile: true });
    expectEmpty(plan([adapter], apply(emptyWorld(), result), scoped, scope));
  });

  const cursor = byId('cursor');
  const cursorRule = '/src/app/.cursor/rules/skillsync-tests.mdc';
  const cursorMain = '/src/app/.cursor/rules/skillsync.mdc';

  it('removes the rule file when its instruction goes, and moves it into the instruction file when it loses its scope', () => {
    const synced = apply(emptyWorld(), plan([cursor], emptyWorld(), scoped));
    const gone = plan([cursor], synced, { ...scoped, instructions: [style] });
    expect(gone.items.find((item) => item.name === 'tests')).toMatchObject({ status: 'outdated', removal: true, path: cursorRule, detail: 'its instruction is gone or no longer scoped: removed' });
    expect(gone.files).toEqual([expect.objectContaining({ path: cursorRule, after: undefined })]);
    expect(gone.journal.entries.some((entry) => entry.path === cursorRule)).toBe(false);
    expectEmpty(plan([cursor], apply(synced, gone), { ...scoped, instructions: [style] }));

    const unscoped = { ...scoped, instructions: [style, { id: 'tests', content: 'Use vitest.' }] };
    const moved = plan([cursor], synced, unscoped);
    expect(moved.files.find((file) => file.path === cursorRule)?.after).toBeUndefined();
    expect(moved.files.find((file) => file.path === cursorMain)?.after).toContain('## tests\n\nUse vitest.');
    expectEmpty(plan([cursor], apply(synced, moved), unscoped));
  });

  it('with only scoped instructions, the instruction file skillsync owns goes and the rule files stay', () => {
    const synced = apply(emptyWorld(), plan([cursor], emptyWorld(), scoped));
    const onlyScoped = { ...scoped, instructions: [tests] };
    const result = plan([cursor], synced, onlyScoped);
    expect(result.items.find((item) => item.name === 'instructions')).toMatchObject({ status: 'outdated', removal: true, detail: 'every instruction is scoped, each in a rule file of its own: removed' });
    expect(result.files).toEqual([expect.objectContaining({ path: cursorMain, after: undefined })]);
    expectEmpty(plan([cursor], apply(synced, result), onlyScoped));
  });

  it("a person's own rule file of the same name is a conflict: never overwritten, never removed", () => {
    const theirs = '---\nglobs: **/*.test.ts\n---\n\nMy own test rules.\n';
    const start = emptyWorld();
    start.files.set(cursorRule, theirs);
    const result = plan([cursor], start, scoped);
    expect(result.items.find((item) => item.name === 'tests')).toMatchObject({ status: 'conflict', path: cursorRule, detail: expect.stringContaining('was not written by skillsync') as unknown });
    expect(result.files.map((file) => file.path).filter((file) => file.includes('/rules/'))).toEqual([cursorMain]);
    expect(result.journal.entries.some((entry) => entry.path === cursorRule)).toBe(false);
    const after = apply(start, result);
    expect(after.files.get(cursorRule)).toBe(theirs);
    // Dropping the instruction leaves their file alone: the journal never had it.
    const dropped = plan([cursor], after, { ...scoped, instructions: [style] });
    expect(dropped.files.some((file) => file.path === cursorRule)).toBe(false);
    expect(dropped.items.some((item) => item.name === 'tests')).toBe(false);
  });

  it('a hand edit of a rule file is modified and repaired; a new scope is outdated; a deleted rule file is missing', () => {
    const synced = apply(emptyWorld(), plan([cursor], emptyWorld(), scoped));
    const written = synced.files.get(cursorRule) ?? '';
    const edited = new Map(synced.files).set(cursorRule, written.replace('Use vitest.', 'Use jest.'));
    const repair = plan([cursor], { ...synced, files: edited }, scoped);
    expect(repair.items.find((item) => item.name === 'tests')).toMatchObject({ status: 'modified', overwritesEdit: true });
    expect(repair.files.find((file) => file.path === cursorRule)?.after).toBe(written);

    const frontmatterEdited = new Map(synced.files).set(cursorRule, written.replace('alwaysApply: false', 'alwaysApply: true'));
    expect(plan([cursor], { ...synced, files: frontmatterEdited }, scoped).items.find((item) => item.name === 'tests')).toMatchObject({ status: 'modified', overwritesEdit: true });

    const rescoped = { ...scoped, instructions: [style, { ...tests, scope: 'test/**' }] };
    const moved = plan([cursor], synced, rescoped);
    expect(moved.items.find((item) => item.name === 'tests')?.status).toBe('outdated');
    expect(moved.files.find((file) => file.path === cursorRule)?.after).toContain('globs: test/**\n');

    const deleted = new Map(synced.files).set(cursorRule, undefined);
    const rewrite = plan([cursor], { ...synced, files: deleted }, scoped);
    expect(rewrite.items.find((item) => item.name === 'tests')?.status).toBe('missing');
    expect(rewrite.files.find((file) => file.path === cursorRule)?.after).toBe(written);
  });

  it('an instruction named like the instructions block keeps its rule file apart from the block', () => {
    const named = { ...scoped, instructions: [style, { ...tests, id: 'instructions' }] };
    const first = plan([cursor], emptyWorld(), named);
    expect(instructionItems(first)).toEqual([
      ['cursor', 'instructions', 'missing', cursorMain],
      ['cursor', 'instructions', 'missing', '/src/app/.cursor/rules/skillsync-instructions.mdc'],
    ]);
    const synced = apply(emptyWorld(), first);
    expectEmpty(plan([cursor], synced, named));
    const gone = plan([cursor], synced, { ...scoped, instructions: [style] });
    expect(gone.files).toEqual([expect.objectContaining({ path: '/src/app/.cursor/rules/skillsync-instructions.mdc', after: undefined })]);
  });

  it('a client without per-glob rule files keeps scoped instructions in its file with an "Applies to" line, and says so', () => {
    const [codex, windsurf, claudeCode] = ['codex', 'windsurf', 'claude-code'].map(byId) as [ClientAdapter, ClientAdapter, ClientAdapter];
    const result = plan([codex, windsurf, cursor], emptyWorld(), scoped);
    const agents = result.files.find((file) => file.path === '/src/app/AGENTS.md');
    expect(agents?.clients).toEqual(['codex', 'windsurf']);
    expect(agents?.after).toContain('## tests\n\nApplies to files matching `**/*.test.ts`.\n\nUse vitest.');
    expect(result.files.some((file) => file.path.startsWith('/src/app/.windsurf/rules/'))).toBe(false);
    expect(result.items.find((item) => item.client === 'windsurf' && item.kind === 'instructions')?.detail).toBe(
      'scoped instructions stay in this file with an "Applies to" line (no per-glob rule files for Windsurf at project scope): tests',
    );
    expect(result.files.some((file) => file.path === cursorRule)).toBe(true);
    expectEmpty(plan([codex, windsurf, cursor], apply(emptyWorld(), result), scoped));

    // Claude Code ignores user rules with `paths:`: at user scope the scoped instruction stays in CLAUDE.md.
    const user = plan([claudeCode], emptyWorld(), scoped, 'user');
    expect(user.files.map((file) => file.path)).toEqual(['/home/ada/.claude.json', '/home/ada/.claude/CLAUDE.md']);
    expect(user.files[1]?.after).toContain('Applies to files matching `**/*.test.ts`.');
    expect(user.items.find((item) => item.kind === 'instructions')?.detail).toContain('no per-glob rule files for Claude Code at user scope');
  });
});
