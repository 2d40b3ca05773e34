import { execFile } from 'node:child_process';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { packSkill, type PackedSkill } from '../pack/pack-skill.js';
import { integrityToHex } from '../integrity/integrity.js';
import { buildPackage, listTree, makeTempDir, validSkillMd, writeTree } from '../test-support/tar-fixtures.js';
import { openStore, type StoreEntry } from './open-store.js';

const execFileAsync = promisify(execFile);

async function packDemo(extra: Record<string, string> = {}, version = '1.2.3'): Promise<PackedSkill> {
  const dir = await makeTempDir();
  await writeTree(dir, {
    'SKILL.md': validSkillMd.replace('1.2.3', version),
    'scripts/run.sh': '#!/bin/sh\necho run\n',
    'references/guide.md': '# Guide\n',
    ...extra,
  });
  await chmod(path.join(dir, 'scripts/run.sh'), 0o755);
  return packSkill(dir);
}

/** Every file under `dir` with its bytes and mode, for byte-for-byte comparison of two stores. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const relative of await listTree(dir)) {
    const full = path.join(dir, relative);
    const info = await stat(full);
    out[relative] = info.isDirectory() ? `dir ${(info.mode & 0o777).toString(8)}` : `${(info.mode & 0o777).toString(8)} ${(await readFile(full)).toString('base64')}`;
  }
  return out;
}

describe('openStore', () => {
  it('adds a package under v1/<hex> with metadata, idempotently', async () => {
    const store = openStore(await makeTempDir());
    const packed = await packDemo();
    const entry = await store.addPackage(packed.tarball, { expectedIntegrity: packed.integrity });
    const hex = integrityToHex(packed.integrity);
    expect(entry).toEqual({
      integrity: packed.integrity,
      name: 'demo-skill',
      version: '1.2.3',
      dir: path.join(store.root, 'v1', hex),
      files: packed.files,
      size: packed.unpackedSize,
    });
    expect(store.entryDir(packed.integrity)).toBe(entry.dir);
    expect(await store.has(packed.integrity)).toBe(true);
    expect(await store.get(packed.integrity)).toEqual(entry);
    expect(await listTree(entry.dir)).toEqual(['SKILL.md', 'references', 'references/guide.md', 'scripts', 'scripts/run.sh']);
    const metadata = await readFile(path.join(store.root, 'v1', `${hex}.json`), 'utf8');
    expect(JSON.parse(metadata)).toEqual({ name: 'demo-skill', version: '1.2.3', integrity: packed.integrity, files: packed.files });
    expect(metadata).not.toMatch(/time|date|20\d\d-/i);

    expect(await store.addPackage(packed.tarball)).toEqual(entry);
    expect(await store.addPackage(new Uint8Array(), { expectedIntegrity: packed.integrity })).toEqual(entry);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    expect(await store.list()).toEqual([entry]);
  });

  it('answers for absent packages and refuses bad ones without leaving files', async () => {
    const store = openStore(await makeTempDir());
    const packed = await packDemo();
    expect(await store.has(packed.integrity)).toBe(false);
    expect(await store.get(packed.integrity)).toBeUndefined();
    expect(await store.list()).toEqual([]);
    const other = (await packDemo({ 'x.md': 'x' })).integrity;
    await expect(store.addPackage(packed.tarball, { expectedIntegrity: other })).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
    });
    await expect(store.addPackage(buildPackage([{ path: 'package/../x', content: 'x' }]))).rejects.toMatchObject({
      code: 'PACKAGE_UNSAFE_PATH',
    });
    await expect(store.addPackage(buildPackage([], '---\nname: nov\n---\n'))).rejects.toMatchObject({
      code: 'SKILL_VERSION_MISSING',
    });
    expect(await listTree(store.root).catch(() => [])).toEqual([]);
    await expect(store.has('sha512-bad')).rejects.toMatchObject({ code: 'INTEGRITY_INVALID' });
  });

  it('gives byte-identical stores on two machines for the same packages, in any order', async () => {
    const a = await packDemo();
    const b = await packDemo({ 'extra/notes.md': 'notes' }, '2.0.0');
    const one = openStore(await makeTempDir());
    const two = openStore(await makeTempDir());
    await one.addPackage(a.tarball);
    await one.addPackage(b.tarball);
    await two.addPackage(b.tarball);
    await two.addPackage(a.tarball);
    // v1/ is the content; checks/ holds each machine's own fingerprints.
    expect(await snapshot(path.join(two.root, 'v1'))).toEqual(await snapshot(path.join(one.root, 'v1')));
    expect((await one.list()).map((entry) => entry.version)).toEqual(['1.2.3', '2.0.0']);
  });

  it('verify finds changed, added and removed files and bad metadata; repair removes those entries', async () => {
    const store = openStore(await makeTempDir());
    const variants = await Promise.all(
      ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.0.5', '1.0.6', '1.0.7'].map((v) => packDemo({}, v)),
    );
    const entries: StoreEntry[] = [];
    for (const packed of variants) entries.push(await store.addPackage(packed.tarball));
    expect(await store.verify()).toEqual({ checked: 8, corrupt: [], repaired: false });

    const [flipped, added, removed, chmodded, metaEdited, metaGone, renamed, intact] = entries as [StoreEntry, StoreEntry, StoreEntry, StoreEntry, StoreEntry, StoreEntry, StoreEntry, StoreEntry];
    const guide = path.join(flipped.dir, 'references/guide.md');
    const bytes = await readFile(guide);
    bytes[2] = bytes[2]! ^ 1;
    await writeFile(guide, bytes);
    await writeFile(path.join(added.dir, 'sneaky.md'), 'x');
    await rm(path.join(removed.dir, 'references/guide.md'));
    await chmod(path.join(chmodded.dir, 'references/guide.md'), 0o755);
    const metaFile = `${metaEdited.dir}.json`;
    await writeFile(metaFile, (await readFile(metaFile, 'utf8')).replace('"1.0.4"', '"9.9.9"'));
    await rm(`${metaGone.dir}.json`);
    const skillMd = path.join(renamed.dir, 'SKILL.md');
    await writeFile(skillMd, (await readFile(skillMd, 'utf8')).replace('demo-skill', 'demo-skilx'));

    const report = await store.verify();
    expect(report.checked).toBe(8);
    const reasons = Object.fromEntries(report.corrupt.map((c) => [c.integrity, c.reason]));
    expect(reasons).toEqual({
      [flipped.integrity]: 'integrity-mismatch',
      [added.integrity]: 'extra-file',
      [removed.integrity]: 'missing-file',
      [chmodded.integrity]: 'integrity-mismatch',
      [metaEdited.integrity]: 'metadata-mismatch',
      [metaGone.integrity]: 'metadata-missing',
      [renamed.integrity]: 'integrity-mismatch',
    });
    expect(report.corrupt.find((c) => c.integrity === flipped.integrity)).toMatchObject({ name: 'demo-skill', version: '1.0.0' });

    const repaired = await store.verify({ repair: true });
    expect(repaired.repaired).toBe(true);
    expect(await store.verify()).toEqual({ checked: 1, corrupt: [], repaired: false });
    expect((await store.list()).map((e) => e.integrity)).toEqual([intact.integrity]);
    expect(await store.has(flipped.integrity)).toBe(false);
    // The next install re-fetches it:
    expect((await store.addPackage(variants[0]!.tarball)).integrity).toBe(flipped.integrity);
    expect((await store.verify()).corrupt).toEqual([]);
  });

  it('prune keeps what is asked and removes the rest, with leftovers', async () => {
    const store = openStore(await makeTempDir());
    const a = await packDemo();
    const b = await packDemo({}, '2.0.0');
    const entryA = await store.addPackage(a.tarball);
    const entryB = await store.addPackage(b.tarball);
    await writeTree(path.join(store.root, 'tmp'), { 'abandoned/x.md': '12345' });
    await writeTree(path.join(store.root, 'v1'), { [`.${integrityToHex(a.integrity)}.json.abc.tmp`]: '123' });
    const result = await store.prune([a.integrity]);
    expect(result.removed).toEqual([{ integrity: b.integrity, name: 'demo-skill', version: '2.0.0' }]);
    expect(result.freedBytes).toBeGreaterThanOrEqual(entryB.size + 5 + 3);
    expect(await store.list()).toEqual([entryA]);
    expect(await readdir(path.join(store.root, 'tmp'))).toEqual([]);
    expect(await store.prune([a.integrity])).toEqual({ removed: [], freedBytes: 0 });
    expect((await store.prune([])).removed).toHaveLength(1);
    expect(await readdir(path.join(store.root, 'v1'))).toEqual([]);
  });

  it('check trusts an untouched entry, re-hashes a changed one, and reports tampering', async () => {
    const store = openStore(await makeTempDir());
    const packed = await packDemo();
    expect(await store.check(packed.integrity)).toEqual({ state: 'absent' });
    const entry = await store.addPackage(packed.tarball);
    expect(await store.check(packed.integrity)).toEqual({ state: 'intact', entry });

    // Rewritten with the same bytes (a touch, a copy): re-hashed and still intact.
    const guide = path.join(entry.dir, 'references', 'guide.md');
    await writeFile(guide, await readFile(guide));
    expect((await store.check(packed.integrity)).state).toBe('intact');

    // Without a fingerprint (a store from another machine or version): the full check runs.
    await rm(path.join(store.root, 'checks'), { recursive: true });
    expect((await store.check(packed.integrity)).state).toBe('intact');

    await writeFile(guide, '# Guide, with an injected instruction\n');
    expect(await store.check(packed.integrity)).toMatchObject({ state: 'corrupt', corruption: { reason: 'integrity-mismatch' } });
    await writeFile(guide, '# Guide\n');
    await writeFile(path.join(entry.dir, 'references', 'planted.md'), 'x');
    expect(await store.check(packed.integrity)).toMatchObject({ state: 'corrupt', corruption: { reason: 'extra-file' } });
  });

  it('prune waits for a holder of the store lock (an install) before deleting anything', async () => {
    const store = openStore(await makeTempDir());
    const a = await packDemo();
    const events: string[] = [];
    const install = store.lock(async () => {
      const entry = await store.addPackage(a.tarball);
      await new Promise((resolve) => setTimeout(resolve, 150));
      events.push('install done');
      return entry;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const prune = store.prune([]).then((result) => {
      events.push('prune done');
      return result;
    });
    await install;
    expect((await prune).removed).toHaveLength(1);
    expect(events).toEqual(['install done', 'prune done']);
  });

  it('ends with one intact entry when many adds race, in this process and in others', async () => {
    const root = await makeTempDir();
    const packed = await packDemo({ 'assets/big.txt': 'x'.repeat(200_000) });
    const tgz = path.join(await makeTempDir(), 'demo.tgz');
    await writeFile(tgz, packed.tarball);

    const bundle = path.join(await makeTempDir(), 'store.mjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, '..', 'index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const child = path.join(path.dirname(bundle), 'child.mjs');
    await writeFile(
      child,
      `import { readFile } from 'node:fs/promises';
const { openStore } = await import(process.argv[2]);
const bytes = await readFile(process.argv[4]);
const store = openStore(process.argv[3]);
const entries = await Promise.all(Array.from({ length: 5 }, () => store.addPackage(bytes)));
process.stdout.write(entries[0].integrity);
`,
    );

    const one = openStore(root);
    const two = openStore(root);
    const children = Array.from({ length: 4 }, () => execFileAsync(process.execPath, [child, bundle, root, tgz]));
    const local = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? one : two).addPackage(packed.tarball));
    const results = await Promise.all([...local, ...children]);
    for (const result of results) {
      expect('stdout' in result ? result.stdout : result.integrity).toBe(packed.integrity);
    }
    expect(await readdir(path.join(root, 'v1'))).toEqual([integrityToHex(packed.integrity), `${integrityToHex(packed.integrity)}.json`].sort());
    expect(await readdir(path.join(root, 'tmp'))).toEqual([]);
    expect(await one.verify()).toEqual({ checked: 1, corrupt: [], repaired: false });
  });
});
