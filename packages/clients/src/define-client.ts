import type { ClientId, Env } from '@skillsync/core';

/**
 * A place whose existence shows a client is installed for this user. Paths are
 * absolute, built from the injected Env, so every platform is testable on Linux.
 */
export interface DetectionMarker {
  readonly path: string;
  readonly kind: 'file' | 'dir';
}

/**
 * One AI client. Built with `defineClient` so a missing member is a compile error.
 * The sync issue extends this with locations, capabilities and codecs.
 */
export interface ClientAdapter {
  readonly id: ClientId;
  readonly displayName: string;
  /** The vendor's documentation for the files this adapter reads and writes. */
  readonly docs: readonly string[];
  /** Where to look (no I/O): the first marker that exists means the client was found. */
  readonly detectionMarkers: (env: Env) => readonly DetectionMarker[];
}

export function defineClient<const T extends ClientAdapter>(adapter: T): T {
  return adapter;
}
