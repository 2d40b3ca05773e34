import { byteOrder, type Env, isRecord, pathFor, registerSecret, SkillsyncError, withFileLock, writeFileAtomic } from '@skillsync/core';
import { ensureSecretDir, readJsonFile } from './secret-files.js';
import { admitSecret, assertSecretName, isValidSecretName } from './secret-name.js';
import { SECRET_FILES, type SecretInfo, type SecretStore, type SetSecretResult } from './secret-store.js';

/** One credential of the OS keychain: the part of `@napi-rs/keyring`'s `Entry` skillsync uses. */
export interface KeyringEntry {
  setPassword(password: string): void;
  /** null (or undefined) when there is no such credential. */
  getPassword(): string | null | undefined;
  /** True when a credential was deleted, false when there was none. */
  deletePassword(): boolean;
}

/** The shape of the `@napi-rs/keyring` module, so a test (or another platform binding) can stand in for it. */
export interface KeyringModule {
  readonly Entry: new (service: string, account: string) => KeyringEntry;
}

/** The keychain service every skillsync secret is filed under; the account is the secret's name. */
export const KEYCHAIN_SERVICE = 'skillsync';

const INDEX_VERSION = 1;

export interface KeychainSecretStoreOptions {
  readonly env: Env;
  readonly keyring: KeyringModule;
  /** The folder of the name index (the keychain cannot list our entries). */
  readonly dir: string;
}

/**
 * Secrets in the OS keychain (macOS Keychain, Windows Credential Manager, Secret
 * Service). The keychain holds the values; `keychain-index.json` in `dir` holds only
 * the names and when each was set, because the keychain offers no listing.
 */
export function openKeychainSecretStore(options: KeychainSecretStoreOptions): SecretStore {
  const { env, keyring, dir } = options;
  const indexFile = pathFor(env).join(dir, SECRET_FILES.keychainIndex);

  const entry = (name: string): KeyringEntry => new keyring.Entry(KEYCHAIN_SERVICE, name);

  const call = <T>(action: string, name: string, task: () => T): T => {
    try {
      return task();
    } catch (error) {
      // The keychain's own words, through the redactor like every message: they never hold the value.
      throw new SkillsyncError('SECRET_BACKEND_UNAVAILABLE', `The OS keychain could not ${action} the secret ${name} (${describe(error)}).`, {
        details: { name, backend: 'keychain' },
        cause: error,
      });
    }
  };

  const readIndex = async (): Promise<Map<string, string>> => parseIndex(await readJsonFile(indexFile), indexFile);

  const writeIndex = (index: ReadonlyMap<string, string>): Promise<void> => {
    const names = [...index.keys()].sort(byteOrder);
    const secrets = Object.fromEntries(names.map((name) => [name, { updatedAt: index.get(name) }]));
    return writeFileAtomic(indexFile, `${JSON.stringify({ version: INDEX_VERSION, service: KEYCHAIN_SERVICE, secrets }, null, 2)}\n`, { mode: 0o600 });
  };

  return {
    backend: 'keychain',
    dir,
    set: async (name, value): Promise<SetSecretResult> => {
      admitSecret(name, value);
      await ensureSecretDir(env, dir);
      return withFileLock(indexFile, async () => {
        const index = await readIndex();
        const replaced = index.has(name);
        call('store', name, () => {
          entry(name).setPassword(value);
        });
        const next = new Map(index);
        next.set(name, env.now().toISOString());
        await writeIndex(next);
        return { replaced };
      });
    },
    // The keychain binding is synchronous; the promise keeps every failure a rejection.
    get: (name) =>
      Promise.resolve().then(() => {
        assertSecretName(name);
        const value = call('read', name, () => entry(name).getPassword());
        if (value === null || value === undefined) return undefined;
        registerSecret(value);
        return value;
      }),
    has: async (name) => {
      assertSecretName(name);
      if ((await readIndex()).has(name)) return true;
      return call('read', name, () => entry(name).getPassword()) != null;
    },
    list: async (): Promise<SecretInfo[]> =>
      [...(await readIndex())].map(([name, updatedAt]) => ({ name, updatedAt })).sort((a, b) => byteOrder(a.name, b.name)),
    remove: async (name) => {
      assertSecretName(name);
      await ensureSecretDir(env, dir);
      return withFileLock(indexFile, async () => {
        const index = await readIndex();
        const deleted = call('delete', name, () => entry(name).deletePassword());
        if (index.has(name)) {
          const next = new Map(index);
          next.delete(name);
          await writeIndex(next);
          return true;
        }
        return deleted;
      });
    },
  };
}

/** Name → updatedAt. A Map: `__proto__` is a valid secret name. */
function parseIndex(raw: unknown, file: string): Map<string, string> {
  const index = new Map<string, string>();
  if (raw === undefined) return index;
  const corrupt = (why: string): SkillsyncError =>
    new SkillsyncError('SECRET_STORE_CORRUPT', `${file} is not a skillsync keychain index: ${why}.`, {
      hint: `It lists only the names of the secrets in the keychain: delete ${file} and set the secrets again to rebuild it.`,
      details: { path: file },
    });
  if (!isRecord(raw) || raw.version !== INDEX_VERSION || !isRecord(raw.secrets)) throw corrupt(`it is not a version ${INDEX_VERSION} index`);
  for (const [name, entry] of Object.entries(raw.secrets)) {
    if (!isValidSecretName(name)) throw corrupt('it holds a name that is not a valid secret name');
    index.set(name, isRecord(entry) && typeof entry.updatedAt === 'string' ? entry.updatedAt : '');
  }
  return index;
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? 'unknown error';
}
