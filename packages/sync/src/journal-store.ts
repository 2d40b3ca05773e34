import { createHash } from 'node:crypto';
import path from 'node:path';
import { readTextIfExistsSync, SkillsyncError, writeFileAtomic } from '@skillsync/core';
import { emptyJournal, sortJournalEntries, type Journal, type JournalEntry } from './journal.js';

/*
 * Journals are JSON files, one per scope, not SQLite: sync is their only reader, it
 * always wants the whole journal of one scope, and a JSON file written atomically
 * is trivially backed up per run and restored by `rollback`. Revisit when a second
 * consumer (the daemon, `status` across projects) needs queries.
 */

const JOURNAL_VERSION = 1;

/**
 * The journal file of a scope: `journal/user.json`, or `journal/project-<hash>.json`
 * keyed by the SHA-256 of the absolute project root (a path makes a bad file name,
 * and two checkouts of one repository are two projects).
 */
export function journalFile(stateDir: string, scope: 'user' | 'project', projectRoot?: string): string {
  if (scope === 'user') return path.join(stateDir, 'journal', 'user.json');
  if (projectRoot === undefined) throw new Error('journalFile: a project journal needs the project root');
  const key = createHash('sha256').update(projectRoot, 'utf8').digest('hex').slice(0, 32);
  return path.join(stateDir, 'journal', `project-${key}.json`);
}

/** The journal of one scope; empty when none was saved yet. `projectRoot` must be absolute. */
export async function loadJournal(stateDir: string, scope: 'user' | 'project', projectRoot?: string): Promise<Journal> {
  const file = journalFile(stateDir, scope, projectRoot);
  // One read of a local file the caller waits for anyway: synchronous, without thread-pool round trips.
  const text = readTextIfExistsSync(file);
  return Promise.resolve(text === undefined ? emptyJournal : parseJournal(text, file));
}

/** Saves the entries of `scope` (entries of other scopes belong to other files and are dropped). */
export async function saveJournal(stateDir: string, scope: 'user' | 'project', projectRoot: string | undefined, journal: Journal): Promise<void> {
  await writeFileAtomic(journalFile(stateDir, scope, projectRoot), serializeJournal(scope, projectRoot, journal));
}

export function serializeJournal(scope: 'user' | 'project', projectRoot: string | undefined, journal: Journal): string {
  const entries = sortJournalEntries(journal.entries.filter((entry) => entry.scope === scope));
  const head = scope === 'project' ? { version: JOURNAL_VERSION, scope, projectRoot } : { version: JOURNAL_VERSION, scope };
  return `${JSON.stringify({ ...head, entries }, null, 2)}\n`;
}

/**
 * The last journal parsed, by its text: a sync parses the same journal to plan and
 * again under the lock to apply (re-read there, as another run may have changed
 * it). Journals are never mutated, so an equal text can share the parsed value.
 */
let lastParsed: { readonly text: string; readonly journal: Journal } | undefined;

export function parseJournal(text: string, file: string): Journal {
  if (lastParsed?.text === text) return lastParsed.journal;
  const journal = parseJournalText(text, file);
  lastParsed = { text, journal };
  return journal;
}

function parseJournalText(text: string, file: string): Journal {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw invalid(file, 'it is not JSON', error);
  }
  if (typeof value !== 'object' || value === null) throw invalid(file, 'it is not an object');
  const { version, entries } = value as Record<string, unknown>;
  if (version !== JOURNAL_VERSION) throw invalid(file, `version ${String(version)} is not ${JOURNAL_VERSION}`);
  if (!Array.isArray(entries) || !entries.every(isEntry)) throw invalid(file, 'its entries are malformed');
  return { entries };
}

function isEntry(value: unknown): value is JournalEntry {
  if (typeof value !== 'object' || value === null) return false;
  const { client, scope, kind, name, path: file, hash, createdFile, ruleFile } = value as Record<string, unknown>;
  return (
    typeof client === 'string' &&
    (scope === 'user' || scope === 'project') &&
    (kind === 'connector' || kind === 'skill' || kind === 'instructions') &&
    typeof name === 'string' &&
    typeof file === 'string' &&
    typeof hash === 'string' &&
    (createdFile === undefined || createdFile === true) &&
    (ruleFile === undefined || ruleFile === true)
  );
}

function invalid(file: string, why: string, cause?: unknown): SkillsyncError {
  return new SkillsyncError('JOURNAL_INVALID', `The sync journal ${file} cannot be read: ${why}.`, { details: { path: file }, cause });
}
