import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isSkillsyncError, redactSecrets, REDACTED, SkillsyncError, type Env } from '@skillsync/core';
import { build } from 'esbuild';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { readKeyFile } from './file-store.js';
import { defaultSecretsDir, openSecretStore } from './open-secret-store.js';
import type { SecretStore } from './secret-store.js';
import { makeTempDir, makeTestEnv, readTree } from './test-support.js';

const execFileAsync = promisify(execFile);

interface StoreJson {
  version: number;
  cipher: string;
  keyId: string;
  secrets: Record<string, { iv: string; tag: string; data: string; updatedAt: string }>;
}

let env: Env;
let dir: string;
let store: SecretStore;

beforeEach(async () => {
  env = await makeTestEnv();
  dir = defaultSecretsDir(env);
  store = await openSecretStore({ env });
});

const storeFile = (): string => path.join(dir, 'secrets.json');
const keyFile = (): string => path.join(dir, 'secrets.key');
const readStoreJson = async (): Promise<StoreJson> => JSON.parse(await readFile(storeFile(), 'utf8')) as StoreJson;
const writeStoreJson = (json: StoreJson): Promise<void> => writeFile(storeFile(), JSON.stringify(json));

/** The rejection of `promise`, which must be a SkillsyncError with `code`. */
async function expectCode(promise: Promise<unknown>, code: string): Promise<SkillsyncError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isSkillsyncError(error), String(error)).toBe(true);
  expect((error as SkillsyncError).code).toBe(code);
  return error as SkillsyncError;
}

