import { toSkillsyncError, type Env } from '@skillsync/core';
import { localSkillFolders } from '../../project.js';
import type { SkillsReply } from './api-types.js';
import { runCommand } from './run-command.js';

/**
 * The skills page: what the manifests declare and the lockfile installed (`list`), what
 * has newer versions (`outdated`: a source that cannot be reached fails only that part),
 * and the strict validation of every local skill folder (`validate --strict`).
 */
export async function skillsReport(env: Env): Promise<SkillsReply> {
  const [list, outdated, folders] = await Promise.all([
    runCommand(env, 'list'),
    runCommand(env, 'outdated').catch((error: unknown) => ({ error: toSkillsyncError(error).toJSON() })),
    localSkillFolders(env),
  ]);
  const validation = folders.length === 0 ? undefined : await runCommand(env, 'validate', { options: { strict: true }, positionals: folders });
  return { list, outdated, validation };
}
