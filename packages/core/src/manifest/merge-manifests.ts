import type { ClientId } from '../clients/client-ids.js';
import type { ConnectorDefinition, GatewayConfig, InstructionDefinition, Manifest } from './manifest-schema.js';
import type { SkillSpecifierInput } from './parse-skill-specifier.js';

/** The scopes desired state comes from, lowest first: the org profile (from the server), then the manifests. */
export type ManifestScope = 'org' | ManifestFileScope;

/** The scopes a manifest file lives at. */
export type ManifestFileScope = 'user' | 'project';

/** Where a piece of desired state was declared. */
export interface Provenance {
  readonly scope: ManifestScope;
  /**
   * The manifest file, absolute: relative paths in the entry are relative to its folder.
   * For the org scope, the registry address of the org whose profile says it.
   */
  readonly file: string;
}

/** The scope of the client files an item lands in: the org's items are user-level (each member's own clients). */
export function landingScope(source: Provenance): ManifestFileScope {
  return source.scope === 'org' ? 'user' : source.scope;
}

/** A parsed manifest and where it was read from. */
export interface ScopedManifest {
  readonly scope: ManifestFileScope;
  readonly file: string;
  readonly manifest: Manifest;
}

export interface Sourced<T> {
  readonly value: T;
  readonly source: Provenance;
}

export interface EffectiveSkill {
  readonly name: string;
  readonly specifier: SkillSpecifierInput;
  readonly source: Provenance;
}

export interface EffectiveConnector {
  readonly name: string;
  readonly connector: ConnectorDefinition;
  readonly source: Provenance;
}

export interface EffectiveInstruction {
  readonly instruction: InstructionDefinition;
  readonly source: Provenance;
}

export interface EffectiveTrustKey {
  readonly name: string;
  readonly publicKey: string;
  readonly source: Provenance;
}

/**
 * The desired state after stacking the scopes: what install and sync act on. Every
 * item says which file declared it, so `list` can show it and relative paths can be
 * resolved against the right folder.
 */
export interface EffectiveManifest {
  /** By skill name, in byte order of the name. */
  readonly skills: readonly EffectiveSkill[];
  readonly connectors: readonly EffectiveConnector[];
  readonly instructions: readonly EffectiveInstruction[];
  readonly registry: Sourced<string> | undefined;
  readonly clients: Sourced<readonly ClientId[]> | undefined;
  /**
   * The gateway settings, field by field from the nearest scope that sets them (each of
   * `principal` and `redaction` whole); per-client overrides stacked.
   */
  readonly gateway: GatewayConfig;
  readonly trust: {
    readonly keys: readonly EffectiveTrustKey[];
    /** True when any scope requires signatures: the stricter scope wins. */
    readonly requireSignatures: boolean;
  };
}

/**
 * Stacks the user and project manifests (both optional). The project adds to the
 * user scope and overrides it for the same skill, connector, named instruction or
 * trust key name; `registry` and `clients` are taken whole from the project when it
 * sets them. `requireSignatures` can only be tightened by a scope, never loosened.
 * Pure: no I/O.
 */
export function mergeManifests(user: ScopedManifest | undefined, project: ScopedManifest | undefined): EffectiveManifest {
  const layers = [user, project].filter((layer): layer is ScopedManifest => layer !== undefined);
  const skills = new Map<string, EffectiveSkill>();
  const connectors = new Map<string, EffectiveConnector>();
  const instructions: EffectiveInstruction[] = [];
  const keys = new Map<string, EffectiveTrustKey>();
  let registry: Sourced<string> | undefined;
  let clients: Sourced<readonly ClientId[]> | undefined;
  let requireSignatures = false;
  let gateway: GatewayConfig = {};

  for (const layer of layers) {
    const source: Provenance = { scope: layer.scope, file: layer.file };
    const { manifest } = layer;
    for (const [name, specifier] of Object.entries(manifest.skills)) skills.set(name, { name, specifier, source });
    for (const [name, connector] of Object.entries(manifest.connectors)) connectors.set(name, { name, connector, source });
    for (const instruction of manifest.instructions) {
      const replaced = instruction.name === undefined ? -1 : instructions.findIndex((item) => item.instruction.name === instruction.name);
      if (replaced === -1) instructions.push({ instruction, source });
      else instructions[replaced] = { instruction, source };
    }
    if (manifest.registry !== undefined) registry = { value: manifest.registry, source };
    if (manifest.clients !== undefined) clients = { value: manifest.clients, source };
    if (manifest.gateway !== undefined) {
      const { mode, command, namespace, principal, redaction, auditRetentionDays } = manifest.gateway;
      gateway = {
        ...gateway,
        ...(mode === undefined ? {} : { mode }),
        ...(namespace === undefined ? {} : { namespace }),
        ...(command === undefined ? {} : { command }),
        // Taken whole from the nearest scope that sets them, like `command`.
        ...(principal === undefined ? {} : { principal }),
        ...(redaction === undefined ? {} : { redaction }),
        ...(auditRetentionDays === undefined ? {} : { auditRetentionDays }),
        ...(manifest.gateway.clients === undefined ? {} : { clients: { ...gateway.clients, ...manifest.gateway.clients } }),
      };
    }
    for (const key of manifest.trust?.keys ?? []) keys.set(key.name, { ...key, source });
    if (manifest.trust?.requireSignatures === true) requireSignatures = true;
  }

  return {
    skills: sortByName([...skills.values()]),
    connectors: sortByName([...connectors.values()]),
    instructions,
    registry,
    clients,
    gateway,
    trust: { keys: sortByName([...keys.values()]), requireSignatures },
  };
}

function sortByName<T extends { readonly name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
