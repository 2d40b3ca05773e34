import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

interface Item {
  client: string;
  scope: string;
  kind: string;
  name: string;
  status: string;
  path?: string;
}

const foreignMcpJson = '{\n  // the team\'s own server\n  "mcpServers": {\n    "foreign": { "command": "foreign-mcp" }\n  }\n}\n';

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * JOURNEYS.md §1 steps 3 and 5 and §5's bad file, through the built CLI: a person
 * with Claude Code, Cursor and Codex syncs a project, drifts, repairs and rolls back.
 */
describe('sync, status, diff and rollback (built CLI, temp HOME)', () => {
  let sandbox: Sandbox;
  let cursorFile: string;
  let mcpJson: string;

  beforeAll(async () => {
    sandbox = await createSandbox();
    await mkdir(path.join(sandbox.home, '.cursor'));
    await mkdir(path.join(sandbox.home, '.codex'));
    await writeFile(path.join(sandbox.home, '.claude.json'), '{"mcpServers": {}}\n');
    mcpJson = path.join(sandbox.work, '.mcp.json');
    cursorFile = path.join(sandbox.work, '.cursor', 'mcp.json');
    await writeFile(mcpJson, foreignMcpJson);
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('refuses to sync skills that are not installed yet', async () => {
    expect((await sandbox.run(['init'])).code).toBe(0);
    expect((await sandbox.run(['new', 'triage-bug', '--dir', 'skills', '--description', 'Triage a bug report. Use when a user files a bug.'])).code).toBe(0);
    expect((await sandbox.run(['add', './skills/triage-bug'])).code).toBe(0);
    const manifest = path.join(sandbox.work, 'skillsync.yaml');
    const text = await readFile(manifest, 'utf8');
    const connector = 'connectors:\n  github:\n    command: npx\n    args: ["-y", "@modelcontextprotocol/server-github"]\n    env:\n      GITHUB_TOKEN: "${env:GITHUB_TOKEN}"\n';
    expect(text).toContain('connectors: {}\n');
    await writeFile(manifest, text.replace('connectors: {}\n', connector));

    const early = await sandbox.run(['sync']);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain('triage-bug');
    expect(early.stderr).toContain('skillsync install');
    expect(await exists(cursorFile)).toBe(false);
    expect((await sandbox.run(['install'])).code).toBe(0);
  });

  it('sync --dry-run shows the diff per file and writes nothing', async () => {
    const dry = await sandbox.run(['sync', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('cursor: +github (connector), +triage-bug (skill)');
    expect(dry.stdout).toContain('+++ b/.cursor/mcp.json');
    expect(dry.stdout).toContain('+    "github": {');
    expect(await exists(cursorFile)).toBe(false);
    expect(await readFile(mcpJson, 'utf8')).toBe(foreignMcpJson);
    expect(await exists(path.join(sandbox.work, '.claude', 'skills'))).toBe(false);

    const diff = await sandbox.run(['diff', '--client', 'cursor']);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('--- /dev/null\n+++ b/.cursor/mcp.json\n@@ -0,0 +1,');
    expect(diff.stdout).not.toContain('.mcp.json\n+++ b/.mcp.json');
    expect(diff.stdout).toMatch(/write skill folder \.\/\.agents\/skills\/triage-bug \(cursor/);
  });

  it('sync writes every client in its own dialect and keeps the foreign server and comment', async () => {
    const synced = await sandbox.run(['sync']);
    expect(synced.stderr).toBe('');
    expect(synced.code).toBe(0);
    expect(synced.stdout).toContain('claude-code: +github (connector), +triage-bug (skill)');
    expect(synced.stdout).toContain('codex: +github (connector), +triage-bug (skill)');

    const claude = await readFile(mcpJson, 'utf8');
    expect(claude).toContain("// the team's own server");
    expect(claude).toContain('"foreign": { "command": "foreign-mcp" }');
    expect(claude).toContain('"GITHUB_TOKEN": "${GITHUB_TOKEN}"');
    expect(await readFile(cursorFile, 'utf8')).toContain('"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"');
    expect(await readFile(path.join(sandbox.work, '.codex', 'config.toml'), 'utf8')).toContain('[mcp_servers.github]');
    expect(await exists(path.join(sandbox.work, '.claude', 'skills', 'triage-bug', 'SKILL.md'))).toBe(true);
    expect(await exists(path.join(sandbox.work, '.agents', 'skills', 'triage-bug', 'SKILL.md'))).toBe(true);
  });

  it('status says in-sync for every item, sync --check exits 0, and a second sync writes nothing', async () => {
    const status = await sandbox.runJson(['status']);
    expect(status.code).toBe(0);
    const scopes = status.json.scopes as { scope: string; items: Item[] }[];
    expect(scopes.map((scope) => scope.scope)).toEqual(['project']);
    const items = scopes[0]!.items.filter((item) => item.status !== 'unsupported');
    expect(items.filter((item) => item.status !== 'in-sync')).toEqual([expect.objectContaining({ client: 'claude-code', name: 'foreign', status: 'unmanaged' })]);
    expect(items.filter((item) => item.status === 'in-sync').map((item) => `${item.client}/${item.kind}/${item.name}`).sort()).toEqual([
      'claude-code/connector/github',
      'claude-code/skill/triage-bug',
      'codex/connector/github',
      'codex/skill/triage-bug',
      'cursor/connector/github',
      'cursor/skill/triage-bug',
    ]);
    const human = (await sandbox.run(['status'])).stdout;
    expect(human).toContain('in sync');
    // A line per client, then only the items that ask for something: here the foreign entry.
    expect(human).toMatch(/claude-code +1 connector, 1 skill +1 unmanaged/);
    expect(human).toMatch(/cursor +1 connector, 1 skill +in-sync/);
    expect(human).toMatch(/claude-code +connector +foreign +unmanaged/);
    expect(human).not.toMatch(/skill +triage-bug +in-sync/);
    expect((await sandbox.run(['status', '--verbose'])).stdout).toMatch(/cursor +skill +triage-bug +in-sync/);

    const check = await sandbox.run(['sync', '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/in sync\n?$/);

    const before = await stat(cursorFile);
    const again = await sandbox.runJson(['sync']);
    expect(again.code).toBe(0);
    expect(again.json).toMatchObject({ ok: true, inSync: true });
    expect((await stat(cursorFile)).mtimeMs).toBe(before.mtimeMs);
  });

  it('sync --check names a hand-edited client and exits 1; sync repairs; rollback restores byte for byte', async () => {
    const synced = await readFile(cursorFile, 'utf8');
    const edited = synced.replace('"command": "npx"', '"command": "bunx"');
    expect(edited).not.toBe(synced);
    await writeFile(cursorFile, edited);

    const check = await sandbox.run(['sync', '--check']);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/cursor project connector github: modified/);
    expect(check.stdout).toContain('skillsync sync');
    const checkJson = await sandbox.runJson(['sync', '--check']);
    expect(checkJson.code).toBe(1);
    const drift = (checkJson.json.scopes as { drift: Item[] }[])[0]!.drift;
    expect(drift).toEqual([expect.objectContaining({ client: 'cursor', scope: 'project', kind: 'connector', name: 'github', status: 'modified' })]);

    const repaired = await sandbox.run(['sync']);
    expect(repaired.code).toBe(0);
    expect(repaired.stdout).toContain('cursor: ~github (connector)');
    expect(await readFile(cursorFile, 'utf8')).toBe(synced);

    const runs = await sandbox.runJson(['rollback', '--list']);
    expect(runs.code).toBe(0);
    expect((runs.json.runs as unknown[]).length).toBe(2);

    const rolledBack = await sandbox.run(['rollback']);
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout).toContain('.cursor/mcp.json');
    expect(await readFile(cursorFile, 'utf8')).toBe(edited);
  });

  it('rollback refuses when a file changed since the run, naming it, unless --force', async () => {
    const first = ((await sandbox.runJson(['rollback', '--list'])).json.runs as { runId: string }[]).at(-1)!;
    const later = `${await readFile(cursorFile, 'utf8')}\n`;
    await writeFile(cursorFile, later);
    const refused = await sandbox.run(['rollback', first.runId]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('ROLLBACK_CONFLICT');
    expect(refused.stderr).toContain(cursorFile);
    expect(refused.stderr).toContain('--force');
    expect(await readFile(cursorFile, 'utf8')).toBe(later);
    const forced = await sandbox.run(['rollback', first.runId, '--force']);
    expect(forced.code).toBe(0);
    expect(await readFile(mcpJson, 'utf8')).toBe(foreignMcpJson);
    expect(await exists(cursorFile)).toBe(false);
  });

  it('a malformed client file is left as it is, named with its line, while the other clients are synced (exit 1)', async () => {
    const broken = '{\n  "mcpServers": {\n    "x": {,\n  }\n}\n';
    await mkdir(path.dirname(cursorFile), { recursive: true });
    await writeFile(cursorFile, broken);

    const result = await sandbox.run(['sync']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/cursor: \.\/\.cursor\/mcp\.json:3:\d+ CLIENT_FILE_INVALID/);
    expect(await readFile(cursorFile, 'utf8')).toBe(broken);
    const claude = await readFile(mcpJson, 'utf8');
    expect(claude).toContain('"github": {');
    expect(claude).toContain('"foreign": { "command": "foreign-mcp" }');
  });
});

/** A sandbox with Claude Code, Cursor and Codex detected, a project manifest naming a connector and a local skill, installed. */
async function syncableSandbox(): Promise<Sandbox> {
  const sandbox = await createSandbox();
  await mkdir(path.join(sandbox.home, '.cursor'));
  await mkdir(path.join(sandbox.home, '.codex'));
  await writeFile(path.join(sandbox.home, '.claude.json'), '{"mcpServers": {}}\n');
  expect((await sandbox.run(['init'])).code).toBe(0);
  expect((await sandbox.run(['new', 'triage-bug', '--dir', 'skills', '--description', 'Triage a bug report. Use when a user files a bug.'])).code).toBe(0);
  expect((await sandbox.run(['add', './skills/triage-bug'])).code).toBe(0);
  const manifest = path.join(sandbox.work, 'skillsync.yaml');
  await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('connectors: {}\n', 'connectors:\n  docs:\n    command: docs-mcp\n'));
  expect((await sandbox.run(['install'])).code).toBe(0);
  return sandbox;
}

describe('sync runs at once, and the runs kept (built CLI)', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await syncableSandbox();
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('two `skillsync sync` started together both exit 0, and status is in sync after', async () => {
    const [first, second] = await Promise.all([sandbox.run(['sync']), sandbox.run(['sync'])]);
    expect([first.code, second.code, first.stderr, second.stderr]).toEqual([0, 0, '', '']);
    const status = await sandbox.runJson(['status']);
    expect(status.code).toBe(0);
    const items = (status.json.scopes as { items: Item[] }[])[0]!.items.filter((item) => item.status !== 'unsupported');
    expect(items.length).toBeGreaterThan(0);
    expect(items.filter((item) => item.status !== 'in-sync')).toEqual([]);
    expect((await sandbox.run(['sync', '--check'])).code).toBe(0);
    expect(await exists(path.join(sandbox.work, '.agents', 'skills', 'triage-bug', 'SKILL.md'))).toBe(true);
  });

  it('a sync keeps the newest 20 completed runs, and rollback --list shows exactly those', async () => {
    const runs = path.join(sandbox.skillsyncHome, 'state', 'runs');
    const id = (n: number) => `20240101T0000${String(n).padStart(2, '0')}000Z-aaaaaa`;
    for (let n = 0; n < 25; n += 1) {
      await mkdir(path.join(runs, id(n)), { recursive: true });
      const record = { version: 1, runId: id(n), startedAt: '2024-01-01T00:00:00.000Z', status: n === 23 ? 'started' : 'complete', scope: 'user', journal: { file: path.join(runs, 'none.json') }, files: [], skills: [] };
      await writeFile(path.join(runs, id(n), 'run.json'), JSON.stringify(record));
    }
    const manifest = path.join(sandbox.work, 'skillsync.yaml');
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace('command: docs-mcp', 'command: docs-mcp-2'));
    const synced = await sandbox.runJson(['sync']);
    expect(synced.code).toBe(0);
    const newest = ((synced.json.scopes as { applied: { runId: string } }[])[0]!.applied.runId);

    const listed = await sandbox.runJson(['rollback', '--list']);
    const kept = listed.json.runs as { runId: string; status: string }[];
    // The earlier concurrent syncs made 1 or 2 runs, newer than the 25 written here; with this one, 20 completed runs are kept.
    expect(kept[0]!.runId).toBe(newest);
    expect(kept.filter((run) => run.status === 'complete')).toHaveLength(20);
    expect(kept.find((run) => run.runId === id(23))?.status).toBe('started');
    expect(kept.map((run) => run.runId)).not.toContain(id(0));
    expect((await readdir(runs)).sort()).toEqual(kept.map((run) => run.runId).sort());
    const table = await sandbox.run(['rollback', '--list']);
    expect(table.stdout).toContain(newest);
    expect(table.stdout).not.toContain(id(0));
  });
});

describe('scoped instructions (built CLI, temp HOME)', () => {
  let sandbox: Sandbox;
  const manifest = (tests: string): string => `version: 1\nclients: [claude-code, cursor, codex]\ninstructions:\n  - name: style\n    text: Prefer small pure functions.\n${tests}`;
  const scoped = '  - name: tests\n    text: Use vitest.\n    scope: "**/*.test.ts"\n';

  beforeAll(async () => {
    sandbox = await createSandbox();
    for (const dir of ['.cursor', '.codex', '.claude']) await mkdir(path.join(sandbox.home, dir));
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('each gets a rule file of its own where the client has them; status lists it; dropping the scope removes it', async () => {
    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest(scoped));
    const claudeRule = path.join(sandbox.work, '.claude', 'rules', 'skillsync-tests.md');
    const cursorRule = path.join(sandbox.work, '.cursor', 'rules', 'skillsync-tests.mdc');

    const synced = await sandbox.run(['sync']);
    expect([synced.code, synced.stderr]).toEqual([0, '']);
    expect(synced.stdout).toContain('cursor: instructions added, instructions tests added');
    expect(await readFile(cursorRule, 'utf8')).toMatch(/^---\ndescription: tests\nalwaysApply: false\nglobs: \*\*\/\*\.test\.ts\n---\n/);
    expect(await readFile(claudeRule, 'utf8')).toContain('Use vitest.');
    expect(await readFile(path.join(sandbox.work, 'CLAUDE.md'), 'utf8')).not.toContain('Use vitest.');
    expect(await readFile(path.join(sandbox.work, 'AGENTS.md'), 'utf8')).toContain('Applies to files matching `**/*.test.ts`.');

    const status = await sandbox.runJson(['status']);
    const items = (status.json.scopes as { items: Item[] }[])[0]!.items.filter((item) => item.kind === 'instructions');
    expect(items.filter((item) => item.name === 'tests').map((item) => [item.client, item.status, item.path])).toEqual([
      ['claude-code', 'in-sync', claudeRule],
      ['cursor', 'in-sync', cursorRule],
    ]);
    expect((await sandbox.run(['sync', '--check'])).code).toBe(0);

    await writeFile(path.join(sandbox.work, 'skillsync.yaml'), manifest('  - name: tests\n    text: Use vitest.\n'));
    expect((await sandbox.run(['sync', '--check'])).code).toBe(1);
    const moved = await sandbox.run(['sync']);
    expect([moved.code, moved.stderr]).toEqual([0, '']);
    expect(moved.stdout).toContain('instructions tests removed');
    expect(await exists(cursorRule)).toBe(false);
    expect(await exists(claudeRule)).toBe(false);
    expect(await readFile(path.join(sandbox.work, 'CLAUDE.md'), 'utf8')).toContain('## tests\n\nUse vitest.');
  });
});
