import { readdir, realpath, stat } from 'node:fs/promises';
import { connectorDialectAt, readConnector, readManagedBlock, type ClientAdapter, type ReadResult } from '@skillsync/clients';
import { mapConcurrent, pathFor, readTextIfExists, toSkillsyncError, validateSkillMd, type ClientId, type Env } from '@skillsync/core';
import { hashSkillFolder } from '@skillsync/store';
import { connectorCodecFormat, loadConnectorCodecs } from '../connector-codecs.js';
import { readConnectorEntries } from '../connector-entries.js';
import { hashValue } from '../hash-value.js';
import { INSTRUCTIONS_BLOCK_ID } from '../render-instructions.js';

/** One server entry found in a client's MCP config. */
export interface FoundConnector {
  readonly name: string;
  /** The file it sits in. */
  readonly path: string;
  /** `hashValue` of the entry as the client wrote it: what the journal records when it is adopted. */
  readonly hash: string;
  readonly read: ReadResult;
  /** Set when it sits in a container the client loads ahead of the scope's file (Claude Code's local scope), which sync does not manage. */
  readonly shadowing?: { readonly label: string; readonly removeCommand: string };
}

/** One skill folder found in a client's skills folder. */
export interface FoundSkill {
  /** The folder's own name (where the client loads it from). */
  readonly folderName: string;
  readonly dir: string;
  /** The folder to copy from: `dir`, or where a symlinked skill points. */
  readonly realDir: string;
  /** Its SKILL.md `name`, when it has a readable one. */
  readonly name: string | undefined;
  /** Its SKILL.md `metadata.version`, when it is a string. */
  readonly version: string | undefined;
  /** The folder's package integrity, when it can be packed (no links or special files inside) and was hashed. */
  readonly integrity: string | undefined;
  /** Why it cannot be imported, when it cannot. */
  readonly problem: string | undefined;
}

/** A client's instruction file that has text of its own. */
export interface FoundInstructions {
  readonly path: string;
  readonly text: string;
  /** True when the file already holds skillsync's block: it is managed, not imported. */
  readonly managed: boolean;
  readonly ownership: 'block' | 'file';
}

/** What one client has at one scope: the raw material of `import` and of the overview's comparison. */
export interface ClientInventory {
  readonly client: ClientId;
  readonly displayName: string;
  readonly scope: 'user' | 'project';
  readonly connectors: readonly FoundConnector[];
  readonly skills: readonly FoundSkill[];
  readonly instructions: FoundInstructions | undefined;
  /** Files that could not be read or parsed (named with the codec's message); the rest is still listed. */
  readonly problems: readonly { readonly path: string; readonly code: string; readonly message: string }[];
}

export interface ReadInventoryOptions {
  readonly env: Env;
  readonly scope: 'user' | 'project';
  readonly projectRoot?: string;
  readonly clients: readonly ClientAdapter[];
  /**
   * How much of each skill folder to read: `hashed` (the default; what import needs),
   * `parsed` (SKILL.md's name and version, no integrity) or `listed` (the folder names
   * only, for a quick look: a client can hold hundreds of skills).
   */
  readonly skills?: 'hashed' | 'parsed' | 'listed';
}

const concurrency = 16;

/**
 * Reads what each client has now: every server entry of its MCP config (normalised),
 * every skill folder in the folder it loads skills from (hashed), and its instruction
 * file. Reads only. A shared file or folder (`AGENTS.md`, `.agents/skills`) is read
 * once and listed under every client that reads it.
 */
