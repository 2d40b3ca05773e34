import { SkillsyncError, type Env } from '@skillsync/core';
import {
  createRegistryClient,
  httpRegistrySources,
  isLoopbackAddress,
  loginRequired,
  openRegistryCredentials,
  parseRegistryAddress,
  REGISTRY_TOKEN_VAR,
  REGISTRY_VAR,
  type FetchFunction,
  type RegistryAddress,
  type RegistryClient,
  type RegistryCredentials,
} from '@skillsync/registry';
import { openSecretStore } from '@skillsync/secrets';
import type { RemoteSourceFactory } from '@skillsync/store';
import { readManifests } from './project.js';

/** The tokens of this user's registries: the secret store, or SKILLSYNC_REGISTRY_TOKEN for SKILLSYNC_REGISTRY and the registries logged in to (CI). */
export function registryCredentials(env: Env): RegistryCredentials {
  return openRegistryCredentials({
    env,
    secrets: () => openSecretStore({ env }),
    tokenOverride: { token: env.vars[REGISTRY_TOKEN_VAR], registry: env.vars[REGISTRY_VAR] },
  });
}

/** What install and outdated hand to @skillsync/store to read the org registries a manifest or lockfile names. */
export function remoteRegistrySources(env: Env): RemoteSourceFactory {
  return httpRegistrySources(registryCredentials(env));
}

/**
 * The registry a command talks to: `--registry`, else SKILLSYNC_REGISTRY, else the
 * manifests' http(s) `registry`, else the one registry this user is logged in to;
 * REGISTRY_LOGIN_REQUIRED otherwise.
 */
export async function chooseRegistry(env: Env, explicit: string | undefined, credentials: RegistryCredentials): Promise<RegistryAddress> {
  if (explicit !== undefined) return parseRegistryAddress(explicit);
  const fromEnvironment = env.vars[REGISTRY_VAR];
  if (fromEnvironment !== undefined && fromEnvironment !== '') return parseRegistryAddress(fromEnvironment);
  const declared = await manifestRegistry(env);
  if (declared !== undefined) return declared;
  const logins = await credentials.logins();
  const only = logins.length === 1 ? logins[0] : undefined;
  if (only !== undefined) return parseRegistryAddress(only.address);
  if (logins.length === 0) {
    throw new SkillsyncError('REGISTRY_LOGIN_REQUIRED', 'No --registry was given, the manifest names no org registry, and you are not logged in to any.', {
      hint: 'Run `skillsync login --registry <address>` (the address ends in /v0.1/orgs/<org>), or pass --registry.',
    });
  }
  throw new SkillsyncError('REGISTRY_LOGIN_REQUIRED', `No --registry was given and the manifest names no org registry, but you are logged in to ${logins.length}.`, {
    hint: `Pass --registry with one of: ${logins.map((login) => login.address).join(', ')}.`,
    details: { registries: logins.map((login) => login.address) },
  });
}

/** A client of the chosen registry with this user's token for it (REGISTRY_LOGIN_REQUIRED without one). */
export async function connectRegistry(env: Env, explicit: string | undefined): Promise<{ readonly client: RegistryClient; readonly warnings: readonly string[] }> {
  const credentials = registryCredentials(env);
  const address = await chooseRegistry(env, explicit, credentials);
  const token = await credentials.token(address);
  if (token === undefined) throw loginRequired(address);
  return { client: createRegistryClient({ address, token }), warnings: transportWarnings(address) };
}

/**
 * A client of `registry` with this user's token for it (none when not logged in), trying
 * each request once within `timeoutMs`: for the best-effort calls a sync or the daemon
 * makes on the side (profiles, reports, audit upload), which must never hold them up.
 */
export async function oneTryRegistryClient(
  credentials: RegistryCredentials,
  registry: string,
  options: { readonly timeoutMs: number; readonly fetch?: FetchFunction | undefined },
): Promise<RegistryClient> {
  const address = parseRegistryAddress(registry);
  return createRegistryClient({ address, token: await credentials.token(address), fetch: options.fetch, timeoutMs: options.timeoutMs, retry: { tries: 1 } });
}

/** The org's `reporting` setting, or undefined when the server does not say (an older server, a token without `read`). */
export function orgReporting(client: RegistryClient): Promise<boolean | undefined> {
  return client.getOrg().then(
    (info) => info.settings.reporting,
    () => undefined,
  );
}

/** A warning for plain http:// beyond this machine: the token would cross the network readable. */
export function transportWarnings(address: RegistryAddress): string[] {
  if (!address.origin.startsWith('http:') || isLoopbackAddress(address)) return [];
  return [`${address.address} is plain http://: your token and the packages cross the network unencrypted. Use https:// beyond a network you trust.`];
}

/** The manifests' default registry when it is an org registry (a directory registry cannot be logged in to). */
async function manifestRegistry(env: Env): Promise<RegistryAddress | undefined> {
  const manifests = await readManifests(env).catch(() => undefined);
  const declared = manifests?.effective.registry?.value;
  if (declared === undefined || !/^https?:\/\//i.test(declared)) return undefined;
  return parseRegistryAddress(declared);
}
