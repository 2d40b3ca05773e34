import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { SkillsyncError, isSkillsyncError } from '../errors/index.js';
import { createFinding, type ValidationMode } from './skill-finding.js';
import { DEFAULT_EVALS_PATH, parseSkillSidecar, SKILL_SIDECAR_FILE } from './skill-sidecar.js';
import { validateSkill, type SkillFolderContents, type SkillReport } from './validate-skill.js';
import { isExcludedFromSkill } from './skill-exclusions.js';

/** Names never part of a skill: VCS data, dependencies, OS litter and caches. */

/** Stops a mistaken `dir` (a home folder, a monorepo root) from being walked for minutes. */
const MAX_FILES = 10_000;

/**
 * Reads what validation needs from a skill folder: the file list and the text of
 * SKILL.md, the sidecar and the evals file. The only I/O of the skill model.
 * Throws SkillsyncError FILE_NOT_FOUND when `dir` is not a directory.
 */
export async function readSkillFolder(dir: string): Promise<SkillFolderContents> {
  const info = await stat(dir).catch((error: unknown) => {
    throw new SkillsyncError('FILE_NOT_FOUND', `The skill folder ${dir} does not exist.`, { details: { path: dir }, cause: error });
  });
  if (!info.isDirectory()) throw new SkillsyncError('FILE_NOT_FOUND', `${dir} is not a folder.`, { details: { path: dir } });

  const files = await listFiles(dir);
  const texts: Record<string, string> = {};
  const read = async (relative: string): Promise<string | undefined> => {
    if (!files.includes(relative)) return undefined;
    try {
      const text = await readFile(path.join(dir, relative), 'utf8');
      texts[relative] = text;
      return text;
    } catch (error) {
      throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${path.join(dir, relative)}.`, { details: { path: path.join(dir, relative) }, cause: error });
    }
  };

  await read(files.includes('SKILL.md') ? 'SKILL.md' : 'skill.md');
  const sidecarText = await read(SKILL_SIDECAR_FILE);
  const evalsPath = (sidecarText === undefined ? undefined : parseSkillSidecar(sidecarText).sidecar?.tests) ?? DEFAULT_EVALS_PATH;
  await read(evalsPath);
  return { dir, files, texts };
}

/** Reads and validates a skill folder. A folder that cannot be read is reported as a finding. */
export async function validateSkillFolder(dir: string, options: { mode: ValidationMode }): Promise<SkillReport> {
  let contents: SkillFolderContents;
  try {
    contents = await readSkillFolder(dir);
  } catch (error) {
    if (!isSkillsyncError(error)) throw error;
    const finding = createFinding({ code: error.code, severity: 'error', message: error.message, file: dir, hint: error.hint });
    return { dir, findings: [finding], ok: false };
  }
  return validateSkill(contents, options);
}

async function listFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(root, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (isExcludedFromSkill(entry.name)) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        await walk(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        files.push(child);
        if (files.length > MAX_FILES) {
          throw new SkillsyncError('INVALID_INPUT', `${root} has more than ${MAX_FILES} files; is it really a skill folder?`, { details: { path: root } });
        }
      }
    }
  };
  await walk('');
  return files.sort();
}
