import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

const githubToken = 'ghp_importTestToken0123456789abcdefghij';
const linearKey = 'lin_api_importTestKey0123456789';

interface Item {
  client: string;
  kind: string;
  name: string;
  status: string;
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(full)));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

async function snapshot(files: readonly string[]): Promise<Map<string, string | undefined>> {
  return new Map(await Promise.all(files.map(async (file) => [file, await readFile(file, 'utf8').catch(() => undefined)] as const)));
}

/**
 * JOURNEYS.md §1 steps 2 and 3: a person with Claude Code, Cursor and Gemini CLI set
 * up by hand adopts it all with `import`, then `sync` puts it everywhere.
 */
describe('import (built CLI, temp HOME)', () => {
  let sandbox: Sandbox;
  let clientFiles: string[];
  let before: Map<string, string | undefined>;

  beforeAll(async () => {
    sandbox = await createSandbox();
    const home = sandbox.home;
    await mkdir(path.join(home, '.claude', 'skills', 'pdf-tools'), { recursive: true });
    await mkdir(path.join(home, '.cursor'), { recursive: true });
    await mkdir(path.join(home, '.gemini'), { recursive: true });
    const github = `{ "command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"], "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${githubToken}" } }`;
    await writeFile(
      path.join(home, '.claude.json'),
      `{\n  "numStartups": 3,\n  "mcpServers": {\n    "github": ${github},\n    "linear": { "type": "http", "url": "https://mcp.linear.app/mcp", "headers": { "Authorization": "Bearer ${linearKey}" } }\n  }\n}\n`,
    );
    await writeFile(
      path.join(home, '.cursor', 'mcp.json'),
      `{\n  // my servers\n  "mcpServers": {\n    "GitHub": ${github},\n    "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] }\n  }\n}\n`,
    );
    await writeFile(path.join(home, '.claude', 'skills', 'pdf-tools', 'SKILL.md'), '---\nname: pdf-tools\ndescription: Work with PDF files. Use when a PDF is mentioned.\n---\n\nUse pdftotext.\n');
    await writeFile(path.join(home, '.claude', 'CLAUDE.md'), 'Always answer in English.\nPrefer small diffs.\n');
    await writeFile(path.join(home, '.gemini', 'GEMINI.md'), 'Always answer in English.\r\nPrefer small diffs.\r\n');
    clientFiles = await filesUnder(home);
    before = await snapshot(clientFiles);
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('--dry-run lists what would be adopted and writes nothing', async () => {
    const { code, json } = await sandbox.runJson(['import', '--dry-run']);
    expect(code).toBe(0);
    const data = json as unknown as { connectors: { name: string; from: string[] }[]; skills: { name: string }[]; instructions: { name: string }[]; secrets: { name: string }[] };
    expect(data.connectors.map((connector) => connector.name).sort()).toEqual(['fs', 'github', 'linear']);
    expect(data.connectors.find((connector) => connector.name === 'github')?.from).toEqual(['claude-code', 'cursor']);
    expect(data.skills.map((skill) => skill.name)).toEqual(['pdf-tools']);
    expect(data.instructions.map((instruction) => instruction.name)).toEqual(['claude']);
    expect(data.secrets.map((secret) => secret.name).sort()).toEqual(['GITHUB_PERSONAL_ACCESS_TOKEN', 'LINEAR_TOKEN']);
    expect(JSON.stringify(json)).not.toContain(githubToken);
    await expect(stat(path.join(sandbox.skillsyncHome, 'config', 'skillsync.yaml'))).rejects.toThrow();
    expect(await snapshot(clientFiles)).toEqual(before);
  });

  it('adopts one connector per server, secrets as references, the skill versioned, one instruction; no client file changes', async () => {
    const run = await sandbox.run(['import']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('imported 3 connectors, 1 skill, 1 instruction');
    expect(run.stdout + run.stderr).not.toContain(githubToken);
    expect(run.stdout + run.stderr).not.toContain(linearKey);
    expect(await snapshot(clientFiles)).toEqual(before);

    const config = await filesUnder(sandbox.skillsyncHome);
    const manifestFile = config.find((file) => file.endsWith('skillsync.yaml')) ?? '';
    const manifest = await readFile(manifestFile, 'utf8');
    expect(manifest).toContain('GITHUB_PERSONAL_ACCESS_TOKEN: ${secret:GITHUB_PERSONAL_ACCESS_TOKEN}');
    expect(manifest).toContain('Authorization: Bearer ${secret:LINEAR_TOKEN}');
    expect(manifest).toContain('pdf-tools: ./skills/pdf-tools');
    // Nothing skillsync wrote holds a credential in the clear: only the encrypted store has it.
    for (const file of config) {
      const text = await readFile(file, 'utf8');
      expect(text.includes(githubToken) || text.includes(linearKey), file).toBe(false);
    }
    const secret = await sandbox.run(['secret', 'get', 'GITHUB_PERSONAL_ACCESS_TOKEN']);
    expect(secret.stdout.trim()).toBe(githubToken);
    const skillMd = await readFile(path.join(path.dirname(manifestFile), 'skills', 'pdf-tools', 'SKILL.md'), 'utf8');
    expect(skillMd).toContain('version: "1.0.0"');
  });

  it('importing again finds nothing new', async () => {
    const run = await sandbox.run(['import']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Nothing new to import');
  });

  it('sync then takes over what was imported: the gateway entry replaces servers holding tokens, instruction text appears once', async () => {
    const sync = await sandbox.run(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    const status = await sandbox.runJson(['status']);
    const items = (status.json.scopes as { items: Item[] }[]).flatMap((scope) => scope.items);
    const drift = items.filter((item) => !['in-sync', 'unmanaged', 'unsupported', 'via-gateway'].includes(item.status));
    expect(drift).toEqual([]);
    expect(items.filter((item) => item.status === 'unmanaged')).toEqual([]);
    // Every client here must receive a secret, so each reaches its servers through the one gateway entry.
    expect(items.filter((item) => item.status === 'via-gateway' && item.client === 'cursor').map((item) => item.name).sort()).toEqual(['fs', 'github', 'linear']);

    const cursor = await readFile(path.join(sandbox.home, '.cursor', 'mcp.json'), 'utf8');
    expect(cursor).toContain('// my servers');
    expect(cursor).toContain('"skillsync"');
    expect(cursor).not.toContain('"GitHub"');
    const claude = await readFile(path.join(sandbox.home, '.claude.json'), 'utf8');
    expect(claude).toContain('"numStartups": 3');
    expect(claude).toContain('"--client",');
    // The tokens left the client files: they are only in the encrypted secret store now.
    for (const file of await filesUnder(sandbox.home)) {
      const text = await readFile(file, 'utf8');
      expect(text.includes(githubToken) || text.includes(linearKey), file).toBe(false);
    }
    const claudeMd = await readFile(path.join(sandbox.home, '.claude', 'CLAUDE.md'), 'utf8');
    expect(claudeMd.match(/Always answer in English/g)).toHaveLength(1);
    expect(claudeMd).toContain('<!-- skillsync:begin instructions');
    const geminiMd = await readFile(path.join(sandbox.home, '.gemini', 'GEMINI.md'), 'utf8');
    expect(geminiMd.match(/Always answer in English/g)).toHaveLength(1);
    expect(geminiMd).toContain('\r\n');
    expect(geminiMd.replaceAll('\r\n', '')).not.toContain('\n');
    const check = await sandbox.run(['sync', '--check']);
    expect(check.code).toBe(0);
  });

  it('rollback puts every client file back byte for byte', async () => {
    const rollback = await sandbox.run(['rollback']);
    expect(rollback.code, rollback.stderr).toBe(0);
    const after = await snapshot(clientFiles);
    expect(after).toEqual(before);
  });
});

describe('import with a client file it cannot read', () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await createSandbox();
    await mkdir(path.join(sandbox.home, '.cursor'), { recursive: true });
    await writeFile(path.join(sandbox.home, '.cursor', 'mcp.json'), '{ "mcpServers": { "fs": ');
    await writeFile(path.join(sandbox.home, '.claude.json'), '{ "mcpServers": { "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] } } }\n');
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('imports what it can read, names the file it cannot, leaves it untouched and exits 1', async () => {
    const run = await sandbox.run(['import']);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain(path.join('.cursor', 'mcp.json'));
    expect(run.stdout).toContain('connector fs');
    expect(await readFile(path.join(sandbox.home, '.cursor', 'mcp.json'), 'utf8')).toBe('{ "mcpServers": { "fs": ');
    const json = await sandbox.runJson(['import', '--dry-run']);
    expect(json.code).toBe(1);
    expect((json.json.notes as { code: string; kind: string }[]).filter((note) => note.kind === 'file').map((note) => note.code)).toEqual(['IMPORT_UNREADABLE_FILE']);
  });
});

describe("import of Claude Code's local scope", () => {
  let sandbox: Sandbox;
  let claudeJson: string;

  beforeAll(async () => {
    sandbox = await createSandbox();
    // `claude mcp add db …` in the project: the local scope, private to this project, loaded ahead of .mcp.json.
    claudeJson = `${JSON.stringify({ projects: { [sandbox.work]: { mcpServers: { db: { command: 'npx', args: ['-y', '@example/db-mcp'], env: { DB_TOKEN: 'ghp_localScopeToken0123456789abcdefghij' } } } }, '/elsewhere': { mcpServers: { other: { command: 'other' } } } } }, null, 2)}\n`;
    await writeFile(path.join(sandbox.home, '.claude.json'), claudeJson);
    await writeFile(path.join(sandbox.work, '.mcp.json'), '{ "mcpServers": { "docs": { "type": "http", "url": "https://docs.example.com/mcp" } } }\n');
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('imports the servers of this project only, says how to remove them from the local scope, and never adopts them', async () => {
    const { code, json } = await sandbox.runJson(['import', '--scope', 'project', '--client', 'claude-code']);
    expect(code).toBe(0);
    const data = json as unknown as { connectors: { name: string; secrets: string[] }[]; notes: { code: string; name: string; message: string }[] };
    expect(data.connectors.map((connector) => connector.name).sort()).toEqual(['db', 'docs']);
    expect(data.connectors.find((connector) => connector.name === 'db')?.secrets).toEqual(['DB_TOKEN']);
    expect(data.notes.filter((note) => note.code === 'IMPORT_SHADOWING_ENTRY')).toEqual([
      expect.objectContaining({ name: 'db', message: expect.stringContaining('`claude mcp remove --scope local db`') as unknown }),
    ]);
    const manifest = await readFile(path.join(sandbox.work, 'skillsync.yaml'), 'utf8');
    expect(manifest).toContain('${secret:DB_TOKEN}');
    expect(manifest).not.toContain('other');

    // Sync manages .mcp.json; the local scope stays as it was until the person removes the entry.
    const sync = await sandbox.run(['sync', '--scope', 'project', '--client', 'claude-code']);
    expect(sync.code, sync.stderr).toBe(0);
    expect(await readFile(path.join(sandbox.home, '.claude.json'), 'utf8')).toBe(claudeJson);
  });
});
