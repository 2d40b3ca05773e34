import { readFile } from 'node:fs/promises';
import { clientAdapters, detectClients, type ClientAdapter } from '@skillsync/clients';
import {
  LOCKFILE_FILE,
  pathFor,
  refuseConnector,
  SkillsyncError,
  type EffectiveManifest,
  type Env,
  type LoadedManifests,
  type Lockfile,
  type SkillsyncPaths,
} from '@skillsync/core';
import { installedSkills } from '@skillsync/store';
import {
  createDesiredState,
  DRIFT_STATUSES,
  INSTRUCTIONS_BLOCK_ID,
  listInstructionFiles,
  loadJournal,
  loadSkillFolderFingerprints,
  planSyncLoadingCodecs,
  readWorld,
  skillNamesToRead,
  type InstalledSkillInput,
  type SkillFolderFingerprints,
  type SyncItem,
  type SyncPlan,
} from '@skillsync/sync';
import { layerScope, syncScopesOf } from './org-scope.js';
import { readOrgProfiles, type OrgProfiles } from './org-profiles.js';
import { foreignEntryViolations, type OrgViolation } from './org-violations.js';
import { parsedFilesCache, readLockfile, readManifests, requireValidManifests } from './project.js';

export type SyncScope = 'user' | 'project';

/** The plan of one scope and what it was made for. */
export interface ScopePlan {
  readonly scope: SyncScope;
  /** The manifest the scope's desired state comes from. */
  readonly manifest: string;
  /** The project root for the project scope; undefined for the user scope. */
  readonly projectRoot: string | undefined;
  readonly clients: readonly string[];
  readonly plan: SyncPlan;
  /**
   * The skill folder fingerprints the plan was read with, holding what this reading
   * learnt: `applyPlan` takes them, and a read-only command may save them
   * (`saveFingerprints`) so the next run need not hash those folders again.
   */
  readonly fingerprints: SkillFolderFingerprints;
  /** Where the scope's manifest, or its client files, break an org profile. */
  readonly violations: readonly OrgViolation[];
}

export interface SyncContextOptions {
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  readonly scope: string | undefined;
  readonly clients: readonly string[];
  /** The manifests of `env` when the caller has read them already (the daemon reads them to know what to watch). */
  readonly manifests?: LoadedManifests;
  /** The org profiles to stack on the manifests; default: the cached ones (no network). */
  readonly org?: OrgProfiles;
}

/**
 * Builds the sync plan of every scope asked for: `project` when a project manifest
 * exists, `user` when the user manifest does (`--scope` picks one). Each scope's
 * desired state is what its own manifest declares, with the skills its lockfile
 * installed. Reads only; writes nothing.
 */
