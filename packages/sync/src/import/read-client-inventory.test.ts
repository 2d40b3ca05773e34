import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientAdapters } from '@skillsync/clients';
import { createEnv } from '@skillsync/core';
import { afterEach, describe, expect, it } from 'vitest';
import { readClientInventory } from './read-client-inventory.js';

const goose = clientAdapters.find((adapter) => adapter.id === 'goose')!;
let dir: string | undefined;

afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('readClientInventory', () => {
  it("reads a connector file in its own dialect: Goose's project plugin is Claude-style JSON, not Goose's YAML extensions", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ss-inventory-'));
    const project = path.join(dir, 'app');
    const plugin = path.join(project, '.agents', 'plugins', 'skillsync');
    await mkdir(plugin, { recursive: true });
    const entry = { command: 'lint-mcp', args: ['--stdio'], env: { LOG_LEVEL: 'info' }, cwd: '/src/app' };
    const remote = { url: 'https://mcp.example.com/mcp' };
    await writeFile(path.join(plugin, '.mcp.json'), JSON.stringify({ mcpServers: { lint: entry, search: remote } }));
    const env = createEnv({ home: path.join(dir, 'home'), cwd: project, platform: 'linux' });

    const [inventory] = await readClientInventory({ env, scope: 'project', clients: [goose], skills: 'listed' });

    expect(inventory?.problems).toEqual([]);
    expect(inventory?.connectors.map((found) => [found.name, found.path, found.read])).toEqual([
      ['lint', path.join(plugin, '.mcp.json'), { kind: 'connector', connector: entry, ignored: [], warnings: [] }],
      // Goose's own YAML dialect reads remote servers; its plugin files do not.
      ['search', path.join(plugin, '.mcp.json'), { kind: 'connector', connector: remote, ignored: [], warnings: ['Goose (project plugin) does not read http servers from this file'] }],
    ]);
  });
});
