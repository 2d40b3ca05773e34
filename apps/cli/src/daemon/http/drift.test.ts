import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type * as Secrets from '@skillsync/secrets';
import { describe, expect, it, vi } from 'vitest';
import { useTempProject } from '../../../../../test/support/temp-project.js';
import { adoptConnector, whyNotAdoptable } from './drift.js';

/** Runs while Adopt holds the secret store: between reading the manifest and writing it, as a person's save can. */
const duringSecretStore = vi.hoisted(() => ({ run: (): Promise<void> => Promise.resolve() }));

vi.mock('@skillsync/secrets', async (importOriginal) => {
  const actual = await importOriginal<typeof Secrets>();
  const openSecretStore: typeof actual.openSecretStore = async (...args) => {
    await duringSecretStore.run();
    return actual.openSecretStore(...args);
  };
  return { ...actual, openSecretStore };
});

describe('whyNotAdoptable', () => {
  it('lets a connector someone edited, or wrote under our name, be adopted', () => {
    expect(whyNotAdoptable({ kind: 'connector', status: 'modified' })).toBeUndefined();
    expect(whyNotAdoptable({ kind: 'connector', status: 'conflict' })).toBeUndefined();
  });

  it('says what to do instead for everything else', () => {
    expect(whyNotAdoptable({ kind: 'connector', status: 'missing' })).toContain('Repair puts it back');
    expect(whyNotAdoptable({ kind: 'connector', status: 'modified', refused: 'the acme org profile blocks the connector shell' })).toBe(
      'the acme org profile blocks the connector shell: it cannot be adopted. Repair removes it from the client.',
    );
    expect(whyNotAdoptable({ kind: 'connector', status: 'outdated' })).toContain('manifest changed');
    expect(whyNotAdoptable({ kind: 'skill', status: 'modified' })).toContain('source folder');
    expect(whyNotAdoptable({ kind: 'instructions', status: 'modified' })).toContain('manifest');
  });
});

describe('adoptConnector', () => {
  const temp = useTempProject('skillsync-adopt-');
  const manifestText = 'version: 1\nconnectors:\n  notes:\n    command: npx\n    args: [notes-mcp]\n';

  async function plantEditedCursorEntry(): Promise<string> {
    const { env, paths } = temp();
    await mkdir(path.dirname(paths.userManifest), { recursive: true });
    await writeFile(paths.userManifest, manifestText);
    const cursor = path.join(env.home, '.cursor', 'mcp.json');
    await mkdir(path.dirname(cursor), { recursive: true });
    await writeFile(cursor, JSON.stringify({ mcpServers: { notes: { command: 'npx', args: ['notes-mcp', '--adopted'] } } }));
    return paths.userManifest;
  }

  it("writes the client's version into the manifest", async () => {
    const manifest = await plantEditedCursorEntry();
    const { env, paths } = temp();
    expect(await adoptConnector(env, paths, { scope: 'user', client: 'cursor', name: 'notes' })).toMatchObject({ adopted: true, manifest });
    expect(await readFile(manifest, 'utf8')).toContain('--adopted');
  });

  it('refuses with MANIFEST_CHANGED, keeping the save, when the manifest is saved while it runs', async () => {
    const manifest = await plantEditedCursorEntry();
    const saved = `${manifestText}# saved by a person meanwhile\n`;
    duringSecretStore.run = () => writeFile(manifest, saved);
    try {
      const { env, paths } = temp();
      await expect(adoptConnector(env, paths, { scope: 'user', client: 'cursor', name: 'notes' })).rejects.toMatchObject({ code: 'MANIFEST_CHANGED' });
    } finally {
      duringSecretStore.run = () => Promise.resolve();
    }
    expect(await readFile(manifest, 'utf8')).toBe(saved);
  });
});
