import type { Dirent } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientAdapters, type ClientAdapter } from '@skillsync/clients';
import { createEnv, type ConnectorDefinition, type EffectiveManifest, type Env } from '@skillsync/core';
import { openStore, packSkill } from '@skillsync/store';
import { applyPlan, type ApplyResult } from '../apply-plan.js';
import { createDesiredState, type DesiredState, type InstalledSkillInput } from '../create-desired-state.js';
import { loadJournal } from '../journal-store.js';
import { planSyncLoadingCodecs } from '../plan-sync.js';
import { readWorld, skillNamesToRead } from '../read-world.js';
import type { SkillFolderFingerprints } from '../skill-folder-fingerprints.js';
import type { SyncPlan } from '../sync-plan.js';

/** A temp HOME, project, state folder and store, with Claude Code, Codex and Cursor as the clients. */
export interface SyncFixture {
  readonly root: string;
  readonly home: string;
  readonly project: string;
  readonly stateDir: string;
  readonly storeRoot: string;
  readonly env: Env;
  readonly clients: readonly ClientAdapter[];
  readonly skill: { readonly name: string; readonly version: string; readonly integrity: string; readonly dir: string };
}

/** A `.mcp.json` a person wrote: a comment and a server of their own, which must survive byte for byte. */
export const foreignMcpJson = `{
  // my own servers, hand-tuned
  "mcpServers": {
    "mine": { "command": "my-server", "args": ["--fast"] }
  }
}
`;

export const connectorPool: Readonly<Record<string, ConnectorDefinition>> = {
  docs: { command: 'npx', args: ['-y', '@acme/docs-mcp'], env: { LOG_LEVEL: 'info' } },
  search: { url: 'https://mcp.example.com/mcp' },
  lint: { command: 'lint-mcp', args: ['--stdio'] },
};

export async function createSyncFixture(): Promise<SyncFixture> {
  const root = await mkdtemp(path.join(tmpdir(), 'ss-sync-'));
  const home = path.join(root, 'home');
  const project = path.join(root, 'project');
  await mkdir(home, { recursive: true });
  await mkdir(project, { recursive: true });
  await writeFile(path.join(project, '.mcp.json'), foreignMcpJson);
  await writeFile(path.join(project, 'AGENTS.md'), '# House rules\r\n\r\nBe kind.\r\n');

  const source = path.join(root, 'skill-src');
  await mkdir(path.join(source, 'references'), { recursive: true });
  await writeFile(path.join(source, 'SKILL.md'), '---\nname: review\ndescription: Reviews code.\nmetadata:\n  version: "1.0.0"\n---\n\nReview the diff.\n');
  await writeFile(path.join(source, 'references', 'checklist.md'), '- tests\n');
  const storeRoot = path.join(root, 'store');
  const entry = await openStore(storeRoot).addPackage((await packSkill(source)).tarball);

  let clock = Date.UTC(2025, 0, 1);
  const env = createEnv({ home, cwd: project, now: () => new Date((clock += 1000)) });
  const clients = ['claude-code', 'codex', 'cursor'].map((id) => {
    const found = clientAdapters.find((adapter) => adapter.id === id);
    if (found === undefined) throw new Error(`no adapter ${id}`);
    return found;
  });
  return {
    root,
    home,
    project,
    stateDir: path.join(root, 'state'),
    storeRoot,
    env,
    clients,
    skill: { name: entry.name, version: entry.version, integrity: entry.integrity, dir: entry.dir },
  };
}

/** The desired state of a project manifest naming some connectors, the skill and one instruction. */
export function desiredFor(fixture: SyncFixture, connectorNames: readonly string[], instruction = 'Prefer small pure functions.'): DesiredState {
  const source = { scope: 'project', file: path.join(fixture.project, 'skillsync.yaml') } as const;
  const manifest: EffectiveManifest = {
    skills: [],
    connectors: connectorNames.map((name) => {
      const connector = connectorPool[name];
      if (connector === undefined) throw new Error(`no connector ${name}`);
      return { name, connector, source };
    }),
    instructions: [{ instruction: { name: 'style', text: instruction }, source }],
    registry: undefined,
    clients: undefined,
    gateway: { mode: 'direct' },
    trust: { keys: [], requireSignatures: false },
  };
  return createDesiredState(manifest, [fixture.skill], new Map());
}

