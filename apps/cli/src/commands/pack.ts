import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { pathFor, SkillsyncError, validateSkillFolder, writeFileAtomic, type Env, type SkillFinding } from '@skillsync/core';
import {
  packSkill,
  publishToDirectoryRegistry,
  serializeSignature,
  signaturePathFor,
  signIntegrity,
  type PackedFile,
  type PackedSkill,
  type PackageSignature,
} from '@skillsync/store';
import type { packOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, formatBytes, plural, renderFinding, renderPairs } from '../format.js';

export interface PackData {
  readonly name?: string;
  readonly version?: string;
  readonly integrity?: string;
  /** The .tgz written, absent when only publishing or when validation refused the skill. */
  readonly file?: string;
  readonly size?: number;
  readonly unpackedSize?: number;
  readonly files?: readonly PackedFile[];
  readonly signature?: { readonly keyId: string; readonly file?: string };
  /** The directory registry published to, and the package file it now holds. */
  readonly registry?: string;
  readonly published?: string;
  /** Validation findings: errors refuse the pack, warnings are shown. */
  readonly findings: readonly SkillFinding[];
}

/** A skill folder checked, packed and, when asked, signed; or the findings that refused it. */
export type PreparedPackage =
  | { readonly ok: false; readonly findings: readonly SkillFinding[] }
  | { readonly ok: true; readonly packed: PackedSkill; readonly signature: PackageSignature | undefined; readonly findings: readonly SkillFinding[] };

/**
 * What `pack` and `publish` share: validate (`strict` for anything that is published:
 * the verdict of `validate --strict`, so warnings refuse too), pack, and sign the
 * integrity with the private key in `keyFile`.
 */
export async function preparePackage(dir: string, options: { readonly strict: boolean; readonly keyFile?: string | undefined }): Promise<PreparedPackage> {
  const report = await validateSkillFolder(dir, { mode: options.strict ? 'strict' : 'lenient' });
  if (!report.ok || (options.strict && report.findings.length > 0)) return { ok: false, findings: report.findings };
  const privateKeyPem = options.keyFile === undefined ? undefined : await readKey(options.keyFile);
  const packed = await packSkill(dir);
  const signature = privateKeyPem === undefined ? undefined : signIntegrity(packed.integrity, privateKeyPem);
  return { ok: true, packed, signature, findings: report.findings };
}

export const packHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof packOptions>) => {
    const p = pathFor(env);
    const dir = p.resolve(env.cwd, positionals[0] ?? '.');
    const registry = options.registry === undefined ? undefined : registryFolder(env, options.registry);
    // Publishing is held to the spec in full; a local tarball only has to be loadable.
    const prepared = await preparePackage(dir, { strict: registry !== undefined, keyFile: options.sign === undefined ? undefined : p.resolve(env.cwd, options.sign) });
    if (!prepared.ok) {
      const refused: PackData = { findings: prepared.findings };
      return { ok: false, data: refused };
    }
    const { packed, signature } = prepared;

    // Publishing first: a refused publish (the version exists) leaves no stray tarball behind.
    const published = registry === undefined ? undefined : await publishToDirectoryRegistry(registry, packed, signature);
    let file: string | undefined;
    if (registry === undefined || options.out !== undefined) {
      const outDir = options.out === undefined ? defaultOutDir(env, dir) : p.resolve(env.cwd, options.out);
      file = p.join(outDir, `${packed.name}-${packed.version}.tgz`);
      await writeFileAtomic(file, packed.tarball);
      // A signature left from an earlier pack would describe other bytes: replace it or drop it.
      if (signature === undefined) await rm(signaturePathFor(file), { force: true });
      else await writeFileAtomic(signaturePathFor(file), serializeSignature(signature));
    }

    const data: PackData = {
      name: packed.name,
      version: packed.version,
      integrity: packed.integrity,
      ...(file === undefined ? {} : { file }),
      size: packed.tarball.byteLength,
      unpackedSize: packed.unpackedSize,
      files: packed.files,
      ...(signature === undefined
        ? {}
        : { signature: { keyId: signature.keyId, ...(file === undefined ? {} : { file: signaturePathFor(file) }) } }),
      ...(published === undefined ? {} : { registry: registry ?? '', published: published.tarballPath }),
      findings: prepared.findings,
    };
    return { ok: true, data };
  },
  render: (data: PackData, ui, env) => {
    const lines = data.findings.map((finding) => renderFinding(finding, env, ui));
    if (data.integrity === undefined) {
      lines.push(ui.red('not packed: fix the findings above first'));
      return lines.join('\n');
    }
    const pairs: [string, string][] = [];
    if (data.file !== undefined) {
      pairs.push(['file', `${displayPath(env, data.file)} ${ui.dim(`(${formatBytes(data.size ?? 0)})`)}`]);
    }
    pairs.push(['contents', `${plural(data.files?.length ?? 0, 'file')}, ${formatBytes(data.unpackedSize ?? 0)} unpacked`]);
    pairs.push(['integrity', data.integrity]);
    if (data.signature !== undefined) pairs.push(['signed', `key ${data.signature.keyId}`]);
    if (data.published !== undefined) pairs.push(['published', displayPath(env, data.published)]);
    lines.push(`${ui.green('packed')} ${ui.bold(`${data.name ?? ''}@${data.version ?? ''}`)}`, ...renderPairs(pairs, ui));
    if (ui.verbose) for (const file of data.files ?? []) lines.push(ui.dim(`    ${file.path} ${formatBytes(file.size)}`));
    return lines.join('\n');
  },
});

/**
 * The current folder, unless that is inside the skill: a tarball left there would be
 * packed into the skill's next version, so it goes next to the skill folder instead.
 */
function defaultOutDir(env: Env, skillDir: string): string {
  const p = pathFor(env);
  const relative = p.relative(skillDir, env.cwd);
  const inside = relative === '' || (!relative.startsWith('..') && !p.isAbsolute(relative));
  return inside ? p.dirname(skillDir) : env.cwd;
}

/** `file:///abs`, `file:./relative` (to the current folder) or a plain folder path. */
function registryFolder(env: Env, value: string): string {
  const p = pathFor(env);
  if (value.startsWith('file://')) {
    try {
      return fileURLToPath(value);
    } catch (error) {
      throw new SkillsyncError('SOURCE_INVALID', `--registry ${value} is not a valid file:// URL.`, { details: { registry: value }, cause: error });
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !/^[A-Za-z]:[\\/]/.test(value)) {
    throw new SkillsyncError('SOURCE_INVALID', `--registry ${value}: only directory registries can be published to so far.`, {
      hint: 'Give a folder or a file:// URL, e.g. --registry file:///srv/skills.',
      details: { registry: value },
    });
  }
  return p.resolve(env.cwd, value.startsWith('file:') ? value.slice('file:'.length) : value);
}

async function readKey(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new SkillsyncError('FILE_NOT_FOUND', `Cannot read the signing key ${file}.`, {
      hint: 'Create one with `skillsync keygen`, or check the path given to --sign.',
      details: { path: file },
      cause: error,
    });
  }
}
