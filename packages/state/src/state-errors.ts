import { isSkillsyncError, SkillsyncError } from '@skillsync/core';

/** SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_TIMEOUT…) from either binding. */
export function isBusyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  // better-sqlite3: code 'SQLITE_BUSY…'; node:sqlite: code 'ERR_SQLITE_ERROR' and the numeric (extended) errcode.
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return typeof errcode === 'number' && (errcode & 0xff) === 5;
}

function sqliteMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { errstr } = error as { errstr?: unknown };
  return typeof errstr === 'string' && !error.message.includes(errstr) ? `${error.message} (${errstr})` : error.message;
}

/** A binding's error as a coded one: a lock held too long, or any other database failure. Coded errors pass through. */
export function toStateError(error: unknown, file: string, action: string): SkillsyncError {
  if (isSkillsyncError(error)) return error;
  if (isBusyError(error)) {
    return new SkillsyncError('STATE_DB_LOCKED', `Could not ${action}: another process kept ${file} locked.`, {
      details: { file },
      cause: error,
    });
  }
  return new SkillsyncError('STATE_DB_FAILED', `Could not ${action} in ${file}: ${sqliteMessage(error)}.`, {
    details: { file },
    cause: error,
  });
}
