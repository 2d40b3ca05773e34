import { toSkillsyncError, type Env, type SkillsyncPaths } from '@skillsync/core';
import { createPolicyEngine, type PolicyEngine } from '@skillsync/policy';
import { loadServedPolicies, principalOf } from '../../gateway-governance.js';
import type { PolicyScope } from '../../policy-dirs.js';
import type { PoliciesReply, WhatIfReply, WhatIfRequest } from './api-types.js';
import { runCommand } from './run-command.js';
import { readManifests } from '../../project.js';

/** Both scopes, as a gateway serving the user and the project enforces them. */
const SERVED_SCOPES: readonly PolicyScope[] = ['user', 'project'];

/**
 * The policies a gateway would enforce now (their text, or the built-in default), with
 * `skillsync policy check`'s findings. Invalid policies still show, with the check
 * saying why; only the engine is then missing.
 */
export async function activePolicies(env: Env, paths: SkillsyncPaths): Promise<PoliciesReply> {
  const [{ files, builtIn }, check, manifests] = await Promise.all([loadServedPolicies(env, paths, SERVED_SCOPES), runCommand(env, 'policy check'), readManifests(env)]);
  let engine: PoliciesReply['engine'];
  try {
    const built = createPolicyEngine({ policies: files });
    engine = { version: built.version, policyIds: built.policyIds };
  } catch (error) {
    engine = { error: toSkillsyncError(error).toJSON() };
  }
  return {
    builtIn,
    files: files.map((file) => ({ path: file.file ?? file.id, text: file.text })),
    engine,
    principal: principalOf(env, manifests.effective.gateway),
    check,
  };
}

/** "May this user call this tool from this client?", answered by the policies in force (POLICY_INVALID when they do not load). */
export async function whatIf(env: Env, paths: SkillsyncPaths, request: WhatIfRequest): Promise<WhatIfReply> {
  const { files } = await loadServedPolicies(env, paths, SERVED_SCOPES);
  const engine: PolicyEngine = createPolicyEngine({ policies: files, cacheSize: 0 });
  const decision = engine.authorize({
    principal: {
      user: request.user,
      ...(request.teams === undefined ? {} : { teams: request.teams }),
      ...(request.roles === undefined ? {} : { roles: request.roles }),
    },
    action: 'callTool',
    resource: { type: 'Tool', id: request.tool, connector: request.connector },
    context: { client: request.client },
  });
  return { decision: decision.decision, policyIds: decision.policyIds, errors: decision.errors };
}
