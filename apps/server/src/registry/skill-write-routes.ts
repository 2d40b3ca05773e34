import { SkillsyncError } from '@skillsync/core';
import { distTag, distTagPut, exactVersion, publishHeaders, publishQuery, skillName, versionStatusPatch, type SkillDetail, type VersionDetail } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { jsonBody, notFound, pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import type { RouteModule } from '../server-context.js';
import { publishPackage } from './publish-package.js';
import { SKILL_PATH, VERSION_PATH } from './skill-read-routes.js';
import {
  bySemverDescending,
  distTagsOf,
  findManageableSkill,
  findReadableSkill,
  findVersion,
  isPrerelease,
  setDistTag,
  setLatest,
  skillDetailOf,
  touchSkill,
  versionDetailOf,
  type SkillRow,
  type VersionRow,
} from './skill-rows.js';

/** Publish, yank / deprecate, and dist-tags (which answer with the skill's detail). */
export const skillWriteRoutes: RouteModule = (app, server) => {
  app.put(VERSION_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    const query = queryOf(c, publishQuery);
    const detail = await publishPackage(server, {
      caller,
      name: pathParam(c, 'name', skillName),
      version: pathParam(c, 'version', exactVersion),
      tag: query.tag,
      tagRequested: c.req.query('tag') !== undefined,
      team: query.team,
      tarball: new Uint8Array(await c.req.arrayBuffer()),
      integrity: c.req.header(publishHeaders.integrity),
      signature: c.req.header(publishHeaders.signature),
    });
    return c.json(detail satisfies VersionDetail, 201);
  });

  app.patch(VERSION_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    const name = pathParam(c, 'name', skillName);
    const version = pathParam(c, 'version', exactVersion);
    const { status, statusMessage } = await jsonBody(c, versionStatusPatch);
    const now = server.now().toISOString();
    const updated = await writeTransaction(server, async (db) => {
      const skill = await findManageableSkill(server, db, caller, name);
      const current = await findVersion(db, skill, version);
      if (current.status === 'yanked' && status !== 'yanked') {
        throw new SkillsyncError('SERVER_CONFLICT', `${name}@${version} is yanked, and a yank is final.`, {
          hint: 'Publish a new version instead.',
          details: { name, version },
        });
      }
      const row: VersionRow = { ...current, status, status_message: statusMessage ?? null, updated_at: now };
      await db
        .updateTable('skill_versions')
        .set({ status: row.status, status_message: row.status_message, updated_at: now })
        .where('org', '=', skill.org)
        .where('name', '=', skill.name)
        .where('version', '=', version)
        .execute();
      if (status === 'yanked') await untag(db, skill, version);
      await touchSkill(db, skill, now);
      return row;
    });
    // Committed whatever happens to the notification; subscribers re-read when they reconnect.
    await server.events.publish(caller.org, 'package', { org: caller.org, name, version, status }).catch(() => undefined);
    return c.json(versionDetailOf(updated) satisfies VersionDetail);
  });

  app.put(`${SKILL_PATH}/tags/:tag`, async (c) => {
    const caller = requireOwnOrg(c);
    const name = pathParam(c, 'name', skillName);
    const tag = pathParam(c, 'tag', distTag);
    const { version } = await jsonBody(c, distTagPut);
    const detail = await writeTransaction(server, async (db) => {
      const skill = await findManageableSkill(server, db, caller, name);
      const row = await findVersion(db, skill, version);
      if (row.status === 'yanked') {
        throw new SkillsyncError('SERVER_CONFLICT', `${name}@${version} is yanked: no tag may point at it.`, { details: { name, version } });
      }
      if (tag === 'latest') await setLatest(db, skill, row);
      else await setDistTag(db, skill, tag, version);
      await touchSkill(db, skill, server.now().toISOString());
      return skillDetailOf(db, await findReadableSkill(server, db, caller, name));
    });
    return c.json(detail satisfies SkillDetail);
  });

  app.delete(`${SKILL_PATH}/tags/:tag`, async (c) => {
    const caller = requireOwnOrg(c);
    const name = pathParam(c, 'name', skillName);
    const tag = pathParam(c, 'tag', distTag);
    if (tag === 'latest') {
      throw new SkillsyncError('INVALID_INPUT', 'The latest tag cannot be deleted.', { hint: 'Point it at another version with PUT …/tags/latest, or yank the version it names.' });
    }
    const detail = await writeTransaction(server, async (db) => {
      const skill = await findManageableSkill(server, db, caller, name);
      const deleted = await db.deleteFrom('dist_tags').where('org', '=', skill.org).where('name', '=', skill.name).where('tag', '=', tag).executeTakeFirst();
      if (deleted.numDeletedRows === 0n) throw notFound('tag', `${name}@${tag}`);
      await touchSkill(db, skill, server.now().toISOString());
      return skillDetailOf(db, await findReadableSkill(server, db, caller, name));
    });
    return c.json(detail satisfies SkillDetail);
  });
};

/**
 * No tag may name a yanked version: `latest` moves to the highest release left (see
 * highestRelease), or goes when there is none; every other tag that named it goes.
 */
async function untag(db: Kysely<ServerTables>, skill: SkillRow, yanked: string): Promise<void> {
  const tags = Object.entries(await distTagsOf(db, skill)).filter(([, version]) => version === yanked).map(([tag]) => tag);
  const others = tags.filter((tag) => tag !== 'latest');
  if (others.length > 0) await db.deleteFrom('dist_tags').where('org', '=', skill.org).where('name', '=', skill.name).where('tag', 'in', others).execute();
  if (tags.includes('latest')) await setLatest(db, skill, await highestRelease(db, skill));
}

/**
 * Where `latest` goes when the version it named is yanked: the highest active release (no
 * prerelease), else the highest deprecated one (it still resolves, with its warning).
 */
async function highestRelease(db: Kysely<ServerTables>, skill: SkillRow): Promise<VersionRow | undefined> {
  const releases = (await db.selectFrom('skill_versions').selectAll().where('org', '=', skill.org).where('name', '=', skill.name).where('status', '!=', 'yanked').execute())
    .filter((row) => !isPrerelease(row.version))
    .sort(bySemverDescending);
  return releases.find((row) => row.status === 'active') ?? releases.find((row) => row.status === 'deprecated');
}
