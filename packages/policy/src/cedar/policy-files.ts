import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { byteOrder, SkillsyncError } from '@skillsync/core';
import { MAX_POLICY_FILE_BYTES, type PolicyFile } from './check-policies.js';

export interface LoadPolicyFilesOptions {
  /** Put in front of every file id, e.g. `user:` and `project:` when two scopes are loaded into one engine. */
  readonly idPrefix?: string;
}

/** Policy files end in `.cedar`. */
export const POLICY_FILE_EXTENSION = '.cedar';

/**
 * Reads policy files: a folder gives its `*.cedar` files (not recursive, in byte order
 * of their names); a file is read as it is. Paths must be absolute (the caller resolves
 * them). Each file's id is its name without `.cedar` (with `idPrefix`); its `file` is
 * the path. A missing path is FILE_NOT_FOUND; an oversized file is POLICY_INVALID.
 */
export async function loadPolicyFiles(input: string | readonly string[], options: LoadPolicyFilesOptions = {}): Promise<PolicyFile[]> {
  const targets = typeof input === 'string' ? [input] : input;
  const files: PolicyFile[] = [];
  for (const target of targets) {
    for (const file of await policyFilesAt(target)) {
      files.push({ id: `${options.idPrefix ?? ''}${policyFileId(file)}`, text: await readPolicyText(file), file });
    }
  }
  return files;
}

/** The `*.cedar` files of a folder (sorted), or the path itself when it is a file. */
export async function policyFilesAt(target: string): Promise<string[]> {
  const info = await stat(target).catch((error: unknown) => {
    throw new SkillsyncError('FILE_NOT_FOUND', `${target} does not exist.`, { details: { path: target }, cause: error });
  });
  if (!info.isDirectory()) return [target];
  const names = (await readdir(target, { withFileTypes: true }))
    .filter((entry) => entry.isFile() && entry.name.endsWith(POLICY_FILE_EXTENSION))
    .map((entry) => entry.name)
    .sort(byteOrder);
  return names.map((name) => path.join(target, name));
}

/** `team-rules.cedar` → `team-rules`. */
export function policyFileId(file: string): string {
  const base = path.basename(file);
  return base.endsWith(POLICY_FILE_EXTENSION) ? base.slice(0, -POLICY_FILE_EXTENSION.length) : base;
}

async function readPolicyText(file: string): Promise<string> {
  const info = await stat(file);
  if (info.size > MAX_POLICY_FILE_BYTES) {
    throw new SkillsyncError('POLICY_INVALID', `${file} is ${info.size} bytes, over the ${MAX_POLICY_FILE_BYTES}-byte limit of a policy file; it was not read.`, {
      details: { path: file, size: info.size },
    });
  }
  return readFile(file, 'utf8').catch((error: unknown) => {
    throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
  });
}
