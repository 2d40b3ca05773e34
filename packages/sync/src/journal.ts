import type { ClientId } from '@skillsync/core';

export type ItemKind = 'connector' | 'skill' | 'instructions';

/**
 * One item skillsync wrote. `hash` identifies the value as written: a connector's
 * `hashValue` of the client-native entry, a skill's integrity, the instructions'
 * `hashManagedContent` of the block content. Comparing it with what is on disk now
 * tells "ours, untouched" from "ours, edited by someone".
 */
export interface JournalEntry {
  readonly client: ClientId;
  readonly scope: 'user' | 'project';
  readonly kind: ItemKind;
  readonly name: string;
  readonly path: string;
  readonly hash: string;
}

/** What skillsync last wrote, across every client and scope. */
export interface Journal {
  readonly entries: readonly JournalEntry[];
}

export const emptyJournal: Journal = { entries: [] };

/** A stable order, so a journal written twice with the same content is byte-identical. */
export function sortJournalEntries(entries: readonly JournalEntry[]): JournalEntry[] {
  const key = (entry: JournalEntry) => [entry.scope, entry.client, entry.kind, entry.name, entry.path].join('\u0000');
  return [...entries].sort((left, right) => (key(left) < key(right) ? -1 : key(left) > key(right) ? 1 : 0));
}
