import { isSkillsyncError, SkillsyncError } from '@skillsync/core';
import type { OrgSettings, VersionDetail } from '@skillsync/registry';
import { isIntegrity, parseSignature, readPackage, readPackageSkill, verifyIntegrity, verifyPackageSignature, type PackageSignature } from '@skillsync/store';
import type { Kysely } from 'kysely';
import semver from 'semver';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { holdsNul, notFound } from '../http/validate.js';
import { readOrgSettings, teamExists } from '../identity/index.js';
import { ORG_SCOPE, scopeOfTeam } from '../scopes.js';
import type { Caller, ServerContext } from '../server-context.js';
import { isPrerelease, packageTarget, setDistTag, setLatest, touchSkill, versionDetailOf, type SkillRow, type VersionRow } from './skill-rows.js';

export interface PublishRequest {
  readonly caller: Caller;
  /** `{name}` and `{version}` of the URL: the package must be exactly this. */
  readonly name: string;
  readonly version: string;
  /** The dist-tag to point at the new version. */
  readonly tag: string;
  /** Whether the client named the tag: a prerelease moves `latest` only when asked to by name. */
  readonly tagRequested: boolean;
  /** `?team=`: a new skill is visible to this team only. */
  readonly team: string | undefined;
  readonly tarball: Uint8Array;
  /** `x-skillsync-integrity`: what the publisher computed. */
  readonly integrity: string | undefined;
  /** `x-skillsync-signature`: base64 of the `.sig` JSON. */
  readonly signature: string | undefined;
}

/** Longer than any `.sig` JSON in base64, short enough to refuse garbage before decoding it. */
const SIGNATURE_HEADER_MAX = 1024;

/**
 * Publishes one version: everything about the request and the package is checked before
 * anything is written (size, integrity, identity, signature, with install's reader and
 * limits), then blob, skill, version and dist-tag are written in one transaction, so a
 * version is either fully published or absent. Two publishes of one version race to the
 * version's insert: the one that loses gets VERSION_ALREADY_PUBLISHED and writes nothing.
 */
export async function publishPackage(server: ServerContext, request: PublishRequest): Promise<VersionDetail> {
  const { caller, name, version } = request;
  if (request.tarball.byteLength > server.limits.packageBytes) {
    throw new SkillsyncError('SERVER_PAYLOAD_TOO_LARGE', `The package is larger than this server accepts (${server.limits.packageBytes} bytes).`, {
      details: { limit: server.limits.packageBytes },
    });
  }
  const declared = declaredIntegrity(request.integrity);
  const signature = request.signature === undefined ? undefined : decodeSignature(request.signature);
  // Before reading the package: a caller who may not publish here, or a version that is taken, costs no unpacking.
  const existing = await authorizePublish(server, server.db, request);
  if (existing !== undefined && (await versionExists(server.db, existing, version))) throw alreadyPublished(name, version);

  const contents = await readPackage(request.tarball);
  verifyIntegrity(contents.integrity, declared);
  const skill = readPackageSkill(contents, `${name}@${version}`);
  const parsedVersion = semver.parse(skill.version);
  if (parsedVersion !== null && parsedVersion.build.length > 0) {
    throw new SkillsyncError('INVALID_INPUT', `The package's version ${skill.version} carries build metadata (+…), which versions are not told apart by: it would be a second ${parsedVersion.version}.`, {
      hint: 'Drop the +… part of metadata.version in SKILL.md (use a prerelease such as 1.2.0-rc.1 to tell builds apart), pack again and publish.',
      details: { name, version: skill.version },
    });
  }
  if (skill.name !== name || skill.version !== version) {
    throw new SkillsyncError('INVALID_INPUT', `The package is ${skill.name}@${skill.version}, not ${name}@${version} as the address says.`, {
      hint: 'Publish to the address of the name and metadata.version in its SKILL.md.',
      details: { expected: `${name}@${version}`, actual: `${skill.name}@${skill.version}` },
    });
  }
  if (holdsNul(skill.description)) {
    throw new SkillsyncError('SKILL_DESCRIPTION_INVALID', `The description of ${name}@${version} holds a NUL character (U+0000), which the registry does not store.`, {
      hint: 'Remove it from the description in SKILL.md and pack again.',
      details: { name, version },
    });
  }
  const settings = await readOrgSettings(server.db, caller.org);
  if (settings === undefined) throw notFound('org', caller.org);
  checkSignature(contents.integrity, signature, settings);

  const now = server.now().toISOString();
  const fields: Omit<VersionRow, 'size'> = {
    org: caller.org,
    name,
    version,
    integrity: contents.integrity,
    description: skill.description,
    signature: signature === undefined ? null : JSON.stringify(signature),
    status: 'active',
    status_message: null,
    published_at: now,
    published_by: caller.user,
    updated_at: now,
  };
  const row = await writeTransaction(server, async (db): Promise<VersionRow> => {
    // Again under the write lock: the skill may have been created (or its first version published) since the check above.
    const current = await authorizePublish(server, db, request);
    if (current === undefined) {
      await db
        .insertInto('skills')
        .values({ org: caller.org, name, description: skill.description, visibility: scopeOfTeam(request.team), created_at: now, updated_at: now })
        .execute();
    }
    // The size of the bytes the store holds (and serves), which are another upload's when this package was stored before.
    const written: VersionRow = { ...fields, size: await server.blobs.put(db, contents.integrity, request.tarball) };
    const inserted = await db
      .insertInto('skill_versions')
      .values(written)
      .onConflict((conflict) => conflict.columns(['org', 'name', 'version']).doNothing())
      .executeTakeFirst();
    if (inserted.numInsertedOrUpdatedRows === 0n) throw alreadyPublished(name, version);
    const target = { org: caller.org, name };
    if (request.tag !== 'latest') await setDistTag(db, target, request.tag, version);
    else if (request.tagRequested || !isPrerelease(version)) await setLatest(db, target, written);
    await touchSkill(db, target, now);
    return written;
  });
  // The version is committed whatever happens to the notification; subscribers re-read when they reconnect.
  await server.events.publish(caller.org, 'package', { org: caller.org, name, version, status: 'active' }).catch(() => undefined);
  return versionDetailOf(row);
}

