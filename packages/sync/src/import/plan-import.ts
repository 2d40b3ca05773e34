import { hashManagedContent } from '@skillsync/clients';
import { byEntryKey, type ClientId, type ConnectorDefinition, isSemver, isValidSkillName } from '@skillsync/core';
import type { Journal, JournalEntry } from '../journal.js';
import type { ClientInventory, FoundConnector, FoundSkill } from './read-client-inventory.js';
import { extractSecrets, type ExtractedSecret } from './extract-secrets.js';

/** Where an imported item came from. */
export interface ImportOrigin {
  readonly client: ClientId;
  /** The name it had there (a connector may be imported under another name). */
  readonly name: string;
  readonly path: string;
}

export interface ImportedConnector {
  readonly name: string;
  /** As the manifest will hold it: every literal credential replaced by `${secret:NAME}`. */
  readonly connector: ConnectorDefinition;
  readonly from: readonly ImportOrigin[];
  /** Client-only keys that are not carried over (timeouts, OAuth settings…). */
  readonly dropped: readonly string[];
  /** The `${secret:…}` names it refers to. */
  readonly secrets: readonly string[];
}

/** A credential taken out of a client file. The value is for the secret store only: never print or log it. */
export interface ImportedSecret {
  readonly name: string;
  readonly value: string;
  readonly connector: string;
  /** Where it was: `env.GITHUB_TOKEN`, `headers.Authorization`, `args[2]`, `url`. */
  readonly field: string;
  /** False when the store already holds this name with this value. */
  readonly isNew: boolean;
}

export interface ImportedSkill {
  readonly name: string;
  /** The folder to copy into the manifest's `skills/` folder. */
  readonly sourceDir: string;
  /** The version it will be locked at: its own `metadata.version`, or 1.0.0 written into the copy. */
  readonly version: string;
  readonly stampVersion: boolean;
  readonly from: readonly ImportOrigin[];
}

export interface ImportedInstruction {
  readonly name: string;
  /** The text, trimmed, with `\n` line endings. */
  readonly text: string;
  readonly from: readonly ImportOrigin[];
}

export type ImportNoteCode =
  | 'IMPORT_MANAGED'
  | 'IMPORT_IN_MANIFEST'
  | 'IMPORT_DUPLICATE'
  | 'IMPORT_RENAMED'
  | 'IMPORT_NAME_CONFLICT'
  | 'IMPORT_NOT_A_CONNECTOR'
  | 'IMPORT_SKILL_UNREADABLE'
  | 'IMPORT_UNREADABLE_FILE'
  | 'IMPORT_SHADOWING_ENTRY';

/** What import did not carry over as it was, and why. */
export interface ImportNote {
  readonly code: ImportNoteCode;
  readonly kind: 'connector' | 'skill' | 'instructions' | 'file';
  readonly client: ClientId;
  readonly name: string;
  readonly path: string;
  readonly message: string;
}

export interface ImportPlan {
  readonly connectors: readonly ImportedConnector[];
  readonly secrets: readonly ImportedSecret[];
  readonly skills: readonly ImportedSkill[];
  readonly instructions: readonly ImportedInstruction[];
  /**
   * Journal entries for what import takes over as it stands: the next sync treats these
   * client entries as skillsync's and brings them to the desired state (credentials
   * replaced by references, duplicates under another name removed, instruction text
   * moved into the managed block) instead of reporting them as conflicts.
   */
  readonly adopt: readonly JournalEntry[];
  readonly notes: readonly ImportNote[];
}

export interface PlanImportInput {
  readonly scope: 'user' | 'project';
  /** Client by client, in the order that decides which copy wins a name. */
  readonly inventories: readonly ClientInventory[];
  /** What the manifest of the scope holds already. */
  readonly existing: {
    readonly connectors: Readonly<Record<string, ConnectorDefinition>>;
    readonly skills: readonly string[];
    readonly instructions: readonly { readonly name?: string; readonly text?: string }[];
  };
  readonly journal: Journal;
  /** The secret store as it is: the value held under a name, if any. */
  readonly secretValue: (name: string) => string | undefined;
}

/** The version given to a skill that declares none (or none that is semver). */
export const IMPORTED_SKILL_VERSION = '1.0.0';

