import { profile, type EffectiveProfile } from '@skillsync/registry';
import type { Kysely, Selectable } from 'kysely';
import type { ProfilesTable, ServerTables } from '../db/tables.js';
import { ORG_SCOPE, scopeOfTeam } from '../scopes.js';
import { mergeProfiles, type ScopeProfile } from './merge-profiles.js';

/** A stored row as a ScopeProfile. Only this module writes the column, always through the schema: anything else is damage. */
export function scopeProfileOf(row: Pick<Selectable<ProfilesTable>, 'org' | 'scope' | 'revision' | 'profile'>): ScopeProfile {
  const parsed = profile.safeParse(JSON.parse(row.profile));
  if (!parsed.success) throw new Error(`The ${row.scope} profile of org ${row.org} in the database does not match the schema.`);
  return { scope: row.scope, revision: row.revision, profile: parsed.data };
}

/** Every profile the org has, by scope. `db` may be a transaction. */
export async function readOrgProfiles(db: Kysely<ServerTables>, org: string): Promise<ReadonlyMap<string, ScopeProfile>> {
  const rows = await db.selectFrom('profiles').select(['org', 'scope', 'revision', 'profile']).where('org', '=', org).execute();
  return new Map(rows.map((row) => [row.scope, scopeProfileOf(row)]));
}

/** The effective profile of a member of `teams`, out of the org's profiles. */
export function effectiveProfileOf(profiles: ReadonlyMap<string, ScopeProfile>, teams: Iterable<string>): EffectiveProfile {
  const teamProfiles = [...teams].flatMap((team) => {
    const found = profiles.get(scopeOfTeam(team));
    return found === undefined ? [] : [found];
  });
  return mergeProfiles(profiles.get(ORG_SCOPE), teamProfiles);
}
