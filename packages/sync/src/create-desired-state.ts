import path from 'node:path';
import { byteOrder, type ConnectorDefinition, type EffectiveInstruction, type EffectiveManifest, type GatewayConfig } from '@skillsync/core';

export interface DesiredSkill {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  /** The store folder holding the skill's files, copied into each client. */
  readonly storeDir: string;
}

export interface DesiredInstruction {
  /** Becomes the heading of this instruction's section in the rendered block. */
  readonly id: string;
  readonly content: string;
  /** The files it applies to (a glob), when not all of them. */
  readonly scope?: string;
}

/** What every target client should have, after resolving manifests and installing skills. */
export interface DesiredState {
  readonly connectors: Readonly<Record<string, ConnectorDefinition>>;
  /** Whether connectors reach each client through the gateway or directly (`connectorModeFor`). */
  readonly gateway: GatewayConfig;
  readonly skills: readonly DesiredSkill[];
  readonly instructions: readonly DesiredInstruction[];
  /**
   * Why a policy above the manifests (an org profile) refuses a connector of this name, or
   * undefined. Such an entry is removed from a client file even when skillsync did not
   * write it: someone added it by hand. Absent: nothing is refused.
   */
  readonly refusedConnector?: (name: string) => string | undefined;
}

/** The part of an installed skill the desired state needs (the store's `InstalledSkill` fits). */
export interface InstalledSkillInput {
  readonly name: string;
  readonly version: string;
  readonly integrity: string;
  readonly dir: string;
}

/**
 * The absolute path of an instruction's `file:` entry, resolved against the folder of
 * the manifest that declared it: the key `createDesiredState` looks its text up by.
 * Undefined for a `text:` instruction.
 */
export function instructionFilePath(entry: EffectiveInstruction): string | undefined {
  const file = entry.instruction.file;
  if (file === undefined) return undefined;
  const flavour = isWindowsPath(entry.source.file) ? path.win32 : path.posix;
  return flavour.resolve(flavour.dirname(entry.source.file), file);
}

/** Every instruction file the caller must read before `createDesiredState`. */
export function listInstructionFiles(manifest: EffectiveManifest): string[] {
  return manifest.instructions.map(instructionFilePath).filter((file): file is string => file !== undefined);
}

/**
 * The desired state of a sync, from the effective manifest, the installed skills and
 * the text of every instruction file (keyed by `instructionFilePath`). Pure. A
 * missing instruction text is a caller bug, so it throws.
 */
export function createDesiredState(
  manifest: EffectiveManifest,
  installedSkills: readonly InstalledSkillInput[],
  instructionTexts: ReadonlyMap<string, string>,
): DesiredState {
  const connectors: Record<string, ConnectorDefinition> = {};
  for (const entry of [...manifest.connectors].sort((left, right) => byteOrder(left.name, right.name))) connectors[entry.name] = entry.connector;

  const skills = [...new Map(installedSkills.map((skill) => [skill.name, skill])).values()]
    .sort((left, right) => byteOrder(left.name, right.name))
    .map((skill): DesiredSkill => ({ name: skill.name, version: skill.version, integrity: skill.integrity, storeDir: skill.dir }));

  const used = new Set<string>();
  const instructions = manifest.instructions.map((entry, index): DesiredInstruction => {
    const file = instructionFilePath(entry);
    let content = entry.instruction.text;
    if (file !== undefined) {
      content = instructionTexts.get(file);
      if (content === undefined) throw new Error(`createDesiredState: no text given for the instruction file ${file}`);
    }
    const id = uniqueId(instructionId(entry, file, index), used);
    const scope = entry.instruction.scope;
    return { id, content: content ?? '', ...(scope === undefined ? {} : { scope }) };
  });
  return { connectors, gateway: manifest.gateway, skills, instructions };
}

function instructionId(entry: EffectiveInstruction, file: string | undefined, index: number): string {
  if (entry.instruction.name !== undefined) return entry.instruction.name;
  if (file !== undefined) {
    const flavour = isWindowsPath(file) ? path.win32 : path.posix;
    return flavour.basename(file, flavour.extname(file));
  }
  return `instructions-${index + 1}`;
}

function uniqueId(id: string, used: Set<string>): string {
  let candidate = id;
  for (let n = 2; used.has(candidate); n += 1) candidate = `${id}-${n}`;
  used.add(candidate);
  return candidate;
}

function isWindowsPath(file: string): boolean {
  return /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}
