/**
 * What the parts of the local app (`skillsync up`) agree on: the daemon's controller,
 * which owns watching, drift handling and the instance; the dashboard's HTTP server
 * and the tray, which only show its state and ask it to act. Types only.
 */
import type { ItemKind } from '@skillsync/sync';
import type { OrgProfileState } from '../org-profiles.js';
import type { OrgViolation } from '../org-violations.js';

/** What the daemon does when an item of one kind drifts. */
export type DriftAction = 'repair' | 'notify' | 'off';

export interface DaemonSettings {
  /** Per artifact kind; `repair` re-syncs (debounced), `notify` only reports. */
  readonly onDrift: Readonly<Record<ItemKind, DriftAction>>;
  /** Quiet time after the last change to a watched file before the daemon looks (a person mid-edit is never fought). */
  readonly settleMs: number;
}

/** The one-word state the tray's icon and the overview's banner show. */
export type DaemonHealth = 'starting' | 'in-sync' | 'drift' | 'error' | 'paused' | 'unconfigured';

/** One drifted item, as `skillsync status --json` reports it, with what the daemon did about it. */
export interface DriftedItem {
  readonly scope: 'user' | 'project';
  readonly client: string;
  readonly kind: ItemKind;
  readonly name: string;
  readonly path: string;
  readonly status: string;
  /** `repairing` while a repair is pending; `held` when repairs of this file were stopped (a client keeps rewriting it). */
  readonly handling: 'repairing' | 'notified' | 'ignored' | 'held';
}

export interface SyncRunSummary {
  readonly at: string;
  /** `profile`: an org profile changed (its server's event stream said so). */
  readonly trigger: 'start' | 'watch' | 'manual' | 'api' | 'tray' | 'profile';
  readonly ok: boolean;
  readonly written: number;
  readonly runIds: readonly string[];
  readonly message?: string;
  /** A watch-triggered run: from the end of the settle time to the end of the run (planning and writing). */
  readonly afterSettleMs?: number;
  /** A watch-triggered run: from the last change seen to the end of the run (the settle time included). */
  readonly sinceChangeMs?: number;
}

export interface DaemonStatus {
  readonly health: DaemonHealth;
  readonly pid: number;
  readonly startedAt: string;
  /** The dashboard's address, token not included. */
  readonly url: string | undefined;
  readonly paused: boolean;
  /** How many files and folders are watched. */
  readonly watching: number;
  readonly settings: DaemonSettings;
  readonly drift: readonly DriftedItem[];
  readonly lastSync: SyncRunSummary | undefined;
  /** The latest error (a malformed client file, an unreadable manifest), with its stable code. */
  readonly error: { readonly code: string; readonly message: string; readonly hint?: string } | undefined;
  /** The ids of the AI clients found on this machine (what `import` can adopt from when nothing is configured). */
  readonly detected: readonly string[];
  /** The org profiles that apply (one per login with the profile on), and what violates them; absent when none does. */
  readonly org?: DaemonOrgStatus;
}

export interface DaemonOrgStatus {
  /** Each profile: its registry, revision and when it was fetched. */
  readonly profiles: readonly OrgProfileState[];
  /** What the last look found violating them. */
  readonly violations: readonly OrgViolation[];
  /** A server not reached, a stream refused, a profile never fetched. */
  readonly warnings: readonly string[];
}

export type DaemonEvent =
  | { readonly type: 'status'; readonly status: DaemonStatus }
  | { readonly type: 'changed'; readonly paths: readonly string[] }
  | { readonly type: 'synced'; readonly run: SyncRunSummary }
  | { readonly type: 'held'; readonly path: string; readonly reason: string };

export interface DaemonController {
  status(): DaemonStatus;
  /** Called with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: DaemonEvent) => void): () => void;
  /** Syncs every scope now (all clients, or the ones named), whatever the drift settings say. */
  syncNow(trigger: SyncRunSummary['trigger'], clients?: readonly string[]): Promise<SyncRunSummary>;
  pause(): void;
  resume(): void;
  /**
   * Runs a change made from the dashboard (an adoption, an import, a new skill) as one
   * task of the daemon's queue, so no check plans from a change half made. `task` gets
   * the daemon's Sync now, run in that same task (the controller's own, called from
   * inside, would wait for itself); a change that does not sync is looked at once the
   * watcher has seen it, as any edit of a manifest is.
   */
  exclusive<T>(task: (syncNow: (trigger: SyncRunSummary['trigger']) => Promise<SyncRunSummary>) => Promise<T>): Promise<T>;
  /** Ends the daemon: watchers closed, server and tray stopped, instance file removed. */
  stop(): Promise<void>;
}

/** Written by the running daemon (mode 0600) so the CLI, the tray and tests can find it. */
export interface DaemonInstanceInfo {
  readonly pid: number;
  readonly startedAt: string;
  readonly url: string | undefined;
  /** The per-start random token the dashboard's API requires. */
  readonly token: string | undefined;
  readonly logFile: string;
  readonly version: string;
  /**
   * When the OS started the process, exactly (Linux: the boot's id and the start time in
   * clock ticks since boot): a later process given the same pid has another. Undefined
   * where the OS does not say.
   */
  readonly processStart?: string;
}

/** A skill being written in the builder (dashboard or `skillsync dev`), before it is a folder. */
export interface SkillDraft {
  readonly name: string;
  readonly description: string;
  /** Further frontmatter fields (license, compatibility, allowed-tools, metadata), as the Agent Skills spec names them. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** The markdown body under the frontmatter. */
  readonly body: string;
}

export interface DraftFinding {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  /** The frontmatter field or `body` the finding is about, for the form to mark. */
  readonly field?: string;
}

/** Where a skill lands in one client, and what is written there. */
export interface DraftLanding {
  readonly client: string;
  readonly scope: 'user' | 'project';
  /** The SKILL.md path the adapter would write, or undefined when the client takes no skill folders. */
  readonly path: string | undefined;
  readonly content: string | undefined;
  /** Why it does not land, or how (through the gateway). */
  readonly note?: string;
}
