import { setTimeout as sleep } from 'node:timers/promises';
import { toSkillsyncError, type Env } from '@skillsync/core';
import { createRegistryClient, parseRegistryAddress, type FetchFunction } from '@skillsync/registry';
import { registryCredentials } from '../registry-session.js';

export interface OrgEventsOptions {
  readonly env: Env;
  /** The registries to follow (the logins whose profile applies). */
  readonly registries: readonly string[];
  /** The profile of `registry` may have changed: its stream (re)opened, or announced a new revision. */
  readonly onProfile: (registry: string) => void;
  /** A stream ended with an error it does not retry on its own (a refused token, a registry gone); it is tried again later. */
  readonly onError: (registry: string, message: string) => void;
  readonly fetch?: FetchFunction;
  /** The first wait after such an error; it doubles, up to ten times as long. Default 60 000 ms. */
  readonly retryMs?: number;
}

export interface OrgEvents {
  readonly registries: readonly string[];
  /** Ends every stream; settles once they have all ended. */
  stop(): Promise<void>;
}

/**
 * Follows the event stream of each org registry (`GET /orgs/{org}/events`) until
 * stopped. The stream reconnects with back-off by itself after a dropped connection or
 * an unavailable server; nothing is replayed, so every (re)connection counts as a
 * possible change, like a `profile` event.
 */
export function followOrgEvents(options: OrgEventsOptions): OrgEvents {
  const stopping = new AbortController();
  const running = options.registries.map((registry) => follow(registry, stopping.signal, options));
  return {
    registries: options.registries,
    stop: async () => {
      stopping.abort();
      await Promise.allSettled(running);
    },
  };
}

async function follow(registry: string, signal: AbortSignal, options: OrgEventsOptions): Promise<void> {
  const credentials = registryCredentials(options.env);
  const firstDelay = options.retryMs ?? 60_000;
  let delay = firstDelay;
  // A function, not the property: the compiler would take it for unchanged within the loop.
  const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
    try {
      const address = parseRegistryAddress(registry);
      const client = createRegistryClient({ address, token: await credentials.token(address), fetch: options.fetch });
      for await (const event of client.events({ signal })) {
        delay = firstDelay;
        if (event.type === 'open' || event.type === 'profile') options.onProfile(registry);
      }
    } catch (error) {
      if (stopped()) return;
      const failure = toSkillsyncError(error);
      options.onError(registry, `${failure.code}: ${failure.message}`);
    }
    try {
      await sleep(delay, undefined, { signal });
    } catch {
      return;
    }
    delay = Math.min(delay * 2, firstDelay * 10);
  }
}
