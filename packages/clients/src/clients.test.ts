import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createEnv, KNOWN_CLIENT_IDS, type Platform } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import { clientAdapters, detectClients } from './index.js';

describe('client registry', () => {
  it('has exactly one adapter per known client id, in the same order', () => {
    expect(clientAdapters.map((adapter) => adapter.id)).toEqual([...KNOWN_CLIENT_IDS]);
  });

  it.each<Platform>(['linux', 'darwin', 'win32'])('gives absolute markers on %s with a docs link for every client', (platform) => {
    const home = platform === 'win32' ? 'C:\\Users\\ada' : platform === 'darwin' ? '/Users/ada' : '/home/ada';
    const env = createEnv({ home, cwd: home, platform });
    for (const adapter of clientAdapters) {
      expect(adapter.docs.length, adapter.id).toBeGreaterThan(0);
      const markers = adapter.detectionMarkers(env);
      expect(markers.length, adapter.id).toBeGreaterThan(0);
      for (const marker of markers) {
        const isAbsolute = platform === 'win32' ? path.win32.isAbsolute(marker.path) : marker.path.startsWith('/');
        expect(isAbsolute, `${adapter.id}: ${marker.path}`).toBe(true);
        expect(marker.path.startsWith(home), `${adapter.id}: ${marker.path}`).toBe(true);
      }
    }
  });

  it('puts per-OS desktop app folders where each OS keeps them', () => {
    const marker = (platform: Platform, home: string, vars = {}) =>
      clientAdapters.find((a) => a.id === 'claude-desktop')!.detectionMarkers(createEnv({ home, cwd: home, platform, vars }))[0]!.path;
    expect(marker('darwin', '/Users/ada')).toBe('/Users/ada/Library/Application Support/Claude/claude_desktop_config.json');
    expect(marker('linux', '/home/ada')).toBe('/home/ada/.config/Claude/claude_desktop_config.json');
    expect(marker('win32', 'C:\\Users\\ada', { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\Claude\\claude_desktop_config.json',
    );
  });
});

describe('detectClients', () => {
  it('finds exactly the clients whose files exist in HOME', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'ss-home-'));
    await mkdir(path.join(home, '.cursor'));
    await writeFile(path.join(home, '.claude.json'), '{}');
    await mkdir(path.join(home, '.config', 'zed'), { recursive: true });
    const codexHome = path.join(home, 'elsewhere', 'codex');
    await mkdir(codexHome, { recursive: true });
    const detected = await detectClients(createEnv({ home, cwd: home, vars: { CODEX_HOME: codexHome } }));
    expect(detected.filter((client) => client.found).map((client) => client.id)).toEqual(['claude-code', 'cursor', 'codex', 'zed']);
    expect(detected.find((client) => client.id === 'claude-code')?.evidence).toEqual([path.join(home, '.claude.json')]);
  });

  it('does not mistake a file for a client folder', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'ss-home-'));
    await writeFile(path.join(home, '.cursor'), 'not a folder');
    const detected = await detectClients(createEnv({ home, cwd: home }));
    expect(detected.some((client) => client.found)).toBe(false);
  });
});
