import { sql, type RawBuilder } from 'kysely';

/**
 * `column` contains `text`, ignoring case, in SQL both engines run alike: `lower() LIKE`
 * with `%`, `_` and `\` of the search escaped (SQLite's LIKE ignores ASCII case by itself,
 * PostgreSQL's does not). Only ASCII case folds the same way on both.
 */
export function containsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  return sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`;
}

/** `?updated_since=` (RFC 3339, any offset) as the stored form (ISO-8601 UTC), which compares as text. */
export function storedTimestamp(rfc3339: string): string {
  return new Date(rfc3339).toISOString();
}
