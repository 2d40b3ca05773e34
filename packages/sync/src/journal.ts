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
  /**
   * Taken over by `import` as it stood rather than written by skillsync: the next sync
   * brings it to the desired state like any entry of ours. For instructions, `hash` is
   * of the whole file, whose text sync moves into the managed block.
   */
  readonly adopted?: true;
  /**
   * skillsync created the file this entry lives in (it did not exist when the entry
   * was first written); every later plan carries the flag over. Removing the last
   * entry then deletes the file, rather than leave the empty container (`{"mcpServers": {}}`)
   * behind, when nothing else was added to it. Absent for a file the user had.
   */
  readonly createdFile?: true;
  /**
   * A scoped instruction's own rule file (named by the instruction's id), which skillsync
   * owns whole and deletes when the instruction goes or loses its scope. Absent for the
   * one instructions block (named `instructions`) and for every other kind.
   */
  readonly ruleFile?: true;
}

/** What skillsync last wrote, across every client and scope. */
export interface Journal {
  readonly entries: readonly JournalEntry[];
}

export const emptyJournal: Journal = { entries: [] };

/** A stable order, so a journal written twice with the same content is byte-identical. */
export function sortJournalEntries(entries: readonly JournalEntry[]): JournalEntry[] {
  // Each key built once (a journal holds thousands of entries; a comparator building both keys would build each ~2·log n times).
  const keyed = entries.map((entry) => ({ entry, key: `${entry.scope}\u0000${entry.client}\u0000${entry.kind}\u0000${entry.name}\u0000${entry.path}` }));
  keyed.sort((left, right) => (left.key < right.key ? -1 : left.key > right.key ? 1 : 0));
  return keyed.map(({ entry }) => entry);
}

/** Exactly the same entries in the same order, field for field (in the same field order, as a file written from them would be). */
export function sameJournalEntries(left: readonly JournalEntry[], right: readonly JournalEntry[]): boolean {
  if (left.length !== right.length) return false;
  for (let index = 0; index < left.length; index += 1) {
    const a = left[index] as JournalEntry;
    const b = right[index] as JournalEntry;
    if (a === b) continue;
    const keys = Object.keys(a);
    const other = Object.keys(b);
    if (keys.length !== other.length) return false;
    for (let key = 0; key < keys.length; key += 1) {
      const name = keys[key] as keyof JournalEntry;
      if (name !== other[key] || a[name] !== b[name]) return false;
    }
  }
  return true;
}
