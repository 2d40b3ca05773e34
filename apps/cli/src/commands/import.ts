import { cp, mkdir, readFile, rename, rm } from 'node:fs/promises';
import {
  addManifestEntries,
  addSkillToManifest,
  createManifestText,
  findProjectManifest,
  isExcludedFromSkill,
  parseManifest,
  pathFor,
  readTextIfExists,
  setSkillVersion,
  SkillsyncError,
  skillsyncPaths,
  writeFileAtomic,
  type Env,
  type InstructionDefinition,
  type Manifest,
  type SerializedError,
  type SkillsyncPaths,
} from '@skillsync/core';
import { openSecretStore } from '@skillsync/secrets';
import { hashSkillFolder } from '@skillsync/store';
import { adoptJournalEntries, loadJournal, readClientInventory, type ImportNote, type ImportPlan, type JournalEntry } from '@skillsync/sync';
import type { importOptions } from '../command-table.js';
import { defineHandler, type CommandInput } from '../define-command.js';
import { displayPath, plural } from '../format.js';
import { resolveManifestPath } from '../project.js';
import { runInstall, type InstallData } from '../run-install.js';
import { planImportWithSecrets } from '../plan-import-with-secrets.js';
import { parseSyncScope, targetClients } from '../sync-context.js';
import type { Ui } from '../ui.js';

export interface ImportData {
  readonly dryRun: boolean;
  readonly scope: 'user' | 'project';
  readonly manifest: string;
  readonly clients: readonly string[];
  readonly connectors: readonly { readonly name: string; readonly from: readonly string[]; readonly secrets: readonly string[]; readonly dropped: readonly string[] }[];
  /** Names and where each came from; never the values. */
  readonly secrets: readonly { readonly name: string; readonly connector: string; readonly field: string; readonly stored: 'new' | 'already-stored' }[];
  readonly secretBackend: string | undefined;
  readonly skills: readonly { readonly name: string; readonly version: string; readonly versionAdded: boolean; readonly from: readonly string[]; readonly path: string }[];
  readonly instructions: readonly { readonly name: string; readonly file: string; readonly from: readonly string[] }[];
  readonly notes: readonly ImportNote[];
  readonly install: InstallData | undefined;
}

/**
 * `skillsync import`: adopts what the person's clients already have into the manifest
 * of one scope. The same server in several clients becomes one connector, a written-out
 * credential becomes a `${secret:…}` reference with its value in the secret store, each
 * skill is copied next to the manifest (and versioned), each distinct instruction text
 * becomes an instruction file. No client file changes: the next `sync` does that.
 */
