import type { DaemonEvent } from '../../cli/src/daemon/http/api-types.js';
import { ApiError, type ApiClient } from './api-client.js';
// The parser alone, not core's index: the page bundles no Node code.
import { createEventParser } from '../../../packages/core/src/text/event-stream.js';

export type StreamState = 'connecting' | 'open' | 'reconnecting' | 'unauthorized';

export interface DaemonEventHandlers {
  readonly onEvent: (event: DaemonEvent) => void;
  readonly onState: (state: StreamState) => void;
}

/** Waits before reconnecting a dropped stream: quickly at first, at most this long. */
const MAX_RETRY_MS = 5_000;

/**
 * Follows `/api/events` for as long as the page lives: each event to `onEvent`, and a
 * dropped stream (the daemon restarting, a laptop waking up) reconnected with a growing
 * pause. A 401 stops it: the token belongs to an earlier start of the daemon. Returns
 * the function that stops following.
 */
export function followDaemonEvents(api: ApiClient, handlers: DaemonEventHandlers): () => void {
  const stop = new AbortController();
  const follow = async (): Promise<void> => {
    for (let attempt = 0; !stop.signal.aborted; attempt += 1) {
      handlers.onState(attempt === 0 ? 'connecting' : 'reconnecting');
      try {
        const response = await api.stream('/events', stop.signal);
        if (response.body === null) throw new Error('the events stream has no body');
        handlers.onState('open');
        attempt = 0;
        const parse = createEventParser();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
          for (const event of parse(chunk.value)) handlers.onEvent(JSON.parse(event.data) as DaemonEvent);
        }
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) {
          handlers.onState('unauthorized');
          return;
        }
      }
      await pause(Math.min(MAX_RETRY_MS, 250 * 2 ** attempt), stop.signal);
    }
  };
  void follow();
  return () => {
    stop.abort();
  };
}

/**
 * Resolves after `ms`, or as soon as `signal` aborts (at once when it already has).
 * Its abort listener goes when it resolves: the reconnect loop pauses once per attempt
 * for as long as the page lives, and the signal is the same all along.
 */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const aborted = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', aborted);
      resolve();
    }, ms);
    signal.addEventListener('abort', aborted, { once: true });
  });
}
