import { chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import type { PackageFile } from './read-package.js';

/**
 * Writes validated package files into `dir`, which must not exist yet (its parent
 * must). Modes are set with chmod after the write so the umask cannot change
 * them, and each file is fsynced: a directory is only renamed into place once
 * its bytes are durable.
 */
export async function writePackageFiles(files: readonly PackageFile[], dir: string): Promise<void> {
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  const made = new Set<string>();
  for (const file of files) {
    const target = path.join(dir, ...file.path.split('/'));
    const parent = path.dirname(target);
    if (parent !== dir && !made.has(parent)) {
      await makeDirectories(dir, file.path.split('/').slice(0, -1), made);
    }
    const handle = await open(target, 'wx', file.mode);
    try {
      await handle.writeFile(file.content);
      await handle.chmod(file.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

async function makeDirectories(root: string, segments: readonly string[], made: Set<string>): Promise<void> {
  let current = root;
  for (const segment of segments) {
    current = path.join(current, segment);
    if (made.has(current)) continue;
    await mkdir(current, { mode: 0o755 });
    await chmod(current, 0o755);
    made.add(current);
  }
}