export const importHandler = defineHandler({
  run: async ({ env, paths, options, progress }: CommandInput<typeof importOptions>) => {
    const scope = parseSyncScope(options.scope, 'to import into your user manifest') ?? 'user';
    const dryRun = options['dry-run'];
    const target = await importTarget(env, paths, scope);
    const p = pathFor(env);
    const manifestDir = p.dirname(target.file);
    const manifestText = (await readTextIfExists(target.file)) ?? createManifestText();
    const parsed = parseManifest(manifestText, { file: target.file });
    if (parsed.manifest === undefined) {
      const error = parsed.findings.find((finding) => finding.severity === 'error');
      throw new SkillsyncError(error?.code ?? 'MANIFEST_INVALID', `${target.file}: ${error?.message ?? 'invalid'}`, { hint: 'Fix the manifest first; import adds to it.', details: { path: target.file } });
    }
    const clients = await targetClients(env, parsed.manifest.clients, options.client);
    const secrets = await openSecretStore({ env });
    const journal = await loadJournal(paths.state, scope, target.projectRoot);
    const reading = progress('reading');
    reading.update(undefined, undefined, plural(clients.length, 'client'));
    const inventories = await readClientInventory({ env, scope, ...(target.projectRoot === undefined ? {} : { projectRoot: target.projectRoot }), clients }).finally(reading.done);
    const existing = {
      connectors: parsed.manifest.connectors,
      skills: Object.keys(parsed.manifest.skills),
      instructions: await existingInstructions(env, parsed.manifest, manifestDir),
    };
    const plan = await planImportWithSecrets({ scope, inventories, existing, journal }, secrets);

    const notes = [...plan.notes];
    const skillDirs = new Map(plan.skills.map((skill) => [skill.name, p.join(manifestDir, 'skills', skill.name)]));
    const instructionFiles = new Map(plan.instructions.map((instruction) => [instruction.name, p.join(manifestDir, 'instructions', `${instruction.name}.md`)]));
    const dropped = new Set<string>();
    let install: InstallData | undefined;
    let installFailed = false;

    if (!dryRun) {
      for (const secret of plan.secrets) if (secret.isNew) await secrets.set(secret.name, secret.value);
      for (const skill of plan.skills) {
        const dir = skillDirs.get(skill.name) ?? '';
        const problem = await copySkill(env, skill.sourceDir, dir, skill.stampVersion ? skill.version : undefined);
        if (problem !== undefined) {
          dropped.add(`skill\u0000${skill.name}`);
          notes.push({ code: 'IMPORT_NAME_CONFLICT', kind: 'skill', client: skill.from[0]?.client ?? 'claude-code', name: skill.name, path: dir, message: problem });
        }
      }
      for (const instruction of plan.instructions) {
        const file = instructionFiles.get(instruction.name) ?? '';
        const existing = await readTextIfExists(file);
        if (existing !== undefined && existing !== `${instruction.text}\n`) {
          dropped.add(`instructions\u0000${instruction.name}`);
          notes.push({ code: 'IMPORT_NAME_CONFLICT', kind: 'instructions', client: instruction.from[0]?.client ?? 'claude-code', name: instruction.name, path: file, message: `${file} exists with other text: not imported; move it away and import again` });
          continue;
        }
        if (existing === undefined) await writeFileAtomic(file, `${instruction.text}\n`);
      }
      let text = addManifestEntries(
        manifestText,
        {
          connectors: Object.fromEntries(plan.connectors.map((connector) => [connector.name, connector.connector])),
          instructions: plan.instructions
            .filter((instruction) => !dropped.has(`instructions\u0000${instruction.name}`))
            .map((instruction): InstructionDefinition => ({ name: instruction.name, file: manifestRelative(env, manifestDir, instructionFiles.get(instruction.name) ?? '') })),
        },
        target.file,
      );
      for (const skill of plan.skills) {
        if (!dropped.has(`skill\u0000${skill.name}`)) text = addSkillToManifest(text, skill.name, manifestRelative(env, manifestDir, skillDirs.get(skill.name) ?? ''));
      }
      if (text !== manifestText || (await readTextIfExists(target.file)) === undefined) await writeFileAtomic(target.file, text);
      if (plan.skills.length > 0) {
        const installed = await runInstall(env, paths, { frozen: false, progress: progress('installing') });
        install = installed.data;
        installFailed = !installed.ok;
      }
      const adopt = plan.adopt.filter((entry) => !isDropped(entry, dropped, plan));
      if (!installFailed) await adoptJournalEntries(paths.state, scope, target.projectRoot, adopt);
    }

    const data: ImportData = {
      dryRun,
      scope,
      manifest: target.file,
      clients: clients.map((adapter) => adapter.id),
      connectors: plan.connectors.map((connector) => ({
        name: connector.name,
        from: connector.from.map((origin) => origin.client),
        secrets: connector.secrets,
        dropped: connector.dropped,
      })),
      secrets: plan.secrets.map((secret) => ({ name: secret.name, connector: secret.connector, field: secret.field, stored: secret.isNew ? 'new' : 'already-stored' })),
      secretBackend: plan.secrets.length > 0 ? secrets.backend : undefined,
      skills: plan.skills
        .filter((skill) => !dropped.has(`skill\u0000${skill.name}`))
        .map((skill) => ({ name: skill.name, version: skill.version, versionAdded: skill.stampVersion, from: skill.from.map((origin) => origin.client), path: skillDirs.get(skill.name) ?? '' })),
      instructions: plan.instructions
        .filter((instruction) => !dropped.has(`instructions\u0000${instruction.name}`))
        .map((instruction) => ({ name: instruction.name, file: instructionFiles.get(instruction.name) ?? '', from: instruction.from.map((origin) => origin.client) })),
      notes,
      install,
    };
    // A client file that could not be read is a failure, as it is for `sync`: what it holds was not adopted. The rest was.
    const unreadable = notes.some((note) => note.kind === 'file');
    return { ok: !installFailed && !unreadable, data };
  },
  render: renderImport,
});

/** The manifest import writes to: the user one, or the project one (created in the current folder when there is none). */
async function importTarget(env: Env, paths: SkillsyncPaths, scope: 'user' | 'project'): Promise<{ file: string; projectRoot: string | undefined }> {
  if (scope === 'user') return { file: paths.userManifest, projectRoot: undefined };
  const p = pathFor(env);
  const found = await findProjectManifest(env);
  const file = found ?? p.join(p.resolve(env.cwd), 'skillsync.yaml');
  if (file === skillsyncPaths(env).userManifest) {
    throw new SkillsyncError('USAGE', 'The current folder is the skillsync config folder: run a project import from the project.', { details: { cwd: env.cwd } });
  }
  return { file, projectRoot: p.dirname(file) };
}

/** The text of each instruction the manifest has, so the same text is not imported twice. */
async function existingInstructions(env: Env, manifest: Manifest, manifestDir: string): Promise<{ name?: string; text?: string }[]> {
  return Promise.all(
    manifest.instructions.map(async (instruction) => {
      const text = instruction.text ?? (instruction.file === undefined ? undefined : await readTextIfExists(resolveManifestPath(env, manifestDir, instruction.file)));
      return { ...(instruction.name === undefined ? {} : { name: instruction.name }), ...(text === undefined ? {} : { text }) };
    }),
  );
}

