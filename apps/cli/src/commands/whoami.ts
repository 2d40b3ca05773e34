import { profileApplies, readRegistryIndex, type Whoami } from '@skillsync/registry';
import type { whoamiOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { renderPairs } from '../format.js';
import { connectRegistry } from '../registry-session.js';
import { orgReporting } from '../registry-session.js';
import { describeReporting, renderIdentity } from './login.js';

export interface WhoamiData extends Whoami {
  readonly registry: string;
  /** Whether the org collects parity reports and runtime audit (absent: the server did not say). */
  readonly reporting?: boolean;
  /** Whether the org's profile applies here, and so whether this machine reports to it. */
  readonly profile: boolean;
  readonly warnings: readonly string[];
}

/** `skillsync whoami`: the registry's view of the stored token, and whether the org collects reports. */
export const whoamiHandler = defineHandler({
  run: async ({ env, options, progress }: CommandInput<typeof whoamiOptions>): Promise<CommandResult<WhoamiData>> => {
    const { client, warnings } = await connectRegistry(env, options.registry);
    const spinner = progress(`asking ${client.address.address}`);
    spinner.update();
    const [who, reporting, logins] = await Promise.all([client.whoami(), orgReporting(client), readRegistryIndex(env).catch(() => [])]).finally(spinner.done);
    const profile = logins.some((login) => login.address === client.address.address && profileApplies(login));
    return { ok: true, data: { registry: client.address.address, ...who, profile, ...(reporting === undefined ? {} : { reporting }), warnings } };
  },
  render: (data: WhoamiData, ui) =>
    [
      ui.bold(data.registry),
      ...renderIdentity(data, ui),
      ...renderPairs([['reporting', describeReporting(data.reporting, data.profile)]], ui),
      ...data.warnings.map((warning) => ui.yellow(`warning: ${warning}`)),
    ].join('\n'),
});
