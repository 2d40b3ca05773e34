import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ReadResourceResult, Resource } from '@modelcontextprotocol/server';
import { DIRECTORY_MIME_TYPE, SKILL_LIMITS, skillEntry, type Skill } from '@modelcontextprotocol/server/ext/skills';
import { byteOrder, parseSkillSidecar, SKILL_SIDECAR_FILE } from '@skillsync/core';

/*
 * The gateway's own skills: every installed skill of the manifests served, read once at
 * start-up, offered over the Skills extension (SEP-2640: skills/list, skills/get,
 * `skill://` URIs with a digest per file, files through resources/read and
 * resources/directory/read), as a prompt each, and through two tools.
 *
 * URIs. The gateway's own skills are `skill://skillsync/<name>/<file>` (`skillsync` is the
 * gateway's entry name, which no connector may take). A connector's `skill://<rest>`
 * URIs are re-served as `skill://<connector>/<rest>`: SEP-2640 scopes skill URIs to one
 * server, so a gateway that merges servers has to add a segment of its own, and a
 * segment (rather than a changed authority) keeps the last segment equal to the skill
 * name, which the extension requires.
 */

/** The first segment of the gateway's own skill URIs, and the owner of its own tools and prompts. */
export const GATEWAY_OWNER = 'skillsync';

export const SKILL_SCHEME = 'skill://';

const OWN_PREFIX = `${SKILL_SCHEME}${GATEWAY_OWNER}/`;

/** An installed skill to serve: its name (the manifest's) and the folder holding its files. */
export interface GatewaySkillSource {
  readonly name: string;
  readonly dir: string;
  readonly version?: string;
}

/** What a skill needs, from its sidecar (`requires.connectors`). */
export interface SkillRequirements {
  readonly connectors: Readonly<Record<string, { readonly tools?: readonly string[] }>>;
}

export interface GatewaySkill {
  readonly name: string;
  readonly description: string;
  readonly version: string | undefined;
  /** The SKILL.md URI. */
  readonly uri: string;
  /** The SEP-2640 entry (uri, frontmatter, resources with digests and sizes). */
  readonly entry: Skill;
  /** Each file's bytes, by path relative to the skill folder (`SKILL.md`, `references/x.md`): exactly what was hashed. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** Every folder of the skill, by relative path (`''` is the skill root). */
  readonly dirs: ReadonlySet<string>;
  readonly requires: SkillRequirements;
}

export interface SkillLoadProblem {
  readonly skill: string;
  readonly reason: string;
}

/**
 * Reads each skill folder and builds its SEP-2640 entry. A skill that cannot be served
 * (no valid SKILL.md, a link or special file inside, over the extension's limits of 512
 * files and 16 MiB, a name that does not match) is left out and reported, never fatal.
 */