/**
 * Copies a skill folder next to the manifest (beside it first, then renamed into place),
 * writing `metadata.version` when it had none. A folder already there is kept when it
 * holds the same skill, and refused otherwise.
 */
async function copySkill(env: Env, source: string, target: string, stampVersion: string | undefined): Promise<string | undefined> {
  const p = pathFor(env);
  const temp = `${target}.skillsync-import.tmp`;
  await rm(temp, { recursive: true, force: true });
  await mkdir(p.dirname(target), { recursive: true });
  await cp(source, temp, { recursive: true, dereference: false, filter: (file) => file === source || !isExcludedFromSkill(p.relative(source, file).split(p.sep).join('/')) });
  if (stampVersion !== undefined) {
    const skillMd = p.join(temp, 'SKILL.md');
    await writeFileAtomic(skillMd, setSkillVersion(await readFile(skillMd, 'utf8'), stampVersion));
  }
  const existing = await hashSkillFolder(target).catch(() => 'unreadable');
  if (existing !== undefined) {
    const same = existing === (await hashSkillFolder(temp));
    await rm(temp, { recursive: true, force: true });
    return same ? undefined : `${target} exists with other content: not imported; move it away and import again`;
  }
  await rename(temp, target);
  return undefined;
}

function isDropped(entry: JournalEntry, dropped: ReadonlySet<string>, plan: ImportPlan): boolean {
  if (entry.kind === 'skill') return dropped.has(`skill\u0000${entry.name}`);
  if (entry.kind === 'instructions') {
    const instruction = plan.instructions.find((candidate) => candidate.from.some((origin) => origin.path === entry.path));
    return instruction !== undefined && dropped.has(`instructions\u0000${instruction.name}`);
  }
  return false;
}

/** `./skills/x` relative to the manifest, with `/` on every platform. */
function manifestRelative(env: Env, manifestDir: string, target: string): string {
  const p = pathFor(env);
  return `./${p.relative(manifestDir, target).split(p.sep).join('/')}`;
}

function renderImport(data: ImportData, ui: Ui, env: Env): string {
  const lines: string[] = [];
  const from = (clients: readonly string[]): string => ui.dim(`(from ${[...new Set(clients)].join(', ')})`);
  const verb = data.dryRun ? 'would import' : 'imported';
  for (const connector of data.connectors) {
    const secrets = connector.secrets.length === 0 ? '' : ` ${ui.yellow(`${plural(connector.secrets.length, 'secret')} → store`)}`;
    lines.push(`${ui.green('+')} connector ${ui.bold(connector.name)} ${from(connector.from)}${secrets}`);
  }
  for (const skill of data.skills) {
    const version = skill.versionAdded ? `${skill.version}, version added` : skill.version;
    lines.push(`${ui.green('+')} skill ${ui.bold(skill.name)}@${version} ${from(skill.from)}`);
  }
  for (const instruction of data.instructions) lines.push(`${ui.green('+')} instructions ${ui.bold(instruction.name)} ${from(instruction.from)}`);
  for (const secret of data.secrets) {
    lines.push(`  ${ui.dim('secret')} ${secret.name} ${ui.dim(`← ${secret.connector} ${secret.field}${secret.stored === 'new' ? '' : ' (already stored)'}`)}`);
  }
  if (!ui.quiet) {
    for (const note of data.notes) {
      // An unreadable file is named by its path; an item by its kind and name.
      const what = note.kind === 'file' ? `${displayPath(env, note.path)} (${note.name})` : `${note.kind} ${note.name}`;
      lines.push(`${ui.yellow('!')} ${what} ${ui.dim(`in ${note.client}`)}: ${note.message}`);
    }
  }
  const count = data.connectors.length + data.skills.length + data.instructions.length;
  if (count === 0) {
    lines.push(`Nothing new to import from ${plural(data.clients.length, 'client')} (${data.clients.join(', ') || 'none found'}).`);
    return lines.join('\n');
  }
  const summary = [plural(data.connectors.length, 'connector'), plural(data.skills.length, 'skill'), plural(data.instructions.length, 'instruction')].join(', ');
  lines.push(`${ui.green('✓')} ${verb} ${summary} into ${displayPath(env, data.manifest)}${data.secretBackend === undefined ? '' : `; secrets in the ${data.secretBackend} store, never printed`}`);
  if (data.install !== undefined && data.install.problems.length > 0) lines.push(ui.red(`install failed: ${data.install.problems.map((problem: SerializedError) => problem.message).join('; ')}`));
  lines.push(data.dryRun ? 'Nothing was written (--dry-run).' : `No client file changed. Next: ${ui.cyan('skillsync sync --dry-run')}, then ${ui.cyan('skillsync sync')}.`);
  return lines.join('\n');
}
