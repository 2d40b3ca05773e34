import { pathFor, type SkillFinding } from '@skillsync/core';
import type { VersionStatus } from '@skillsync/registry';
import type { publishOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { formatBytes, renderFinding, renderPairs } from '../format.js';
import { connectRegistry } from '../registry-session.js';
import { preparePackage } from './pack.js';

export interface PublishData {
  readonly registry?: string;
  readonly name?: string;
  readonly version?: string;
  readonly integrity?: string;
  readonly tag?: string;
  readonly team?: string;
  readonly size?: number;
  readonly status?: VersionStatus;
  /** The key id the integrity was signed with. */
  readonly signedBy?: string;
  /** An attempt's answer was lost and a retry found the version it had published. */
  readonly reconciled?: boolean;
  /** What `validate --strict` found; any finding refuses the publish. */
  readonly findings: readonly SkillFinding[];
  readonly warnings: readonly string[];
}

/** The key `skillsync keygen` writes by default. */
const DEFAULT_KEY = ['keys', 'skillsync-signing.pem'] as const;

/** `skillsync publish [folder]`: validate --strict, pack, sign, upload. */
export const publishHandler = defineHandler({
  run: async ({ env, paths, positionals, options, progress }: CommandInput<typeof publishOptions>): Promise<CommandResult<PublishData>> => {
    const p = pathFor(env);
    // First, so a missing login is said before any work.
    const { client, warnings } = await connectRegistry(env, options.registry);
    const keyFile = options.key !== undefined ? p.resolve(env.cwd, options.key) : options.sign ? p.join(paths.config, ...DEFAULT_KEY) : undefined;
    const prepared = await preparePackage(p.resolve(env.cwd, positionals[0] ?? '.'), { strict: true, keyFile });
    if (!prepared.ok) return { ok: false, data: { findings: prepared.findings, warnings } };
    const { packed, signature } = prepared;
    const spinner = progress(`publishing ${packed.name}@${packed.version}`);
    spinner.update(undefined, undefined, ` (${formatBytes(packed.tarball.byteLength)})`);
    const result = await client
      .publish({ name: packed.name, version: packed.version, tarball: packed.tarball, integrity: packed.integrity, signature, tag: options.tag, team: options.team })
      .finally(spinner.done);
    const data: PublishData = {
      registry: client.address.address,
      name: packed.name,
      version: result.version.version,
      integrity: result.version.integrity,
      tag: options.tag ?? 'latest',
      ...(options.team === undefined ? {} : { team: options.team }),
      size: packed.tarball.byteLength,
      status: result.version.status,
      ...(signature === undefined ? {} : { signedBy: signature.keyId }),
      reconciled: result.reconciled,
      findings: prepared.findings,
      warnings,
    };
    return { ok: true, data };
  },
  render: (data: PublishData, ui, env) => {
    const lines = data.findings.map((finding) => renderFinding(finding, env, ui));
    if (data.integrity === undefined) {
      lines.push(ui.red('not published: fix the findings above first (publishing holds skills to validate --strict)'));
      return lines.join('\n');
    }
    const pairs: [string, string][] = [
      ['registry', data.registry ?? ''],
      ['tag', data.tag ?? 'latest'],
      ['integrity', data.integrity],
    ];
    if (data.team !== undefined) pairs.push(['visible to', `team ${data.team}`]);
    if (data.signedBy !== undefined) pairs.push(['signed', `key ${data.signedBy}`]);
    if (data.size !== undefined) pairs.push(['size', formatBytes(data.size)]);
    lines.push(`${ui.green('published')} ${ui.bold(`${data.name ?? ''}@${data.version ?? ''}`)}`, ...renderPairs(pairs, ui));
    if (data.reconciled === true) lines.push(ui.dim('  (the first attempt had published it; its answer was lost on the way)'));
    for (const warning of data.warnings) lines.push(ui.yellow(`warning: ${warning}`));
    return lines.join('\n');
  },
});
