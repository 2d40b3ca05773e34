import { pathFor, type Env, type SkillsyncPaths } from '@skillsync/core';
import { checkDraft, createSkillFromDraft, previewDraft } from '../../builder/index.js';
import { targetClients } from '../../sync-context.js';
import type { DaemonController } from '../contract.js';
import type { DraftCheckReply, DraftCreateReply, DraftRequest } from './api-types.js';
import { readManifests } from '../../project.js';

/** The builder's live view of a draft: its findings, the SKILL.md it makes, and where it lands in each target client. */
export async function checkSkillDraft(env: Env, request: DraftRequest): Promise<DraftCheckReply> {
  const checked = checkDraft(request.draft);
  const manifests = await readManifests(env);
  const projectRoot = request.scope === 'user' ? undefined : manifests.project === undefined ? env.cwd : pathFor(env).dirname(manifests.project.file);
  const clients = await targetClients(env, manifests.effective.clients?.value, []);
  const landings = previewDraft(request.draft, { env, scope: request.scope, projectRoot, clients });
  return { findings: checked.findings, skillMd: checked.skillMd, landings };
}

/** "Create and add": the skill folder written, added to the manifest and installed, then synced into the clients. */
export async function createSkill(env: Env, paths: SkillsyncPaths, controller: DaemonController, request: DraftRequest): Promise<DraftCreateReply> {
  const created = await createSkillFromDraft(request.draft, { env, paths, scope: request.scope });
  return { created, sync: await controller.syncNow('api') };
}