/**
 * Decides what `import` adopts: one connector per distinct server (the same server in
 * several clients becomes one, under the first client's name; a different server with
 * a taken name gets `<name>-<client>`), literal credentials turned into secret
 * references, one skill per distinct folder, one instruction per distinct text. Pure:
 * the caller reads the clients, stores the secrets and writes the manifest.
 */
export function planImport(input: PlanImportInput): ImportPlan {
  const notes: ImportNote[] = [];
  const adopt: JournalEntry[] = [];
  const managed = new Set(input.journal.entries.filter((entry) => entry.scope === input.scope).map((entry) => `${entry.client}\u0000${entry.kind}\u0000${entry.path}\u0000${entry.name}`));
  const isManaged = (client: ClientId, kind: JournalEntry['kind'], path: string, name: string): boolean => managed.has(`${client}\u0000${kind}\u0000${path}\u0000${name}`);

  for (const inventory of input.inventories) {
    for (const problem of inventory.problems) {
      notes.push({ code: 'IMPORT_UNREADABLE_FILE', kind: 'file', client: inventory.client, name: problem.code, path: problem.path, message: problem.message });
    }
  }

  const connectors = planConnectors(input, isManaged, notes, adopt);
  const skills = planSkills(input, isManaged, notes, adopt);
  const instructions = planInstructions(input, isManaged, notes, adopt);
  return { ...connectors, skills, instructions, adopt, notes };
}

type IsManaged = (client: ClientId, kind: JournalEntry['kind'], path: string, name: string) => boolean;

function planConnectors(input: PlanImportInput, isManaged: IsManaged, notes: ImportNote[], adopt: JournalEntry[]): Pick<ImportPlan, 'connectors' | 'secrets'> {
  const { scope } = input;
  // Servers keyed by their definition with the literal values still in: the same server found twice is one.
  const groups = new Map<string, { connector: ConnectorDefinition; from: ImportOrigin[]; dropped: Set<string> }>();
  for (const inventory of input.inventories) {
    for (const found of inventory.connectors) {
      const origin = { client: inventory.client, name: found.name, path: found.path };
      if (isManaged(inventory.client, 'connector', found.path, found.name)) continue;
      if (found.read.kind !== 'connector') {
        notes.push({ code: 'IMPORT_NOT_A_CONNECTOR', kind: 'connector', ...origin, message: `left as it is: ${found.read.reason}` });
        continue;
      }
      const key = stableJson(found.read.connector);
      const group = groups.get(key) ?? { connector: found.read.connector, from: [], dropped: new Set<string>() };
      group.from.push(origin);
      for (const key of found.read.ignored) group.dropped.add(key);
      groups.set(key, group);
    }
  }

  const taken = new Map<string, string>(Object.entries(input.existing.connectors).map(([name, connector]) => [name, stableJson(connector)]));
  const secretsByName = new Map<string, string>();
  const secrets: ImportedSecret[] = [];
  const imported: ImportedConnector[] = [];
  const adoptEntry = (origin: ImportOrigin, hash: string): void => {
    adopt.push({ client: origin.client, scope, kind: 'connector', name: origin.name, path: origin.path, hash, adopted: true });
  };
  const foundOf = (origin: ImportOrigin): FoundConnector | undefined =>
    input.inventories.find((candidate) => candidate.client === origin.client)?.connectors.find((found) => found.name === origin.name && found.path === origin.path);
  const hashOf = (origin: ImportOrigin): string => foundOf(origin)?.hash ?? '';
  const shadowingOf = (origin: ImportOrigin): FoundConnector['shadowing'] => foundOf(origin)?.shadowing;

  for (const group of groups.values()) {
    const [first] = group.from;
    if (first === undefined) continue;
    const extracted = extractSecrets(first.name, group.connector);
    const found: Omit<ImportedSecret, 'connector'>[] = [];
    const templated = nameSecrets(extracted.connector, extracted.secrets, input.secretValue, secretsByName, found);
    const wantedKey = stableJson(templated);
    // The name: the first client's, unless the manifest or an earlier server has it for something else.
    let name = connectorName(first.name);
    if (name !== first.name) {
      notes.push({ code: 'IMPORT_RENAMED', kind: 'connector', ...first, message: `"${first.name}" is not a connector name (letters, digits, \`.\`, \`_\`, \`-\`): imported as "${name}", which sync puts in its place` });
    }
    const base = name;
    const clash = taken.get(name);
    if (clash !== undefined && clash !== wantedKey) {
      name = uniqueName(`${base}-${first.client}`, (candidate) => taken.has(candidate));
      notes.push({ code: 'IMPORT_RENAMED', kind: 'connector', ...first, message: `another server is named "${base}" already: imported as "${name}", and sync puts the other "${base}" in this entry's place` });
    }
    const inManifest = clash === wantedKey && Object.hasOwn(input.existing.connectors, name);
    if (inManifest) notes.push({ code: 'IMPORT_IN_MANIFEST', kind: 'connector', ...first, message: `"${name}" is in the manifest already, with the same definition` });
    else {
      taken.set(name, wantedKey);
      const references = [...JSON.stringify(templated).matchAll(/\$\{secret:([^}]+)\}/g)].map((match) => match[1] ?? '');
      imported.push({ name, connector: templated, from: group.from, dropped: [...group.dropped].sort(), secrets: [...new Set(references)].sort() });
    }
    secrets.push(...found.map((secret) => ({ ...secret, connector: name })));
    for (const origin of group.from) {
      if (origin !== first && origin.name !== name) {
        notes.push({ code: 'IMPORT_DUPLICATE', kind: 'connector', ...origin, message: `the same server as "${name}": sync replaces this entry with "${name}"` });
      }
      const shadowing = shadowingOf(origin);
      if (shadowing !== undefined) {
        // Sync never writes that container, so the entry is not adopted: it would keep shadowing the managed one.
        notes.push({ code: 'IMPORT_SHADOWING_ENTRY', kind: 'connector', ...origin, message: `imported from the ${shadowing.label}, which ${origin.client} loads ahead of what sync writes: remove it with \`${shadowing.removeCommand}\`` });
        continue;
      }
      // Adopted so that sync may rewrite it (references instead of literals) or remove it (a duplicate under another name).
      adoptEntry(origin, hashOf(origin));
    }
  }
  return { connectors: imported, secrets };
}

