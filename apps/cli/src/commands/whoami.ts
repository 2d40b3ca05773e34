import type { Whoami } from '@skillsync/registry';
import type { whoamiOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { connectRegistry } from '../registry-session.js';
import { renderIdentity } from './login.js';

export interface WhoamiData extends Whoami {
  readonly registry: string;
  readonly warnings: readonly string[];
}

/** `skillsync whoami`: the registry's view of the stored token. */
export const whoamiHandler = defineHandler({
  run: async ({ env, options, progress }: CommandInput<typeof whoamiOptions>): Promise<CommandResult<WhoamiData>> => {
    const { client, warnings } = await connectRegistry(env, options.registry);
    const spinner = progress(`asking ${client.address.address}`);
    spinner.update();
    const who = await client.whoami().finally(spinner.done);
    return { ok: true, data: { registry: client.address.address, ...who, warnings } };
  },
  render: (data: WhoamiData, ui) => [ui.bold(data.registry), ...renderIdentity(data, ui), ...data.warnings.map((warning) => ui.yellow(`warning: ${warning}`))].join('\n'),
});
