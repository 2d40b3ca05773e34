import { SkillsyncError } from '@skillsync/core';
import { API_PREFIX, pageQuery, tokenCreate, type Role, type TokenInfo } from '@skillsync/registry';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { writeTransaction } from '../db/server-transaction.js';
import type { ServerTables } from '../db/tables.js';
import { decodeCursor, pageOf } from '../http/pagination.js';
import { jsonBody, notFound, pathParam, queryOf, requireOwnOrg } from '../http/validate.js';
import type { Authorizer, Caller, RouteModule } from '../server-context.js';
import { insertApiToken, parseScopes, tokenInfoOf } from './api-tokens.js';
import { roleOf } from './member-routes.js';

const tokenId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/**
 * A token acts with its user's role: whoever handles an owner's tokens holds the owner's
 * powers, so another owner's tokens are for manageOrg (owners) only, past manageTokens.
 */
function mayHandleTokensOf(authorizer: Authorizer, caller: Caller, owner: string, ownerRole: Role): boolean {
  return owner === caller.user || ownerRole !== 'owner' || authorizer.allows(caller, 'manageOrg');
}

/**
 * `GET|POST /orgs/{org}/tokens`, `DELETE /orgs/{org}/tokens/{id}`. Everyone creates,
 * lists and revokes their own tokens, never stronger than the token at hand; others'
 * need manageTokens (rbac.cedar), and an owner's need manageOrg too. A created token is
 * in the response once; lists never hold a token or its hash. A member holds at most
 * `limits.tokensPerMember` active tokens.
 */
export const tokenRoutes: RouteModule = (app, server) => {
  const { authorizer } = server;

  app.post(`${API_PREFIX}/orgs/:org/tokens`, async (c) => {
    const caller = requireOwnOrg(c);
    const request = await jsonBody(c, tokenCreate);
    const owner = request.user ?? caller.user;
    authorizer.require(caller, 'manageTokens', { token: { owner, scopes: request.scopes } });
    const created = await writeTransaction(server, async (db) => {
      const ownerRole = await roleOf(db, caller.org, owner);
      if (ownerRole === undefined) throw notFound('member', owner);
      if (!mayHandleTokensOf(authorizer, caller, owner, ownerRole)) {
        throw new SkillsyncError('SERVER_FORBIDDEN', `Only an owner may create a token for the owner ${owner}.`, { details: { action: 'manageOrg' } });
      }
      const now = server.now();
      const active = await activeTokenCount(db, caller.org, owner, now);
      if (active >= server.limits.tokensPerMember) {
        throw new SkillsyncError('SERVER_CONFLICT', `${owner} already holds ${active} active tokens, the most this server allows one member.`, {
          hint: 'Revoke tokens no longer in use (GET /orgs/{org}/tokens lists them, DELETE /orgs/{org}/tokens/{id} revokes one), then create this one.',
          details: { user: owner, tokens: active, limit: server.limits.tokensPerMember },
        });
      }
      return insertApiToken(db, { org: caller.org, user: owner, name: request.name, scopes: request.scopes, expiresInDays: request.expiresInDays, now });
    });
    return c.json(created, 201);
  });

  app.get(`${API_PREFIX}/orgs/:org/tokens`, async (c) => {
    const caller = requireOwnOrg(c);
    const everyone = authorizer.allows(caller, 'manageTokens');
    if (!everyone) authorizer.require(caller, 'manageTokens', { token: { owner: caller.user, scopes: [] } });
    const owners = everyone && authorizer.allows(caller, 'manageOrg');
    const { limit, cursor } = queryOf(c, pageQuery);
    const after = cursor === undefined ? undefined : decodeCursor(cursor, 1)[0];
    const rows = await server.db
      .selectFrom('tokens')
      .innerJoin('org_members', (join) => join.onRef('org_members.org', '=', 'tokens.org').onRef('org_members.user', '=', 'tokens.user'))
      .select(['tokens.id', 'tokens.name', 'tokens.user', 'tokens.scopes', 'tokens.created_at', 'tokens.expires_at', 'tokens.last_used_at'])
      .where('tokens.org', '=', caller.org)
      .where('tokens.revoked_at', 'is', null)
      .$if(!everyone, (query) => query.where('tokens.user', '=', caller.user))
      .$if(everyone && !owners, (query) => query.where((eb) => eb.or([eb('tokens.user', '=', caller.user), eb('org_members.role', '!=', 'owner')])))
      .$if(after !== undefined, (query) => query.where('tokens.id', '>', after ?? ''))
      .orderBy('tokens.id')
      .limit(limit + 1)
      .execute();
    const page = pageOf(rows, limit, (row) => [row.id]);
    return c.json({ tokens: page.items.map((row): TokenInfo => tokenInfoOf(row)), metadata: page.metadata });
  });

  app.delete(`${API_PREFIX}/orgs/:org/tokens/:id`, async (c) => {
    const caller = requireOwnOrg(c);
    const id = pathParam(c, 'id', tokenId);
    await writeTransaction(server, async (db) => {
      const row = await db
        .selectFrom('tokens')
        .innerJoin('org_members', (join) => join.onRef('org_members.org', '=', 'tokens.org').onRef('org_members.user', '=', 'tokens.user'))
        .select(['tokens.user', 'tokens.scopes', 'org_members.role'])
        .where('tokens.org', '=', caller.org)
        .where('tokens.id', '=', id)
        .where('tokens.revoked_at', 'is', null)
        .executeTakeFirst();
      if (row === undefined) throw notFound('token', id);
      const target = { owner: row.user, scopes: parseScopes(row.scopes), id };
      // Another member's token the caller may not manage (the list does not show it) is not theirs to know of.
      const theirs = target.owner !== caller.user;
      if (theirs && !(authorizer.allows(caller, 'manageTokens', { token: target }) && mayHandleTokensOf(authorizer, caller, target.owner, row.role as Role))) throw notFound('token', id);
      authorizer.require(caller, 'manageTokens', { token: target });
      await db.updateTable('tokens').set({ revoked_at: server.now().toISOString() }).where('id', '=', id).execute();
    });
    return c.body(null, 204);
  });
};

/** The member's tokens that still work: not revoked, not expired. */
async function activeTokenCount(db: Kysely<ServerTables>, org: string, user: string, now: Date): Promise<number> {
  const row = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('tokens'))
    .where('org', '=', org)
    .where('user', '=', user)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(row?.tokens ?? 0);
}
