import { rm } from 'node:fs/promises';
import { toSkillsyncError, writeFileAtomic, type Env } from '@skillsync/core';
import type { EffectiveProfile, FetchFunction, RegistryClient } from '@skillsync/registry';
import { describeAge, NO_ORG_PROFILES, orgProfileCacheFile, orgProfilesOf, profileLoginsOrWarning, readCachedOrgProfile, type CachedOrgProfile, type FoundOrgProfile, type OrgProfiles } from './org-profiles.js';
import { oneTryRegistryClient, orgReporting, registryCredentials } from './registry-session.js';

/** How long a command waits for a profile before it goes on with the cached one: a slow server must not hold up a sync. */
export const PROFILE_FETCH_TIMEOUT_MS = 3_000;

export interface RefreshOptions {
  /** Per server. Default PROFILE_FETCH_TIMEOUT_MS. */
  readonly timeoutMs?: number;
  readonly fetch?: FetchFunction;
}

/**
 * Fetches the profile of every login whose profile applies (`GET /orgs/{org}/profile`,
 * one try, a short timeout, all servers at once), caches each, and returns them. A
 * server that cannot be reached, or refuses, leaves its cached profile in use with a
 * warning naming its age; with no cache, a warning and no layer for that org.
 */
export async function refreshOrgProfiles(env: Env, options: RefreshOptions = {}): Promise<OrgProfiles> {
  const { logins, warning } = await profileLoginsOrWarning(env);
  if (warning !== undefined) return { ...NO_ORG_PROFILES, warnings: [warning] };
  const credentials = registryCredentials(env);
  const found = await Promise.all(
    logins.map(async ({ address }): Promise<FoundOrgProfile> => {
      try {
        const client = await oneTryRegistryClient(credentials, address, { fetch: options.fetch, timeoutMs: options.timeoutMs ?? PROFILE_FETCH_TIMEOUT_MS });
        return { registry: address, cached: await fetchOrgProfile(env, client), source: 'fetched' };
      } catch (error) {
        const failure = toSkillsyncError(error);
        const cached = await readCachedOrgProfile(env, address);
        const why = `could not get the profile of ${address} (${failure.code}: ${failure.message})`;
        const warning =
          cached === undefined
            ? `${why}; none is cached, so it is not applied`
            : `${why}; using the cached one, ${describeAge(cached.fetchedAt, env.now())}`;
        return { registry: address, cached, source: 'cached', warning };
      }
    }),
  );
  return orgProfilesOf(found);
}

/**
 * Fetches the caller's effective profile from `client`'s registry and caches it (0600: it
 * says what the user's teams are held to), with whether the org collects reports, read
 * at the same time so that a sync or the daemon knows it without asking again. When that
 * question goes unanswered (a moment's failure, an older server), the answer cached before
 * stands: unknown when there is none, and nothing is reported to the org.
 */
export async function fetchOrgProfile(env: Env, client: RegistryClient): Promise<CachedOrgProfile> {
  const [profile, answered]: [EffectiveProfile, boolean | undefined] = await Promise.all([client.getProfile(), orgReporting(client)]);
  const reporting = answered ?? (await readCachedOrgProfile(env, client.address.address))?.reporting;
  const cached: CachedOrgProfile = { address: client.address.address, fetchedAt: env.now().toISOString(), profile, ...(reporting === undefined ? {} : { reporting }) };
  await writeFileAtomic(orgProfileCacheFile(env, cached.address), `${JSON.stringify(cached, null, 2)}\n`, { mode: 0o600 });
  return cached;
}

/** Forgets the cached profile of `address` (logout, `login --no-profile`). */
export async function forgetOrgProfile(env: Env, address: string): Promise<void> {
  await rm(orgProfileCacheFile(env, address), { force: true });
}