/** Names each extracted credential (its variable's name when it has one), reusing a stored name only for the same value. */
function nameSecrets(
  connector: ConnectorDefinition,
  extracted: readonly ExtractedSecret[],
  stored: (name: string) => string | undefined,
  chosen: Map<string, string>,
  out: Omit<ImportedSecret, 'connector'>[],
): ConnectorDefinition {
  let json = JSON.stringify(connector);
  for (const secret of extracted) {
    const name = uniqueName(secret.suggestedName, (candidate) => {
      const value = chosen.get(candidate) ?? stored(candidate);
      return value !== undefined && value !== secret.value;
    }, '_');
    if (!chosen.has(name)) {
      chosen.set(name, secret.value);
      out.push({ name, value: secret.value, field: secret.field, isNew: stored(name) !== secret.value });
    }
    json = json.replaceAll(JSON.stringify(secret.placeholder).slice(1, -1), `\${secret:${name}}`);
  }
  return JSON.parse(json) as ConnectorDefinition;
}

function planSkills(input: PlanImportInput, isManaged: IsManaged, notes: ImportNote[], adopt: JournalEntry[]): ImportedSkill[] {
  const { scope } = input;
  const inManifest = new Set(input.existing.skills);
  const byName = new Map<string, { integrity: string; skill: FoundSkill; from: ImportOrigin[] }>();
  for (const inventory of input.inventories) {
    for (const skill of inventory.skills) {
      const origin = { client: inventory.client, name: skill.folderName, path: skill.dir };
      if (isManaged(inventory.client, 'skill', skill.dir, skill.folderName)) continue;
      if (skill.integrity === undefined || skill.problem !== undefined) {
        notes.push({ code: 'IMPORT_SKILL_UNREADABLE', kind: 'skill', ...origin, message: `not imported: ${skill.problem ?? 'it cannot be read'}` });
        continue;
      }
      if (skill.name !== skill.folderName || !isValidSkillName(skill.folderName)) {
        const why = skill.name === undefined ? 'its SKILL.md has no name' : skill.name === skill.folderName ? `"${skill.folderName}" is not a valid skill name` : `its SKILL.md calls it "${skill.name}"`;
        notes.push({ code: 'IMPORT_SKILL_UNREADABLE', kind: 'skill', ...origin, message: `not imported: ${why}; the folder name and \`name:\` must be equal` });
        continue;
      }
      if (inManifest.has(skill.folderName)) {
        notes.push({ code: 'IMPORT_IN_MANIFEST', kind: 'skill', ...origin, message: `a skill named "${skill.folderName}" is in the manifest already` });
        continue;
      }
      const seen = byName.get(skill.folderName);
      if (seen === undefined) {
        byName.set(skill.folderName, { integrity: skill.integrity, skill, from: [origin] });
      } else if (seen.integrity === skill.integrity) {
        seen.from.push(origin);
      } else {
        const first = seen.from[0];
        notes.push({ code: 'IMPORT_NAME_CONFLICT', kind: 'skill', ...origin, message: `differs from the "${skill.folderName}" of ${first?.client ?? 'another client'}, which was imported; sync will report this folder as a conflict until you move one of them` });
        continue;
      }
      adopt.push({ client: inventory.client, scope, kind: 'skill', name: skill.folderName, path: skill.dir, hash: skill.integrity, adopted: true });
    }
  }
  return [...byName.entries()].map(([name, { skill, from }]) => {
    const own = skill.version !== undefined && isSemver(skill.version) ? skill.version : undefined;
    return { name, sourceDir: skill.realDir, version: own ?? IMPORTED_SKILL_VERSION, stampVersion: own === undefined, from };
  });
}