export async function readClientInventory(options: ReadInventoryOptions): Promise<ClientInventory[]> {
  const { env, scope, clients } = options;
  const projectRoot = scope === 'project' ? (options.projectRoot ?? env.cwd) : undefined;
  const texts = new Map<string, Promise<string | undefined>>();
  const readText = (file: string): Promise<string | undefined> => {
    let pending = texts.get(file);
    if (pending === undefined) texts.set(file, (pending = readTextIfExists(file)));
    return pending;
  };
  const folders = new Map<string, Promise<FoundSkill[]>>();
  const readFolder = (dir: string): Promise<FoundSkill[]> => {
    let pending = folders.get(dir);
    if (pending === undefined) folders.set(dir, (pending = readSkillsFolder(env, dir, options.skills ?? 'hashed')));
    return pending;
  };

  return Promise.all(
    clients.map(async (adapter): Promise<ClientInventory> => {
      const locations = adapter.locations(env, scope, projectRoot);
      const problems: { path: string; code: string; message: string }[] = [];
      const connectors: FoundConnector[] = [];
      if (locations.connectors.kind === 'supported') {
        const location = locations.connectors;
        const dialect = connectorDialectAt(adapter, location);
        const candidates = [location.path, ...(location.alternatives ?? [])];
        let path = location.path;
        let text: string | undefined;
        for (const candidate of candidates) {
          text = await readText(candidate);
          path = candidate;
          if (text !== undefined) break;
        }
        const entries = readConnectorEntries(text, location, await loadConnectorCodecs([connectorCodecFormat(location)]));
        if (entries.ok) {
          for (const [name, native] of Object.entries(entries.value)) {
            connectors.push({ name, path, hash: hashValue(native), read: readConnector(native, dialect) });
          }
        } else {
          problems.push({ path, code: entries.problem.code, message: entries.problem.message });
        }
        for (const shadow of location.shadowedBy ?? []) {
          const shadowLayout = { ...shadow, container: 'map' } as const;
          const shadowEntries = readConnectorEntries(await readText(shadow.path), shadowLayout, await loadConnectorCodecs([connectorCodecFormat(shadowLayout)]));
          // A file that does not parse is reported for the scope that owns it (the user scope reads ~/.claude.json too).
          if (!shadowEntries.ok) continue;
          for (const [name, native] of Object.entries(shadowEntries.value)) {
            connectors.push({
              name,
              path: shadow.path,
              hash: hashValue(native),
              read: readConnector(native, adapter.connectorDialect),
              shadowing: { label: shadow.label, removeCommand: shadow.removeCommand.replaceAll('{name}', name) },
            });
          }
        }
      }
      const skills = locations.skills.kind === 'supported' ? await readFolder(locations.skills.path) : [];
      let instructions: FoundInstructions | undefined;
      if (locations.instructions.kind === 'supported') {
        const { path, ownership } = locations.instructions;
        const text = await readText(path);
        if (text !== undefined && text.trim() !== '') {
          const block = readManagedBlock(text, INSTRUCTIONS_BLOCK_ID);
          if (block.ok) instructions = { path, text, managed: block.value !== undefined, ownership };
          else problems.push({ path, code: block.problem.code, message: block.problem.message });
        }
      }
      return { client: adapter.id, displayName: adapter.displayName, scope, connectors, skills, instructions, problems };
    }),
  );
}

/** Every skill folder directly inside `root` (hidden folders and skillsync's own leftovers skipped). */
async function readSkillsFolder(env: Env, root: string, detail: NonNullable<ReadInventoryOptions['skills']>): Promise<FoundSkill[]> {
  const p = pathFor(env);
  let names: string[];
  try {
    names = (await readdir(root)).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
  const found = await mapConcurrent(names, concurrency, async (folderName): Promise<FoundSkill | undefined> => {
    const dir = p.join(root, folderName);
    let realDir: string;
    try {
      realDir = await realpath(dir);
      if (!(await stat(realDir)).isDirectory()) return undefined;
    } catch {
      return undefined;
    }
    const base = { folderName, dir, realDir };
    if (detail === 'listed') return { ...base, name: undefined, version: undefined, integrity: undefined, problem: undefined };
    const skillMd = await readTextIfExists(p.join(realDir, 'SKILL.md'));
    if (skillMd === undefined) return { ...base, name: undefined, version: undefined, integrity: undefined, problem: 'it has no SKILL.md' };
    const { parsed } = validateSkillMd(skillMd, { mode: 'lenient' });
    const name = typeof parsed.frontmatter?.name === 'string' ? parsed.frontmatter.name : undefined;
    const metadata = parsed.frontmatter?.metadata;
    const declared = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>).version : undefined;
    const version = typeof declared === 'string' ? declared : undefined;
    if (detail === 'parsed') return { ...base, name, version, integrity: undefined, problem: undefined };
    try {
      const integrity = await hashSkillFolder(realDir);
      return { ...base, name, version, integrity, problem: undefined };
    } catch (error) {
      return { ...base, name, version, integrity: undefined, problem: toSkillsyncError(error).message };
    }
  });
  return found.filter((skill): skill is FoundSkill => skill !== undefined);
}