export async function loadGatewaySkills(sources: readonly GatewaySkillSource[]): Promise<{ skills: GatewaySkill[]; problems: SkillLoadProblem[] }> {
  const skills: GatewaySkill[] = [];
  const problems: SkillLoadProblem[] = [];
  const seen = new Set<string>();
  for (const source of [...sources].sort((a, b) => byteOrder(a.name, b.name))) {
    if (seen.has(source.name)) continue;
    seen.add(source.name);
    try {
      skills.push(await loadOne(source));
    } catch (error) {
      problems.push({ skill: source.name, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { skills, problems };
}

async function loadOne(source: GatewaySkillSource): Promise<GatewaySkill> {
  const files = new Map<string, Uint8Array>();
  const dirs = new Set<string>(['']);
  let total = 0;
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(path.join(source.dir, relative), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => byteOrder(a.name, b.name))) {
      if (entry.name.startsWith('.')) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const stat = await lstat(path.join(source.dir, child));
      if (stat.isDirectory()) {
        dirs.add(child);
        await walk(child);
      } else if (stat.isFile()) {
        total += stat.size;
        if (files.size + 1 > SKILL_LIMITS.files || total > SKILL_LIMITS.bytes) {
          throw new Error(`it is larger than the Skills extension allows (${SKILL_LIMITS.files} files, ${SKILL_LIMITS.bytes} bytes)`);
        }
        files.set(child, new Uint8Array(await readFile(path.join(source.dir, child))));
      } else {
        throw new Error(`${child} is a link or a special file`);
      }
    }
  };
  await walk('');
  if (!files.has('SKILL.md')) throw new Error('it has no SKILL.md');
  const entry = await skillEntry(`${GATEWAY_OWNER}/${source.name}`, Object.fromEntries(files));
  const frontmatter = entry.frontmatter as { name?: unknown; description?: unknown };
  const sidecarBytes = files.get(SKILL_SIDECAR_FILE);
  let requires: SkillRequirements = { connectors: {} };
  if (sidecarBytes !== undefined) {
    const parsed = parseSkillSidecar(new TextDecoder().decode(sidecarBytes));
    if (parsed.sidecar === undefined) throw new Error(`its ${SKILL_SIDECAR_FILE} is invalid: ${parsed.findings[0]?.message ?? 'unreadable'}`);
    requires = { connectors: parsed.sidecar.requires?.connectors ?? {} };
  }
  return {
    name: typeof frontmatter.name === 'string' ? frontmatter.name : source.name,
    description: typeof frontmatter.description === 'string' ? frontmatter.description : '',
    version: source.version,
    uri: entry.uri,
    entry,
    files,
    dirs,
    requires,
  };
}

/** The gateway's own skill and file (relative path; `''` for the skill root) a URI names, if any. */
export function ownSkillPath(skills: ReadonlyMap<string, GatewaySkill>, uri: string): { skill: GatewaySkill; file: string } | undefined {
  if (!uri.startsWith(OWN_PREFIX)) return undefined;
  const rest = uri.slice(OWN_PREFIX.length);
  const slash = rest.indexOf('/');
  const name = slash === -1 ? rest : rest.slice(0, slash);
  const skill = skills.get(name);
  if (skill === undefined) return undefined;
  const file = slash === -1 ? '' : rest.slice(slash + 1);
  if (file.split('/').some((segment) => segment === '..' || segment === '.')) return undefined;
  return { skill, file };
}

/** Whether a URI is in the gateway's own skill namespace (served or not). */
export function isOwnSkillUri(uri: string): boolean {
  return uri.startsWith(OWN_PREFIX) || uri === `${SKILL_SCHEME}${GATEWAY_OWNER}`;
}

/** Reads one of the gateway's own skill files: text when it is UTF-8 (byte-exact), else a base64 blob. */
export function readOwnSkillFile(skill: GatewaySkill, file: string, uri: string): ReadResourceResult | undefined {
  const bytes = skill.files.get(file);
  if (bytes === undefined) return undefined;
  const mimeType = mimeTypeFor(file, bytes);
  const text = decodeUtf8(bytes);
  return { contents: [text === undefined ? { uri, mimeType, blob: Buffer.from(bytes).toString('base64') } : { uri, mimeType, text }] };
}

/** The direct children of one of the gateway's own skill folders (`resources/directory/read`), or undefined when `dir` is not a folder. */
export function ownSkillDirectory(skill: GatewaySkill, dir: string): Resource[] | undefined {
  if (!skill.dirs.has(dir)) return undefined;
  const base = `${OWN_PREFIX}${skill.name}`;
  const prefix = dir === '' ? '' : `${dir}/`;
  const children: Resource[] = [];
  for (const child of skill.dirs) {
    if (child === '' || !child.startsWith(prefix)) continue;
    const name = child.slice(prefix.length);
    if (name.includes('/')) continue;
    children.push({ uri: `${base}/${child}`, name, mimeType: DIRECTORY_MIME_TYPE });
  }
  for (const [file, bytes] of skill.files) {
    if (!file.startsWith(prefix)) continue;
    const name = file.slice(prefix.length);
    if (name.includes('/')) continue;
    children.push({ uri: `${base}/${file}`, name, mimeType: mimeTypeFor(file, bytes), size: bytes.byteLength });
  }
  return children.sort((a, b) => byteOrder(a.uri, b.uri));
}

/** The `resources/list` entry of a skill's SKILL.md. */
export function skillResource(skill: GatewaySkill): Resource {
  return { uri: skill.uri, name: skill.name, description: skill.description, mimeType: 'text/markdown', size: skill.files.get('SKILL.md')?.byteLength ?? 0 };
}

/** A connector's `skill://<rest>` as the gateway serves it: `skill://<connector>/<rest>`. Other URIs are unchanged. */
export function toGatewaySkillUri(connector: string, uri: string): string {
  return uri.startsWith(SKILL_SCHEME) ? `${SKILL_SCHEME}${connector}/${uri.slice(SKILL_SCHEME.length)}` : uri;
}

/** The connector and its own URI behind a gateway `skill://<connector>/<rest>` URI; undefined for other URIs. */
export function fromGatewaySkillUri(uri: string): { readonly connector: string; readonly uri: string } | undefined {
  if (!uri.startsWith(SKILL_SCHEME) || isOwnSkillUri(uri)) return undefined;
  const rest = uri.slice(SKILL_SCHEME.length);
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  return { connector: rest.slice(0, slash), uri: `${SKILL_SCHEME}${rest.slice(slash + 1)}` };
}

/** A connector's skill entry with every URI moved under the connector's segment. */
export function rewriteSkillEntry(connector: string, skill: Skill): Skill {
  const resources = Array.isArray(skill.resources)
    ? skill.resources.map((resource) => ({ ...resource, uri: toGatewaySkillUri(connector, resource.uri) }))
    : skill.resources;
  return { ...skill, uri: toGatewaySkillUri(connector, skill.uri), resources };
}

/** Whether a value is a skill entry with the fields the gateway relies on. */
export function isSkillEntry(value: unknown): value is Skill {
  if (typeof value !== 'object' || value === null) return false;
  const entry = value as { uri?: unknown; frontmatter?: unknown; resources?: unknown };
  return typeof entry.uri === 'string' && typeof entry.frontmatter === 'object' && entry.frontmatter !== null && (Array.isArray(entry.resources) || entry.resources === 'dynamic');
}

/** The skill's name and description from an entry's frontmatter. */
export function entrySummary(skill: Skill): { readonly name: string; readonly description: string } {
  const frontmatter = skill.frontmatter as { name?: unknown; description?: unknown };
  return {
    name: typeof frontmatter.name === 'string' ? frontmatter.name : '',
    description: typeof frontmatter.description === 'string' ? frontmatter.description : '',
  };
}

/** SKILL.md's text without its frontmatter: what a prompt or the load tool hands a model. */
export function skillBody(skill: GatewaySkill): string {
  const text = decodeUtf8(skill.files.get('SKILL.md') ?? new Uint8Array()) ?? '';
  const match = /^\uFEFF?---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return (match === null ? text : text.slice(match[0].length)).replace(/^\s*\n/, '');
}

/** The skill's files other than SKILL.md, as a list a model can follow. */
export function skillFileList(skill: GatewaySkill): string[] {
  return [...skill.files.keys()].filter((file) => file !== 'SKILL.md').sort(byteOrder);
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.py': 'text/x-python',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.ts': 'text/typescript',
  '.sh': 'text/x-shellscript',
  '.html': 'text/html',
  '.css': 'text/css',
  '.csv': 'text/csv',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
};

function mimeTypeFor(file: string, bytes: Uint8Array): string {
  const known = MIME_TYPES[path.posix.extname(file).toLowerCase()];
  if (known !== undefined) return known;
  return decodeUtf8(bytes) === undefined ? 'application/octet-stream' : 'text/plain';
}
