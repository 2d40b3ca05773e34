import { REGISTRY_TOKEN_VAR } from '@skillsync/registry';
import type { logoutOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { forgetOrgProfile } from '../org-profile-refresh.js';
import { chooseRegistry, registryCredentials } from '../registry-session.js';

export interface LogoutData {
  readonly registry: string;
  /** False when there was no token for it: nothing changed. */
  readonly removed: boolean;
  /** SKILLSYNC_REGISTRY_TOKEN is set, so commands still have a token. */
  readonly tokenFromEnvironment: boolean;
}

/** `skillsync logout`: forgets the token (and the org's cached profile, which no longer applies) locally; revoking it is the server's business. */
export const logoutHandler = defineHandler({
  run: async ({ env, options }: CommandInput<typeof logoutOptions>): Promise<CommandResult<LogoutData>> => {
    const credentials = registryCredentials(env);
    const address = await chooseRegistry(env, options.registry, credentials);
    const removed = await credentials.remove(address);
    await forgetOrgProfile(env, address.address);
    const tokenFromEnvironment = (env.vars[REGISTRY_TOKEN_VAR] ?? '') !== '';
    return { ok: removed, data: { registry: address.address, removed, tokenFromEnvironment } };
  },
  render: (data: LogoutData, ui) => {
    const lines = [data.removed ? `${ui.green('✓')} Logged out of ${ui.bold(data.registry)}` : `You were not logged in to ${ui.bold(data.registry)}; nothing changed.`];
    if (data.tokenFromEnvironment) lines.push(ui.yellow(`warning: ${REGISTRY_TOKEN_VAR} is set, so commands still send that token.`));
    return lines.join('\n');
  },
});
