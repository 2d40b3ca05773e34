import {
  hasNoErrors,
  landingScope,
  parseSkillSpecifier,
  pathFor,
  toSkillsyncError,
  validateSkillFolder,
  type EffectiveSkill,
  type Env,
  type SerializedError,
  type SkillFinding,
  type SkillsyncPaths,
} from '@skillsync/core';
import type { SkippedPath, SyncItem, SyncProblem } from '@skillsync/sync';
import type { DraftLanding } from '../daemon/contract.js';
import { readManifests, resolveManifestPath } from '../project.js';
import { runInstall } from '../run-install.js';
import { runSync } from '../run-sync.js';
import { targetClients, type SyncScope } from '../sync-context.js';
import { silentProgress } from '../ui.js';
import { skillLandings } from './preview-draft.js';

/** What `--sync` did on one pass. */
export type DevSyncReport =
  | {
      readonly state: 'synced';
      /** One per scope run that changed something. */
      readonly runIds: readonly string[];
      readonly filesWritten: number;
      readonly skillFoldersWritten: number;
      readonly skipped: readonly SkippedPath[];
      /** Client files that could not be parsed: left untouched, the other clients synced. */
      readonly problems: readonly SyncProblem[];
      /** Items someone else owns under the same name (a foreign skill folder): never overwritten. */
      readonly conflicts: readonly SyncItem[];
    }
  | { readonly state: 'skipped'; readonly reason: string }
  | { readonly state: 'failed'; readonly problems: readonly SerializedError[] };

/** One look at a skill folder: what `validate --strict` finds and where the skill lands. */
export interface DevPass {
  readonly dir: string;
  readonly name: string | undefined;
  readonly version: string | undefined;
  /** As `validate --strict` judges: no error and no warning. */
  readonly valid: boolean;
  readonly findings: readonly SkillFinding[];
  /** The scope of the manifest that lists the folder; else the one `skillsync add` would pick. */
  readonly scope: SyncScope;
  /** The manifest listing this folder as a local skill; undefined when none does. */
  readonly manifest: string | undefined;
  readonly projectRoot: string | undefined;
  /** Where SKILL.md lands in each target client (paths only: the folder is copied as it is). */
  readonly landings: readonly DraftLanding[];
  /** Only when asked to sync. */
  readonly sync?: DevSyncReport;
}

export interface DevPassOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  /** The skill folder, absolute. */
  readonly dir: string;
  /** Install and sync the skill's scope when the folder has no errors and a manifest lists it. */
  readonly sync: boolean;
}

/**
 * Validates a skill folder strictly and works out where it lands in the target
 * clients (the manifest `clients:`, or the clients found), as `sync` would place it.
 * With `sync`, then installs and syncs the scope of the manifest listing the folder.
 */
export async function runDevPass(options: DevPassOptions): Promise<DevPass> {
  const { env, paths, dir } = options;
  const p = pathFor(env);
  const [report, manifests] = await Promise.all([validateSkillFolder(dir, { mode: 'strict' }), readManifests(env)]);
  const entry = manifestEntryFor(env, manifests.effective.skills, dir);
  const scope: SyncScope = entry === undefined ? (manifests.project === undefined ? 'user' : 'project') : landingScope(entry.source);
  const projectFile = entry?.source.scope === 'project' ? entry.source.file : manifests.project?.file;
  const projectRoot = scope === 'project' && projectFile !== undefined ? p.dirname(projectFile) : undefined;
  const clients = await targetClients(env, manifests.effective.clients?.value, []);
  const name = report.skill?.name ?? p.basename(dir);
  const pass: DevPass = {
    dir,
    name: report.skill?.name,
    version: report.skill?.version,
    valid: report.findings.length === 0,
    findings: report.findings,
    scope,
    manifest: entry?.source.file,
    projectRoot,
    landings: skillLandings(name, { env, scope, projectRoot, clients }),
  };
  if (!options.sync) return pass;
  if (entry === undefined) {
    return { ...pass, sync: { state: 'skipped', reason: 'no manifest lists this folder: add it with `skillsync add`' } };
  }
  if (!hasNoErrors(report.findings)) return { ...pass, sync: { state: 'skipped', reason: 'the skill has errors' } };
  return { ...pass, sync: await installAndSync(env, paths, scope) };
}

/** The manifest entry whose local path is `dir`. */
function manifestEntryFor(env: Env, skills: readonly EffectiveSkill[], dir: string): EffectiveSkill | undefined {
  const p = pathFor(env);
  return skills.find((skill) => {
    const parsed = parseSkillSpecifier(skill.specifier);
    return parsed.ok && parsed.specifier.kind === 'path' && resolveManifestPath(env, p.dirname(skill.source.file), parsed.specifier.path) === dir;
  });
}

/** `skillsync install` then `skillsync sync --scope <scope>`; a failure is reported, never thrown. */
async function installAndSync(env: Env, paths: SkillsyncPaths, scope: SyncScope): Promise<DevSyncReport> {
  try {
    const installed = await runInstall(env, paths, { frozen: false, progress: silentProgress });
    if (!installed.ok) return { state: 'failed', problems: installed.data.problems };
    const { scopes } = (await runSync(env, paths, { mode: 'apply', scope, clients: [] })).data;
    const applied = scopes.flatMap((report) => (report.applied === undefined ? [] : [report.applied]));
    return {
      state: 'synced',
      runIds: applied.flatMap((run) => (run.runId === undefined ? [] : [run.runId])),
      filesWritten: applied.reduce((count, run) => count + run.written.length, 0),
      skillFoldersWritten: applied.reduce((count, run) => count + run.skillsWritten.length, 0),
      skipped: applied.flatMap((run) => run.skipped),
      problems: scopes.flatMap((report) => report.problems),
      conflicts: scopes.flatMap((report) => report.drift.filter((item) => item.status === 'conflict')),
    };
  } catch (error) {
    return { state: 'failed', problems: [toSkillsyncError(error).toJSON()] };
  }
}
