import { isSkillsyncError, SkillsyncError } from '@skillsync/core';

/** SQLITE_BUSY and its extended codes (BUSY_SNAPSHOT, BUSY_TIMEOUT…) from either binding. */
export function isBusyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  // better-sqlite3: code 'SQLITE_BUSY…'; node:sqlite: code 'ERR_SQLITE_ERROR' and the numeric (extended) errcode.
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return typeof errcode === 'number' && (errcode & 0xff) === 5;
}

const errorCode = (error: unknown): string | undefined => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
};

/** A PostgreSQL SQLSTATE (five characters) rather than a Node system error code (`ECONNREFUSED`). */
const sqlState = (error: unknown): string | undefined => {
  const code = errorCode(error);
  return code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

/** Lock timeout, serialisation failure, deadlock: PostgreSQL's "another transaction was in the way". */
const POSTGRES_LOCKED = new Set(['55P03', '40001', '40P01']);

/** Node's codes for a server that cannot be reached or went away. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * node-postgres reports a dropped or timed-out connection with a plain Error and no code;
 * these are its messages (pg Client, pg-pool).
 */
const DROPPED_CONNECTION = /^(?:Connection terminated|Client has encountered a connection error and is not queryable|timeout exceeded when trying to connect)/;

/**
 * Whether `error` means the PostgreSQL server cannot be used right now, as opposed to a
 * failing statement: it is down, restarting or unreachable, the connection dropped
 * (`pg_terminate_backend`, a restart), it refuses more connections, or it refuses these
 * credentials or this database. A retry later may succeed with nothing changed here.
 */
export function isUnavailableError(error: unknown): boolean {
  if (isSkillsyncError(error)) return error.code === 'STATE_DB_UNAVAILABLE';
  const state = sqlState(error);
  if (state !== undefined) {
    // 08 connection exception; 57P01–03 admin/crash shutdown, starting up; 53300 too many connections; 28 auth; 3D000 no such database.
    return state.startsWith('08') || state.startsWith('28') || ['57P01', '57P02', '57P03', '53300', '3D000'].includes(state);
  }
  const code = errorCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return error instanceof Error && DROPPED_CONNECTION.test(error.message);
}

function engineMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { errstr } = error as { errstr?: unknown };
  return typeof errstr === 'string' && !error.message.includes(errstr) ? `${error.message} (${errstr})` : error.message;
}

/**
 * A driver's error as a coded one: the database unreachable (STATE_DB_UNAVAILABLE, which
 * the server answers with 503), a lock held too long or a write that raced another
 * (STATE_DB_LOCKED), or any other failure (STATE_DB_FAILED). Coded errors pass through.
 * `location` names the database and must carry no credentials (`StateDatabase.location`).
 */
export function toStateError(error: unknown, location: string, action: string): SkillsyncError {
  if (isSkillsyncError(error)) return error;
  const details = { location };
  if (isUnavailableError(error)) {
    return new SkillsyncError('STATE_DB_UNAVAILABLE', `Could not ${action}: the database ${location} cannot be reached (${engineMessage(error)}).`, {
      details,
      cause: error,
    });
  }
  const state = sqlState(error);
  if (isBusyError(error) || (state !== undefined && POSTGRES_LOCKED.has(state))) {
    return new SkillsyncError('STATE_DB_LOCKED', `Could not ${action}: another process kept ${location} locked.`, { details, cause: error });
  }
  return new SkillsyncError('STATE_DB_FAILED', `Could not ${action} in ${location}: ${engineMessage(error)}.`, { details, cause: error });
}
