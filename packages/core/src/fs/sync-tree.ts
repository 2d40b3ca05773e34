import { open, readdir } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from './atomic-write.js';
import { mapConcurrent } from './map-concurrent.js';

/** Enough fsyncs in flight to keep the disk queue busy without flooding the thread pool. */
const SYNC_CONCURRENCY = 16;

/**
 * Makes a freshly written folder durable before it is renamed into place: every
 * regular file under `dir` is fsynced, then every folder (the entries the files sit
 * in), `dir` included. Without it a power cut just after the rename can leave the
 * new name pointing at empty or half-written files. Links and special files are
 * skipped (they have no data of their own to flush).
 */
export async function syncTree(dir: string): Promise<void> {
  const files: string[] = [];
  const dirs: string[] = [dir];
  for (let index = 0; index < dirs.length; index += 1) {
    const current = dirs[index] as string;
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) dirs.push(full);
      else if (entry.isFile()) files.push(full);
    }
  }
  await mapConcurrent(files, SYNC_CONCURRENCY, syncFile);
  await mapConcurrent(dirs, SYNC_CONCURRENCY, syncDirectory);
}

/** Platforms that cannot fsync a file opened for reading (Windows: EPERM) keep the copy without the flush. */
const UNSUPPORTED = new Set(['EPERM', 'EINVAL', 'EBADF', 'ENOTSUP']);

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}
