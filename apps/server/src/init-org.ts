import { SkillsyncError } from '@skillsync/core';
import { slug, type TokenCreated } from '@skillsync/registry';
import { writeTransaction } from './db/server-transaction.js';
import { insertApiToken } from './identity/api-tokens.js';
import { roleOf } from './identity/member-routes.js';
import { DEFAULT_ORG_SETTINGS } from './identity/org-settings.js';
import type { ServerContext } from './server-context.js';

export interface InitOrgRequest {
  readonly org: string;
  /** The first owner, created when new. */
  readonly owner: string;
}

export interface InitOrgResult {
  readonly org: string;
  readonly owner: string;
  /** The owner's token (scope admin, 90 days): its text is here and nowhere else. */
  readonly token: TokenCreated;
}

const OWNER_TOKEN_DAYS = 90;

/**
 * Creates an org with default settings, its first owner and an admin-scoped token for
 * them, in one transaction: the way into a new server, since every route needs a token.
 * SERVER_CONFLICT when the org exists.
 */
export async function initOrg(server: Pick<ServerContext, 'database' | 'now'>, request: InitOrgRequest): Promise<InitOrgResult> {
  requireSlugs({ org: request.org, owner: request.owner });
  const now = server.now();
  const token = await writeTransaction(server, async (db) => {
    const existing = await db.selectFrom('orgs').select('org').where('org', '=', request.org).executeTakeFirst();
    if (existing !== undefined) {
      throw new SkillsyncError('SERVER_CONFLICT', `The org ${request.org} already exists on this server.`, {
        hint: 'Pick another org name, or ask one of its owners for a token.',
        details: { org: request.org },
      });
    }
    const at = now.toISOString();
    await db.insertInto('orgs').values({ org: request.org, settings: JSON.stringify(DEFAULT_ORG_SETTINGS), created_at: at }).execute();
    await db.insertInto('users').values({ user: request.owner, created_at: at }).onConflict((conflict) => conflict.column('user').doNothing()).execute();
    await db.insertInto('org_members').values({ org: request.org, user: request.owner, role: 'owner', created_at: at }).execute();
    return insertApiToken(db, { org: request.org, user: request.owner, name: 'owner (server init)', scopes: ['admin'], expiresInDays: OWNER_TOKEN_DAYS, now });
  });
  return { org: request.org, owner: request.owner, token };
}

export interface IssueOwnerTokenRequest {
  readonly org: string;
  /** An owner of the org. */
  readonly user: string;
}

/**
 * A new admin-scoped token (90 days) for an owner of an existing org, made straight in the
 * database: the way back in when every owner token is lost or expired, for whoever runs the
 * server (and so holds its database). SERVER_NOT_FOUND when there is no such org or member,
 * SERVER_FORBIDDEN when the member is not an owner. The per-member token limit does not
 * apply: an owner who lost their tokens cannot revoke them.
 */
export async function issueOwnerToken(server: Pick<ServerContext, 'database' | 'now'>, request: IssueOwnerTokenRequest): Promise<TokenCreated> {
  requireSlugs({ org: request.org, user: request.user });
  const now = server.now();
  return writeTransaction(server, async (db) => {
    const org = await db.selectFrom('orgs').select('org').where('org', '=', request.org).executeTakeFirst();
    if (org === undefined) {
      throw new SkillsyncError('SERVER_NOT_FOUND', `There is no org ${request.org} on this server.`, { hint: 'Create it with `skillsync server init`, or pass the --database the server uses.', details: { org: request.org } });
    }
    const role = await roleOf(db, request.org, request.user);
    if (role === undefined) throw new SkillsyncError('SERVER_NOT_FOUND', `${request.user} is not a member of ${request.org}.`, { details: { org: request.org, user: request.user } });
    if (role !== 'owner') {
      throw new SkillsyncError('SERVER_FORBIDDEN', `${request.user} is not an owner of ${request.org} (their role is ${role}): only owners get a token this way.`, {
        hint: 'Name an owner (GET /orgs/{org}/members lists them); an owner gives other members their tokens.',
        details: { org: request.org, user: request.user, role },
      });
    }
    return insertApiToken(db, { org: request.org, user: request.user, name: 'owner (server token)', scopes: ['admin'], expiresInDays: OWNER_TOKEN_DAYS, now });
  });
}

function requireSlugs(values: Readonly<Record<string, string>>): void {
  for (const [what, value] of Object.entries(values)) {
    if (!slug.safeParse(value).success) {
      throw new SkillsyncError('INVALID_INPUT', `${what} ${JSON.stringify(value)} is not a slug: 1–40 lowercase letters, digits or inner hyphens.`, { details: { [what]: value } });
    }
  }
}
