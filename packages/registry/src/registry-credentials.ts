import { createHash } from 'node:crypto';
import { SkillsyncError, withFileLock, writeFileAtomic, type Env } from '@skillsync/core';
import type { SecretStore } from '@skillsync/secrets';
import { parseRegistryAddress, type RegistryAddress } from './registry-address.js';
import { readRegistryIndex, registryIndexFile, type RegistryLogin } from './registry-index.js';

/**
 * The variables a CI job sets instead of logging in: the token, and the registry it is for.
 * The token goes to that registry (and to those logged in to), never to an address a
 * manifest or lockfile merely names: a pull request could name its own server. The CLI
 * reads them; packages take their values.
 */
export const REGISTRY_TOKEN_VAR = 'SKILLSYNC_REGISTRY_TOKEN';
export const REGISTRY_VAR = 'SKILLSYNC_REGISTRY';

export interface RegistryCredentials {
  /** The token for `address`: the override when it applies to `address`, else the stored one. */
  token(address: RegistryAddress): Promise<string | undefined>;
  /**
   * Stores `token` as the one for `address` (replacing any), and records the login;
   * `profile: false` records that the org's profile does not apply here (default: it does).
   */
  save(address: RegistryAddress, token: string, login: { readonly user: string; readonly profile?: boolean }): Promise<void>;
  /** Forgets the token of `address`; false when there was none. */
  remove(address: RegistryAddress): Promise<boolean>;
  /** Every login, by address. */
  logins(): Promise<RegistryLogin[]>;
}

export interface RegistryCredentialsOptions {
  readonly env: Env;
  /** Opens the secret store, once, when a token is first needed. */
  readonly secrets: () => Promise<SecretStore>;
  /**
   * A token given by the environment (the CLI passes SKILLSYNC_REGISTRY_TOKEN and
   * SKILLSYNC_REGISTRY): used for `registry` and for the registries logged in to.
   */
  readonly tokenOverride?: { readonly token: string | undefined; readonly registry: string | undefined } | undefined;
}

/** `registry.<16 hex of sha256(address)>`: a valid secret name, the same for the same canonical address. */
export function registrySecretName(address: RegistryAddress): string {
  return `registry.${createHash('sha256').update(address.address).digest('hex').slice(0, 16)}`;
}

/** One token per registry address: the value in the secret store, the address in an index beside the config. */
export function openRegistryCredentials(options: RegistryCredentialsOptions): RegistryCredentials {
  const { env } = options;
  const indexFile = registryIndexFile(env);
  let store: Promise<SecretStore> | undefined;
  const secrets = (): Promise<SecretStore> => (store ??= options.secrets());
  const override = options.tokenOverride?.token === '' ? undefined : options.tokenOverride?.token;
  const overrideRegistry = options.tokenOverride?.registry === undefined || options.tokenOverride.registry === '' ? undefined : parseRegistryAddress(options.tokenOverride.registry).address;
  /** Whether the environment's token may go to `address`: its own registry, or one logged in to. */
  const overrideApplies = async (address: RegistryAddress): Promise<boolean> =>
    override !== undefined && (address.address === overrideRegistry || (await readIndex()).some((login) => login.address === address.address));

  const readIndex = (): Promise<RegistryLogin[]> => readRegistryIndex(env);
  const editIndex = (edit: (logins: RegistryLogin[]) => RegistryLogin[]): Promise<void> =>
    withFileLock(indexFile, async () => {
      const logins = edit(await readIndex()).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
      await writeFileAtomic(indexFile, `${JSON.stringify({ registries: logins }, null, 2)}\n`);
    });

  return {
    token: async (address) => ((await overrideApplies(address)) ? override : await (await secrets()).get(registrySecretName(address))),
    save: async (address, token, login) => {
      const secret = registrySecretName(address);
      await (await secrets()).set(secret, token);
      const entry: RegistryLogin = { address: address.address, secret, user: login.user, savedAt: env.now().toISOString(), profile: login.profile ?? true };
      await editIndex((logins) => [...logins.filter((known) => known.address !== address.address), entry]);
    },
    remove: async (address) => {
      const removed = await (await secrets()).remove(registrySecretName(address));
      const listed = (await readIndex()).some((known) => known.address === address.address);
      if (listed) await editIndex((logins) => logins.filter((known) => known.address !== address.address));
      return removed || listed;
    },
    logins: async () => (await readIndex()).filter((login) => isAddress(login.address)),
  };
}

/** REGISTRY_LOGIN_REQUIRED for `address`, with the command that fixes it. */
export function loginRequired(address: RegistryAddress): SkillsyncError {
  return new SkillsyncError('REGISTRY_LOGIN_REQUIRED', `You are not logged in to the registry ${address.address}.`, {
    hint: `Run \`skillsync login --registry ${address.address}\` with a token from your org admin (in CI: set ${REGISTRY_TOKEN_VAR}, and ${REGISTRY_VAR} to this address).`,
    details: { registry: address.address },
  });
}

function isAddress(text: string): boolean {
  try {
    parseRegistryAddress(text);
    return true;
  } catch {
    return false;
  }
}