export async function buildSyncPlans(options: SyncContextOptions): Promise<ScopePlan[]> {
  const { env } = options;
  const scopeFilter = parseSyncScope(options.scope);
  const [manifests, org] = await Promise.all([options.manifests ?? readManifests(env), options.org ?? readOrgProfiles(env)]);
  requireValidManifests(manifests);
  const available = syncScopesOf(env, manifests, org);
  if (available.length === 0) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `No skillsync.yaml in ${env.cwd} or above it, and no user manifest.`, {
      hint: 'Run `skillsync init` (or `skillsync init --user`) first.',
      details: { cwd: env.cwd },
    });
  }
  const chosen = available.filter(({ scope }) => scopeFilter === undefined || scope === scopeFilter);
  if (chosen.length === 0) {
    throw new SkillsyncError('MANIFEST_NOT_FOUND', `--scope ${scopeFilter ?? ''}: there is no ${scopeFilter ?? ''} manifest.`, {
      hint: scopeFilter === 'project' ? 'Run `skillsync init` in the project first.' : 'Run `skillsync init --user` first.',
      details: { scope: scopeFilter },
    });
  }
  const lockfiles = new Map<string, Promise<Lockfile | undefined>>();
  const lockfileOf = (manifestFile: string): Promise<Lockfile | undefined> => {
    const file = pathFor(env).join(pathFor(env).dirname(manifestFile), LOCKFILE_FILE);
    let lockfile = lockfiles.get(file);
    if (lockfile === undefined) {
      lockfile = readLockfile(file, parsedFilesCache(env, 'lockfiles'));
      lockfiles.set(file, lockfile);
    }
    return lockfile;
  };
  /** Everything a scope's plan needs besides the clients, read concurrently with them and with the other scope's. */
  const prepare = async (loaded: (typeof chosen)[number]) => {
    const { scope } = loaded;
    const layered = layerScope(loaded, org);
    const { effective } = layered;
    const projectRoot = scope === 'project' ? pathFor(env).dirname(loaded.file) : undefined;
    const installing = (async () => {
      // The project lockfile also locks the user's skills; the user lockfile is the fallback (and the org's skills are locked there alone).
      const lockCandidates = [await lockfileOf(loaded.file)];
      if (scope === 'user' && manifests.project !== undefined) lockCandidates.push(await lockfileOf(manifests.project.file));
      return requireInstalledSkills(
        effective.skills.map((skill) => skill.name),
        lockCandidates.filter((lock): lock is Lockfile => lock !== undefined),
        options.paths.store,
        new Set(layered.orgSkills.map((skill) => skill.name)),
      );
    })();
    const [{ installed, missing }, texts, journal, fingerprints] = await inOrder([
      installing,
      readInstructionTexts(effective, loaded.file),
      loadJournal(options.paths.state, scope, projectRoot),
      loadSkillFolderFingerprints(options.paths.state, scope, projectRoot),
    ] as const);
    const violations = [...layered.violations, ...layered.missing(missing)];
    // Entries added by hand that a profile refuses are removed from the client files too.
    const refusedConnector = org.layers.length === 0 ? undefined : (name: string): string | undefined => refuseConnector(org.layers, name)?.reason;
    const desired = createDesiredState(effective, installed, texts);
    return { scope, loaded, projectRoot, desired: refusedConnector === undefined ? desired : { ...desired, refusedConnector }, journal, fingerprints, violations };
  };
  const [targets, ...prepared] = await inOrder([targetClients(env, manifests.effective.clients?.value, options.clients), ...chosen.map(prepare)] as const);
  const plans: ScopePlan[] = [];
  for (const scoped of prepared) {
    const { scope, loaded, projectRoot, desired, journal, fingerprints, violations } = scoped;
    const world = await readWorld({
      env,
      scope,
      projectRoot,
      clients: targets,
      skillNames: skillNamesToRead(desired, journal),
      instructions: desired.instructions,
      journal,
      fingerprints,
      parsedFilesCache: parsedFilesCache(env, 'connectors'),
    });
    const plan = await planSyncLoadingCodecs({ env, scope, projectRoot, clients: targets, desired, journal, ...world });
    plans.push({
      scope,
      manifest: loaded.file,
      projectRoot,
      clients: targets.map((adapter) => adapter.id),
      plan,
      fingerprints,
      violations: [...violations, ...foreignEntryViolations(scope, plan, org.layers)],
    });
  }
  return plans;
}

/**
 * Awaits independent reads side by side, but fails as running them one after another
 * would have: with the first error in their order, not the first to arrive.
 */
