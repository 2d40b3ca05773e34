// Where package bytes live, behind the server's BlobStore: the database, or a directory.
export { createDatabaseBlobStore } from './database-blob-store.js';
export { createDirectoryBlobStore } from './directory-blob-store.js';
export { BLOB_PRUNE_MIN_AGE_MS, pruneBlobs } from './prune-blobs.js';
