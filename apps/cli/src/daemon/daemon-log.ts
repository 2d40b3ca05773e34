import { mkdirSync, renameSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { redactSecrets } from '@skillsync/core';
import { pino } from 'pino';

export type LogLevel = 'info' | 'warn' | 'error';

export type LogDetails = Readonly<Record<string, unknown>>;

/** The daemon's log: one JSON object per line in its file, and a human line per record where someone watches (the foreground). */
export interface DaemonLog {
  readonly file: string;
  readonly info: (message: string, details?: LogDetails) => void;
  readonly warn: (message: string, details?: LogDetails) => void;
  readonly error: (message: string, details?: LogDetails) => void;
  /** Writes what is buffered; the log takes no more records afterwards. */
  readonly close: () => void;
}

export interface OpenDaemonLogOptions {
  readonly file: string;
  /** Receives each record as a line for a person (the foreground's stderr); undefined: the file only. */
  readonly echo?: ((line: string) => void) | undefined;
  readonly now: () => Date;
  /** A log this large (at start, or after a record) is moved to `<file>.1`, replacing the one before. */
  readonly rotateBytes?: number;
}

/** Five megabytes of JSON lines is weeks of an ordinary daemon's records: enough to look back, small enough to read. */
const ROTATE_BYTES = 5 * 1024 * 1024;

/**
 * Opens the log for appending (mode 0600), rotating it when it is large: at start, and
 * whenever a record takes it past the limit (a service runs for months). Every message
 * and detail passes the secret redactor before it is written anywhere.
 */
export function openDaemonLog(options: OpenDaemonLogOptions): DaemonLog {
  const { file, echo, now } = options;
  const limit = options.rotateBytes ?? ROTATE_BYTES;
  mkdirSync(path.dirname(file), { recursive: true });
  rotateLog(file, limit);
  // Synchronous writes: a few lines a minute at most, and a record is on disk before the daemon goes on (or dies).
  const destination = pino.destination({ dest: file, sync: true, mode: 0o600 });
  const logger = pino(
    {
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  let open = true;
  const write = (level: LogLevel) => (message: string, details: LogDetails = {}) => {
    if (!open) return;
    const safe = redactSecrets(message);
    logger[level](redactSecrets({ ...details }), safe);
    // Written synchronously, so the size is the file's now; a stat per record is nothing beside a few records a minute.
    if (rotateLog(file, limit)) destination.reopen();
    echo?.(humanLine(now(), level, safe));
  };
  return {
    file,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    close: () => {
      if (!open) return;
      open = false;
      destination.flushSync();
      destination.end();
    },
  };
}

/** `14:02:07 repaired …`, or `14:02:07 warning: …`: local time, for the person at the terminal. */
export function humanLine(at: Date, level: LogLevel, message: string): string {
  const time = [at.getHours(), at.getMinutes(), at.getSeconds()].map((part) => String(part).padStart(2, '0')).join(':');
  return `${time} ${level === 'info' ? '' : `${level === 'warn' ? 'warning' : 'error'}: `}${message}\n`;
}

/** Moves the log to `<file>.1` when it has reached `limit` bytes; true when it did. */
function rotateLog(file: string, limit: number): boolean {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size < limit) return false;
  renameSync(file, `${file}.1`);
  return true;
}

/** How much of the log is read at a time, from its end, for the last lines. */
const TAIL_CHUNK_BYTES = 64 * 1024;

/**
 * The last `count` complete lines of the log (a line being written has no newline
 * yet), read from its end, so a large log costs no more than a small one; and `end`,
 * the byte offset just after the last complete line (where following it goes on).
 * A log that does not exist has no lines.
 */
export async function readLogTail(file: string, count: number): Promise<{ readonly lines: string[]; readonly end: number }> {
  const handle = await open(file, 'r').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  });
  if (handle === undefined) return { lines: [], end: 0 };
  try {
    let start = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let newlines = 0;
    // One newline more than the lines wanted: the line before them may be cut at the chunk's start.
    while (start > 0 && newlines <= count) {
      const length = Math.min(TAIL_CHUNK_BYTES, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, start);
      chunks.unshift(chunk);
      for (const byte of chunk) if (byte === 0x0a) newlines += 1;
    }
    const bytes = Buffer.concat(chunks);
    const last = bytes.lastIndexOf(0x0a);
    if (last === -1) return { lines: [], end: start };
    const lines = bytes.subarray(0, last).toString('utf8').split('\n');
    // Unless the read reached the file's start, its first line is only the end of one.
    if (start > 0) lines.shift();
    return { lines: count === 0 ? [] : lines.filter((line) => line !== '').slice(-count), end: start + last + 1 };
  } finally {
    await handle.close();
  }
}
