import type { SkillsyncError } from '@skillsync/core';
import { Client, escapeIdentifier } from 'pg';
import { checkChannel, checkPayload, createListenerSet, notifierClosed, type NotifierOptions, type StateNotifier } from './notifier.js';
import { createPool, postgresTarget } from './postgres-target.js';
import { toStateError } from './state-errors.js';

export interface PostgresNotifierOptions extends NotifierOptions {
  /**
   * Keep this notifier's channels apart from other users of the database (channels are
   * database-wide in PostgreSQL, not per schema): each is sent as `<schema>.<channel>`.
   */
  readonly schema?: string;
  /** How long opening a connection may take. Default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** The longest pause between reconnection attempts; they start at 100 ms and double. Default 5000 ms. */
  readonly maxBackoffMs?: number;
}

interface Waiter {
  resolve(): void;
  reject(error: SkillsyncError): void;
}

/**
 * LISTEN/NOTIFY for server replicas sharing one database. One dedicated connection
 * listens; when it drops (a restart, `pg_terminate_backend`) it reconnects with backoff
 * and LISTENs again to every channel that still has listeners. `notify` goes through a
 * small pool of its own. Fails with STATE_DB_UNAVAILABLE when the first connection
 * cannot be made.
 */
export async function createPostgresNotifier(url: string, options: PostgresNotifierOptions = {}): Promise<StateNotifier> {
  const target = postgresTarget(url, { schema: options.schema, connectTimeoutMs: options.connectTimeoutMs, applicationName: 'skillsync-notifier' });
  const { location } = target;
  const prefix = options.schema === undefined ? '' : `${options.schema}.`;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const report = (error: unknown, action: string): void => options.onError?.(toStateError(error, location, action));
  const listeners = createListenerSet(options.onError);
  const notifyPool = createPool(target, 2, (error) => {
    report(error, 'keep a connection open');
  });

  /** The live listening connection, and the channels it has been told to LISTEN to (commands queue in order on it). */
  let client: Client | undefined;
  let listening = new Set<string>();
  let waiters: Waiter[] = [];
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closing: Promise<void> | undefined;

  const pgChannel = (channel: string): string => escapeIdentifier(prefix + channel);

  /** Brings the live connection's LISTENs in line with the channels that have listeners. */
  const reconcile = (): void => {
    const live = client;
    if (live === undefined) return;
    const wanted = new Set(listeners.channels());
    const commands = [
      ...[...wanted].filter((channel) => !listening.has(channel)).map((channel) => `LISTEN ${pgChannel(channel)}`),
      ...[...listening].filter((channel) => !wanted.has(channel)).map((channel) => `UNLISTEN ${pgChannel(channel)}`),
    ];
    listening = wanted;
    if (commands.length === 0) return;
    // Channel names are checked and quoted; no parameters, so the simple protocol takes them all at once.
    live.query(commands.join('; ')).catch((error: unknown) => {
      // A dropped connection is handled (and reported) once, by `dropped`.
      if (live === client) report(error, 'listen for notifications');
    });
  };

  const dropped = (which: Client, error: unknown): void => {
    if (which !== client) return;
    client = undefined;
    listening = new Set();
    which.end().catch(() => undefined);
    if (closing !== undefined) return;
    report(error, 'keep listening for notifications');
    scheduleReconnect();
  };

  const connect = async (): Promise<void> => {
    const next = new Client(target.config);
    next.on('error', (error) => {
      dropped(next, error);
    });
    next.on('end', () => {
      dropped(next, new Error('Connection terminated unexpectedly'));
    });
    next.on('notification', (message) => {
      if (next !== client || !message.channel.startsWith(prefix)) return;
      listeners.deliver(message.channel.slice(prefix.length), message.payload ?? '');
    });
    try {
      await next.connect();
    } catch (error) {
      await next.end().catch(() => undefined);
      throw toStateError(error, location, 'listen for notifications');
    }
    if (closing !== undefined) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    attempt = 0;
    reconcile();
    const ready = waiters;
    waiters = [];
    for (const waiter of ready) waiter.resolve();
  };

  const scheduleReconnect = (): void => {
    if (closing !== undefined || timer !== undefined) return;
    const delay = Math.min(100 * 2 ** attempt, maxBackoffMs);
    attempt += 1;
    timer = setTimeout(() => {
      timer = undefined;
      connect().catch((error: unknown) => {
        report(error, 'reconnect to listen for notifications');
        scheduleReconnect();
      });
    }, delay);
    // The retries alone never keep a process alive.
    timer.unref();
  };

  const nextConnection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      waiters.push({ resolve, reject });
    });

  await connect();

  return {
    listen(channel, listener) {
      checkChannel(channel, prefix);
      if (closing !== undefined) throw notifierClosed(location);
      if (listeners.add(channel, listener)) reconcile();
      return () => {
        if (listeners.remove(channel, listener)) reconcile();
      };
    },

    notify: async (channel, payload) => {
      checkChannel(channel, prefix);
      checkPayload(channel, payload);
      if (closing !== undefined) throw notifierClosed(location);
      try {
        await notifyPool.query('SELECT pg_notify($1, $2)', [prefix + channel, payload]);
      } catch (error) {
        throw toStateError(error, location, `notify ${channel}`);
      }
    },

    async ready() {
      for (;;) {
        if (closing !== undefined) throw notifierClosed(location);
        const live = client;
        if (live === undefined) {
          await nextConnection();
          continue;
        }
        try {
          // Commands run in order on a connection: when this answers, every LISTEN sent before it is in effect.
          await live.query('SELECT 1');
          return;
        } catch (error) {
          // Dropped meanwhile (`dropped` has run): wait for the reconnection, which LISTENs again.
          if (live === client) throw toStateError(error, location, 'listen for notifications');
        }
      }
    },

    close: () =>
      (closing ??= (async () => {
        if (timer !== undefined) clearTimeout(timer);
        timer = undefined;
        const live = client;
        client = undefined;
        listeners.clear();
        const waiting = waiters;
        waiters = [];
        for (const waiter of waiting) waiter.reject(notifierClosed(location));
        await Promise.all([live?.end().catch(() => undefined), notifyPool.end()]);
      })()),
  };
}
