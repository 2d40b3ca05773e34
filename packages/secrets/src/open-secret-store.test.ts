import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Platform } from '@skillsync/core';
import { describe, expect, it } from 'vitest';
import type { KeyringModule } from './keychain-store.js';
import { openSecretStore, type SecretBackendChoice } from './open-secret-store.js';
import { createFakeKeyring, makeTestEnv } from './test-support.js';

async function backendFor(options: {
  platform: Platform;
  vars?: Record<string, string>;
  backend?: SecretBackendChoice;
  keyring?: KeyringModule | (() => Promise<KeyringModule>);
}): Promise<string> {
  const env = await makeTestEnv({ platform: options.platform, ...(options.vars === undefined ? {} : { vars: options.vars }) });
  // An explicit dir: win32 paths cannot be joined onto this POSIX temp folder.
  const store = await openSecretStore({ env, dir: path.join(env.home, 'secrets'), backend: options.backend, keyring: options.keyring });
  return store.backend;
}

const missingModule = (): Promise<KeyringModule> => Promise.reject(new Error("Cannot find module '@napi-rs/keyring'"));

describe('openSecretStore: the backend choice', () => {
  it('auto is the file store on Linux, even with a working keychain, and probes nothing', async () => {
    const keyring = createFakeKeyring();
    expect(await backendFor({ platform: 'linux', keyring })).toBe('file');
    expect(keyring.calls).toEqual([]);
  });

  it('auto is the keychain on macOS and Windows when the module loads and a probe round-trip works', async () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const keyring = createFakeKeyring();
      expect(await backendFor({ platform, keyring: () => Promise.resolve(keyring) })).toBe('keychain');
      expect(keyring.calls).toEqual(['set skillsync/skillsync:probe', 'get skillsync/skillsync:probe', 'delete skillsync/skillsync:probe']);
      // The probe leaves nothing behind.
      expect(keyring.items.size).toBe(0);
    }
  });

  it('auto falls back to the file store when the module is missing or the keychain refuses', async () => {
    expect(await backendFor({ platform: 'darwin', keyring: missingModule })).toBe('file');
    const locked = createFakeKeyring();
    locked.failing = true;
    expect(await backendFor({ platform: 'win32', keyring: locked })).toBe('file');
    expect(await backendFor({ platform: 'darwin', keyring: {} as KeyringModule })).toBe('file');
  });

  it('SKILLSYNC_SECRETS_BACKEND picks the backend on any platform', async () => {
    const keyring = createFakeKeyring();
    expect(await backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: 'keychain' }, keyring })).toBe('keychain');
    expect(await backendFor({ platform: 'darwin', vars: { SKILLSYNC_SECRETS_BACKEND: 'file' }, keyring })).toBe('file');
    expect(await backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: 'auto' }, keyring })).toBe('file');
    expect(await backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: '' }, keyring })).toBe('file');
    await expect(backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: 'vault' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      hint: expect.stringContaining('SKILLSYNC_SECRETS_BACKEND=file') as unknown,
    });
    // An explicit backend option wins over the variable.
    expect(await backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: 'keychain' }, backend: 'file' })).toBe('file');
  });

  it('an explicit keychain that cannot load is SECRET_BACKEND_UNAVAILABLE, not a silent fallback', async () => {
    await expect(backendFor({ platform: 'linux', backend: 'keychain', keyring: missingModule })).rejects.toMatchObject({
      code: 'SECRET_BACKEND_UNAVAILABLE',
    });
    await expect(backendFor({ platform: 'linux', vars: { SKILLSYNC_SECRETS_BACKEND: 'keychain' }, keyring: missingModule })).rejects.toMatchObject({
      code: 'SECRET_BACKEND_UNAVAILABLE',
    });
  });

  it('auto keeps using the store that holds secrets already, without probing again', async () => {
    const env = await makeTestEnv({ platform: 'darwin' });
    const dir = path.join(env.home, 'secrets');
    const keyring = createFakeKeyring();
    const first = await openSecretStore({ env, dir, keyring });
    expect(first.backend).toBe('keychain');
    await first.set('TOKEN', 'in-the-keychain');
    keyring.calls.length = 0;
    // Even a keychain that is locked today stays the store: its error is shown, the secrets are not hidden.
    keyring.failing = true;
    const again = await openSecretStore({ env, dir, keyring });
    expect(again.backend).toBe('keychain');
    expect(keyring.calls).toEqual([]);
    await expect(again.get('TOKEN')).rejects.toMatchObject({ code: 'SECRET_BACKEND_UNAVAILABLE' });
    await expect(openSecretStore({ env, dir, keyring: missingModule })).rejects.toMatchObject({
      code: 'SECRET_BACKEND_UNAVAILABLE',
      message: expect.stringContaining('Your secrets are in the OS keychain') as unknown,
    });

    // A file store in use stays in use, though a keychain works now.
    const fileEnv = await makeTestEnv({ platform: 'darwin' });
    const fileDir = path.join(fileEnv.home, 'secrets');
    const fileStore = await openSecretStore({ env: fileEnv, dir: fileDir, keyring: missingModule });
    expect(fileStore.backend).toBe('file');
    await mkdir(fileDir, { recursive: true });
    await writeFile(path.join(fileDir, 'secrets.json'), '{}');
    const working = createFakeKeyring();
    expect((await openSecretStore({ env: fileEnv, dir: fileDir, keyring: working })).backend).toBe('file');
    expect(working.calls).toEqual([]);
  });

  it('opening writes nothing', async () => {
    const env = await makeTestEnv();
    const store = await openSecretStore({ env });
    await expect(stat(store.dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
