import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSkillsyncError, type Env, type SkillsyncError } from '@skillsync/core';
import { beforeEach, describe, expect, it } from 'vitest';
import { openSecretStore } from './open-secret-store.js';
import type { SecretStore } from './secret-store.js';
import { createFakeKeyring, makeTestEnv, readTree, type FakeKeyring } from './test-support.js';

let env: Env;
let keyring: FakeKeyring;
let store: SecretStore;

beforeEach(async () => {
  env = await makeTestEnv();
  keyring = createFakeKeyring();
  store = await openSecretStore({ env, backend: 'keychain', keyring });
});

async function rejection(promise: Promise<unknown>): Promise<SkillsyncError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isSkillsyncError(error)) throw new Error(`expected a SkillsyncError, got ${String(error)}`);
  return error;
}

describe('the keychain secret store (fake keyring)', () => {
  it('keeps values in the keychain under service skillsync, and only names in its index', async () => {
    expect(store.backend).toBe('keychain');
    expect(await store.set('GITHUB_TOKEN', 'keychain-held-value')).toEqual({ replaced: false });
    expect(await store.set('npm.token', 'another-held-value')).toEqual({ replaced: false });
    expect(keyring.items).toEqual(
      new Map([
        ['skillsync/GITHUB_TOKEN', 'keychain-held-value'],
        ['skillsync/npm.token', 'another-held-value'],
      ]),
    );
    expect(await store.get('GITHUB_TOKEN')).toBe('keychain-held-value');
    expect(await store.get('MISSING')).toBeUndefined();
    expect(await store.has('npm.token')).toBe(true);
    expect(await store.list()).toEqual([
      { name: 'GITHUB_TOKEN', updatedAt: '2026-01-02T03:04:06.000Z' },
      { name: 'npm.token', updatedAt: '2026-01-02T03:04:07.000Z' },
    ]);

    const indexFile = path.join(store.dir, 'keychain-index.json');
    expect((await stat(indexFile)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(indexFile, 'utf8'))).toEqual({
      version: 1,
      service: 'skillsync',
      secrets: { GITHUB_TOKEN: { updatedAt: '2026-01-02T03:04:06.000Z' }, 'npm.token': { updatedAt: '2026-01-02T03:04:07.000Z' } },
    });
    // No key file and no encrypted store: the keychain holds the values.
    expect(await readdir(store.dir)).toEqual(['keychain-index.json']);
    for (const [file, bytes] of await readTree(env.home)) expect(bytes.includes('held-value'), file).toBe(false);
  });

  it('replaces and removes, keeping the index in step', async () => {
    await store.set('TOKEN', 'one');
    expect(await store.set('TOKEN', 'two')).toEqual({ replaced: true });
    expect(await store.get('TOKEN')).toBe('two');
    expect(await store.remove('TOKEN')).toBe(true);
    expect(await store.remove('TOKEN')).toBe(false);
    expect(keyring.items.size).toBe(0);
    expect(await store.list()).toEqual([]);
  });

  it('finds a keychain entry the index lost, and removes it', async () => {
    keyring.items.set('skillsync/ORPHAN', 'orphan-value');
    expect(await store.list()).toEqual([]);
    expect(await store.has('ORPHAN')).toBe(true);
    expect(await store.get('ORPHAN')).toBe('orphan-value');
    expect(await store.remove('ORPHAN')).toBe(true);
    expect(keyring.items.size).toBe(0);
  });

  it('turns keychain failures into SECRET_BACKEND_UNAVAILABLE, without the value, and leaves the index as it was', async () => {
    await store.set('TOKEN', 'before-failure');
    keyring.failing = true;
    const error = await rejection(store.set('TOKEN', 'during-failure-value'));
    expect(error.code).toBe('SECRET_BACKEND_UNAVAILABLE');
    expect(error.message).toMatch(/could not store the secret TOKEN \(.*locked\)/);
    expect(error.hint).toMatch(/SKILLSYNC_SECRETS_BACKEND=file/);
    expect(JSON.stringify(error.toJSON())).not.toContain('during-failure-value');
    expect((await rejection(store.get('TOKEN'))).code).toBe('SECRET_BACKEND_UNAVAILABLE');
    expect((await rejection(store.remove('TOKEN'))).code).toBe('SECRET_BACKEND_UNAVAILABLE');
    expect(await store.list()).toEqual([{ name: 'TOKEN', updatedAt: '2026-01-02T03:04:06.000Z' }]);
    keyring.failing = false;
    expect(await store.get('TOKEN')).toBe('before-failure');
  });

  it('validates names before touching the keychain', async () => {
    expect((await rejection(store.get('bad name'))).code).toBe('SECRET_NAME_INVALID');
    expect((await rejection(store.set('ok', ''))).code).toBe('SECRET_VALUE_INVALID');
    expect(keyring.calls).toEqual([]);
  });

  it('refuses a damaged index with a hint to rebuild it', async () => {
    await store.set('TOKEN', 'v');
    await writeFile(path.join(store.dir, 'keychain-index.json'), '{"version": 9}');
    const error = await rejection(store.list());
    expect(error.code).toBe('SECRET_STORE_CORRUPT');
    expect(error.hint).toMatch(/delete .*keychain-index\.json/);
  });
});
