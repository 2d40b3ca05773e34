import { createHash } from 'node:crypto';
import { mkdirSync, watch, type FSWatcher } from 'node:fs';
import { isRecord, parseJsonRecord, pathFor, readTextIfExists, skillsyncPaths, toSkillsyncError, type Env, type OrgProfileLayer } from '@skillsync/core';
import { profileApplies, readRegistryIndex, type EffectiveProfile, type RegistryLogin } from '@skillsync/registry';

/**
 * The org profiles that apply on this machine: one per registry the user is logged in to
 * with the profile on (`skillsync login`, unless `--no-profile`), as last fetched from
 * the server and cached in `<cache>/org-profiles/`. This module only reads the cache: it
 * is on the path of `status`, which must start fast and never touch the network;
 * `sync`, `install` and the daemon refresh it (`org-profile-refresh.ts`).
 */
export interface OrgProfiles {
  /** What the manifests stack on (`applyOrgProfiles`), in address order. */
  readonly layers: readonly OrgProfileLayer[];
  /** Every login whose profile applies, and what is known of its profile. */
  readonly profiles: readonly OrgProfileState[];
  /** The profiles' Cedar policies, for the gateway: ids `org:<org>/<policy id>`. */
  readonly policies: readonly { readonly id: string; readonly text: string }[];
  /** For people: a server that could not be reached, a profile never fetched. */
  readonly warnings: readonly string[];
}

export interface OrgProfileState {
  readonly registry: string;
  readonly org: string;
  /** `fetched`: from the server, this run; `cached`: from the cache; `none`: not known, so not applied. */
  readonly source: 'fetched' | 'cached' | 'none';
  readonly revision?: string;
  /** When the profile in use was fetched (ISO 8601). */
  readonly fetchedAt?: string;
  /** Whether the org collects parity reports and runtime audit (its `reporting` setting when the profile was fetched); absent: not known, so nothing is sent. */
  readonly reporting?: boolean;
}

/** What `<cache>/org-profiles/<hash>.json` holds. */
export interface CachedOrgProfile {
  readonly address: string;
  readonly fetchedAt: string;
  readonly profile: EffectiveProfile;
  /** The org's `reporting` setting, read with the profile (`GET /orgs/{org}`); absent when it could not be. */
  readonly reporting?: boolean;
}

export const NO_ORG_PROFILES: OrgProfiles = { layers: [], profiles: [], policies: [], warnings: [] };

/** The cache file of one registry's profile: `<cache>/org-profiles/<16 hex of sha256(address)>.json`. */
export function orgProfileCacheFile(env: Env, address: string): string {
  return pathFor(env).join(skillsyncPaths(env).cache, 'org-profiles', `${createHash('sha256').update(address).digest('hex').slice(0, 16)}.json`);
}

/**
 * The logins whose org profile applies here, or, when the login index cannot be read,
 * none and why: a damaged index must not stop `status` or a sync, only the org layer.
 */
export async function profileLoginsOrWarning(env: Env): Promise<{ readonly logins: RegistryLogin[]; readonly warning?: string }> {
  try {
    return { logins: (await readRegistryIndex(env)).filter(profileApplies) };
  } catch (error) {
    const failure = toSkillsyncError(error);
    return { logins: [], warning: `${failure.message} No org profile is applied. ${failure.hint}` };
  }
}

/**
 * The org profiles from the cache alone (no network): each login's cached profile, or a
 * warning and no layer for a login whose profile was never fetched (or whose cache file
 * is damaged). Local-first: a machine that never reached its server keeps working.
 */
export async function readOrgProfiles(env: Env): Promise<OrgProfiles> {
  const { logins, warning } = await profileLoginsOrWarning(env);
  if (warning !== undefined) return { ...NO_ORG_PROFILES, warnings: [warning] };
  if (logins.length === 0) return NO_ORG_PROFILES;
  const found = await Promise.all(logins.map(async (login) => ({ login, cached: await readCachedOrgProfile(env, login.address) })));
  return orgProfilesOf(
    found.map(({ login, cached }) =>
      cached === undefined
        ? { registry: login.address, cached: undefined, warning: `no profile of ${login.address} is cached yet, so it is not applied: \`skillsync sync\` fetches it` }
        : { registry: login.address, cached, source: 'cached' as const },
    ),
  );
}

/** One login's profile as a command found it: fetched, cached, or not at all (with why). */
export interface FoundOrgProfile {
  readonly registry: string;
  readonly cached: CachedOrgProfile | undefined;
  readonly source?: 'fetched' | 'cached';
  readonly warning?: string;
}

