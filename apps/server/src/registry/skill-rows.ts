import { SkillsyncError } from '@skillsync/core';
import type { SkillDetail, SkillSummary, VersionDetail, VersionStatus, VersionSummary } from '@skillsync/registry';
import type { PackageSignature } from '@skillsync/store';
import type { Kysely, Selectable } from 'kysely';
import semver from 'semver';
import type { ServerTables, SkillsTable, SkillVersionsTable } from '../db/tables.js';
import { ORG_SCOPE, scopeOfTeam } from '../scopes.js';
import type { ActionTarget, Caller, ServerContext } from '../server-context.js';
import { notFound } from '../http/validate.js';

export type SkillRow = Selectable<SkillsTable>;
export type VersionRow = Selectable<SkillVersionsTable>;

/** What the authorizer decides package actions on: the skill and who may see it. */
export function packageTarget(name: string, visibility: string): ActionTarget {
  return { name, visibility };
}

/**
 * The visibilities whose packages `caller` may read: `org`, and `team:<t>` for each team
 * of the org the policy lets them read (their own teams; every team for an org owner,
 * admin or auditor). Lists filter on it in SQL, so a page never holds what the caller
 * may not see and its count is right.
 */
export async function readableVisibilities(server: ServerContext, db: Kysely<ServerTables>, caller: Caller): Promise<string[]> {
  const teams = await db.selectFrom('teams').select('team').where('org', '=', caller.org).execute();
  return [ORG_SCOPE, ...teams.map(({ team }) => scopeOfTeam(team))].filter((visibility) =>
    server.authorizer.allows(caller, 'readPackage', { visibility }),
  );
}

/** The skill, when it exists and `caller` may read it; SERVER_NOT_FOUND either way otherwise. */
export async function findReadableSkill(server: ServerContext, db: Kysely<ServerTables>, caller: Caller, name: string): Promise<SkillRow> {
  const skill = await db.selectFrom('skills').selectAll().where('org', '=', caller.org).where('name', '=', name).executeTakeFirst();
  if (skill === undefined || !server.authorizer.allows(caller, 'readPackage', packageTarget(name, skill.visibility))) throw notFound('skill', name);
  return skill;
}

/** The skill, readable by `caller` and manageable by them (yank, deprecate, dist-tags), else SERVER_NOT_FOUND / SERVER_FORBIDDEN. */
export async function findManageableSkill(server: ServerContext, db: Kysely<ServerTables>, caller: Caller, name: string): Promise<SkillRow> {
  const skill = await findReadableSkill(server, db, caller, name);
  server.authorizer.require(caller, 'managePackage', packageTarget(name, skill.visibility));
  return skill;
}

/** The version `version` names: an exact version, or `latest` (the `latest` dist-tag). SERVER_NOT_FOUND when there is none. */
export async function findVersion(db: Kysely<ServerTables>, skill: SkillRow, version: string): Promise<VersionRow> {
  const exact = version === 'latest' ? (await distTagsOf(db, skill)).latest : version;
  const row =
    exact === undefined
      ? undefined
      : await db
          .selectFrom('skill_versions')
          .selectAll()
          .where('org', '=', skill.org)
          .where('name', '=', skill.name)
          .where('version', '=', exact)
          .executeTakeFirst();
  if (row === undefined) throw notFound('version', `${skill.name}@${version}`);
  return row;
}

export async function distTagsOf(db: Kysely<ServerTables>, skill: Pick<SkillRow, 'org' | 'name'>): Promise<Record<string, string>> {
  const rows = await db.selectFrom('dist_tags').select(['tag', 'version']).where('org', '=', skill.org).where('name', '=', skill.name).orderBy('tag').execute();
  return Object.fromEntries(rows.map((row) => [row.tag, row.version]));
}

/** Newest first by semver precedence. */
export function bySemverDescending(a: Pick<VersionRow, 'version'>, b: Pick<VersionRow, 'version'>): number {
  return semver.rcompare(a.version, b.version);
}

export function isPrerelease(version: string): boolean {
  return semver.prerelease(version) !== null;
}

/** Points `latest` at `version` (the skill then shows that version's description), or removes it when undefined. */
export async function setLatest(db: Kysely<ServerTables>, skill: Pick<SkillRow, 'org' | 'name'>, version: VersionRow | undefined): Promise<void> {
  const { org, name } = skill;
  if (version === undefined) {
    await db.deleteFrom('dist_tags').where('org', '=', org).where('name', '=', name).where('tag', '=', 'latest').execute();
    return;
  }
  await setDistTag(db, skill, 'latest', version.version);
  await db.updateTable('skills').set({ description: version.description }).where('org', '=', org).where('name', '=', name).execute();
}

/** Marks the skill changed, for `?updated_since=`. */
export async function touchSkill(db: Kysely<ServerTables>, skill: Pick<SkillRow, 'org' | 'name'>, now: string): Promise<void> {
  await db.updateTable('skills').set({ updated_at: now }).where('org', '=', skill.org).where('name', '=', skill.name).execute();
}

export async function setDistTag(db: Kysely<ServerTables>, skill: Pick<SkillRow, 'org' | 'name'>, tag: string, version: string): Promise<void> {
  await db
    .insertInto('dist_tags')
    .values({ org: skill.org, name: skill.name, tag, version })
    .onConflict((conflict) => conflict.columns(['org', 'name', 'tag']).doUpdateSet({ version }))
    .execute();
}

export function skillSummaryOf(row: Pick<SkillRow, 'name' | 'description' | 'visibility' | 'updated_at'> & { latest: string | null }): SkillSummary {
  return {
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    ...(row.latest === null ? {} : { latest: row.latest }),
    updatedAt: row.updated_at,
  };
}

/** The skill with its dist-tags and every version, newest first. */
export async function skillDetailOf(db: Kysely<ServerTables>, skill: SkillRow): Promise<SkillDetail> {
  const [distTags, versions] = await Promise.all([
    distTagsOf(db, skill),
    db.selectFrom('skill_versions').selectAll().where('org', '=', skill.org).where('name', '=', skill.name).execute(),
  ]);
  return {
    ...skillSummaryOf({ ...skill, latest: distTags.latest ?? null }),
    distTags,
    versions: versions.sort(bySemverDescending).map(versionSummaryOf),
  };
}

export function versionSummaryOf(row: VersionRow): VersionSummary {
  return {
    version: row.version,
    integrity: row.integrity,
    status: row.status as VersionStatus,
    ...(row.status_message === null ? {} : { statusMessage: row.status_message }),
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    signed: row.signature !== null,
  };
}

export function versionDetailOf(row: VersionRow): VersionDetail {
  return {
    ...versionSummaryOf(row),
    name: row.name,
    description: row.description,
    size: row.size,
    ...(row.signature === null ? {} : { signature: JSON.parse(row.signature) as PackageSignature }),
  };
}

/** A version the database names whose bytes the blob store lacks: the server's fault, never the caller's. */
export function missingBlob(row: VersionRow): SkillsyncError {
  return new SkillsyncError('STORE_CORRUPT', `The package bytes of ${row.name}@${row.version} (${row.integrity}) are missing from the blob store.`, {
    hint: 'Restore the blob store from a backup: the database names a package it does not hold.',
    details: { name: row.name, version: row.version, integrity: row.integrity },
  });
}
