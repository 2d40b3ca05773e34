import { isRecord, pathFor, readTextIfExists, SkillsyncError, skillsyncPaths, type Env } from '@skillsync/core';

/** The index of logins, in the config folder: addresses and secret names, never a token. */
export const REGISTRY_INDEX_FILE = 'registries.json';

/** A registry this user is logged in to, as the index records it. */
export interface RegistryLogin {
  readonly address: string;
  /** The secret-store name holding its token. */
  readonly secret: string;
  readonly user: string;
  /** ISO 8601. */
  readonly savedAt: string;
  /**
   * False when the user logged in with `--no-profile`: the org's profile does not apply
   * on this machine. Absent (an index written before profiles) counts as on.
   */
  readonly profile?: boolean;
}

export function registryIndexFile(env: Env): string {
  return pathFor(env).join(skillsyncPaths(env).config, REGISTRY_INDEX_FILE);
}

/**
 * Every login the index records, in its order. Read without a schema library: `status`
 * reads it on every run to find the org profiles that apply, and must start fast.
 * INVALID_INPUT, naming the file, when it is not a login index.
 */
export async function readRegistryIndex(env: Env): Promise<RegistryLogin[]> {
  const file = registryIndexFile(env);
  const text = await readTextIfExists(file);
  if (text === undefined) return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const entries = isRecord(value) ? value.registries : undefined;
  if (!Array.isArray(entries) || !entries.every(isLogin)) {
    throw new SkillsyncError('INVALID_INPUT', `${file} is not a registry login index.`, {
      hint: 'Delete the file and log in again with `skillsync login --registry <address>`; your tokens stay in the secret store.',
      details: { path: file },
    });
  }
  return entries.map(({ address, secret, user, savedAt, profile }) => ({ address, secret, user, savedAt, ...(profile === undefined ? {} : { profile }) }));
}

/** Whether the org profile of this login applies here. */
export function profileApplies(login: RegistryLogin): boolean {
  return login.profile !== false;
}

function isLogin(value: unknown): value is RegistryLogin {
  if (!isRecord(value)) return false;
  const { address, secret, user, savedAt, profile } = value;
  return typeof address === 'string' && typeof secret === 'string' && typeof user === 'string' && typeof savedAt === 'string' && (profile === undefined || typeof profile === 'boolean');
}