/** The layers, policies and states of the profiles found, in address order. */
export function orgProfilesOf(found: readonly FoundOrgProfile[]): OrgProfiles {
  const layers: OrgProfileLayer[] = [];
  const profiles: OrgProfileState[] = [];
  const policies: { id: string; text: string }[] = [];
  const warnings: string[] = [];
  for (const { registry, cached, source, warning } of [...found].sort((a, b) => (a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : 0))) {
    const org = orgOf(registry);
    if (warning !== undefined) warnings.push(warning);
    if (cached === undefined) {
      profiles.push({ registry, org, source: 'none' });
      continue;
    }
    const { profile } = cached;
    layers.push({
      address: registry,
      org,
      required: profile.required,
      blockedSkills: profile.blockedSkills,
      blockedConnectors: profile.blockedConnectors,
      ...(profile.allowedConnectors === undefined ? {} : { allowedConnectors: profile.allowedConnectors }),
      ...(profile.instructions === undefined ? {} : { instructions: profile.instructions }),
    });
    for (const policy of profile.policies) policies.push({ id: `org:${org}/${policy.id}`, text: policy.text });
    profiles.push({
      registry,
      org,
      source: source ?? 'cached',
      revision: profile.revision,
      fetchedAt: cached.fetchedAt,
      ...(cached.reporting === undefined ? {} : { reporting: cached.reporting }),
    });
  }
  return { layers, profiles, policies, warnings };
}

/** The cached profile of `address`, or undefined when there is none or it is damaged (the next refresh rewrites it). */
export async function readCachedOrgProfile(env: Env, address: string): Promise<CachedOrgProfile | undefined> {
  const text = await readTextIfExists(orgProfileCacheFile(env, address)).catch(() => undefined);
  const cached = text === undefined ? undefined : parseJsonRecord(text);
  if (cached === undefined || cached.address !== address || typeof cached.fetchedAt !== 'string' || !isCachedProfile(cached.profile)) return undefined;
  return { address, fetchedAt: cached.fetchedAt, profile: cached.profile, ...(typeof cached.reporting === 'boolean' ? { reporting: cached.reporting } : {}) };
}

/** The registries that collect reports from this machine: logins whose profile applies and whose org set `reporting: true`. */
export function reportingRegistries(profiles: readonly OrgProfileState[]): string[] {
  return profiles.filter((profile) => profile.reporting === true).map((profile) => profile.registry);
}

/** `https://host/v0.1/orgs/acme` → `acme`: the index holds canonical addresses. */
function orgOf(address: string): string {
  return address.slice(address.lastIndexOf('/') + 1);
}

/**
 * The shape of a cached profile, checked by hand: it was validated against the API's
 * schema when fetched, so this only guards against a damaged or foreign file, without
 * loading the schema library on `status`'s path.
 */
function isCachedProfile(value: unknown): value is EffectiveProfile {
  if (!isRecord(value)) return false;
  const strings = (list: unknown): boolean => Array.isArray(list) && list.every((item) => typeof item === 'string');
  const pairs = (list: unknown, keys: readonly string[]): boolean =>
    Array.isArray(list) && list.every((item) => isRecord(item) && keys.every((key) => typeof item[key] === 'string'));
  return (
    typeof value.revision === 'string' &&
    pairs(value.required, ['name', 'version']) &&
    strings(value.blockedSkills) &&
    strings(value.blockedConnectors) &&
    (value.allowedConnectors === undefined || strings(value.allowedConnectors)) &&
    pairs(value.policies, ['id', 'text']) &&
    (value.instructions === undefined || typeof value.instructions === 'string')
  );
}

/** `3 s`, `12 min`, `5 h`, `2 days`: how old a cached profile is, for a warning. */
export function describeAge(fetchedAt: string, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(fetchedAt)) / 1000));
  if (!Number.isFinite(seconds)) return 'of unknown age';
  if (seconds < 90) return `${seconds} s old`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min old`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h old`;
  return `${Math.round(seconds / 86_400)} days old`;
}

/**
 * The org profiles for a command: fetched anew (`refresh`, what `sync`, `install` and the
 * daemon do) or from the cache. The fetching code loads only when there is a login to
 * fetch for, so a command on a machine without one pays nothing for it.
 */
export async function loadOrgProfiles(env: Env, options: { readonly refresh: boolean }): Promise<OrgProfiles> {
  if (!options.refresh) return readOrgProfiles(env);
  const { logins, warning } = await profileLoginsOrWarning(env);
  if (warning !== undefined) return { ...NO_ORG_PROFILES, warnings: [warning] };
  if (logins.length === 0) return NO_ORG_PROFILES;
  return (await import('./org-profile-refresh.js')).refreshOrgProfiles(env);
}

/**
 * Calls `onChange` (debounced) whenever a cached org profile is written or removed, so a
 * running gateway takes up a profile the daemon or a sync just fetched. Does nothing
 * (and returns a no-op) where the folder cannot be watched. Never keeps the process alive.
 */
export function watchOrgProfiles(env: Env, onChange: () => void, debounceMs = 250): () => void {
  const dir = pathFor(env).dirname(orgProfileCacheFile(env, ''));
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    mkdirSync(dir, { recursive: true });
    watcher = watch(dir, () => {
      clearTimeout(timer);
      timer = setTimeout(onChange, debounceMs);
      timer.unref();
    });
  } catch {
    return () => undefined;
  }
  watcher.on('error', () => undefined);
  watcher.unref();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
