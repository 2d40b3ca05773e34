import type { ConfigFormat, InstructionsFormat } from '@skillsync/clients';
import type { ClientId } from '@skillsync/core';
import type { ConnectorCodecFormat, ConnectorCodecs } from './connector-codecs.js';
import type { ItemKind, Journal, JournalEntry } from './journal.js';

/**
 * Where one desired (or once-written, or foreign) item stands in one client:
 * - `in-sync`: the client has exactly what we want;
 * - `missing`: not there, the plan writes it;
 * - `modified`: ours, edited since we wrote it; the plan puts ours back (desired wins);
 * - `outdated`: ours and untouched, but the desired state moved on (or dropped it: removal);
 * - `conflict`: someone else's entry with our name; never overwritten;
 * - `unmanaged`: someone else's entry; listed, never touched;
 * - `needs-gateway` / `unsupported`: not written directly, with the reason;
 * - `via-gateway`: a connector this client reaches through its one `skillsync` gateway entry.
 */
export type ItemStatus = 'in-sync' | 'missing' | 'modified' | 'outdated' | 'conflict' | 'unmanaged' | 'needs-gateway' | 'unsupported' | 'via-gateway';

/** Statuses that mean "the client is not as the desired state says" (`sync --check` fails on them). */
export const DRIFT_STATUSES: readonly ItemStatus[] = ['missing', 'modified', 'outdated', 'conflict'];

export interface SyncItem {
  readonly client: ClientId;
  readonly scope: 'user' | 'project';
  readonly kind: ItemKind;
  readonly name: string;
  readonly status: ItemStatus;
  /** The file or folder the item lives in (absent for unsupported kinds). */
  readonly path?: string;
  readonly detail?: string;
  /** The plan replaces or removes something a person changed: the CLI should show the diff before applying. */
  readonly overwritesEdit?: boolean;
  /** The plan removes this item (it was ours and the desired state no longer has it here, or a policy refuses it). */
  readonly removal?: boolean;
  /** Why a policy refuses this entry, which skillsync did not write (`DesiredState.refusedConnector`): the plan removes it. */
  readonly refused?: string;
}

export type PlannedFileFormat = ConfigFormat | InstructionsFormat;

/** One file whose text changes; `after: undefined` deletes a file skillsync owns whole. */
export interface PlannedFile {
  readonly path: string;
  readonly format: PlannedFileFormat;
  /** Every client whose desired state needs this edit (one edit for a file several clients read). */
  readonly clients: readonly ClientId[];
  readonly before: string | undefined;
  readonly after: string | undefined;
}

export interface PlannedSkill {
  /** `<skills folder>/<name>`. */
  readonly dir: string;
  readonly name: string;
  readonly action: 'write' | 'remove';
  readonly integrity?: string;
  readonly storeDir?: string;
  readonly clients: readonly ClientId[];
}

/** Why a client (or one of its files) was left out of the plan. */
export interface SyncProblem {
  readonly client: ClientId;
  readonly path: string;
  readonly code: string;
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** Something the user should know that blocks nothing (the same skill name in two folders a client reads). */
export interface SyncWarning {
  readonly client: ClientId;
  readonly code: 'SKILL_NAME_COLLISION' | 'INSTRUCTIONS_READ_TWICE';
  readonly name: string;
  readonly paths: readonly string[];
  readonly message: string;
}

export interface SyncPlan {
  readonly files: readonly PlannedFile[];
  readonly skills: readonly PlannedSkill[];
  readonly items: readonly SyncItem[];
  readonly problems: readonly SyncProblem[];
  readonly warnings: readonly SyncWarning[];
  /** The journal once the plan is applied in full. */
  readonly journal: Journal;
  /**
   * True when `journal` holds exactly the entries of the journal the plan was made
   * from: with no file or skill folder to change either, applying the plan writes
   * nothing (`applyPlan` then takes no lock). Absent: not known.
   */
  readonly journalUnchanged?: boolean;
}

/** The internal unit a planner hands back for one client; merged across clients by `planSync`. */
export interface ClientPlan {
  readonly items: SyncItem[];
  readonly problems: SyncProblem[];
  readonly warnings: SyncWarning[];
  readonly fileOps: FileOp[];
  readonly skillOps: PlannedSkill[];
  readonly journal: JournalEntry[];
}

export type OpResult = { readonly ok: true; readonly text: string | undefined } | { readonly ok: false; readonly problem: { readonly code: string; readonly message: string; readonly line: number; readonly column: number } };

/** A pure edit of one file for one client, replayed on top of other clients' edits of the same file. */
export interface FileOp {
  readonly client: ClientId;
  readonly path: string;
  readonly format: PlannedFileFormat;
  /** The connector codec `apply` edits with (none for instruction files). */
  readonly codec?: ConnectorCodecFormat;
  readonly apply: (text: string | undefined, codecs: ConnectorCodecs) => OpResult;
}

export function createClientPlan(): ClientPlan {
  return { items: [], problems: [], warnings: [], fileOps: [], skillOps: [], journal: [] };
}
