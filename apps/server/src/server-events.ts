import type { StateNotifier } from '@skillsync/state';
import type { ServerEvents } from './server-context.js';

/** The one notification channel of a server database: every org's events, told apart by the payload. */
export const SERVER_EVENTS_CHANNEL = 'skillsync_events';

type EventType = 'profile' | 'package';
type Listener = (type: EventType, data: unknown) => void;

interface Envelope {
  readonly org: string;
  readonly type: EventType;
  readonly data: unknown;
}

function parseEnvelope(payload: string): Envelope | undefined {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { org, type, data } = value as Record<string, unknown>;
  return typeof org === 'string' && (type === 'profile' || type === 'package') ? { org, type, data } : undefined;
}

/**
 * ServerEvents over the state layer's notifier: on PostgreSQL every replica LISTENs on
 * one channel, so a change made through any of them reaches the event streams of all;
 * on SQLite it stays in the process. The channel is listened to while anyone subscribes.
 */
export function createServerEvents(notifier: StateNotifier, channel = SERVER_EVENTS_CHANNEL): ServerEvents {
  const byOrg = new Map<string, Set<Listener>>();
  let unlisten: (() => void) | undefined;

  const deliver = (payload: string): void => {
    const envelope = parseEnvelope(payload);
    if (envelope === undefined) return;
    const failures: unknown[] = [];
    for (const listener of [...(byOrg.get(envelope.org) ?? [])]) {
      try {
        listener(envelope.type, envelope.data);
      } catch (error) {
        failures.push(error);
      }
    }
    // Every listener had its turn; the notifier reports the first failure.
    if (failures.length > 0) throw failures[0];
  };

  return {
    publish: (org, type, data) => notifier.notify(channel, JSON.stringify({ org, type, data } satisfies Envelope)),
    subscribe(org, listener) {
      const listeners = byOrg.get(org) ?? new Set<Listener>();
      byOrg.set(org, listeners);
      listeners.add(listener);
      unlisten ??= notifier.listen(channel, deliver);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && byOrg.get(org) === listeners) byOrg.delete(org);
        if (byOrg.size === 0 && unlisten !== undefined) {
          unlisten();
          unlisten = undefined;
        }
      };
    },
  };
}
