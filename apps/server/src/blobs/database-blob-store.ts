import type { Kysely } from 'kysely';
import type { ServerTables } from '../db/tables.js';
import type { BlobStore } from '../server-context.js';

/**
 * Package bytes in the `blobs` table, shared by every org (content-addressed). A put runs
 * inside the publishing transaction, so a publish that rolls back leaves no row; the same
 * package published twice (or by two orgs) is stored once, as its first upload's bytes.
 */
export function createDatabaseBlobStore(db: Kysely<ServerTables>): BlobStore {
  return {
    kind: 'database',
    async put(transaction, integrity, bytes) {
      const inserted = await transaction
        .insertInto('blobs')
        // node-postgres sends a Buffer as bytea; a bare Uint8Array it would turn into text.
        .values({ integrity, bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), size: bytes.byteLength })
        .onConflict((conflict) => conflict.column('integrity').doNothing())
        .executeTakeFirst();
      if (inserted.numInsertedOrUpdatedRows !== 0n) return bytes.byteLength;
      // Kept: the bytes of the first upload of this package, whose size may differ.
      const kept = await transaction.selectFrom('blobs').select('size').where('integrity', '=', integrity).executeTakeFirstOrThrow();
      return kept.size;
    },
    async get(integrity) {
      const row = await db.selectFrom('blobs').select('bytes').where('integrity', '=', integrity).executeTakeFirst();
      return row?.bytes;
    },
  };
}
