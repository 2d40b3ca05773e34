import type { Kysely } from 'kysely';
import type { ServerContext } from '../server-context.js';
import type { ServerTables } from './tables.js';

/**
 * Runs `task` in one write transaction of the server database (serialised with every
 * other writer: read-then-write work such as "is this the last owner?" sees no race),
 * with the server's tables typed. The task must use the `db` it is given.
 */
export function writeTransaction<T>(server: Pick<ServerContext, 'database'>, task: (db: Kysely<ServerTables>) => Promise<T>): Promise<T> {
  return server.database.transaction((db) => task(db.$extendTables<ServerTables>()), { write: true });
}
