// PLACEHOLDER until part B lands: the signature part A builds against.
import type { Env, SkillsyncPaths } from '@skillsync/core';
import type { DaemonController } from '../contract.js';

export interface DashboardServerOptions {
  readonly controller: DaemonController;
  readonly env: Env;
  readonly paths: SkillsyncPaths;
  /** 0 or undefined: any free port. */
  readonly port?: number;
  /** The per-start random token every /api call must carry. */
  readonly token: string;
}

export interface DashboardServer {
  /** http://127.0.0.1:PORT/ (no token). */
  readonly url: string;
  close(): Promise<void>;
}

export function startDashboardServer(_options: DashboardServerOptions): Promise<DashboardServer> {
  return Promise.reject(new Error('the dashboard server is not built yet'));
}
