import { rm } from 'node:fs/promises';
import { addSkillToManifest, createManifestText, pathFor, readTextIfExists, SkillsyncError, writeFileAtomic, type Env, type SkillsyncPaths } from '@skillsync/core';
import { manifestRelative } from '../commands/add.js';
import type { SkillDraft } from '../daemon/contract.js';
import { manifestToEdit } from '../project.js';
import { runInstall } from '../run-install.js';
import { silentProgress } from '../ui.js';
import { checkDraft, DRAFT_FILE } from './check-draft.js';
import { writeSkillFolder } from './write-skill-folder.js';

export interface CreateSkillOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly scope: 'user' | 'project';
  /** The folder the skill folder goes into (default: skills/ beside the scope's manifest); relative to `env.cwd`. */
  readonly dir?: string;
}

export interface CreatedSkill {
  readonly name: string;
  /** The skill folder written. */
  readonly dir: string;
  readonly manifest: string;
  readonly scope: 'user' | 'project';
  readonly version: string;
  readonly lockfile: string;
  readonly lockfileWritten: boolean;
  /** Relative to `dir`, in byte order. */
  readonly files: readonly string[];
}

/**
 * Writes the skill folder, adds it to the scope's manifest and installs it (the
 * lockfile updated), in one step; `sync` then lands it in the clients. A draft with
 * errors (by `checkDraft`) is refused with SKILL_DRAFT_INVALID, every finding in
 * `details.findings`, before anything is written.
 */
export async function createSkillFromDraft(draft: SkillDraft, options: CreateSkillOptions): Promise<CreatedSkill> {
  const checked = checkDraft(draft);
  const errors = checked.findings.filter((finding) => finding.severity === 'error');
  const first = errors[0];
  if (first !== undefined) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new SkillsyncError('SKILL_DRAFT_INVALID', `The skill draft has errors: ${first.code}: ${first.message}${more}`, {
      details: { findings: checked.findings },
    });
  }
  return createSkill({ ...options, name: draft.name, files: { [DRAFT_FILE]: checked.skillMd } });
}

export interface NewSkillOptions extends CreateSkillOptions {
  readonly name: string;
  /** The files of the skill, by `/`-separated path relative to its folder; SKILL.md among them. */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * `createSkillFromDraft` for files already made (`new --add` passes the scaffold).
 * Everything that can be refused is refused before the first write: the manifest must
 * exist (project scope) and parse, the name must not be in it yet (SKILL_ALREADY_ADDED),
 * and the folder must be absent or empty. The folder is removed again when the
 * manifest cannot be written. The entry is added to the manifest as it is just before
 * that write, so a save made meanwhile is kept. When the install fails, folder and
 * manifest entry stay (both valid, and `skillsync install` finishes the job):
 * SKILL_INSTALL_FAILED says so.
 */
export async function createSkill(options: NewSkillOptions): Promise<CreatedSkill> {
  const { env, paths, scope, name } = options;
  const p = pathFor(env);
  const { file: manifest } = await manifestToEdit(env, scope === 'user');
  const manifestDir = p.dirname(manifest);
  const dir = p.join(options.dir === undefined ? p.join(manifestDir, 'skills') : p.resolve(env.cwd, options.dir), name);
  const entry = manifestRelative(env, manifestDir, dir);
  // The user manifest is created on first use; a missing project one was refused above.
  const readManifest = async (): Promise<string> => (await readTextIfExists(manifest)) ?? createManifestText();
  // Refuses a name already there, or a manifest that does not parse, before anything is written.
  addSkillToManifest(await readManifest(), name, entry);

  const files = await writeSkillFolder(dir, options.files);
  try {
    // Read again: a save made while the folder was written is kept, the entry added to it.
    await writeFileAtomic(manifest, addSkillToManifest(await readManifest(), name, entry));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  const installed = await runInstall(env, paths, { frozen: false, progress: silentProgress });
  const problem = installed.data.problems[0];
  const skill = installed.data.skills.find((entry) => entry.name === name && entry.root);
  if (!installed.ok || skill === undefined) {
    const reason = problem === undefined ? 'the install did not include it' : `${problem.code}: ${problem.message}`;
    throw new SkillsyncError('SKILL_INSTALL_FAILED', `${name} was written to ${dir} and added to ${manifest}, but not installed: ${reason}`, {
      details: { name, dir, manifest, problems: installed.data.problems },
    });
  }
  return { name, dir, manifest, scope, version: skill.version, lockfile: installed.data.lockfile, lockfileWritten: installed.data.lockfileWritten, files };
}
