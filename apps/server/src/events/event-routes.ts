import { SkillsyncError } from '@skillsync/core';
import { API_PREFIX, packageEvent, profileEvent, visibility } from '@skillsync/registry';
import { streamSSE } from 'hono/streaming';
import type { Caller, RouteModule, ServerContext } from '../server-context.js';
import { memberKey } from '../http/authenticate.js';
import { requireOwnOrg } from '../http/validate.js';

export interface EventRoutesOptions {
  /** How often an idle stream carries a `: ping` comment, so proxies and clients see it alive. Default 15 000 ms. */
  readonly pingIntervalMs?: number;
  /** Streams one member may hold open at once, all their tokens together (per server process); one more is SERVER_RATE_LIMITED. Default 5. */
  readonly maxStreamsPerMember?: number;
  /**
   * How long one stream lasts before the server ends it and the client reconnects: the
   * caller was authenticated when it opened, so a revoked token or a removed member
   * stops hearing the org's events at the latest this much later. Default 10 minutes.
   */
  readonly maxStreamMs?: number;
}

/** A package event as the registry publishes it: the stream's fields, plus the skill's visibility to filter on. */
const publishedPackageEvent = packageEvent.extend({ visibility: visibility.optional() });

/**
 * `GET /orgs/{org}/events`: the org's server-sent events — `profile` (a scope's new
 * revision) and `package` (a version published, deprecated or yanked, only for skills the
 * caller may read) — and a `: ping` comment every `pingIntervalMs`. Nothing is replayed:
 * a client re-reads what it cares about when it (re)connects.
 */
export function createEventRoutes(options: EventRoutesOptions = {}): RouteModule {
  const pingIntervalMs = options.pingIntervalMs ?? 15_000;
  const maxStreamsPerMember = options.maxStreamsPerMember ?? 5;
  const maxStreamMs = options.maxStreamMs ?? 10 * 60_000;
  return (app, server) => {
    const openStreams = new Map<string, number>();

    app.get(`${API_PREFIX}/orgs/:org/events`, (c) => {
      const caller = requireOwnOrg(c);
      server.authorizer.require(caller, 'readOrg');
      const member = memberKey(caller);
      const open = openStreams.get(member) ?? 0;
      if (open >= maxStreamsPerMember) {
        throw new SkillsyncError('SERVER_RATE_LIMITED', `You already hold ${open} event streams open; close one first.`, {
          details: { retryAfterSeconds: 5 },
          hint: 'One stream per daemon is enough: every event of the org arrives on each.',
        });
      }
      openStreams.set(member, open + 1);

      return streamSSE(c, async (stream) => {
        // One write at a time, in the order events came; a failed lookup drops its event, not the stream.
        let sending = Promise.resolve();
        const enqueue = (task: () => Promise<unknown>): void => {
          sending = sending.then(task).then(
            () => undefined,
            () => undefined,
          );
        };
        let unsubscribe: (() => void) | undefined;
        let ping: NodeJS.Timeout | undefined;
        let expire: NodeJS.Timeout | undefined;
        try {
          unsubscribe = server.events.subscribe(caller.org, (type, data) => {
            enqueue(async () => {
              const event = await eventFor(server, caller, type, data);
              if (event !== undefined) await stream.writeSSE({ event: type, data: JSON.stringify(event) });
            });
          });
          ping = setInterval(() => {
            enqueue(() => stream.write(': ping\n\n'));
          }, pingIntervalMs);
          await new Promise<void>((resolve) => {
            if (stream.aborted || c.req.raw.signal.aborted) resolve();
            stream.onAbort(resolve);
            c.req.raw.signal.addEventListener('abort', () => { resolve(); }, { once: true });
            expire = setTimeout(resolve, maxStreamMs);
          });
        } finally {
          clearTimeout(expire);
          clearInterval(ping);
          unsubscribe?.();
          const left = (openStreams.get(member) ?? 1) - 1;
          if (left > 0) openStreams.set(member, left);
          else openStreams.delete(member);
        }
      });
    });
  };
}

/** The event routes with the defaults. */
export const eventRoutes: RouteModule = createEventRoutes();

/** The data the caller's stream carries for one published event: nothing for what they may not see, or what is malformed. */
async function eventFor(server: ServerContext, caller: Caller, type: 'profile' | 'package', data: unknown): Promise<unknown> {
  if (type === 'profile') {
    const parsed = profileEvent.safeParse(data);
    return parsed.success ? parsed.data : undefined;
  }
  const parsed = publishedPackageEvent.safeParse(data);
  if (!parsed.success) return undefined;
  const { visibility: announced, ...event } = parsed.data;
  const skillVisibility = announced ?? (await server.db.selectFrom('skills').select('visibility').where('org', '=', event.org).where('name', '=', event.name).executeTakeFirst())?.visibility;
  if (skillVisibility === undefined || !server.authorizer.allows(caller, 'readPackage', { name: event.name, visibility: skillVisibility })) return undefined;
  return event;
}
