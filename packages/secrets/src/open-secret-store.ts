import { randomBytes } from 'node:crypto';
import { pathExists, pathFor, SkillsyncError, skillsyncPaths, type Env } from '@skillsync/core';
import { openFileSecretStore } from './file-store.js';
import { KEYCHAIN_SERVICE, openKeychainSecretStore, type KeyringModule } from './keychain-store.js';
import { SECRET_FILES, type SecretBackend, type SecretStore } from './secret-store.js';

export type SecretBackendChoice = 'auto' | 'file' | 'keychain';

/** The environment variable that picks the backend when `backend` is `auto`: `file` or `keychain`. */
export const SECRETS_BACKEND_VAR = 'SKILLSYNC_SECRETS_BACKEND';

export interface OpenSecretStoreOptions {
  readonly env: Env;
  /** Default: `secrets/` in skillsync's data folder. */
  readonly dir?: string;
  /**
   * Default `auto`: the variable SKILLSYNC_SECRETS_BACKEND when set; otherwise, on macOS
   * and Windows, the backend already holding secrets in `dir`, or else the OS keychain
   * when it loads and a probe round-trip works; and the encrypted file store everywhere
   * else (Linux: Secret Service is often absent or locked).
   */
  readonly backend?: SecretBackendChoice;
  /** The keychain binding, or a loader for it. Default: `import('@napi-rs/keyring')`, which may fail. */
  readonly keyring?: KeyringModule | (() => Promise<KeyringModule>);
}

/** Where the secrets live by default: the data folder, so a dotfiles repository of the config folder never holds them. */
export function defaultSecretsDir(env: Env): string {
  return pathFor(env).join(skillsyncPaths(env).data, 'secrets');
}

/** Opens the secret store the options (and the environment) choose. Writes nothing until a secret is set. */
export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  const { env } = options;
  const dir = options.dir ?? defaultSecretsDir(env);
  const choice = options.backend === undefined || options.backend === 'auto' ? backendFromEnv(env) : options.backend;

  if (choice === 'file') return openFileSecretStore({ env, dir });
  if (choice === 'keychain') {
    const keyring = await loadKeyring(options.keyring);
    if (keyring === undefined) throw keychainModuleMissing('The OS keychain was asked for');
    return openKeychainSecretStore({ env, keyring, dir });
  }
  if (env.platform === 'linux') return openFileSecretStore({ env, dir });
  // A store in use stays in use: switching because the keychain is locked today would hide every secret.
  const inUse = await backendInUse(env, dir);
  if (inUse === 'file') return openFileSecretStore({ env, dir });
  const keyring = await loadKeyring(options.keyring);
  if (inUse === 'keychain') {
    if (keyring === undefined) throw keychainModuleMissing('Your secrets are in the OS keychain');
    return openKeychainSecretStore({ env, keyring, dir });
  }
  if (keyring !== undefined && probeKeyring(keyring)) return openKeychainSecretStore({ env, keyring, dir });
  return openFileSecretStore({ env, dir });
}

/** The backend whose files are in `dir` already: the keychain's name index, or the encrypted store. */
async function backendInUse(env: Env, dir: string): Promise<SecretBackend | undefined> {
  const p = pathFor(env);
  if (await pathExists(p.join(dir, SECRET_FILES.keychainIndex))) return 'keychain';
  if (await pathExists(p.join(dir, SECRET_FILES.store))) return 'file';
  return undefined;
}

function keychainModuleMissing(why: string): SkillsyncError {
  return new SkillsyncError('SECRET_BACKEND_UNAVAILABLE', `${why}, but its module (@napi-rs/keyring) could not be loaded here.`, {
    hint: `Reinstall skillsync with its optional dependencies (npm install -g skillsync), or set ${SECRETS_BACKEND_VAR}=file to use the encrypted file store.`,
    details: { backend: 'keychain' },
  });
}

function backendFromEnv(env: Env): SecretBackendChoice {
  const value = env.vars[SECRETS_BACKEND_VAR];
  if (value === undefined || value === '' || value === 'auto') return 'auto';
  if (value === 'file' || value === 'keychain') return value;
  throw new SkillsyncError('INVALID_INPUT', `${SECRETS_BACKEND_VAR} is '${value.slice(0, 40)}'; it must be file, keychain or auto.`, {
    hint: `Set ${SECRETS_BACKEND_VAR}=file (the encrypted file store) or ${SECRETS_BACKEND_VAR}=keychain (the OS keychain), or unset it.`,
    details: { variable: SECRETS_BACKEND_VAR },
  });
}

async function loadKeyring(given: OpenSecretStoreOptions['keyring']): Promise<KeyringModule | undefined> {
  try {
    const loaded = given === undefined ? await importKeyring() : typeof given === 'function' ? await given() : given;
    return typeof loaded.Entry === 'function' ? loaded : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The native binding is an optional dependency of the CLI (never bundled): absent on
 * a platform without a prebuilt binary, or when installed with --omit=optional. A
 * variable specifier keeps TypeScript from needing its types.
 */
async function importKeyring(): Promise<KeyringModule> {
  const specifier = '@napi-rs/keyring';
  const loaded = (await import(specifier)) as Partial<KeyringModule> & { default?: Partial<KeyringModule> };
  const Entry = loaded.Entry ?? loaded.default?.Entry;
  if (Entry === undefined) throw new Error(`${specifier} has no Entry`);
  return { Entry };
}

/** Stores, reads back and deletes a throw-away credential: a keychain that loads may still be locked or absent. */
function probeKeyring(keyring: KeyringModule): boolean {
  // Not a valid secret name (`:`), so the probe can never meet a user's secret.
  const account = 'skillsync:probe';
  const value = randomBytes(16).toString('hex');
  try {
    const entry = new keyring.Entry(KEYCHAIN_SERVICE, account);
    entry.setPassword(value);
    const ok = entry.getPassword() === value;
    entry.deletePassword();
    return ok;
  } catch {
    return false;
  }
}
