import { stat } from 'node:fs/promises';
import type { ClientId, Env } from '@skillsync/core';
import type { ClientAdapter } from './define-client.js';
import { clientAdapters } from './registry.js';

export interface DetectedClient {
  readonly id: ClientId;
  readonly displayName: string;
  readonly found: boolean;
  /** The markers that exist (empty when not found). */
  readonly evidence: readonly string[];
}

/** Read-only: which clients this user has, judged by their config files and folders. */
export async function detectClients(
  env: Env,
  adapters: readonly ClientAdapter[] = clientAdapters,
): Promise<DetectedClient[]> {
  return Promise.all(
    adapters.map(async (adapter) => {
      const evidence: string[] = [];
      for (const marker of adapter.detectionMarkers(env)) {
        if (await existsAs(marker.path, marker.kind)) evidence.push(marker.path);
      }
      return { id: adapter.id, displayName: adapter.displayName, found: evidence.length > 0, evidence };
    }),
  );
}

async function existsAs(path: string, kind: 'file' | 'dir'): Promise<boolean> {
  try {
    const info = await stat(path);
    return kind === 'dir' ? info.isDirectory() : info.isFile();
  } catch {
    return false;
  }
}
