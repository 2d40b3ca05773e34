import { registerSecret, SkillsyncError, toSkillsyncError } from '@skillsync/core';
import { createRegistryClient, isApiTokenShape, type Whoami } from '@skillsync/registry';
import type { loginOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { renderPairs } from '../format.js';
import { fetchOrgProfile, forgetOrgProfile } from '../org-profile-refresh.js';
import { chooseRegistry, orgReporting, registryCredentials, transportWarnings } from '../registry-session.js';
import type { Ui } from '../ui.js';
import { promptHidden, readStdin } from './secret.js';

export interface LoginData extends Whoami {
  readonly registry: string;
  /** Whether the org's profile applies on this machine (false with --no-profile). */
  readonly profile: boolean;
  /** The revision of the profile fetched at login, when it could be. */
  readonly profileRevision?: string;
  /** Whether the org collects parity reports and runtime audit (absent: the server did not say). */
  readonly reporting?: boolean;
  readonly warnings: readonly string[];
}

/** The shape of a skillsync server token (docs/server-api.md "Conventions"). */

/** `skillsync login`: read a token, check it with /whoami, and only then keep it. */
export const loginHandler = defineHandler({
  run: async ({ env, options, progress }: CommandInput<typeof loginOptions>): Promise<CommandResult<LoginData>> => {
    const credentials = registryCredentials(env);
    const address = await chooseRegistry(env, options.registry, credentials);
    const token = (await readToken(address.address, options['token-stdin'])).trim();
    if (!isApiTokenShape(token)) {
      throw new SkillsyncError('INVALID_INPUT', 'That is not a skillsync registry token (ssk_ and 43 more characters); nothing was stored.', {
        hint: 'Copy the whole token your org admin gave you (`skillsync server init` or POST /tokens shows it once).',
      });
    }
    registerSecret(token);
    const spinner = progress(`checking the token with ${address.address}`);
    spinner.update();
    const who = await createRegistryClient({ address, token }).whoami().finally(spinner.done);
    if (who.org !== address.org) {
      throw new SkillsyncError('INVALID_INPUT', `This token belongs to the org ${who.org}, not ${address.org}; nothing was stored.`, {
        hint: `Log in to ${address.address.replace(/[^/]+$/, who.org)} with it, or ask an admin of ${address.org} for a token.`,
        details: { registry: address.address, org: who.org },
      });
    }
    const profile = !options['no-profile'];
    await credentials.save(address, token, { user: who.user, profile });
    const warnings = transportWarnings(address);
    let profileRevision: string | undefined;
    let reporting: boolean | undefined;
    const client = createRegistryClient({ address, token });
    if (profile) {
      // Fetched now, so `status` shows it at once; a failure leaves it to the next sync.
      const cached = await fetchOrgProfile(env, client).catch((error: unknown) => {
        const failure = toSkillsyncError(error);
        warnings.push(`could not fetch the org profile (${failure.code}: ${failure.message}); \`skillsync sync\` fetches it`);
        return undefined;
      });
      profileRevision = cached?.profile.revision;
      reporting = cached?.reporting;
    } else {
      await forgetOrgProfile(env, address.address);
      reporting = await orgReporting(client);
    }
    return {
      ok: true,
      data: { registry: address.address, ...who, profile, ...(profileRevision === undefined ? {} : { profileRevision }), ...(reporting === undefined ? {} : { reporting }), warnings },
    };
  },
  render: (data: LoginData, ui) =>
    [
      `${ui.green('✓')} Logged in to ${ui.bold(data.registry)}`,
      ...renderIdentity(data, ui),
      ...renderPairs(
        [
          ['profile', data.profile ? 'applied (sync installs what it requires and refuses what it blocks)' : ui.dim('not applied (--no-profile)')],
          ['reporting', describeReporting(data.reporting, data.profile)],
        ],
        ui,
      ),
      ...data.warnings.map((warning) => ui.yellow(`warning: ${warning}`)),
    ].join('\n'),
});

/** `user`, `role`, `teams` and `token` lines, shared by login and whoami. */
export function renderIdentity(who: Whoami, ui: Ui): string[] {
  const teams = who.teams.map((team) => `${team.team} (${team.role})`).join(', ');
  return renderPairs(
    [
      ['user', ui.bold(who.user)],
      ['org', `${who.org} (${who.role})`],
      ['teams', teams === '' ? ui.dim('none') : teams],
      ['token', `${who.token.name}, scopes ${who.token.scopes.join(', ')}, expires ${who.token.expiresAt.slice(0, 10)}`],
    ],
    ui,
  );
}


/** One line on what the org collects from this machine (docs/org-profiles.md "Reporting"). */
export function describeReporting(reporting: boolean | undefined, profileApplies: boolean): string {
  if (reporting === undefined) return 'unknown (the server did not say whether the org collects reports)';
  if (!reporting) return 'off: the org collects no parity reports or runtime audit';
  return profileApplies
    ? 'on: this machine sends the org its parity (skills, clients, drift counts) after each sync, and the daemon uploads the runtime audit log'
    : 'the org collects parity reports and runtime audit, but none are sent from here: its profile is not applied on this machine';
}

async function readToken(address: string, fromStdin: boolean): Promise<string> {
  if (fromStdin) return readStdin();
  if (process.stdin.isTTY) return promptHidden(`Token for ${address} (input hidden): `);
  throw new SkillsyncError('USAGE', 'There is no terminal to ask for the token at.', {
    hint: 'Pipe the token in and pass --token-stdin: `skillsync login --registry <address> --token-stdin < token.txt`.',
  });
}
