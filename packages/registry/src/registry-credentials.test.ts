import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createEnv, type Env } from '@skillsync/core';
import { isValidSecretName, openSecretStore } from '@skillsync/secrets';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRegistryAddress } from './registry-address.js';
import { openRegistryCredentials, registrySecretName } from './registry-credentials.js';
import { profileApplies, readRegistryIndex } from './registry-index.js';

const acme = parseRegistryAddress('https://skills.example.com/v0.1/orgs/acme');
const local = parseRegistryAddress('http://127.0.0.1:4873/v0.1/orgs/acme');
const token = `ssk_${'C'.repeat(43)}`;

let root: string;
let env: Env;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'skillsync-registry-credentials-'));
  env = createEnv({ home: root, cwd: root, vars: { SKILLSYNC_HOME: path.join(root, 'skillsync') } });
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const credentials = (token?: string, registry?: string) => openRegistryCredentials({ env, secrets: () => openSecretStore({ env, backend: 'file' }), tokenOverride: { token, registry } });

describe('registrySecretName', () => {
  it('is a valid secret name, the same for the same canonical address and different per address', () => {
    const name = registrySecretName(acme);
    expect(name).toMatch(/^registry\.[0-9a-f]{16}$/);
    expect(isValidSecretName(name)).toBe(true);
    expect(registrySecretName(parseRegistryAddress('HTTPS://skills.example.com:443/v0.1/orgs/acme/'))).toBe(name);
    expect(registrySecretName(local)).not.toBe(name);
  });
});

describe('openRegistryCredentials', () => {
  it('keeps one token per address in the secret store, and only addresses in the index', async () => {
    await credentials().save(acme, token, { user: 'alice' });
    await credentials().save(local, `${token}x`, { user: 'bob' });
    expect(await credentials().token(acme)).toBe(token);
    expect(await credentials().token(local)).toBe(`${token}x`);
    expect((await credentials().logins()).map((login) => [login.address, login.user])).toEqual([
      [local.address, 'bob'],
      [acme.address, 'alice'],
    ]);
    const index = await readFile(path.join(root, 'skillsync', 'config', 'registries.json'), 'utf8');
    expect(index).toContain(acme.address);
    expect(index).not.toContain(token);
    const secrets = await (await openSecretStore({ env, backend: 'file' })).list();
    expect(secrets.map((secret) => secret.name).sort()).toEqual([registrySecretName(acme), registrySecretName(local)].sort());
  });

  it('replaces the token of an address on a new login', async () => {
    await credentials().save(acme, token, { user: 'alice' });
    await credentials().save(acme, `${token}2`, { user: 'alice' });
    expect(await credentials().token(acme)).toBe(`${token}2`);
    expect(await credentials().logins()).toHaveLength(1);
  });

  it('forgets the token and the index entry, saying whether there was one', async () => {
    await credentials().save(acme, token, { user: 'alice' });
    expect(await credentials().remove(acme)).toBe(true);
    expect(await credentials().token(acme)).toBeUndefined();
    expect(await credentials().logins()).toEqual([]);
    expect(await credentials().remove(acme)).toBe(false);
  });

  it('gives the environment token to its own registry and those logged in to, never to an address a manifest merely names', async () => {
    const opened: string[] = [];
    const overridden = openRegistryCredentials({
      env,
      secrets: () => {
        opened.push('store');
        return openSecretStore({ env, backend: 'file' });
      },
      tokenOverride: { token, registry: acme.address },
    });
    expect(await overridden.token(acme)).toBe(token);
    expect(opened).toEqual([]);
    // Another address (a pull request's manifest could name it): the stored token, here none.
    expect(await overridden.token(local)).toBeUndefined();
    expect(await credentials(token).token(acme)).toBeUndefined();
    await credentials().save(local, `ssk_${'s'.repeat(43)}`, { user: 'bob' });
    // Logged in to: the environment's token stands for the stored one.
    expect(await credentials(token).token(local)).toBe(token);
    expect(await credentials('', acme.address).token(acme)).toBeUndefined();
  });

  it('records whether the org profile applies (on unless asked otherwise), and reads an index written before the flag', async () => {
    await credentials().save(acme, token, { user: 'alice' });
    await credentials().save(local, token, { user: 'bob', profile: false });
    expect((await credentials().logins()).map((login) => [login.address, login.profile, profileApplies(login)])).toEqual([
      [local.address, false, false],
      [acme.address, true, true],
    ]);
    const index = path.join(root, 'skillsync', 'config', 'registries.json');
    await writeFile(index, JSON.stringify({ registries: [{ address: acme.address, secret: registrySecretName(acme), user: 'alice', savedAt: '2026-01-01T00:00:00.000Z' }] }));
    const [old] = await readRegistryIndex(env);
    expect(old).toEqual({ address: acme.address, secret: registrySecretName(acme), user: 'alice', savedAt: '2026-01-01T00:00:00.000Z' });
    expect(profileApplies(old!)).toBe(true);
    await writeFile(index, JSON.stringify({ registries: [{ address: acme.address, secret: 'x', user: 'alice', savedAt: 'now', profile: 'yes' }] }));
    await expect(readRegistryIndex(env)).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { path: index } });
  });

  it('refuses an index file that is not one, naming it', async () => {
    await credentials().save(acme, token, { user: 'alice' });
    const index = path.join(root, 'skillsync', 'config', 'registries.json');
    await writeFile(index, '{"registries": 3}');
    await expect(credentials().logins()).rejects.toMatchObject({ code: 'INVALID_INPUT', details: { path: index } });
  });
});