describe('the file secret store', () => {
  it('is the default on Linux and lives in secrets/ of the data folder', () => {
    expect(store.backend).toBe('file');
    expect(store.dir).toBe(path.join(env.home, 'skillsync', 'data', 'secrets'));
  });

  it('round-trips values, lists names with their time (never values) and removes them', async () => {
    const value = 'ghp_round-trip-value\nwith a second line and ünïcödé';
    expect(await store.set('GITHUB_TOKEN', value)).toEqual({ replaced: false });
    expect(await store.set('api.key-2', 'x')).toEqual({ replaced: false });
    expect(await store.get('GITHUB_TOKEN')).toBe(value);
    expect(await store.get('api.key-2')).toBe('x');
    expect(await store.has('GITHUB_TOKEN')).toBe(true);
    expect(await store.has('MISSING')).toBe(false);
    expect(await store.get('MISSING')).toBeUndefined();

    const listed = await store.list();
    expect(listed).toEqual([
      { name: 'GITHUB_TOKEN', updatedAt: '2026-01-02T03:04:06.000Z' },
      { name: 'api.key-2', updatedAt: '2026-01-02T03:04:07.000Z' },
    ]);
    expect(JSON.stringify(listed)).not.toContain('round-trip');

    expect(await store.set('GITHUB_TOKEN', 'second value')).toEqual({ replaced: true });
    expect(await store.get('GITHUB_TOKEN')).toBe('second value');
    expect(await store.remove('GITHUB_TOKEN')).toBe(true);
    expect(await store.remove('GITHUB_TOKEN')).toBe(false);
    expect(await store.get('GITHUB_TOKEN')).toBeUndefined();
    expect((await store.list()).map((info) => info.name)).toEqual(['api.key-2']);

    // A second store over the same folder (another process, later) reads the same secrets.
    const again = await openSecretStore({ env, backend: 'file' });
    expect(await again.get('api.key-2')).toBe('x');
  });

  it('keeps names such as __proto__ and constructor as plain entries', async () => {
    await store.set('__proto__', 'proto-value');
    await store.set('constructor', 'ctor-value');
    expect(await store.get('__proto__')).toBe('proto-value');
    expect(await store.get('toString')).toBeUndefined();
    expect(await store.has('hasOwnProperty')).toBe(false);
    expect((await store.list()).map((info) => info.name)).toEqual(['__proto__', 'constructor']);
    expect(Object.keys((await readStoreJson()).secrets)).toEqual(['__proto__', 'constructor']);
  });

  it('writes the key 0600 and the folder 0700, and never the plaintext', async () => {
    const value = `plain-${randomBytes(8).toString('hex')}`;
    await store.set('TOKEN', value);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await stat(storeFile())).mode & 0o777).toBe(0o600);
    expect((await readFile(keyFile())).length).toBe(32);
    const json = await readStoreJson();
    expect(json).toMatchObject({ version: 1, cipher: 'aes-256-gcm', keyId: expect.any(String) as unknown });
    expect(Object.keys(json.secrets.TOKEN!).sort()).toEqual(['data', 'iv', 'tag', 'updatedAt']);
    for (const [file, bytes] of await readTree(env.home)) {
      expect(bytes.includes(value), file).toBe(false);
      expect(bytes.includes(Buffer.from(value).toString('base64')), file).toBe(false);
    }
    // Nothing but the two files (the lock is gone).
    expect((await readdir(dir)).sort()).toEqual(['secrets.json', 'secrets.key']);
  });

  it('uses a fresh IV per write: the same value twice gives different ciphertexts', async () => {
    await store.set('A', 'same');
    await store.set('B', 'same');
    const { secrets } = await readStoreJson();
    expect(secrets.A!.iv).not.toBe(secrets.B!.iv);
    expect(secrets.A!.data).not.toBe(secrets.B!.data);
  });

  it('detects entries swapped between names (the name is authenticated data)', async () => {
    await store.set('ADMIN_TOKEN', 'admin-value');
    await store.set('GUEST_TOKEN', 'guest-value');
    const json = await readStoreJson();
    const admin = json.secrets.ADMIN_TOKEN!;
    json.secrets.ADMIN_TOKEN = { ...json.secrets.GUEST_TOKEN!, updatedAt: admin.updatedAt };
    json.secrets.GUEST_TOKEN = admin;
    await writeStoreJson(json);
    const error = await expectCode(store.get('ADMIN_TOKEN'), 'SECRET_STORE_CORRUPT');
    expect(error.message).toContain('ADMIN_TOKEN');
    await expectCode(store.get('GUEST_TOKEN'), 'SECRET_STORE_CORRUPT');
    expect(JSON.stringify(error.toJSON())).not.toMatch(/admin-value|guest-value/);
  });

  it('detects a changed ciphertext, tag or IV', async () => {
    await store.set('TOKEN', 'the-original-value');
    const original = await readStoreJson();
    const flip = (b64: string): string => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[0] = bytes[0]! ^ 0x01;
      return bytes.toString('base64');
    };
    for (const field of ['data', 'tag', 'iv'] as const) {
      const json = structuredClone(original);
      json.secrets.TOKEN![field] = flip(json.secrets.TOKEN![field]);
      await writeStoreJson(json);
      const error = await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT');
      expect(error.message, field).toMatch(/fails authentication/);
      expect(error.hint).toMatch(/secret rm/);
    }
    const truncated = structuredClone(original);
    truncated.secrets.TOKEN!.tag = 'AAAA';
    await writeStoreJson(truncated);
    expect((await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT')).message).toMatch(/is damaged/);
    // A damaged entry can still be removed, and the rest of the store keeps working.
    expect(await store.remove('TOKEN')).toBe(true);
    await store.set('OTHER', 'fine');
    expect(await store.get('OTHER')).toBe('fine');
  });

  it('refuses a key that is not the one the store was written with', async () => {
    await store.set('TOKEN', 'value-under-first-key');
    await writeFile(keyFile(), randomBytes(32), { mode: 0o600 });
    const error = await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT');
    expect(error.message).toMatch(/not the key/);
    // Nor does a set mix two keys in one file.
    await expectCode(store.set('NEW', 'v'), 'SECRET_STORE_CORRUPT');

    // Even with the keyId forged to match, the wrong key fails authentication.
    const other = await openSecretStore({ env: await makeTestEnv(), backend: 'file' });
    await other.set('X', 'y');
    const otherJson = JSON.parse(await readFile(path.join(other.dir, 'secrets.json'), 'utf8')) as StoreJson;
    await writeStoreJson({ ...(await readStoreJson()), keyId: otherJson.keyId });
    await writeFile(keyFile(), await readFile(path.join(other.dir, 'secrets.key')));
    expect((await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT')).message).toMatch(/fails authentication/);
  });

  it('refuses a missing key file, or one of the wrong size, instead of starting over', async () => {
    await store.set('TOKEN', 'v1');
    await rm(keyFile());
    expect((await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT')).message).toMatch(/is missing/);
    await expectCode(store.set('OTHER', 'v2'), 'SECRET_STORE_CORRUPT');
    expect(await readdir(dir)).not.toContain('secrets.key');

    await writeFile(keyFile(), randomBytes(16), { mode: 0o600 });
    expect((await expectCode(store.get('TOKEN'), 'SECRET_STORE_CORRUPT')).message).toMatch(/16 bytes/);
  });

  it('refuses a key file others can read, with a chmod hint, and stores nothing', async () => {
    await store.set('TOKEN', 'v1');
    const before = await readFile(storeFile(), 'utf8');
    for (const mode of [0o644, 0o640, 0o604, 0o620]) {
      await chmod(keyFile(), mode);
      const error = await expectCode(store.get('TOKEN'), 'SECRET_KEY_PERMISSIONS');
      expect(error.hint).toContain(`chmod 600 ${keyFile()}`);
      expect(error.details).toMatchObject({ path: keyFile(), mode: `0${mode.toString(8)}` });
      await expectCode(store.set('OTHER', 'v2'), 'SECRET_KEY_PERMISSIONS');
    }
    expect(await readFile(storeFile(), 'utf8')).toBe(before);
    await chmod(keyFile(), 0o600);
    expect(await store.get('TOKEN')).toBe('v1');
  });

  it('skips the mode check on Windows, where mode bits say nothing', async () => {
    await store.set('TOKEN', 'v1');
    await chmod(keyFile(), 0o644);
    // The key reader alone: a whole store under a win32 Env would join Windows paths on this POSIX machine.
    expect(await readKeyFile(keyFile(), { ...env, platform: 'win32' })).toHaveLength(32);
    await expectCode(readKeyFile(keyFile(), env), 'SECRET_KEY_PERMISSIONS');
    await expectCode(readKeyFile(keyFile(), { ...env, platform: 'darwin' }), 'SECRET_KEY_PERMISSIONS');
  });

  it('reads nothing and writes nothing until a secret is set', async () => {
    expect(await store.list()).toEqual([]);
    expect(await store.get('TOKEN')).toBeUndefined();
    expect(await store.remove('TOKEN')).toBe(false);
    await expect(stat(dir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('validates names and values, never echoing a value', async () => {
    for (const name of ['', '1ABC', 'has space', 'a:b', '${secret:X}', 'ü', `A${'b'.repeat(128)}`]) {
      const error = await expectCode(store.set(name, 'v'), 'SECRET_NAME_INVALID');
      expect(error.hint).toMatch(/letter or `_`/);
      await expectCode(store.get(name), 'SECRET_NAME_INVALID');
      await expectCode(store.remove(name), 'SECRET_NAME_INVALID');
    }
    await store.set(`A${'b'.repeat(127)}`, 'longest name');
    await expectCode(store.set('EMPTY', ''), 'SECRET_VALUE_INVALID');
    const big = 'z'.repeat(64 * 1024 + 1);
    const error = await expectCode(store.set('BIG', big), 'SECRET_VALUE_INVALID');
    expect(JSON.stringify(error.toJSON())).not.toContain('zzzz');
    await store.set('EXACT', 'z'.repeat(64 * 1024));
    expect((await store.get('EXACT'))?.length).toBe(64 * 1024);
    expect(await store.has('EMPTY')).toBe(false);
  });

  it('registers values it reads or writes with the redactor', async () => {
    const value = `registered-${randomBytes(6).toString('hex')}`;
    await store.set('PLANTED', value);
    expect(redactSecrets(`oops ${value} leaked`)).toBe(`oops ${REDACTED} leaked`);
    expect(new SkillsyncError('INTERNAL', `failed with ${value}`).message).not.toContain(value);
  });

  it('refuses a secrets file that is not one, without quoting it', async () => {
    await store.set('TOKEN', 'v');
    const cases: [string, RegExp][] = [
      ['{not json: ghp_quoted', /not valid JSON/],
      ['[]', /not a JSON object/],
      ['{"version":2,"cipher":"aes-256-gcm","secrets":{}}', /version is not 1/],
      ['{"version":1,"cipher":"aes-128-cbc","secrets":{}}', /cipher/],
      ['{"version":1,"cipher":"aes-256-gcm","keyId":"k","secrets":{"bad name":{}}}', /not a valid secret name/],
      ['{"version":1,"cipher":"aes-256-gcm","secrets":{"A":{}}}', /no keyId/],
    ];
    for (const [text, message] of cases) {
      await writeFile(storeFile(), text);
      const error = await expectCode(store.list(), 'SECRET_STORE_CORRUPT');
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain('quoted');
    }
  });

  it('ends in a value or a coded error for any secrets file (property)', async () => {
    await store.set('TOKEN', 'v');
    const valid = await readStoreJson();
    const mutated = fc.oneof(
      fc.string(),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .record({
          iv: fc.oneof(fc.constant(valid.secrets.TOKEN!.iv), fc.base64String(), fc.string()),
          tag: fc.oneof(fc.constant(valid.secrets.TOKEN!.tag), fc.base64String(), fc.string()),
          data: fc.oneof(fc.constant(valid.secrets.TOKEN!.data), fc.base64String(), fc.string()),
          updatedAt: fc.oneof(fc.string(), fc.integer()),
        })
        .map((entry) => JSON.stringify({ ...valid, secrets: { TOKEN: entry } })),
    );
    await fc.assert(
      fc.asyncProperty(mutated, async (text) => {
        await writeFile(storeFile(), text);
        for (const attempt of [() => store.get('TOKEN'), () => store.list(), () => store.has('TOKEN')]) {
          const outcome = await attempt().then(
            (value: unknown) => ({ value }),
            (error: unknown) => ({ error }),
          );
          if ('error' in outcome) {
            expect(isSkillsyncError(outcome.error), String(outcome.error)).toBe(true);
            expect((outcome.error as SkillsyncError).code).toBe('SECRET_STORE_CORRUPT');
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('the file secret store across processes', () => {
  it('loses no entry when two processes set secrets at the same time', async () => {
    const work = await makeTempDir('ss-secrets-bundle-');
    const bundle = path.join(work, 'secrets.mjs');
    await build({
      entryPoints: [path.join(import.meta.dirname, 'index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    });
    const child = path.join(work, 'child.mjs');
    await writeFile(
      child,
      `const { openSecretStore } = await import(process.argv[2]);
const env = { home: process.argv[3], cwd: process.argv[3], platform: 'linux', vars: { SKILLSYNC_HOME: process.argv[4] }, now: () => new Date() };
const store = await openSecretStore({ env });
const prefix = process.argv[5];
await Promise.all(Array.from({ length: 8 }, (_, i) => store.set(prefix + '_' + i, 'value-of-' + prefix + '-' + i)));
`,
    );
    const skillsyncHome = env.vars.SKILLSYNC_HOME!;
    await Promise.all(['ONE', 'TWO', 'THREE'].map((prefix) => execFileAsync(process.execPath, [child, bundle, env.home, skillsyncHome, prefix])));
    const names = (await store.list()).map((info) => info.name);
    expect(names).toHaveLength(24);
    for (const prefix of ['ONE', 'TWO', 'THREE']) {
      for (let i = 0; i < 8; i++) expect(await store.get(`${prefix}_${i}`)).toBe(`value-of-${prefix}-${i}`);
    }
    // One key for all of them: the first writer created it, the others used it.
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await readdir(dir)).sort()).toEqual(['secrets.json', 'secrets.key']);
  }, 60_000);
});
