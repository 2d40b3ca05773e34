import {
  API_PREFIX,
  exactVersion,
  listQuery,
  skillName,
  skillSearchQuery,
  type SkillSummary,
  type VersionDetail,
  type VersionSummary,
} from '@skillsync/registry';
import type { Context } from 'hono';
import { z } from 'zod';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import type { RouteModule, ServerEnv } from '../server-context.js';
import { containsIgnoringCase, storedTimestamp } from './list-filters.js';
import { findReadableSkill, findVersion, missingBlob, readableVisibilities, skillDetailOf, skillSummaryOf, versionDetailOf, versionSummaryOf } from './skill-rows.js';

export const SKILL_PATH = `${API_PREFIX}/orgs/:org/skills/:name`;
export const VERSION_PATH = `${SKILL_PATH}/versions/:version`;

/** `{version}` of a read: an exact version or `latest`. */
export const versionOrLatest = z.union([z.literal('latest'), exactVersion]);

/** A version's bytes never change: a download by exact version may be kept for good (by this caller only: it needed a token). */
const IMMUTABLE = 'private, max-age=31536000, immutable';

/** Search, metadata and download: every read filters by what the caller may see (SERVER_NOT_FOUND otherwise). */
export const skillReadRoutes: RouteModule = (app, server) => {
  app.get(`${API_PREFIX}/orgs/:org/skills`, async (c) => {
    const caller = requireOwnOrg(c);
    const query = queryOf(c, skillSearchQuery);
    const visible = await readableVisibilities(server, server.db, caller);
    if (visible.length === 0) return c.json({ skills: [], metadata: { count: 0 } });
    let select = server.db
      .selectFrom('skills')
      .leftJoin('dist_tags', (join) => join.onRef('dist_tags.org', '=', 'skills.org').onRef('dist_tags.name', '=', 'skills.name').on('dist_tags.tag', '=', 'latest'))
      .select(['skills.name', 'skills.description', 'skills.visibility', 'skills.updated_at', 'dist_tags.version as latest'])
      .where('skills.org', '=', caller.org)
      .where('skills.visibility', 'in', visible);
    const { search, updated_since: since, cursor, limit } = query;
    if (search !== undefined && search !== '') {
      select = select.where((eb) => eb.or([containsIgnoringCase('skills.name', search), containsIgnoringCase('skills.description', search)]));
    }
    if (since !== undefined) select = select.where('skills.updated_at', '>=', storedTimestamp(since));
    if (cursor !== undefined) select = select.where('skills.name', '>', decodeCursor(cursor, 1)[0] ?? '');
    const rows = await select.orderBy('skills.name').limit(limit + 1).execute();
    const page = pageOf(rows, limit, (row) => [row.name]);
    return c.json({ skills: page.items.map(skillSummaryOf) satisfies SkillSummary[], metadata: page.metadata });
  });

  app.get(SKILL_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    const skill = await findReadableSkill(server, server.db, caller, pathParam(c, 'name', skillName));
    return c.json(await skillDetailOf(server.db, skill));
  });

  app.get(`${SKILL_PATH}/versions`, async (c) => {
    const caller = requireOwnOrg(c);
    const skill = await findReadableSkill(server, server.db, caller, pathParam(c, 'name', skillName));
    const { updated_since: since, cursor, limit } = queryOf(c, listQuery);
    // Newest publish first; (published_at, version) is unique, so pages neither skip nor repeat.
    let select = server.db.selectFrom('skill_versions').selectAll().where('org', '=', skill.org).where('name', '=', skill.name);
    if (since !== undefined) select = select.where('updated_at', '>=', storedTimestamp(since));
    if (cursor !== undefined) {
      const [publishedAt = '', version = ''] = decodeCursor(cursor, 2);
      select = select.where((eb) => eb.or([eb('published_at', '<', publishedAt), eb.and([eb('published_at', '=', publishedAt), eb('version', '<', version)])]));
    }
    const rows = await select.orderBy('published_at', 'desc').orderBy('version', 'desc').limit(limit + 1).execute();
    const page = pageOf(rows, limit, (row) => [row.published_at, row.version]);
    return c.json({ versions: page.items.map(versionSummaryOf) satisfies VersionSummary[], metadata: page.metadata });
  });

  app.get(VERSION_PATH, async (c) => {
    const caller = requireOwnOrg(c);
    const skill = await findReadableSkill(server, server.db, caller, pathParam(c, 'name', skillName));
    const row = await findVersion(server.db, skill, pathParam(c, 'version', versionOrLatest));
    return c.json(versionDetailOf(row) satisfies VersionDetail);
  });

  app.get(`${VERSION_PATH}/package`, async (c) => {
    const caller = requireOwnOrg(c);
    const skill = await findReadableSkill(server, server.db, caller, pathParam(c, 'name', skillName));
    const requested = pathParam(c, 'version', versionOrLatest);
    const row = await findVersion(server.db, skill, requested);
    const etag = `"${row.integrity}"`;
    const headers = {
      etag,
      'x-skillsync-integrity': row.integrity,
      // `latest` may point elsewhere tomorrow: revalidate (the etag makes that a 304).
      'cache-control': requested === 'latest' ? 'private, no-cache' : IMMUTABLE,
    };
    if (matchesEtag(c, etag)) return c.body(null, 304, headers);
    const bytes = await server.blobs.get(row.integrity);
    if (bytes === undefined) throw missingBlob(row);
    // Blob stores read into Buffers, never shared memory.
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, { ...headers, 'content-type': 'application/gzip', 'content-length': String(bytes.byteLength) });
  });
};

/** If-None-Match names this etag (weakly or not) or is `*`. */
function matchesEtag(c: Context<ServerEnv>, etag: string): boolean {
  const header = c.req.header('if-none-match');
  if (header === undefined) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
