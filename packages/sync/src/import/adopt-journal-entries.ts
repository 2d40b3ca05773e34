import { readTextIfExists, withFileLock, writeFileAtomic, type FileLockOptions } from '@skillsync/core';
import { syncLockTarget } from '../apply-plan.js';
import { journalFile, parseJournal, serializeJournal } from '../journal-store.js';
import { emptyJournal, type JournalEntry } from '../journal.js';

/**
 * Records what `import` took over in the journal of its scope, under the sync lock.
 * An entry replaces one for the same client, kind, name and path; everything else in
 * the journal stays as it was.
 */
export async function adoptJournalEntries(
  stateDir: string,
  scope: 'user' | 'project',
  projectRoot: string | undefined,
  entries: readonly JournalEntry[],
  lock?: FileLockOptions,
): Promise<void> {
  if (entries.length === 0) return;
  const file = journalFile(stateDir, scope, projectRoot);
  await withFileLock(
    syncLockTarget(stateDir),
    async () => {
      const text = await readTextIfExists(file);
      const journal = text === undefined ? emptyJournal : parseJournal(text, file);
      const key = (entry: JournalEntry): string => [entry.client, entry.kind, entry.name, entry.path].join('\u0000');
      const replaced = new Set(entries.map(key));
      const next = { entries: [...journal.entries.filter((entry) => !replaced.has(key(entry))), ...entries] };
      const serialized = serializeJournal(scope, projectRoot, next);
      if (serialized !== text) await writeFileAtomic(file, serialized);
    },
    lock,
  );
}
