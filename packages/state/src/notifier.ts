import { SkillsyncError, toSkillsyncError } from '@skillsync/core';

/**
 * Publish/subscribe between the processes that share one database: PostgreSQL
 * LISTEN/NOTIFY across server replicas, or in-process for SQLite (one process owns the
 * file). Delivery is at most once and never to the past: a listener hears what is
 * notified after its LISTEN took effect (see `ready`), not what was sent while a
 * connection was down. Listeners get the payload later, never inside `notify`.
 */
export interface StateNotifier {
  /** Calls `listener` with each payload notified on `channel` until the returned function is called. */
  listen(channel: string, listener: (payload: string) => void): () => void;
  /** Sends `payload` (at most `NOTIFY_PAYLOAD_MAX_BYTES` of UTF-8) to every listener of `channel`, in every process. */
  notify(channel: string, payload: string): Promise<void>;
  /** Resolves once every `listen` so far is in effect (PostgreSQL: LISTEN done on a live connection, waiting out a reconnection). */
  ready(): Promise<void>;
  /** Stops listening and closes connections; `notify` and `ready` then reject. Later calls do nothing. */
  close(): Promise<void>;
}

export interface NotifierOptions {
  /** Told about a listener that threw, and (PostgreSQL) about a dropped connection before each reconnection. */
  readonly onError?: (error: SkillsyncError) => void;
}

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const NOTIFY_PAYLOAD_MAX_BYTES = 7999;

/** PostgreSQL's identifier limit (NAMEDATALEN - 1), which a channel name is. */
const CHANNEL_MAX_BYTES = 63;

const CHANNEL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/**
 * Channel names: letters, digits and `_ . : -`, starting with a letter or digit, short
 * enough for PostgreSQL with the schema prefix (`<schema>.<channel>`) it adds.
 */
export function checkChannel(channel: string, prefix = ''): void {
  if (!CHANNEL_NAME.test(channel) || Buffer.byteLength(prefix + channel) > CHANNEL_MAX_BYTES) {
    throw new SkillsyncError(
      'INVALID_INPUT',
      `'${channel}' is not a notification channel name: letters, digits and _ . : -, starting with a letter or digit, at most ${CHANNEL_MAX_BYTES - Buffer.byteLength(prefix)} characters.`,
      { details: { channel } },
    );
  }
}

export function checkPayload(channel: string, payload: string): void {
  const bytes = Buffer.byteLength(payload);
  if (bytes > NOTIFY_PAYLOAD_MAX_BYTES) {
    throw new SkillsyncError('INVALID_INPUT', `A notification on ${channel} is ${bytes} bytes; at most ${NOTIFY_PAYLOAD_MAX_BYTES} fit.`, {
      hint: 'Notify an id and let listeners read the rest from the database.',
      details: { channel, bytes },
    });
  }
}

/** Channel → listeners, shared by both notifiers. A listener that throws is reported and does not stop the others. */
export interface ListenerSet {
  /** Adds a listener; `true` when it is the channel's first. */
  add(channel: string, listener: (payload: string) => void): boolean;
  /** Removes it; `true` when the channel has no listener left. */
  remove(channel: string, listener: (payload: string) => void): boolean;
  channels(): string[];
  deliver(channel: string, payload: string): void;
  clear(): void;
}

export function createListenerSet(onError: ((error: SkillsyncError) => void) | undefined): ListenerSet {
  const listeners = new Map<string, Set<(payload: string) => void>>();
  return {
    add(channel, listener) {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(listener);
      return set.size === 1;
    },
    remove(channel, listener) {
      const set = listeners.get(channel);
      if (set === undefined || !set.delete(listener)) return false;
      if (set.size > 0) return false;
      listeners.delete(channel);
      return true;
    },
    channels: () => [...listeners.keys()],
    deliver(channel, payload) {
      for (const listener of [...(listeners.get(channel) ?? [])]) {
        try {
          listener(payload);
        } catch (error) {
          onError?.(toSkillsyncError(error));
        }
      }
    },
    clear: () => {
      listeners.clear();
    },
  };
}

export const notifierClosed = (where: string): SkillsyncError =>
  new SkillsyncError('STATE_DB_FAILED', `The notifier for ${where} is closed.`, { details: { location: where } });

/** The notifier for a SQLite state database: one process, so notifications stay in it (delivered on a later microtask, as PostgreSQL's arrive later). */
export function createLocalNotifier(options: NotifierOptions = {}): StateNotifier {
  const listeners = createListenerSet(options.onError);
  let closed = false;
  return {
    listen(channel, listener) {
      checkChannel(channel);
      if (closed) throw notifierClosed('this process');
      listeners.add(channel, listener);
      return () => {
        listeners.remove(channel, listener);
      };
    },
    notify: async (channel, payload) => {
      checkChannel(channel);
      checkPayload(channel, payload);
      if (closed) throw notifierClosed('this process');
      await Promise.resolve();
      listeners.deliver(channel, payload);
    },
    ready: () => (closed ? Promise.reject(notifierClosed('this process')) : Promise.resolve()),
    close: async () => {
      closed = true;
      listeners.clear();
      await Promise.resolve();
    },
  };
}
