import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEnv } from '@skillsync/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { packSkill } from '../pack/pack-skill.js';
import { generateSigningKeyPair } from '../sign/signing-key.js';
import { signIntegrity } from '../sign/sign-integrity.js';
import { makeTempDir, writeTree } from '../test-support/tar-fixtures.js';
import { createSourceForResolution, resolutionForSpecifier } from './create-skill-source.js';
import { createDirectoryRegistrySource, publishToDirectoryRegistry } from './directory-registry-source.js';
import { createLocalFolderSource } from './local-folder-source.js';
import { createTarballSource } from './tarball-source.js';

let root: string;
beforeEach(async () => {
  root = await makeTempDir('skillsync-sources-');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function skill(name: string, version: string): Promise<string> {
  const dir = path.join(root, 'src', `${name}-${version}`, name);
  await writeTree(dir, { 'SKILL.md': `---\nname: ${name}\ndescription: d\nmetadata:\n  version: "${version}"\n---\nBody\n` });
  return dir;
}

describe('directory registry', () => {
  it('publishes, lists and fetches, with the signature next to the package', async () => {
    const registry = path.join(root, 'registry');
    const keys = generateSigningKeyPair();
    const first = await packSkill(await skill('pdf', '1.0.0'));
    const second = await packSkill(await skill('pdf', '1.1.0'));
    await publishToDirectoryRegistry(registry, first);
    const published = await publishToDirectoryRegistry(pathToFileURL(registry).href, second, signIntegrity(second.integrity, keys.privateKeyPem));
    expect(published.tarballPath).toBe(path.join(registry, 'pdf', 'pdf-1.1.0.tgz'));
    expect((await readdir(path.join(registry, 'pdf'))).sort()).toEqual(['pdf-1.0.0.tgz', 'pdf-1.1.0.tgz', 'pdf-1.1.0.tgz.sig']);
    await writeFile(path.join(registry, 'pdf', 'pdf-latest.tgz'), 'junk');

    const source = createDirectoryRegistrySource(pathToFileURL(registry).href, { resolved: 'registry+file:///r' });
    expect((await source.listVersions('pdf')).sort()).toEqual(['1.0.0', '1.1.0']);
    expect(await source.listVersions('other')).toEqual([]);
    expect(Buffer.from((await source.fetch('pdf', '1.0.0')).tarball)).toEqual(Buffer.from(first.tarball));
    expect((await source.fetch('pdf', '1.1.0')).signature?.algorithm).toBe('ed25519');
    await expect(source.fetch('pdf', '9.9.9')).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });
    await expect(source.listVersions('../etc')).rejects.toMatchObject({ code: 'SKILL_NAME_INVALID' });
    expect(source.describe()).toBe('registry+file:///r');
  });

  it('refuses to overwrite a published version and writes nothing', async () => {
    const registry = path.join(root, 'registry');
    const packed = await packSkill(await skill('pdf', '1.0.0'));
    await publishToDirectoryRegistry(registry, packed);
    const before = await readdir(path.join(registry, 'pdf'));
    const keys = generateSigningKeyPair();
    await expect(publishToDirectoryRegistry(registry, packed, signIntegrity(packed.integrity, keys.privateKeyPem))).rejects.toMatchObject({ code: 'VERSION_ALREADY_PUBLISHED' });
    expect(await readdir(path.join(registry, 'pdf'))).toEqual(before);
  });

  it('says SOURCE_UNREACHABLE for a missing registry folder', async () => {
    const source = createDirectoryRegistrySource(path.join(root, 'nowhere'), { resolved: 'registry+file:./nowhere' });
    await expect(source.listVersions('pdf')).rejects.toMatchObject({ code: 'SOURCE_UNREACHABLE' });
  });
});

