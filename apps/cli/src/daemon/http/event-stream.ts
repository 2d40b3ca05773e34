import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { DaemonController, DaemonEvent } from '../contract.js';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
const KEEP_ALIVE_MS = 15_000;

export interface EventStreams {
  /** `GET /api/events`: the daemon's status now, then every event as it happens (Server-Sent Events, `event:` = the event type). */
  readonly handle: (c: Context) => Response;
  /** Ends every open stream (the server is closing). */
  readonly closeAll: () => void;
}

export function createEventStreams(controller: DaemonController): EventStreams {
  const open = new Set<() => void>();
  let closing = false;
  return {
    handle: (c) => {
      // A request that arrives on a kept-alive connection after closeAll gets no stream to hold the server open with.
      if (closing) return c.body(null, 503, { Connection: 'close' });
      const response = streamSSE(c, async (stream) => {
        // One write at a time, in the order the events came.
        let writing = Promise.resolve();
        const send = (chunk: () => Promise<void>): void => {
          writing = writing.then(chunk).catch(() => undefined);
        };
        const sendEvent = (event: DaemonEvent): void => {
          send(() => stream.writeSSE({ event: event.type, data: JSON.stringify(event) }));
        };
        // Subscribed before the snapshot is taken, so nothing falls between the two.
        const unsubscribe = controller.subscribe(sendEvent);
        sendEvent({ type: 'status', status: controller.status() });
        const keepAlive = setInterval(() => {
          send(() => stream.write(': keep-alive\n\n').then(() => undefined));
        }, KEEP_ALIVE_MS);
        let finish: () => void = () => undefined;
        const ended = new Promise<void>((resolve) => (finish = resolve));
        open.add(finish);
        stream.onAbort(finish);
        try {
          await ended;
        } finally {
          open.delete(finish);
          clearInterval(keepAlive);
          unsubscribe();
        }
      });
      // The connection ends with the stream (streamSSE asks for keep-alive): a closing server then has no idle socket to wait out.
      response.headers.set('Connection', 'close');
      return response;
    },
    closeAll: () => {
      closing = true;
      for (const close of open) close();
      open.clear();
    },
  };
}
