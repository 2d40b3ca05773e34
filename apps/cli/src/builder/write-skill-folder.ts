import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { byteOrder, SkillsyncError, syncDirectory, type TreeToWrite, writeTreeDurably } from '@skillsync/core';

/**
 * Writes a new skill folder whole: every file into a hidden sibling folder, made
 * durable, then renamed into place, so `dir` is never seen (or left by a crash)
 * half-written. An absent or empty `dir` is fine; one with anything in it is refused
 * (FILE_WRITE_FAILED) and left as it is. `files` are keyed by `/`-separated relative
 * path. Returns those paths in byte order.
 */
export async function writeSkillFolder(dir: string, files: Readonly<Record<string, string>>): Promise<string[]> {
  const paths = Object.keys(files).sort(byteOrder);
  const existing = await readdir(dir).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${dir}.`, { details: { path: dir }, cause: error });
  });
  if (existing !== undefined && existing.length > 0) throw folderExists(dir);

  const parent = path.dirname(dir);
  const temp = path.join(parent, `.${path.basename(dir)}.skillsync-${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(parent, { recursive: true });
    await writeTreeDurably(temp, treeOf(paths, files));
    // An empty folder makes way; one that filled up meanwhile refuses (ENOTEMPTY) and is kept.
    if (existing !== undefined) await rmdir(dir);
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST') throw folderExists(dir);
    if (error instanceof SkillsyncError) throw error;
    throw new SkillsyncError('FILE_WRITE_FAILED', `Could not write ${dir}: ${(error as Error).message}`, { details: { path: dir }, cause: error });
  }
  await syncDirectory(parent);
  return paths;
}

function treeOf(paths: readonly string[], files: Readonly<Record<string, string>>): TreeToWrite {
  const dirs = new Set<string>();
  for (const file of paths) {
    const parts = file.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) dirs.add(parts.slice(0, depth).join('/'));
  }
  return {
    mode: 0o755,
    // Byte order puts every folder after its parent.
    dirs: [...dirs].sort(byteOrder).map((sub) => ({ path: sub, mode: 0o755 })),
    files: paths.map((file) => ({ path: file, mode: 0o644, content: Buffer.from(files[file] ?? '', 'utf8') })),
  };
}

function folderExists(dir: string): SkillsyncError {
  return new SkillsyncError('FILE_WRITE_FAILED', `${dir} already exists and is not empty.`, {
    hint: 'Choose another name or --dir, or remove the folder first.',
    details: { path: dir },
  });
}
