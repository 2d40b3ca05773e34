import type { ClientId, Env } from '@skillsync/core';
import { connectorFeaturesOf, type ConnectorDialect, type ConnectorFeatures } from './dialects/connector-dialect.js';

/**
 * A place whose existence shows a client is installed for this user. Paths are
 * absolute, built from the injected Env, so every platform is testable on Linux.
 */
export interface DetectionMarker {
  readonly path: string;
  readonly kind: 'file' | 'dir';
}

export const SCOPES = ['user', 'project'] as const;
export type Scope = (typeof SCOPES)[number];

export const ARTIFACT_KINDS = ['connectors', 'skills', 'instructions'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** How a client file is parsed: `jsonc` means the client accepts comments and trailing commas, so we must keep them. */
export type ConfigFormat = 'json' | 'jsonc' | 'toml' | 'yaml';

/**
 * How sure we are of a fact, after ../shared/reference/clients.md: `official` = the
 * vendor's docs or source; `secondary` = a third-party tool or guide; `unconfirmed` = a
 * guess no source confirmed. Carried as data so `clients --json` and reviews can see it.
 */
export type Evidence = 'official' | 'secondary' | 'unconfirmed';

/** An answer for something a client cannot do: always with a reason, never a silent skip. */
export interface Unsupported {
  readonly kind: 'unsupported';
  readonly reason: string;
}

export interface Supported {
  readonly kind: 'supported';
  readonly evidence: Evidence;
  /** A caveat the user should see (an approval prompt, a precedence rule, …). */
  readonly note?: string;
}

export type Capability = Supported | Unsupported;

export type ScopeCapabilities = Readonly<Record<ArtifactKind, Capability>>;

/** What a client's author declares: per scope × artifact kind. */
export interface DeclaredCapabilities {
  readonly user: ScopeCapabilities;
  readonly project: ScopeCapabilities;
}

/** The full table: declared per scope, plus connector features taken from the client's dialect (a connector file with a dialect of its own has its own features). */
export interface Capabilities extends DeclaredCapabilities {
  readonly connectors: ConnectorFeatures;
}

interface LocationBase {
  /** The vendor's page documenting this path. */
  readonly docs: string;
  readonly evidence: Evidence;
}

/** The MCP config file of one scope and where the server entries sit inside it. */
export interface ConnectorsLocation extends LocationBase {
  readonly path: string;
  readonly format: ConfigFormat;
  /**
   * Keys from the file root to the server container. One element may contain a dot
   * (Amp's `amp.mcpServers` is a single key); TOML keys are table names (`mcp_servers`).
   */
  readonly keyPath: readonly string[];
  /** `map`: entries keyed by server name; `list`: items carrying a `name` (Continue). */
  readonly container: 'map' | 'list';
  /** Top-level keys a new file needs before the client will read it (Continue block metadata). */
  readonly newFile?: Readonly<Record<string, unknown>>;
  /** Other file names the client reads in place of `path` (e.g. `opencode.jsonc`); the engine edits the first that exists. */
  readonly alternatives?: readonly string[];
  /**
   * Server containers the client loads ahead of this one for the same scope (Claude Code's
   * local scope: `~/.claude.json` `projects["<root>"].mcpServers`). `import` reads them;
   * sync never writes them, so what it adopts from one is left for the person to remove.
   */
  readonly shadowedBy?: readonly ShadowingConnectors[];
  /**
   * How this file spells a server when it is not the client's own dialect (Goose reads
   * project servers from Claude-style plugin files, not from its YAML `extensions`).
   * Absent: the adapter's `connectorDialect`. Read it through `connectorDialectAt`.
   */
  readonly dialect?: ConnectorDialect;
}

/** A server container that takes precedence over a scope's connector file, with how a person removes an entry from it. */
export interface ShadowingConnectors {
  readonly path: string;
  readonly format: ConfigFormat;
  readonly keyPath: readonly string[];
  /** What the client calls it (`local scope`). */
  readonly label: string;
  /** The command that removes the entry `{name}` from it. */
  readonly removeCommand: string;
}

/** Where skill folders (`<dir>/<name>/SKILL.md`) go for one scope. */
export interface SkillsLocation extends LocationBase {
  /** The folder skillsync writes this client's skills into. */
  readonly path: string;
  /**
   * True when `path` is the cross-client `.agents/skills` folder: the engine writes it
   * once for every client whose target it is, not once per client.
   */
  readonly shared: boolean;
  /** Other folders the client also scans, so the engine can report duplicates and name clashes. */
  readonly alsoReads: readonly string[];
}

export type InstructionsFormat = 'markdown' | 'mdc';

/** The instruction file of one scope. */
export interface InstructionsLocation extends LocationBase {
  readonly path: string;
  readonly format: InstructionsFormat;
  /** `block`: a delimited managed block inside a file the user may also edit; `file`: a file skillsync owns whole. */
  readonly ownership: 'block' | 'file';
  /** Frontmatter the file must carry for the client to load it (Cursor `.mdc`, Kiro steering, …). */
  readonly frontmatter?: Readonly<Record<string, string | boolean>>;
  /** True when `path` is the project's `AGENTS.md`, which many clients read: written once for all of them. */
  readonly shared: boolean;
  /** Other instruction files the client also loads, so the engine can warn about the same text twice. */
  readonly alsoReads: readonly string[];
  /**
   * Where the client keeps rule files it loads only for files matching a glob: each
   * scoped instruction gets one there instead of a section in this file. Absent: the
   * scoped ones stay in this file with an "Applies to" line. Never on a `shared` file,
   * whose block every reader gets the same.
   */
  readonly scopedRules?: ScopedRulesLocation;
}

/**
 * How a client reads the glob in a rule file's frontmatter:
 * - `string`: one YAML string, the scope's globs joined by commas without spaces (VS Code's `applyTo`);
 * - `list`: a YAML list, one item per top-level comma-separated glob (Claude Code's `paths`);
 * - `comma-separated`: braces expanded, joined by commas and written unquoted (Cursor's
 *   `globs`: it splits on every comma and does not read YAML quotes).
 */
export type GlobForm = 'string' | 'list' | 'comma-separated';

/** The per-glob rule files of one scope: `<dir>/skillsync-<name><extension>`, one per scoped instruction, owned whole. */
export interface ScopedRulesLocation extends LocationBase {
  readonly dir: string;
  readonly extension: '.md' | '.mdc' | '.instructions.md';
  readonly format: InstructionsFormat;
  /** The frontmatter key the glob goes under. */
  readonly globKey: string;
  readonly globForm: GlobForm;
  /** A frontmatter key for the instruction's name (Cursor's `description`, Continue's required `name`), when the client wants one. */
  readonly nameKey?: string;
  /** Fixed frontmatter that makes the client load the file only for matching files (Kiro's `inclusion: fileMatch`). */
  readonly frontmatter?: Readonly<Record<string, string | boolean>>;
}

export interface LocationByKind {
  readonly connectors: ConnectorsLocation;
  readonly skills: SkillsLocation;
  readonly instructions: InstructionsLocation;
}

/** A located artifact kind, or why this client has none at this scope. */
export type Located<K extends ArtifactKind> = (LocationByKind[K] & { readonly kind: 'supported' }) | Unsupported;

export type ScopeLocations = { readonly [K in ArtifactKind]: Located<K> };

type SupportedKinds<S extends ScopeCapabilities> = {
  [K in ArtifactKind]: S[K] extends { readonly kind: 'supported' } ? K : never;
}[ArtifactKind];

/** The locations an adapter must give for one scope: exactly the kinds it declares supported. */
export type LocationsFor<S extends ScopeCapabilities> = { readonly [K in SupportedKinds<S>]: LocationByKind[K] };

/**
 * One AI client. Built with `defineClient`, so a missing member — or a location missing
 * for a kind the capability table calls supported — is a compile error.
 */
export interface ClientAdapter {
  readonly id: ClientId;
  readonly displayName: string;
  /** The vendor's documentation for the files this adapter reads and writes. */
  readonly docs: readonly string[];
  /** Where to look (no I/O): the first marker that exists means the client was found. */
  readonly detectionMarkers: (env: Env) => readonly DetectionMarker[];
  readonly capabilities: Capabilities;
  /** How connectors are spelt in this client's MCP config. */
  readonly connectorDialect: ConnectorDialect;
  /**
   * Where each artifact kind lives for a scope (data, no I/O). Paths are absolute: under
   * the injected home for `user`, under `projectRoot` (default `env.cwd`) for `project`.
   */
  readonly locations: (env: Env, scope: Scope, projectRoot?: string) => ScopeLocations;
}

/** What a client folder writes; `defineClient` turns it into a `ClientAdapter`. */
export interface ClientDefinition<Id extends ClientId, C extends DeclaredCapabilities> {
  readonly id: Id;
  readonly displayName: string;
  readonly docs: readonly string[];
  readonly detectionMarkers: (env: Env) => readonly DetectionMarker[];
  readonly capabilities: C;
  readonly connectorDialect: ConnectorDialect;
  readonly locations: {
    readonly user: (env: Env) => LocationsFor<C['user']>;
    readonly project: (env: Env, projectRoot: string) => LocationsFor<C['project']>;
  };
}

export function defineClient<const Id extends ClientId, const C extends DeclaredCapabilities>(
  definition: ClientDefinition<Id, C>,
): ClientAdapter & { readonly id: Id } {
  const capabilities: Capabilities = {
    user: definition.capabilities.user,
    project: definition.capabilities.project,
    connectors: connectorFeaturesOf(definition.connectorDialect),
  };
  return {
    id: definition.id,
    displayName: definition.displayName,
    docs: definition.docs,
    detectionMarkers: definition.detectionMarkers,
    connectorDialect: definition.connectorDialect,
    capabilities,
    locations: (env, scope, projectRoot) => {
      const found: Partial<Record<ArtifactKind, unknown>> =
        scope === 'user' ? definition.locations.user(env) : definition.locations.project(env, projectRoot ?? env.cwd);
      const declared = capabilities[scope];
      return {
        connectors: located(declared.connectors, found.connectors as ConnectorsLocation | undefined),
        skills: located(declared.skills, found.skills as SkillsLocation | undefined),
        instructions: located(declared.instructions, found.instructions as InstructionsLocation | undefined),
      };
    },
  };
}

function located<T extends object>(capability: Capability, location: T | undefined): (T & { readonly kind: 'supported' }) | Unsupported {
  if (capability.kind === 'unsupported') return capability;
  // The types make this unreachable for adapters built by defineClient; kept so a cast elsewhere cannot hide a gap.
  if (location === undefined) return { kind: 'unsupported', reason: 'the adapter declares this kind supported but gives no location' };
  return { ...location, kind: 'supported' };
}

/** The dialect of the server entries in one of the adapter's connector files. */
export function connectorDialectAt(adapter: ClientAdapter, location: ConnectorsLocation): ConnectorDialect {
  return location.dialect ?? adapter.connectorDialect;
}

/** Shorthands for capability tables. */
export function supported(evidence: Evidence, note?: string): Supported {
  return note === undefined ? { kind: 'supported', evidence } : { kind: 'supported', evidence, note };
}

export function unsupported(reason: string): Unsupported {
  return { kind: 'unsupported', reason };
}
