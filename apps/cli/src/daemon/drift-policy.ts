import type { Journal, SyncPlan } from '@skillsync/sync';
import type { DaemonSettings, DriftedItem } from './contract.js';
import { driftItems, type ScopePlan } from '../sync-context.js';

/** What the settings make of one scope's drift. */
export interface ScopeDrift {
  readonly plan: ScopePlan;
  readonly items: readonly DriftedItem[];
  /** The planned files and skill folders a repair may write: every drifted item in them is to be repaired. */
  readonly repairs: ReadonlySet<string>;
}

/**
 * Sorts each drifted item by what the daemon does about it (pure):
 * - `held`: repairs of its file stopped (a client keeps rewriting it);
 * - `ignored`: its kind is set to `off`;
 * - `notified`: its kind is set to `notify`, or it is a conflict (someone else's entry
 *   with our name, which no sync overwrites);
 * - `repairing`: a repair of its file or folder follows.
 * A planned path is repaired only when every drifted item in it is `repairing`: one
 * item of a kind set to `notify` keeps the whole file as it is.
 */
export function classifyDrift(plans: readonly ScopePlan[], settings: DaemonSettings, held: ReadonlySet<string>): ScopeDrift[] {
  return plans.map((scopePlan) => {
    const items = driftItems(scopePlan.plan).map((item): DriftedItem => {
      const path = item.path ?? '';
      const action = settings.onDrift[item.kind];
      const handling = held.has(path) ? 'held' : action === 'off' ? 'ignored' : action === 'notify' || item.status === 'conflict' ? 'notified' : 'repairing';
      return { scope: item.scope, client: item.client, kind: item.kind, name: item.name, path, status: item.status, handling };
    });
    const handlings = new Map<string, Set<DriftedItem['handling']>>();
    for (const item of items) handlings.set(item.path, (handlings.get(item.path) ?? new Set()).add(item.handling));
    const repairs = new Set(
      plannedPaths(scopePlan.plan).filter((path) => {
        const found = handlings.get(path);
        return found !== undefined && found.size === 1 && found.has('repairing');
      }),
    );
    return { plan: scopePlan, items, repairs };
  });
}

/** The files and skill folders a plan writes. */
export function plannedPaths(plan: SyncPlan): string[] {
  return [...plan.files.map((file) => file.path), ...plan.skills.map((skill) => skill.dir)];
}

/**
 * The part of `plan` that writes only the paths in `keep`. Its journal keeps, for every
 * path left out, the entries the journal holds now (`previous`), as `applyPlan` does for
 * a path it skips: the journal must only ever say what skillsync really wrote.
 */
export function restrictPlan(plan: SyncPlan, keep: ReadonlySet<string>, previous: Journal): SyncPlan {
  const left = new Set(plannedPaths(plan).filter((path) => !keep.has(path)));
  return {
    ...plan,
    files: plan.files.filter((file) => keep.has(file.path)),
    skills: plan.skills.filter((skill) => keep.has(skill.dir)),
    journal: { entries: [...plan.journal.entries.filter((entry) => !left.has(entry.path)), ...previous.entries.filter((entry) => left.has(entry.path))] },
  };
}

/**
 * Stops the daemon fighting a client that rewrites its own file: a path repaired
 * `limit` times within `windowMs` is not repaired again but held, until `clear`
 * (a manual sync).
 */
export interface RepairGuard {
  readonly held: () => ReadonlySet<string>;
  /** True when `path` has had its `limit` repairs in the window before `now`. */
  readonly exhausted: (path: string, now: number) => boolean;
  readonly hold: (path: string) => void;
  readonly recordRepairs: (paths: Iterable<string>, now: number) => void;
  readonly clear: () => void;
}

export function createRepairGuard(options: { readonly limit: number; readonly windowMs: number }): RepairGuard {
  const repairs = new Map<string, number[]>();
  const held = new Set<string>();
  const recent = (path: string, now: number): number[] => (repairs.get(path) ?? []).filter((at) => now - at < options.windowMs);
  return {
    held: () => held,
    exhausted: (path, now) => recent(path, now).length >= options.limit,
    hold: (path) => {
      held.add(path);
      repairs.delete(path);
    },
    recordRepairs: (paths, now) => {
      for (const path of paths) repairs.set(path, [...recent(path, now), now]);
    },
    clear: () => {
      held.clear();
      repairs.clear();
    },
  };
}
