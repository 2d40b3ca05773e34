import { readFile, stat } from 'node:fs/promises';
import {
  addSkillToManifest,
  createManifestText,
  isValidSkillName,
  parseSkillSpecifier,
  pathFor,
  renderSpecifier,
  SkillsyncError,
  validateSkillMd,
  writeFileAtomic,
  type Env,
  type SkillSpecifierInput,
} from '@skillsync/core';
import { readPackage, readSkillIdentity } from '@skillsync/store';
import type { addOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath } from '../format.js';
import { manifestToEdit } from '../project.js';

export interface AddData {
  readonly name: string;
  /** The entry as written to the manifest. */
  readonly specifier: string;
  readonly kind: 'path' | 'tarball' | 'registry';
  readonly file: string;
  readonly scope: 'user' | 'project';
}

export const addHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof addOptions>) => {
    const source = positionals[0] ?? '';
    const { file, scope } = await manifestToEdit(env, options.user);
    const existing = await readFile(file, 'utf8').catch((error: unknown) => {
      // The user manifest is created on first use; a missing project one was refused above.
      if (scope === 'user' && (error as NodeJS.ErrnoException).code === 'ENOENT') return createManifestText();
      throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
    });
    const entry = await interpretSource(env, source, pathFor(env).dirname(file));
    if (options.name !== undefined && entry.name !== undefined && options.name !== entry.name) {
      // The name is how the source is searched (registry) or what the package holds (folder, .tgz).
      throw new SkillsyncError('SOURCE_INVALID', `${source} holds the skill ${entry.name}, not ${options.name}.`, {
        hint: `Leave out --name, or add it as \`skillsync add ${source}\` and refer to it as ${entry.name}.`,
        details: { source, name: options.name, found: entry.name },
      });
    }
    const name = entry.name ?? options.name;
    if (name === undefined) {
      throw new SkillsyncError('SOURCE_INVALID', `${source} does not say which skill to add.`, {
        hint: `Name it: \`skillsync add ${source}#<name>@<range>\` or \`--name <name>\`.`,
        details: { source },
      });
    }
    await writeFileAtomic(file, addSkillToManifest(existing, name, entry.spec));
    const data: AddData = { name, specifier: renderSpecifier(entry.spec), kind: entry.kind, file, scope };
    return { ok: true, data };
  },
  render: (data: AddData, ui, env) =>
    [
      `${ui.green('added')} ${ui.bold(data.name)} ${ui.dim(`(${data.specifier})`)} to ${displayPath(env, data.file)}`,
      `Run ${ui.cyan('skillsync install')} to fetch it and update skillsync.lock.`,
    ].join('\n'),
});

interface SourceEntry {
  readonly name: string | undefined;
  readonly spec: SkillSpecifierInput;
  readonly kind: AddData['kind'];
}

const registryUrl = /^(?:file:|https?:\/\/)/i;
const namedRange = /^([a-z0-9]+(?:-[a-z0-9]+)*)(?:@(.+))?$/;
const tarballSuffix = /\.(?:tgz|tar\.gz)$/i;

/**
 * What the user typed, as a manifest entry. A folder or package is read to learn the
 * skill's name (and refused here, before the manifest changes, when it is not a skill);
 * `name@range` and `<registry>#name@range` name it themselves.
 */
async function interpretSource(env: Env, source: string, manifestDir: string): Promise<SourceEntry> {
  const p = pathFor(env);
  if (registryUrl.test(source)) {
    const hash = source.indexOf('#');
    const registry = hash === -1 ? source : source.slice(0, hash);
    const target = hash === -1 ? '' : source.slice(hash + 1);
    const named = namedRange.exec(target);
    const name = named?.[1];
    const range = name === undefined ? target || 'latest' : (named?.[2] ?? 'latest');
    const spec = range === 'latest' ? registry : `${registry}#${range}`;
    checkSpec(source, spec);
    return { name, spec, kind: 'registry' };
  }

  const local = p.resolve(env.cwd, source);
  const info = await stat(local).catch(() => undefined);
  const looksLikePath = /^(?:\.{1,2}(?:[\\/]|$)|[\\/]|~[\\/]|[A-Za-z]:[\\/])/.test(source) || source.includes('/') || tarballSuffix.test(source);
  if (info !== undefined || looksLikePath) {
    if (info === undefined) {
      throw new SkillsyncError('FILE_NOT_FOUND', `${local} does not exist.`, { details: { path: local } });
    }
    const relative = manifestRelative(env, manifestDir, local);
    if (info.isDirectory()) {
      const identity = await readSkillIdentity(local);
      return { name: identity.name, spec: relative, kind: 'path' };
    }
    return { name: await tarballSkillName(local), spec: tarballSuffix.test(relative) ? relative : { tarball: relative }, kind: 'tarball' };
  }

  const named = namedRange.exec(source);
  const name = named?.[1];
  if (name === undefined || !isValidSkillName(name)) {
    throw new SkillsyncError('SOURCE_INVALID', `\`${source}\` is not a skill folder, a package, a registry URL or name@range.`, {
      details: { source },
    });
  }
  const range = named?.[2] ?? 'latest';
  checkSpec(source, range);
  return { name, spec: range, kind: 'registry' };
}

function checkSpec(source: string, spec: string): void {
  const parsed = parseSkillSpecifier(spec);
  if (!parsed.ok) throw new SkillsyncError('SOURCE_INVALID', `\`${source}\`: the source ${parsed.reason}.`, { details: { source } });
}

/** `./skills/x` relative to the manifest, with `/` on every platform, so the file is portable. */
export function manifestRelative(env: Env, manifestDir: string, target: string): string {
  const p = pathFor(env);
  const relative = p.relative(manifestDir, target);
  if (p.isAbsolute(relative)) return target;
  const posix = relative.split(p.sep).join('/');
  return posix.startsWith('../') || posix === '..' ? posix : `./${posix}`;
}

async function tarballSkillName(file: string): Promise<string> {
  const contents = await readPackage(await readFile(file));
  const skillMd = contents.files.find((entry) => entry.path === 'SKILL.md');
  const name = skillMd === undefined ? undefined : validateSkillMd(Buffer.from(skillMd.content).toString('utf8'), { mode: 'lenient' }).skill?.name;
  if (name === undefined) {
    throw new SkillsyncError('PACKAGE_INVALID', `${file} has no skill name in its SKILL.md.`, { details: { path: file } });
  }
  return name;
}