describe('folder and tarball sources', () => {
  it('offer the one version they hold and refuse another name', async () => {
    const dir = await skill('pdf', '1.2.0');
    const folder = createLocalFolderSource(dir, { resolved: 'path:./pdf' });
    expect(await folder.listVersions('pdf')).toEqual(['1.2.0']);
    await expect(folder.listVersions('other')).rejects.toMatchObject({ code: 'SKILL_NAME_MISMATCH' });
    await expect(folder.fetch('pdf', '1.0.0')).rejects.toMatchObject({ code: 'VERSION_NOT_FOUND' });

    const file = path.join(root, 'pdf.tgz');
    const packed = await packSkill(dir);
    await writeFile(file, packed.tarball);
    const tarball = createTarballSource(file, { resolved: 'tarball:./pdf.tgz' });
    expect(await tarball.listVersions('pdf')).toEqual(['1.2.0']);
    expect(Buffer.from((await tarball.fetch('pdf', '1.2.0')).tarball)).toEqual(Buffer.from(packed.tarball));
    await expect(createTarballSource(path.join(root, 'none.tgz'), { resolved: 'tarball:x' }).listVersions('pdf')).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('resolutionForSpecifier and createSourceForResolution', () => {
  const env = createEnv({ home: '/home/ada', cwd: '/work/app' });
  it('writes paths relative to the lockfile folder and keeps ~ and absolute paths', () => {
    const options = { env, declaredIn: '/work/app', lockDir: '/work/app' };
    expect(resolutionForSpecifier({ kind: 'path', path: './skills/x' }, options)).toEqual({ kind: 'path', path: './skills/x' });
    expect(resolutionForSpecifier({ kind: 'path', path: 'skills/../x' }, options)).toEqual({ kind: 'path', path: './x' });
    expect(resolutionForSpecifier({ kind: 'tarball', path: '../x.tgz' }, options)).toEqual({ kind: 'tarball', path: '../x.tgz' });
    expect(resolutionForSpecifier({ kind: 'path', path: '~/x' }, options)).toEqual({ kind: 'path', path: '~/x' });
    expect(resolutionForSpecifier({ kind: 'path', path: './x' }, { ...options, declaredIn: '/home/ada/.config/skillsync' })).toEqual({ kind: 'path', path: '../../home/ada/.config/skillsync/x' });
    expect(resolutionForSpecifier({ kind: 'registry', range: '*' }, options)).toBeUndefined();
    expect(resolutionForSpecifier({ kind: 'registry', range: '*' }, { ...options, defaultRegistry: { url: 'file:reg', declaredIn: '/work/app' } })).toEqual({ kind: 'registry', registry: 'file:./reg' });
    expect(resolutionForSpecifier({ kind: 'registry', range: '*', registry: 'file:///srv/r' }, options)).toEqual({ kind: 'registry', registry: 'file:///srv/r' });
  });

  it('builds the source a resolution names, and refuses HTTP registries without a remote source factory', async () => {
    const registry = path.join(root, 'registry');
    await mkdir(path.join(registry, 'pdf'), { recursive: true });
    const context = { env: createEnv({ home: root, cwd: root }), lockDir: root };
    const source = createSourceForResolution({ kind: 'registry', registry: 'file:./registry' }, context);
    expect(source.describe()).toBe('registry+file:./registry');
    expect(await source.listVersions('pdf')).toEqual([]);
    expect(() => createSourceForResolution({ kind: 'registry', registry: 'https://skills.example.com' }, context)).toThrow(expect.objectContaining({ code: 'SOURCE_INVALID' }));
  });

  it('hands http(s) registries to the remote source factory, with the resolution the lockfile records', () => {
    const context = { env: createEnv({ home: root, cwd: root }), lockDir: root };
    const calls: [string, string][] = [];
    const remoteSource = (url: string, resolved: string) => {
      calls.push([url, resolved]);
      return createLocalFolderSource(root, { resolved });
    };
    const url = 'https://skills.example.com/v0.1/orgs/acme';
    expect(createSourceForResolution({ kind: 'registry', registry: url }, { ...context, remoteSource }).describe()).toBe(`registry+${url}`);
    expect(calls).toEqual([[url, `registry+${url}`]]);
    // Directory registries never reach it.
    createSourceForResolution({ kind: 'registry', registry: 'file:./registry' }, { ...context, remoteSource });
    expect(calls).toHaveLength(1);
  });
});
