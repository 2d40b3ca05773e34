import { createHash, randomBytes } from 'node:crypto';
import { API_TOKEN_PREFIX, isApiTokenShape, TOKEN_SCOPES, type TokenCreated, type TokenInfo, type TokenScope } from '@skillsync/registry';
import type { Kysely, Selectable } from 'kysely';
import type { ServerTables, TokensTable } from '../db/tables.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The token's row is looked up by this hash; text of any other shape is no token and never reaches the database. */
export function tokenLookupHash(token: string): string | undefined {
  return isApiTokenShape(token) ? hashApiToken(token) : undefined;
}

/** What the database keeps of a token: its SHA-256, hex. 256 random bits need no salt or slow hash. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface NewApiToken {
  readonly org: string;
  readonly user: string;
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly expiresInDays: number;
  readonly now: Date;
}

/**
 * Creates a token for a member and returns it, the only time its text exists outside the
 * caller's hands: the row holds its hash. `db` may be a transaction.
 */
export async function insertApiToken(db: Kysely<ServerTables>, request: NewApiToken): Promise<TokenCreated> {
  const token = `${API_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const row: Selectable<TokensTable> = {
    id: randomBytes(9).toString('base64url'),
    org: request.org,
    user: request.user,
    name: request.name,
    hash: hashApiToken(token),
    scopes: JSON.stringify([...new Set(request.scopes)]),
    created_at: request.now.toISOString(),
    expires_at: new Date(request.now.getTime() + request.expiresInDays * DAY_MS).toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  await db.insertInto('tokens').values(row).execute();
  return { ...tokenInfoOf(row), token };
}

/** A token row as the API shows it: never its hash. */
export function tokenInfoOf(row: Pick<Selectable<TokensTable>, 'id' | 'name' | 'user' | 'scopes' | 'created_at' | 'expires_at' | 'last_used_at'>): TokenInfo {
  return {
    id: row.id,
    name: row.name,
    user: row.user,
    scopes: parseScopes(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    ...(row.last_used_at === null ? {} : { lastUsedAt: row.last_used_at }),
  };
}

/** The scopes column; anything unexpected in it grants nothing. */
export function parseScopes(text: string): TokenScope[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return [];
  }
  const known: readonly unknown[] = TOKEN_SCOPES;
  return Array.isArray(value) ? value.filter((scope): scope is TokenScope => known.includes(scope)) : [];
}
