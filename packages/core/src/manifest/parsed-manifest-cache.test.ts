import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseManifest } from './parse-manifest.js';
import { parseManifestCached } from './parsed-manifest-cache.js';

const MANIFEST = 'version: 1\nskills:\n  pdf: ^1.0.0\n';
const FILE = '/project/skillsync.yaml';

describe('parseManifestCached', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'skillsync-manifest-cache-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const entryFile = async (): Promise<string> => {
    const [name] = await readdir(dir);
    if (name === undefined) throw new Error('no cache entry was written');
    return path.join(dir, name);
  };

  /** Rewrites the entry's stored result (keeping its digest), so a later answer shows whether it came from the cache. */
  const markEntry = async (): Promise<void> => {
    const file = await entryFile();
    const entry = JSON.parse(await readFile(file, 'utf8')) as { digest: string; result: { findings: unknown[] } };
    entry.result.findings.push({ marker: true });
    await writeFile(file, JSON.stringify(entry));
  };

  it('answers what parseManifest answers, and writes one private entry per manifest file', async () => {
    const cache = { dir, key: 'build-1' };
    expect(await parseManifestCached(MANIFEST, FILE, cache)).toEqual(parseManifest(MANIFEST, { file: FILE }));
    expect(await parseManifestCached(MANIFEST, FILE, cache)).toEqual(parseManifest(MANIFEST, { file: FILE }));
    await parseManifestCached(`${MANIFEST}# edited\n`, FILE, cache);
    expect(await readdir(dir)).toHaveLength(1);
    if (process.platform !== 'win32') {
      const { stat } = await import('node:fs/promises');
      expect((await stat(await entryFile())).mode & 0o777).toBe(0o600);
    }
  });

  it('uses the entry only for the same text, file and parser', async () => {
    const cache = { dir, key: 'build-1' };
    await parseManifestCached(MANIFEST, FILE, cache);
    await markEntry();
    expect((await parseManifestCached(MANIFEST, FILE, cache)).findings).toEqual([{ marker: true }]);

    await markEntry();
    expect((await parseManifestCached(MANIFEST, FILE, { dir, key: 'build-2' })).findings).toEqual([]);
    await markEntry();
    expect((await parseManifestCached(`${MANIFEST}\n`, FILE, { dir, key: 'build-2' })).findings).toEqual([]);
  });

  it('reports findings with positions from a cached entry exactly as from a parse', async () => {
    const broken = 'version: 1\nskils: {}\n';
    const cache = { dir, key: 'k' };
    const first = await parseManifestCached(broken, FILE, cache);
    expect(first.findings[0]).toMatchObject({ code: 'MANIFEST_UNKNOWN_KEY', line: 2, column: 1 });
    expect(await parseManifestCached(broken, FILE, cache)).toEqual(first);
  });

  it('treats a corrupt entry as a miss and replaces it', async () => {
    const cache = { dir, key: 'k' };
    await parseManifestCached(MANIFEST, FILE, cache);
    await writeFile(await entryFile(), '{"digest": 12');
    expect(await parseManifestCached(MANIFEST, FILE, cache)).toEqual(parseManifest(MANIFEST, { file: FILE }));
    expect(JSON.parse(await readFile(await entryFile(), 'utf8'))).toHaveProperty('digest');
  });

  it('still parses when the cache cannot be written', async () => {
    // A file where the cache folder should be: no entry can be made under it, whoever runs the test.
    const blocked = path.join(dir, 'not-a-folder');
    await writeFile(blocked, '');
    expect(await parseManifestCached(MANIFEST, FILE, { dir: blocked, key: 'k' })).toEqual(parseManifest(MANIFEST, { file: FILE }));
    expect(await parseManifestCached(MANIFEST, FILE, { dir: blocked, key: 'k' })).toEqual(parseManifest(MANIFEST, { file: FILE }));
  });

  it('parses every time without a cache', async () => {
    expect(await parseManifestCached(MANIFEST, FILE, undefined)).toEqual(parseManifest(MANIFEST, { file: FILE }));
    expect(await readdir(dir)).toEqual([]);
  });
});
