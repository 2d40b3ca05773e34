import { mkdirSync, renameSync, statSync } from 'node:fs';
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
  /** A log this large at start is moved to `<file>.1` (replacing the one before). */
  readonly rotateBytes?: number;
}

/** Five megabytes of JSON lines is weeks of an ordinary daemon's records: enough to look back, small enough to read. */
const ROTATE_BYTES = 5 * 1024 * 1024;

/**
 * Opens the log for appending (mode 0600), rotating it first when it is large. Every
 * message and detail passes the secret redactor before it is written anywhere.
 */
export function openDaemonLog(options: OpenDaemonLogOptions): DaemonLog {
  const { file, echo, now } = options;
  mkdirSync(path.dirname(file), { recursive: true });
  rotateLog(file, options.rotateBytes ?? ROTATE_BYTES);
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

function rotateLog(file: string, limit: number): void {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size >= limit) renameSync(file, `${file}.1`);
}
