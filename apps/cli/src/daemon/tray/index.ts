// PLACEHOLDER until part C lands: the signature part A builds against.
import type { Env } from '@skillsync/core';
import type { DaemonController } from '../contract.js';

export interface TrayOptions {
  readonly controller: DaemonController;
  readonly env: Env;
  /** The dashboard address with its token, opened by "Open dashboard"; undefined when headless. */
  readonly dashboardUrl: string | undefined;
  readonly log: (message: string, details?: Record<string, unknown>) => void;
}

export interface Tray {
  close(): Promise<void>;
}

/** Starts the tray icon, or answers undefined when there is no desktop session to show it in. */
export function startTray(_options: TrayOptions): Promise<Tray | undefined> {
  return Promise.resolve(undefined);
}
