import type { DaemonController, DaemonEvent, DaemonStatus, SyncRunSummary } from '../../apps/cli/src/daemon/contract.js';

/** A daemon controller that records what it is asked, and whose status the test sets. */
export interface FakeController extends DaemonController {
  /** `syncNow:<trigger>`, `exclusive`, `pause`, `resume`, `stop`, in order. */
  readonly calls: string[];
  /** Changes the status and sends it to the subscribers, as the daemon does. */
  update(change: Partial<DaemonStatus>): void;
  /** Ends the pending syncNow, which waits for this: with a run, or with `failure`. */
  finishSync(failure?: Error): void;
  readonly subscribers: number;
  /** What stop() ends besides recording the call (the daemon closes its tray there). */
  onStop: (() => Promise<void>) | undefined;
}

export function inSyncStatus(): DaemonStatus {
  return {
    health: 'in-sync',
    pid: process.pid,
    startedAt: new Date().toISOString(),
    url: 'http://127.0.0.1:4173/',
    paused: false,
    watching: 7,
    settings: { onDrift: { skill: 'repair', connector: 'repair', instructions: 'notify' }, settleMs: 300 },
    drift: [],
    lastSync: undefined,
    error: undefined,
    detected: ['claude-code', 'cursor'],
  };
}

export function createFakeController(): FakeController {
  let status = inSyncStatus();
  const listeners = new Set<(event: DaemonEvent) => void>();
  const pendingSyncs: ((failure: Error | undefined) => void)[] = [];
  const calls: string[] = [];
  const update = (change: Partial<DaemonStatus>): void => {
    status = { ...status, ...change };
    for (const listener of listeners) listener({ type: 'status', status });
  };
  const controller: FakeController = {
    calls,
    update,
    finishSync: (failure) => {
      for (const finish of pendingSyncs.splice(0)) finish(failure);
    },
    get subscribers() {
      return listeners.size;
    },
    onStop: undefined,
    status: () => status,
    subscribe: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    syncNow: (trigger) => {
      calls.push(`syncNow:${trigger}`);
      return new Promise<SyncRunSummary>((resolve, reject) => {
        pendingSyncs.push((failure) => {
          if (failure === undefined) resolve({ at: new Date().toISOString(), trigger, ok: true, written: 1, runIds: ['run-1'] });
          else reject(failure);
        });
      });
    },
    exclusive: (task) => {
      calls.push('exclusive');
      return task((trigger) => controller.syncNow(trigger));
    },
    pause: () => {
      calls.push('pause');
      update({ paused: true, health: 'paused' });
    },
    resume: () => {
      calls.push('resume');
      update({ paused: false, health: 'in-sync' });
    },
    stop: async () => {
      calls.push('stop');
      await controller.onStop?.();
    },
  };
  return controller;
}
