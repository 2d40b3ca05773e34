import { readFile, stat } from 'node:fs/promises';
import {
  addManifestEntries,
  addSkillToManifest,
  connectorTarget,
  connectorTransport,
  createManifestText,
  isValidSkillName,
  parseSkillSpecifier,
  pathFor,
  renderSpecifier,
  SkillsyncError,
  validateSkillMd,
  writeFileAtomic,
  type ConnectorDefinition,
  type Env,
  type SkillSpecifierInput,
} from '@skillsync/core';
import { readPackage, readSkillIdentity } from '@skillsync/store';
import type { addOptions } from '../command-table.js';
import { defineHandler, type CommandInput, type CommandResult } from '../define-command.js';
import { displayPath } from '../format.js';
import { manifestToEdit } from '../project.js';

export type AddData =
  | {
      readonly name: string;
      /** The entry as written to the manifest. */
      readonly specifier: string;
      readonly kind: 'path' | 'tarball' | 'registry';
      readonly file: string;
      readonly scope: 'user' | 'project';
    }
  | {
      readonly name: string;
      readonly kind: 'connector';
      /** The definition as written to the manifest (secrets only as references). */
      readonly connector: ConnectorDefinition;
      readonly file: string;
      readonly scope: 'user' | 'project';
    };

type AddOptions = CommandInput<typeof addOptions>['options'];

export const addHandler = defineHandler({
  run: async ({ env, positionals, options }: CommandInput<typeof addOptions>): Promise<CommandResult<AddData>> => {
    // The flags are checked before any file is read: a usage error says so whatever the manifest.
    const form = addForm(positionals, options);
    const { file, scope } = await manifestToEdit(env, options.user);
    const existing = await readFile(file, 'utf8').catch((error: unknown) => {
      // The user manifest is created on first use; a missing project one was refused above.
      if (scope === 'user' && (error as NodeJS.ErrnoException).code === 'ENOENT') return createManifestText();
      throw new SkillsyncError('FILE_READ_FAILED', `Could not read ${file}.`, { details: { path: file }, cause: error });
    });
    if (form.kind === 'connector') {
      await writeFileAtomic(file, addManifestEntries(existing, { connectors: { [form.name]: form.connector } }, file));
      const data: AddData = { name: form.name, kind: 'connector', connector: form.connector, file, scope };
      return { ok: true, data };
    }
    const { source } = form;
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
    data.kind === 'connector'
      ? [
          `${ui.green('added')} connector ${ui.bold(data.name)} ${ui.dim(`(${connectorTransport(data.connector)}: ${connectorTarget(data.connector)})`)} to ${displayPath(env, data.file)}`,
          `Run ${ui.cyan('skillsync sync')} to put it into your clients.`,
        ].join('\n')
      : [
          `${ui.green('added')} ${ui.bold(data.name)} ${ui.dim(`(${data.specifier})`)} to ${displayPath(env, data.file)}`,
          `Run ${ui.cyan('skillsync install')} to fetch it and update skillsync.lock.`,
        ].join('\n'),
});

/** What the command line asks for: a skill from one source, or a connector (`--connector`). */
function addForm(positionals: readonly string[], options: AddOptions): { kind: 'skill'; source: string } | { kind: 'connector'; name: string; connector: ConnectorDefinition } {
  if (options.connector !== undefined) {
    if (options.name !== undefined) throw usage('--name names a skill; a connector is named by --connector.');
    return { kind: 'connector', name: options.connector, connector: connectorFromOptions(options.connector, positionals, options) };
  }
  const connectorOnly = (['url', 'transport'] as const).find((flag) => options[flag] !== undefined) ?? (options.env.length > 0 ? 'env' : options.header.length > 0 ? 'header' : undefined);
  if (connectorOnly !== undefined) throw usage(`--${connectorOnly} is for connectors: add --connector <name>.`);
  const [source, ...more] = positionals;
  if (source === undefined) throw usage('`skillsync add` needs <source>: where the skill comes from (or --connector <name>).');
  if (more.length > 0) throw usage(`\`skillsync add\` takes one skill source, not ${positionals.length}.`);
  return { kind: 'skill', source };
}

/**
 * The connector the flags describe: stdio (the command after `--`, with --env) or remote
 * (--url, with --transport and --header). Whether it is a valid connector, and holds no
 * written-out secret, the manifest's own checks decide when it is added.
 */
function connectorFromOptions(name: string, command: readonly string[], options: AddOptions): ConnectorDefinition {
  const [program, ...args] = command;
  if ((program === undefined) === (options.url === undefined)) {
    throw usage(
      program === undefined ? `The connector ${name} needs the command that starts it (after --) or --url.` : `The connector ${name} has both a command and --url: give one.`,
      `Example: skillsync add --connector ${name} -- npx -y <package>, or skillsync add --connector ${name} --url https://…/mcp`,
    );
  }
  if (program !== undefined) {
    const misplaced = (['transport'] as const).find((flag) => options[flag] !== undefined) ?? (options.header.length > 0 ? 'header' : undefined);
    if (misplaced !== undefined) throw usage(`--${misplaced} is for a remote connector (--url); ${name} starts a command.`);
    const env = assignments(options.env, '--env');
    return { command: program, ...(args.length > 0 ? { args } : {}), ...(Object.keys(env).length > 0 ? { env } : {}) };
  }
  if (options.env.length > 0) throw usage(`--env is for a connector that starts a command; ${name} is remote (--url): pass credentials with --header.`);
  if (options.transport !== undefined && options.transport !== 'http' && options.transport !== 'sse') {
    throw usage(`--transport ${options.transport}: use http (Streamable HTTP) or sse.`);
  }
  const headers = assignments(options.header, '--header');
  return {
    url: options.url ?? '',
    ...(options.transport === undefined ? {} : { transport: options.transport }),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** `NAME=VALUE` flags as a record; the value is never repeated in an error (it may be a secret). */
function assignments(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const name = equals <= 0 ? undefined : value.slice(0, equals);
    if (name === undefined) throw usage(`${flag} takes NAME=VALUE; one value is not of that form (not repeated here: it may be a secret).`);
    if (name in out) throw usage(`${flag} ${name} is given twice.`);
    out[name] = value.slice(equals + 1);
  }
  return out;
}

function usage(message: string, hint?: string): SkillsyncError {
  return new SkillsyncError('USAGE', message, { hint: hint ?? 'Run `skillsync add --help` for the forms and examples.' });
}

interface SourceEntry {
  readonly name: string | undefined;
  readonly spec: SkillSpecifierInput;
  readonly kind: 'path' | 'tarball' | 'registry';
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
