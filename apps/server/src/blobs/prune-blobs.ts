import type { BlobPruneResult, ServerContext } from '../server-context.js';

/**
 * How old an unreferenced blob or temp file must be to go: far longer than a publish takes
 * between writing its blob and committing its version, so one under way never loses it.
 */
export const BLOB_PRUNE_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * Sweeps what failed publishes left in the blob store: blobs no version of any org names,
 * and temp files of interrupted writes, once older than BLOB_PRUNE_MIN_AGE_MS. Undefined
 * for a store that cannot hold any (the database's: a publish writes its blob in its own
 * transaction).
 */
export async function pruneBlobs(server: Pick<ServerContext, 'db' | 'blobs' | 'now'>, options: { readonly dryRun?: boolean } = {}): Promise<BlobPruneResult | undefined> {
  if (server.blobs.prune === undefined) return undefined;
  const before = new Date(server.now().getTime() - BLOB_PRUNE_MIN_AGE_MS);
  // Read before the folder: a version committed after this read has a blob written or touched since `before`, which is kept anyway.
  const rows = await server.db.selectFrom('skill_versions').select('integrity').distinct().execute();
  return server.blobs.prune(new Set(rows.map((row) => row.integrity)), { before, ...(options.dryRun === undefined ? {} : { dryRun: options.dryRun }) });
}
