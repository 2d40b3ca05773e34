import { SkillsyncError } from '@skillsync/core';

/**
 * Opaque list cursors (base64url JSON of the last item's sort key), so a client can only
 * hand back what a page gave it. Lists sort by a unique key and page with `key > cursor`,
 * which stays correct while rows are added between pages.
 */
export function encodeCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, parts: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (!Array.isArray(key) || key.length !== parts || !key.every((part) => typeof part === 'string')) {
    throw new SkillsyncError('INVALID_INPUT', 'The cursor is not one this server gave out.', { hint: 'Pass `metadata.nextCursor` of the previous page unchanged.' });
  }
  return key;
}

/**
 * One page out of `limit + 1` fetched rows: the extra row only says another page exists.
 * `keyOf` gives the sort key the next page starts after.
 */
export function pageOf<T>(rows: readonly T[], limit: number, keyOf: (row: T) => readonly string[]): { items: T[]; metadata: { count: number; nextCursor?: string } } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const more = rows.length > limit && last !== undefined;
  return { items, metadata: more ? { count: items.length, nextCursor: encodeCursor(keyOf(last)) } : { count: items.length } };
}