/** loadJournal → readWorld → planSync (loading the codecs it needs, as the CLI does), at project scope. */
export async function planFor(fixture: SyncFixture, desired: DesiredState): Promise<SyncPlan> {
  const { env, clients, project, stateDir } = fixture;
  const journal = await loadJournal(stateDir, 'project', project);
  const world = await readWorld({ env, scope: 'project', projectRoot: project, clients, skillNames: skillNamesToRead(desired, journal), instructions: desired.instructions, journal });
  return planSyncLoadingCodecs({
    env,
    scope: 'project',
    projectRoot: project,
    clients,
    desired,
    files: world.files,
    skillDirs: world.skillDirs,
    journal,
    connectorEntries: world.connectorEntries,
    connectorCodecs: world.connectorCodecs,
  });
}

export async function applyFor(
  fixture: SyncFixture,
  plan: SyncPlan,
  options: { readonly waitMs?: number; readonly keepRuns?: number; readonly fingerprints?: SkillFolderFingerprints; readonly only?: ReadonlySet<string> } = {},
): Promise<ApplyResult> {
  const { waitMs, keepRuns, fingerprints, only } = options;
  return applyPlan(plan, {
    env: fixture.env,
    stateDir: fixture.stateDir,
    scope: 'project',
    projectRoot: fixture.project,
    storeRoot: fixture.storeRoot,
    lock: { staleMs: 2000, ...(waitMs === undefined ? {} : { waitMs }) },
    ...(keepRuns === undefined ? {} : { keepRuns }),
    ...(fingerprints === undefined ? {} : { fingerprints }),
    ...(only === undefined ? {} : { only }),
  });
}

/**
 * Walks the given folders (a missing one is empty), calling `visit` for every entry;
 * a folder is descended into when `visit` returns true for it.
 */
async function walk(folders: readonly string[], visit: (full: string, entry: Dirent) => Promise<boolean> | boolean): Promise<void> {
  const descend = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const go = await visit(full, entry);
      if (entry.isDirectory() && go) await descend(full);
    }
  };
  for (const folder of folders) await descend(folder);
}

/** Every file under the given folders (relative to `root`), as base64 bytes: for byte-for-byte comparison. */
export async function snapshotFiles(root: string, folders: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await walk(folders, async (full, entry) => {
    if (!entry.isDirectory()) out[path.relative(root, full)] = (await readFile(full)).toString('base64');
    return true;
  });
  return out;
}

/** Every crash leftover of skillsync (`.<name>.skillsync-<…>.tmp`, `.old`, `.old.rollback`) under the given folders. */
export async function findLeftovers(folders: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  await walk(folders, (full, entry) => {
    if (!/\.skillsync-[^/]+\.(tmp|old|old\.rollback)$/.test(entry.name)) return true;
    out.push(full);
    return false;
  });
  return out.sort();
}

/**
 * Stores `count` more skills (`bulk-000`, …, each with a reference file and a script)
 * and returns them as installed skills, for runs that copy many folders at once.
 */
export async function addSkills(fixture: SyncFixture, count: number): Promise<InstalledSkillInput[]> {
  const store = openStore(fixture.storeRoot);
  const skills: InstalledSkillInput[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `bulk-${String(index).padStart(3, '0')}`;
    const source = path.join(fixture.root, 'sources', name);
    await mkdir(path.join(source, 'references'), { recursive: true });
    await mkdir(path.join(source, 'scripts'), { recursive: true });
    await writeFile(path.join(source, 'SKILL.md'), `---\nname: ${name}\ndescription: Bulk skill ${index}.\nmetadata:\n  version: "1.0.0"\n---\n\nStep ${index}.\n`);
    await writeFile(path.join(source, 'references', 'notes.md'), `${'Notes. '.repeat(index + 1)}\n`);
    await writeFile(path.join(source, 'scripts', 'run.sh'), '#!/bin/sh\necho run\n', { mode: 0o755 });
    const entry = await store.addPackage((await packSkill(source)).tarball);
    skills.push({ name: entry.name, version: entry.version, integrity: entry.integrity, dir: entry.dir });
  }
  return skills;
}

/** `desiredFor` with these skills besides the fixture's own. */
export function desiredWithSkills(fixture: SyncFixture, skills: readonly InstalledSkillInput[], connectorNames: readonly string[] = ['docs']): DesiredState {
  const all = [fixture.skill, ...skills].map((skill) => ({ name: skill.name, version: skill.version, integrity: skill.integrity, storeDir: skill.dir }));
  return { ...desiredFor(fixture, connectorNames), skills: all.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0)) };
}