function planInstructions(input: PlanImportInput, isManaged: IsManaged, notes: ImportNote[], adopt: JournalEntry[]): ImportedInstruction[] {
  const { scope } = input;
  const byText = new Map<string, { name: string; from: ImportOrigin[] }>();
  const existingText = new Map(input.existing.instructions.filter((entry) => entry.text !== undefined).map((entry) => [normaliseText(entry.text ?? ''), entry.name ?? '']));
  const names = new Set(input.existing.instructions.map((entry) => entry.name).filter((name): name is string => name !== undefined));
  const imported: ImportedInstruction[] = [];
  for (const inventory of input.inventories) {
    const found = inventory.instructions;
    if (found === undefined || found.managed) continue;
    if (isManaged(inventory.client, 'instructions', found.path, 'instructions')) continue;
    const text = normaliseText(found.ownership === 'file' ? stripFrontmatter(found.text) : found.text);
    if (text === '') continue;
    const origin = { client: inventory.client, name: baseName(found.path), path: found.path };
    adopt.push({ client: inventory.client, scope, kind: 'instructions', name: 'instructions', path: found.path, hash: hashManagedContent(found.text), adopted: true });
    const known = existingText.get(text);
    if (known !== undefined) {
      notes.push({ code: 'IMPORT_IN_MANIFEST', kind: 'instructions', ...origin, message: `the manifest has this text already${known === '' ? '' : ` ("${known}")`}` });
      continue;
    }
    const seen = byText.get(text);
    if (seen !== undefined) {
      seen.from.push(origin);
      continue;
    }
    const name = uniqueName(instructionName(found.path), (candidate) => names.has(candidate), '-');
    names.add(name);
    const from = [origin];
    byText.set(text, { name, from });
    imported.push({ name, text, from });
  }
  return imported;
}

/** A client's server name as a manifest connector name: `My MCP Server` → `My-MCP-Server`. */
function connectorName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').replace(/-+$/, '');
  return cleaned === '' ? 'server' : cleaned;
}

/** `CLAUDE.md` → `claude`, `.github/copilot-instructions.md` → `copilot-instructions`. */
function instructionName(file: string): string {
  const base = baseName(file).replace(/\.[^.]*$/, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return base === '' ? 'imported' : base;
}

function baseName(file: string): string {
  return file.split(/[\\/]/).at(-1) ?? file;
}

function normaliseText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').trim();
}

function stripFrontmatter(text: string): string {
  const match = /^\uFEFF?---\r?\n[\s\S]*?\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  return match === null ? text : text.slice(match[0].length);
}

function uniqueName(base: string, taken: (candidate: string) => boolean, separator = '-'): string {
  if (!taken(base)) return base;
  for (let counter = 2; ; counter += 1) {
    const candidate = `${base}${separator}${counter}`;
    if (!taken(candidate)) return candidate;
  }
}

/** JSON with object keys sorted: equal definitions give equal text whatever their key order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, current: unknown) =>
    current !== null && typeof current === 'object' && !Array.isArray(current)
      ? Object.fromEntries(Object.entries(current as Record<string, unknown>).sort(byEntryKey))
      : current,
  );
}