/**
 * May `caller` publish this skill, and into what? First, whether they may publish at all
 * (to the org or to one of their teams): one who may not is refused alike for every name,
 * so a hidden skill's name and a new one get the same answer. An existing skill keeps the
 * visibility of its first publish (SERVER_NOT_FOUND when the caller cannot see it); a new
 * one is visible to `?team=` (a team that exists) or to the org. Returns the existing skill.
 */
async function authorizePublish(server: ServerContext, db: Kysely<ServerTables>, request: PublishRequest): Promise<SkillRow | undefined> {
  const { caller, name, team } = request;
  const publishable = [undefined, ...caller.teams.keys()].filter((scopeTeam) => server.authorizer.allows(caller, 'publishPackage', packageTarget(name, scopeOfTeam(scopeTeam))));
  if (publishable.length === 0) {
    throw new SkillsyncError('SERVER_FORBIDDEN', `Your role or token does not allow publishing in ${caller.org}.`, { details: { action: 'publishPackage' } });
  }
  const skill = await db.selectFrom('skills').selectAll().where('org', '=', caller.org).where('name', '=', name).executeTakeFirst();
  if (skill !== undefined) {
    const target = packageTarget(name, skill.visibility);
    if (!server.authorizer.allows(caller, 'readPackage', target)) throw notFound('skill', name);
    if (team !== undefined && scopeOfTeam(team) !== skill.visibility) {
      throw new SkillsyncError('SERVER_CONFLICT', `${name} is visible to ${skill.visibility}: a skill keeps the visibility of its first publish.`, {
        hint: 'Publish without ?team= (or with the team it already belongs to).',
        details: { name, visibility: skill.visibility },
      });
    }
    server.authorizer.require(caller, 'publishPackage', target);
    return skill;
  }
  if (team !== undefined && !(await teamExists(db, caller.org, team))) throw notFound('team', team);
  const visibility = scopeOfTeam(team);
  if (!server.authorizer.allows(caller, 'publishPackage', packageTarget(name, visibility))) {
    const ownTeams = publishable.filter((own) => own !== undefined);
    throw new SkillsyncError('SERVER_FORBIDDEN', `Your role or token does not allow publishing ${name} to ${visibility === ORG_SCOPE ? 'the whole org' : `team ${team ?? ''}`}.`, {
      details: { action: 'publishPackage', visibility },
      ...(visibility === ORG_SCOPE && ownTeams.length > 0 ? { hint: `You publish for your team: add ?team=${ownTeams.join(' or ?team=')} to make it that team's skill.` } : {}),
    });
  }
  return undefined;
}

/** Compared as semver precedence sees it (build metadata dropped), not as raw text, which could tell `1.0.0+x` from `1.0.0`. */
async function versionExists(db: Kysely<ServerTables>, skill: SkillRow, version: string): Promise<boolean> {
  const comparable = semver.parse(version)?.version ?? version;
  const row = await db.selectFrom('skill_versions').select('version').where('org', '=', skill.org).where('name', '=', skill.name).where('version', '=', comparable).executeTakeFirst();
  return row !== undefined;
}

function alreadyPublished(name: string, version: string): SkillsyncError {
  return new SkillsyncError('VERSION_ALREADY_PUBLISHED', `${name}@${version} is already published; published versions never change.`, { details: { name, version } });
}

function declaredIntegrity(header: string | undefined): string {
  if (header === undefined || !isIntegrity(header)) {
    throw new SkillsyncError('INVALID_INPUT', 'The x-skillsync-integrity header is missing or is not a sha512-<base64> integrity.', {
      hint: 'Send the integrity `skillsync pack` computed for the package (the registry client does).',
    });
  }
  return header;
}

function decodeSignature(header: string): PackageSignature {
  if (header.length > SIGNATURE_HEADER_MAX || !/^[A-Za-z0-9+/]*={0,2}$/.test(header)) {
    throw new SkillsyncError('SIGNATURE_INVALID', 'The x-skillsync-signature header is not the base64 of a .sig file.');
  }
  return parseSignature(Buffer.from(header, 'base64').toString('utf8'));
}

/**
 * An org that requires signatures takes only packages signed by one of its trusted keys.
 * Any org checks a signature made by a trusted key (a bad one is refused rather than
 * stored); one by a key the org does not list is kept unchecked when signatures are
 * optional, for installers that trust that key to check.
 */
function checkSignature(integrity: string, signature: PackageSignature | undefined, settings: OrgSettings): void {
  if (signature === undefined) {
    if (settings.requireSignatures) {
      throw new SkillsyncError('SIGNATURE_MISSING', 'This org takes only signed packages, and this one came without x-skillsync-signature.', {
        hint: 'Sign the package with a key the org trusts and send the base64 of its .sig in x-skillsync-signature.',
      });
    }
    return;
  }
  try {
    verifyPackageSignature(integrity, signature, settings.trustedKeys);
  } catch (error) {
    if (!settings.requireSignatures && isSkillsyncError(error) && error.code === 'SIGNATURE_UNTRUSTED_KEY') return;
    throw error;
  }
}
