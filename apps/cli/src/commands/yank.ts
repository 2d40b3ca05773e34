import { SkillsyncError, splitPackageKey, type Env } from '@skillsync/core';
import { exactVersion, skillName, type VersionStatus } from '@skillsync/registry';
import type { yankOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { connectRegistry } from '../registry-session.js';
import type { Progress, Ui } from '../ui.js';

export interface VersionStatusData {
  readonly registry: string;
  readonly name: string;
  readonly version: string;
  /** The status before and after. */
  readonly previous: VersionStatus;
  readonly status: VersionStatus;
  readonly statusMessage?: string;
  readonly warnings: readonly string[];
}

/** `skillsync yank name@version`: no new resolution picks it; a lockfile that pins it still installs. Final (the server refuses to take it back). */
export const yankHandler = defineHandler({
  run: ({ env, positionals, options, progress }: CommandInput<typeof yankOptions>) =>
    changeVersionStatus(env, positionals[0] ?? '', {
      registry: options.registry,
      status: 'yanked',
      from: undefined,
      message: options.message,
      progress: progress('asking the registry'),
    }),
  render: (data: VersionStatusData, ui) => renderStatusChange(data, ui),
});

/** Sets the status of one published version. `from` guards an undo: `deprecate --undo` must find the version deprecated. */
export async function changeVersionStatus(
  env: Env,
  target: string,
  change: { readonly registry: string | undefined; readonly status: VersionStatus; readonly from: VersionStatus | undefined; readonly message: string | undefined; readonly progress: Progress },
): Promise<CommandResult<VersionStatusData>> {
  const { name, version } = parseVersionTarget(target);
  const { client, warnings } = await connectRegistry(env, change.registry);
  change.progress.update();
  try {
    const current = await client.getVersion(name, version);
    if (change.from !== undefined && current.status !== change.from) {
      throw new SkillsyncError('INVALID_INPUT', `${name}@${version} is ${current.status}, not ${change.from}: there is nothing to undo.`, {
        hint: current.status === 'yanked' ? 'A yank is final: publish a fixed version instead.' : 'It already resolves as usual.',
        details: { name, version, status: current.status },
      });
    }
    const updated = await client.setVersionStatus(name, version, { status: change.status, ...(change.message === undefined ? {} : { statusMessage: change.message }) });
    const data: VersionStatusData = {
      registry: client.address.address,
      name,
      version: updated.version,
      previous: current.status,
      status: updated.status,
      ...(updated.statusMessage === undefined ? {} : { statusMessage: updated.statusMessage }),
      warnings,
    };
    return { ok: true, data };
  } finally {
    change.progress.done();
  }
}

export function renderStatusChange(data: VersionStatusData, ui: Ui): string {
  const what = `${data.name}@${data.version}`;
  const verb: Record<VersionStatus, string> =
    data.previous === data.status
      ? { active: 'is active', deprecated: 'was already deprecated', yanked: 'was already yanked' }
      : { active: 'is no longer deprecated', deprecated: 'deprecated', yanked: 'yanked' };
  const lines = [`${ui.green('✓')} ${ui.bold(what)} ${verb[data.status]} ${ui.dim(`in ${data.registry}`)}`];
  if (data.statusMessage !== undefined && data.status !== 'active') lines.push(`  ${ui.dim('message')}  ${data.statusMessage}`);
  for (const warning of data.warnings) lines.push(ui.yellow(`warning: ${warning}`));
  return lines.join('\n');
}

/** `name@version` with an exact version: USAGE otherwise. */
function parseVersionTarget(target: string): { name: string; version: string } {
  const parts = splitPackageKey(target);
  if (parts === undefined || !skillName.safeParse(parts.name).success || !exactVersion.safeParse(parts.version).success) {
    throw new SkillsyncError('USAGE', `\`${target}\` is not name@version with an exact version.`, {
      hint: 'Name one published version, e.g. triage-bug@1.2.0.',
      details: { target },
    });
  }
  return parts;
}
