// Builds the benchmarks' inputs with the real library code (bundled by harness.mjs for
// run.mjs and sync.mjs).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { clientAdapters, detectClients } from '@skillsync/clients';
import { createEnv, scaffoldSkill, skillsyncPaths, type Env, type SkillsyncPaths } from '@skillsync/core';
import { packSkill, publishToDirectoryRegistry, type PackedSkill } from '@skillsync/store';
import { stringify as stringifyYaml } from 'yaml';

export { DRIFT_STATUSES } from '@skillsync/sync';

/** Writes `count` valid skills (SKILL.md, sidecar, evals, a reference file) under `dir`. */
export async function generateSkills(dir: string, count: number): Promise<string[]> {
  const folders: string[] = [];
  for (let index = 0; index < count; index += 1) {
    const name = `bench-skill-${String(index).padStart(4, '0')}`;
    const folder = path.join(dir, name);
    const files = {
      ...scaffoldSkill({ name, description: `Benchmark skill number ${index}: use it when measuring skillsync.`, version: '1.0.0' }),
      'references/guide.md': `# Guide ${index}\n\n${'Detailed reference text. '.repeat(200)}\n`,
    };
    for (const [relative, content] of Object.entries(files)) {
      const target = path.join(folder, relative);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, content);
    }
    folders.push(folder);
  }
  return folders;
}

export async function packAll(folders: readonly string[]): Promise<PackedSkill[]> {
  const packed: PackedSkill[] = [];
  for (const folder of folders) packed.push(await packSkill(folder));
  return packed;
}

export async function publishAll(registry: string, packed: readonly PackedSkill[]): Promise<void> {
  for (const skill of packed) await publishToDirectoryRegistry(registry, skill);
}

// ---- The sync benchmark (bench/sync.mjs): a HOME where every client is found. ----

/** The env a benchmarked process sees: only these variables, so no XDG or client override leaks in. */
export function benchEnv(home: string, cwd: string, vars: Readonly<Record<string, string>>): Env {
  const platform = process.platform === 'win32' || process.platform === 'darwin' ? process.platform : 'linux';
  return createEnv({ home, cwd, platform, vars });
}

/**
 * Makes every client adapter skillsync knows detectable in `env.home`: for each one,
 * the first folder marker its `detectionMarkers` names (or its file marker, written as
 * an empty JSON object, when it has no folder marker). Returns what it created.
 */
export async function markAllClientsFound(env: Env): Promise<{ id: string; marker: string }[]> {
  const made: { id: string; marker: string }[] = [];
  for (const adapter of clientAdapters) {
    const markers = adapter.detectionMarkers(env);
    const marker = markers.find((candidate) => candidate.kind === 'dir') ?? markers[0];
    if (marker === undefined) throw new Error(`${adapter.id} has no detection marker`);
    if (marker.kind === 'dir') {
      await mkdir(marker.path, { recursive: true });
    } else {
      await mkdir(path.dirname(marker.path), { recursive: true });
      await writeFile(marker.path, '{}\n');
    }
    made.push({ id: adapter.id, marker: marker.path });
  }
  const found = await detectClients(env, clientAdapters);
  const missing = found.filter((client) => !client.found).map((client) => client.id);
  if (missing.length > 0) throw new Error(`clients not detected after creating their markers: ${missing.join(', ')}`);
  return made;
}

export interface UserTarget {
  readonly id: string;
  /** The folder this client's user skills go to, when it has one. */
  readonly skills?: string;
  readonly skillsShared: boolean;
  readonly connectors?: string;
  readonly instructions?: string;
}

/** Where skillsync puts each client's user-scope skills, connectors and instructions in `env.home`. */
export function userTargets(env: Env): UserTarget[] {
  return clientAdapters.map((adapter) => {
    const where = adapter.locations(env, 'user');
    return {
      id: adapter.id,
      ...(where.skills.kind === 'supported' ? { skills: where.skills.path } : {}),
      skillsShared: where.skills.kind === 'supported' && where.skills.shared,
      ...(where.connectors.kind === 'supported' ? { connectors: where.connectors.path } : {}),
      ...(where.instructions.kind === 'supported' ? { instructions: where.instructions.path } : {}),
    };
  });
}

/** skillsync's own folders for `env` (config = the user manifest's folder, data = the store, state = journals). */
export function benchSkillsyncPaths(env: Env): SkillsyncPaths {
  return skillsyncPaths(env);
}

/**
 * `count` connectors, alternating stdio and remote (Streamable HTTP and SSE); every
 * third one references an environment variable with `${env:NAME}` (never a literal secret).
 */
export function generateConnectors(count: number): Record<string, Record<string, unknown>> {
  const connectors: Record<string, Record<string, unknown>> = {};
  for (let index = 0; index < count; index += 1) {
    const name = `bench-mcp-${String(index).padStart(2, '0')}`;
    const withEnv = index % 3 === 0;
    const variable = `BENCH_TOKEN_${index}`;
    if (index % 2 === 0) {
      connectors[name] = {
        command: 'npx',
        args: ['-y', `@bench/mcp-server-${index}`, '--stdio'],
        ...(withEnv ? { env: { API_TOKEN: `\${env:${variable}}`, LOG_LEVEL: 'info' } } : {}),
      };
    } else {
      connectors[name] = {
        url: `https://mcp${index}.example.com/${index % 4 === 1 ? 'mcp' : 'sse'}`,
        transport: index % 4 === 1 ? 'http' : 'sse',
        ...(withEnv ? { headers: { Authorization: `Bearer \${env:${variable}}` } } : {}),
      };
    }
  }
  return connectors;
}

/** A user manifest: every skill folder by absolute path, the connectors, text instructions and one from a file. */
export function syncManifest(options: {
  readonly skillFolders: readonly string[];
  readonly connectors: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly instructionFile: string;
}): string {
  const manifest = {
    version: 1,
    skills: Object.fromEntries(options.skillFolders.map((folder) => [path.basename(folder), folder])),
    connectors: options.connectors,
    instructions: [
      { name: 'commits', text: 'Use conventional commits: type(scope): summary, in the imperative.' },
      { name: 'tests', text: 'Run the test suite before you say a change is done, and say which tests you ran.' },
      { name: 'style', text: 'Prefer small pure functions; keep I/O at the edges.' },
      { name: 'team-guide', file: options.instructionFile },
    ],
  };
  return stringifyYaml(manifest);
}