async function inOrder<T extends readonly unknown[]>(tasks: { readonly [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(tasks);
  for (const result of results) if (result.status === 'rejected') throw result.reason;
  return results.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

/** The text of every instruction file the manifest names (FILE_NOT_FOUND naming the first that cannot be read). */
async function readInstructionTexts(effective: EffectiveManifest, manifestFile: string): Promise<Map<string, string>> {
  const files = listInstructionFiles(effective);
  const read = await Promise.allSettled(files.map((file) => readFile(file, 'utf8')));
  const texts = new Map<string, string>();
  for (const [index, file] of files.entries()) {
    const result = read[index] as PromiseSettledResult<string>;
    if (result.status === 'fulfilled') {
      texts.set(file, result.value);
      continue;
    }
    throw new SkillsyncError('FILE_NOT_FOUND', `Cannot read the instruction file ${file}: ${(result.reason as Error).message}`, {
      hint: `Create it, or fix the instructions entry in ${manifestFile}.`,
      details: { file, manifest: manifestFile },
    });
  }
  return texts;
}

/**
 * Saves what a read-only command (`status`, `sync --check`, `--dry-run`) learnt about
 * the skill folders, so the next run reads only stats where nothing changed. Only
 * skillsync's own cache in its state folder is written, and only when it changes;
 * a failure (a read-only state folder, a sync holding the lock) is ignored: it is a
 * cache, and the next run simply hashes again.
 */
export async function saveFingerprints(plans: readonly ScopePlan[]): Promise<void> {
  for (const { fingerprints } of plans) await fingerprints.save({ prune: false }).catch(() => false);
}

export function parseSyncScope(value: string | undefined, whenOmitted = 'for both'): SyncScope | undefined {
  if (value === undefined || value === 'user' || value === 'project') return value;
  throw new SkillsyncError('USAGE', `--scope ${value}: not a scope. Allowed: user, project.`, {
    hint: `Pass --scope user or --scope project, or leave it out ${whenOmitted}.`,
    details: { option: '--scope', value, allowed: ['user', 'project'] },
  });
}

/** The manifest's `clients:` when set, else the clients found here; narrowed by `--client`. */
export async function targetClients(env: Env, declared: readonly string[] | undefined, only: readonly string[]): Promise<ClientAdapter[]> {
  for (const id of only) {
    if (!clientAdapters.some((adapter) => adapter.id === id)) {
      throw new SkillsyncError('USAGE', `--client ${id}: not a known client.`, {
        hint: `Known clients: ${clientAdapters.map((adapter) => adapter.id).join(', ')}.`,
        details: { option: '--client', value: id },
      });
    }
  }
  let base: ClientAdapter[];
  if (declared !== undefined) {
    base = clientAdapters.filter((adapter) => declared.includes(adapter.id));
  } else {
    const detected = await detectClients(env, clientAdapters);
    base = clientAdapters.filter((_adapter, index) => detected[index]?.found === true);
  }
  return only.length === 0 ? base : base.filter((adapter) => only.includes(adapter.id));
}

/**
 * The root skills and everything they depend on, from the lockfile, each present in the
 * store; LOCKFILE_OUT_OF_DATE otherwise. The `optional` roots (the org's) may be missing:
 * they are returned as such, and the plan goes on without them.
 */
function requireInstalledSkills(
  names: readonly string[],
  lockfiles: readonly Lockfile[],
  storeRoot: string,
  optional: ReadonlySet<string>,
): { installed: InstalledSkillInput[]; missing: string[] } {
  const { installed, missing } = installedSkills(names, lockfiles, storeRoot);
  const required = missing.filter((name) => !optional.has(name));
  if (required.length > 0) {
    throw new SkillsyncError('LOCKFILE_OUT_OF_DATE', `Not installed yet: ${required.join(', ')}.`, {
      hint: 'Run `skillsync install` first, then sync again.',
      details: { skills: required },
    });
  }
  return { installed: [...installed], missing: missing.filter((name) => optional.has(name)) };
}

/** Items whose status says the client is not as the desired state wants it. */
export function driftItems(plan: SyncPlan): SyncItem[] {
  return plan.items.filter((item) => DRIFT_STATUSES.includes(item.status));
}

/** How a person fixes one drifted item. */
export function fixHint(item: SyncItem): string {
  if (item.status === 'conflict') {
    return `another ${item.kind} named ${item.name} is there already: rename or remove it, or rename ours in skillsync.yaml, then run \`skillsync sync\``;
  }
  return 'run `skillsync sync`';
}

/** What a plan changes in one client: `+github (connector)`, `~x (skill)`, `-y (connector)`, `instructions updated`, `instructions tests added`. */
export function clientChanges(plan: SyncPlan): Map<string, string[]> {
  const changes = new Map<string, string[]>();
  for (const item of plan.items) {
    if (!['missing', 'modified', 'outdated'].includes(item.status)) continue;
    const list = changes.get(item.client) ?? [];
    if (item.kind === 'instructions') {
      // A scoped instruction's rule file is named after it.
      const what = item.name === INSTRUCTIONS_BLOCK_ID ? 'instructions' : `instructions ${item.name}`;
      list.push(`${what} ${item.removal === true ? 'removed' : item.status === 'missing' ? 'added' : 'updated'}`);
    }
    else list.push(`${item.removal === true ? '-' : item.status === 'missing' ? '+' : '~'}${item.name} (${item.kind})`);
    changes.set(item.client, list);
  }
  return changes;
}

/** The lines of a unified diff from `before` to `after` (absent = /dev/null), with 3 lines of context. */
export function unifiedDiff(file: string, before: string | undefined, after: string | undefined): string[] {
  const split = (text: string | undefined): string[] => {
    if (text === undefined || text === '') return [];
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    return lines;
  };
  const a = split(before);
  const b = split(after);
  const ops = diffLines(a, b);
  const out = [`--- ${before === undefined ? '/dev/null' : `a/${file}`}`, `+++ ${after === undefined ? '/dev/null' : `b/${file}`}`];
  const context = 3;
  let index = 0;
  while (index < ops.length) {
    while (index < ops.length && ops[index]?.kind === ' ') index += 1;
    if (index >= ops.length) break;
    const start = Math.max(0, index - context);
    // Extend the hunk while changes are within 2×context of each other.
    let end = index;
    let lastChange = index;
    while (end < ops.length && end - lastChange <= context * 2) {
      if (ops[end]?.kind !== ' ') lastChange = end;
      end += 1;
    }
    end = Math.min(ops.length, lastChange + context + 1);
    const hunk = ops.slice(start, end);
    const first = ops[start];
    const aStart = first === undefined ? 0 : first.a;
    const bStart = first === undefined ? 0 : first.b;
    const aCount = hunk.filter((op) => op.kind !== '+').length;
    const bCount = hunk.filter((op) => op.kind !== '-').length;
    out.push(`@@ -${aCount === 0 ? aStart : aStart + 1},${aCount} +${bCount === 0 ? bStart : bStart + 1},${bCount} @@`);
    for (const op of hunk) out.push(`${op.kind}${op.text}`);
    index = end;
  }
  return out;
}

interface LineOp {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
  /** Lines of `a` and `b` before this one. */
  readonly a: number;
  readonly b: number;
}

/** A longest-common-subsequence line diff; client files are small, so quadratic is fine. */
function diffLines(a: readonly string[], b: readonly string[]): LineOp[] {
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix += 1;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix += 1;
  const midA = a.slice(prefix, a.length - suffix);
  const midB = b.slice(prefix, b.length - suffix);
  const n = midA.length;
  const m = midB.length;
  const ops: LineOp[] = [];
  for (let i = 0; i < prefix; i += 1) ops.push({ kind: ' ', text: a[i] ?? '', a: i, b: i });
  if (n * m > 4_000_000) {
    midA.forEach((text, i) => ops.push({ kind: '-', text, a: prefix + i, b: prefix }));
    midB.forEach((text, j) => ops.push({ kind: '+', text, a: prefix + n, b: prefix + j }));
  } else {
    // table[i * width + j]: the LCS length of midA[i..] and midB[j..].
    const width = m + 1;
    const table = new Uint32Array((n + 1) * width);
    const at = (i: number, j: number): number => table[i * width + j] ?? 0;
    for (let i = n - 1; i >= 0; i -= 1) {
      for (let j = m - 1; j >= 0; j -= 1) table[i * width + j] = midA[i] === midB[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      const left = midA[i];
      const right = midB[j];
      if (left !== undefined && right !== undefined && left === right) {
        ops.push({ kind: ' ', text: left, a: prefix + i, b: prefix + j });
        i += 1;
        j += 1;
      } else if (left !== undefined && (right === undefined || at(i + 1, j) >= at(i, j + 1))) {
        ops.push({ kind: '-', text: left, a: prefix + i, b: prefix + j });
        i += 1;
      } else {
        ops.push({ kind: '+', text: right ?? '', a: prefix + i, b: prefix + j });
        j += 1;
      }
    }
  }
  for (let k = 0; k < suffix; k += 1) ops.push({ kind: ' ', text: a[a.length - suffix + k] ?? '', a: a.length - suffix + k, b: b.length - suffix + k });
  return ops;
}
