import type { SyncPlan } from '@skillsync/sync';
import type { DaemonSettings, DriftedItem } from './contract.js';
import { driftItems, type ScopePlan } from '../sync-context.js';

/** What the settings make of one scope's drift. */
export interface ScopeDrift {
  readonly plan: ScopePlan;
  readonly items: readonly DriftedItem[];
  /** The planned files and skill folders a repair may write: every drifted item in them is to be repaired (a conflict is left as it is). */
  readonly repairs: ReadonlySet<string>;
}

/**
 * Sorts each drifted item by what the daemon does about it (pure):
 * - `held`: repairs of its file stopped (a client keeps rewriting it);
 * - `ignored`: its kind is set to `off`;
 * - `notified`: its kind is set to `notify`; or it is a conflict (someone else's entry
 *   with our name, which no sync overwrites); or it shares its file with an item that
 *   is not to be repaired;
 * - `repairing`: a repair of its file or folder follows.
 * A planned path is repaired only when every drifted item in it is to be repaired, a
 * conflict aside (the repair leaves that entry as it is): one item of a kind set to
 * `notify` keeps the whole file as it is.
 */
export function classifyDrift(plans: readonly ScopePlan[], settings: DaemonSettings, held: ReadonlySet<string>): ScopeDrift[] {
  return plans.map((scopePlan) => {
    const classified = driftItems(scopePlan.plan).map((item): DriftedItem => {
      const path = item.path ?? '';
      const action = settings.onDrift[item.kind];
      const handling = held.has(path) ? 'held' : action === 'off' ? 'ignored' : action === 'notify' || item.status === 'conflict' ? 'notified' : 'repairing';
      return { scope: item.scope, client: item.client, kind: item.kind, name: item.name, path, status: item.status, handling };
    });
    const blocked = new Set(classified.filter((item) => item.handling !== 'repairing' && item.status !== 'conflict').map((item) => item.path));
    const repairs = new Set(plannedPaths(scopePlan.plan).filter((path) => !blocked.has(path) && classified.some((item) => item.path === path && item.handling === 'repairing')));
    const items = classified.map((item): DriftedItem => (item.handling === 'repairing' && !repairs.has(item.path) ? { ...item, handling: 'notified' } : item));
    return { plan: scopePlan, items, repairs };
  });
}

/** The files and skill folders a plan writes. */
export function plannedPaths(plan: SyncPlan): string[] {
  return [...plan.files.map((file) => file.path), ...plan.skills.map((skill) => skill.dir)];
}

/**
 * Stops the daemon fighting a client that rewrites its own file: a path repaired
 * `limit` times within `windowMs` is not repaired again but held, until it has been
 * left alone (no rewrite seen) for `windowMs`, or `clear` (a manual sync).
 */
export interface RepairGuard {
  readonly held: () => ReadonlySet<string>;
  /** True when `path` has had its `limit` repairs in the window before `now`. */
  readonly exhausted: (path: string, now: number) => boolean;
  readonly hold: (path: string, now: number) => void;
  readonly recordRepairs: (paths: Iterable<string>, now: number) => void;
  /** Changes were seen at `now`: a held path among them is being rewritten still, so its quiet window starts again. */
  readonly rewritten: (paths: Iterable<string>, now: number) => void;
  /** Ends the holds whose path has been quiet for `windowMs` by `now`, and returns those paths. */
  readonly release: (now: number) => string[];
  /** When the next hold may be released (ms since the epoch), or undefined when nothing is held. */
  readonly nextRelease: () => number | undefined;
  readonly clear: () => void;
}

export function createRepairGuard(options: { readonly limit: number; readonly windowMs: number }): RepairGuard {
  const repairs = new Map<string, number[]>();
  /** Each held path, and when it was last seen rewritten. */
  const held = new Map<string, number>();
  const recent = (path: string, now: number): number[] => (repairs.get(path) ?? []).filter((at) => now - at < options.windowMs);
  return {
    held: () => new Set(held.keys()),
    exhausted: (path, now) => recent(path, now).length >= options.limit,
    hold: (path, now) => {
      held.set(path, now);
      repairs.delete(path);
    },
    recordRepairs: (paths, now) => {
      for (const path of paths) repairs.set(path, [...recent(path, now), now]);
    },
    rewritten: (paths, now) => {
      for (const path of paths) if (held.has(path)) held.set(path, now);
    },
    release: (now) => {
      const quiet = [...held].filter(([, at]) => now - at >= options.windowMs).map(([path]) => path);
      for (const path of quiet) held.delete(path);
      return quiet;
    },
    nextRelease: () => (held.size === 0 ? undefined : Math.min(...held.values()) + options.windowMs),
    clear: () => {
      held.clear();
      repairs.clear();
    },
  };
}
