import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './cli-sandbox.js';

/**
 * JOURNEYS.md §2 step 1 ("`skillsync add` three skills and two connectors"), through the
 * built CLI: connectors are added and removed by command, each write keeping the rest of
 * the manifest, and a written-out credential is refused without being repeated.
 */
describe('add and remove --connector (built CLI, temp HOME)', () => {
  let sandbox: Sandbox;
  let manifest: string;
  const cursorFile = (): string => path.join(sandbox.work, '.cursor', 'mcp.json');

  beforeAll(async () => {
    sandbox = await createSandbox();
    await mkdir(path.join(sandbox.home, '.cursor'));
    manifest = path.join(sandbox.work, 'skillsync.yaml');
    expect((await sandbox.run(['init'])).code).toBe(0);
  });

  afterAll(async () => {
    await sandbox.cleanup();
  });

  it('adds a stdio connector from the command after --, with its environment, and says what it wrote', async () => {
    const before = await readFile(manifest, 'utf8');
    const added = await sandbox.run(['add', '--connector', 'github', '--env', 'GITHUB_TOKEN=${env:GITHUB_TOKEN}', '--json', '--', 'npx', '-y', '@modelcontextprotocol/server-github']);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({
      ok: true,
      name: 'github',
      kind: 'connector',
      connector: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'], env: { GITHUB_TOKEN: '${env:GITHUB_TOKEN}' } },
      file: manifest,
      scope: 'project',
    });
    const after = await readFile(manifest, 'utf8');
    // Every comment of the starter manifest is still there.
    for (const line of before.split('\n').filter((text) => text.startsWith('#'))) expect(after).toContain(line);
    expect(after).toContain('  github:\n    command: npx\n    args: [-y, "@modelcontextprotocol/server-github"]\n    env:\n      GITHUB_TOKEN: ${env:GITHUB_TOKEN}\n');
  });

  it('adds a remote connector with --url and --header, and sync puts both into the client', async () => {
    const added = await sandbox.run(['add', '--connector', 'notes', '--url', 'https://notes.example/mcp', '--transport', 'sse', '--header', 'X-Team=support']);
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('added connector notes (sse: https://notes.example/mcp)');
    expect(added.stdout).toContain('skillsync sync');
    expect((await sandbox.run(['sync'])).code).toBe(0);
    const cursor = await readFile(cursorFile(), 'utf8');
    expect(cursor).toContain('"github"');
    expect(cursor).toContain('"notes"');
  });

  it('refuses a written-out credential without printing it, and leaves the manifest as it was', async () => {
    const before = await readFile(manifest, 'utf8');
    const token = 'ghp_abcdefghijklmnopqrstuvwxyz0123456789';
    const refused = await sandbox.run(['add', '--connector', 'leaky', '--env', `GITHUB_TOKEN=${token}`, '--', 'npx', 'server-github']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('MANIFEST_SECRET_LITERAL');
    expect(refused.stderr).toContain('skillsync secret set');
    expect(refused.stdout + refused.stderr).not.toContain(token);
    expect(await readFile(manifest, 'utf8')).toBe(before);
  });

  it('refuses a name that is there, and flags that do not make one connector (exit 2)', async () => {
    const before = await readFile(manifest, 'utf8');
    const twice = await sandbox.run(['add', '--connector', 'github', '--', 'npx', 'other']);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('MANIFEST_ENTRY_EXISTS');
    for (const args of [
      ['add', '--connector', 'x'],
      ['add', '--connector', 'x', '--url', 'https://x.example/mcp', '--', 'npx', 'x'],
      ['add', '--connector', 'x', '--url', 'https://x.example/mcp', '--env', 'A=b'],
      ['add', '--connector', 'x', '--header', 'A=b', '--', 'npx', 'x'],
      ['add', '--connector', 'x', '--url', 'https://x.example/mcp', '--transport', 'ws'],
      ['add', '--connector', 'x', '--env', '=value', '--', 'npx', 'x'],
      ['add', '--connector', 'x', '--name', 'y', '--', 'npx', 'x'],
      ['add', '--url', 'https://x.example/mcp'],
      ['add', './a', './b'],
      ['remove'],
      ['remove', 'triage', '--connector', 'github'],
    ]) {
      const result = await sandbox.run(args);
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
    }
    expect(await readFile(manifest, 'utf8')).toBe(before);
    // Where there is no manifest at all, a usage error is still the one reported.
    expect((await sandbox.run(['add', '--connector', 'x'], { cwd: '..' })).code).toBe(2);
  });

  it('removes a connector, and the next sync takes it out of the client', async () => {
    const removed = await sandbox.runJson(['remove', '--connector', 'github']);
    expect(removed.code).toBe(0);
    expect(removed.json).toEqual({ ok: true, name: 'github', kind: 'connector', file: manifest, scope: 'project' });
    const text = await readFile(manifest, 'utf8');
    expect(text).not.toContain('  github:\n    command: npx');
    expect(text).toContain('  notes:\n');
    expect((await sandbox.run(['sync'])).code).toBe(0);
    const cursor = await readFile(cursorFile(), 'utf8');
    expect(cursor).not.toContain('"github"');
    expect(cursor).toContain('"notes"');

    const missing = await sandbox.run(['remove', '--connector', 'github']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('CONNECTOR_NOT_IN_MANIFEST');
  });
});
