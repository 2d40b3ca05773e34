/** The changes a settle time gathered, handed over once nothing changed for that long. */
export interface SettledBatch {
  /** Every path that changed, once each, in the order first seen. */
  readonly paths: readonly string[];
  /** When the last of them changed (ms since the epoch). */
  readonly lastChangeAt: number;
  /** When the settle time ran out. */
  readonly settledAt: number;
}

/**
 * The daemon's one line of work: changes wait until `settleMs` passed without another
 * (a person mid-edit, or a client writing in several steps, is never acted on halfway),
 * then the batch joins the queue; tasks (a settled batch, a "Sync now") run one at a
 * time, in order. Nothing runs, and no timer is set, while nothing changes.
 */
export interface SettleQueue {
  /** A watched path changed: it joins the pending batch, and the settle time starts again. */
  readonly changed: (path: string) => void;
  /** Runs `task` after the tasks before it (not after the settle time). */
  readonly run: <T>(task: () => Promise<T>) => Promise<T>;
  /** Drops the pending batch and its timer (the daemon is stopping). */
  readonly cancel: () => void;
  /** Settles when every task queued so far has finished. */
  readonly idle: () => Promise<void>;
}

export interface SettleQueueOptions {
  readonly settleMs: number;
  readonly now: () => number;
  /** Runs for each settled batch, in the queue. */
  readonly onSettled: (batch: SettledBatch) => Promise<void>;
  /** Receives what `onSettled` threw: nobody awaits a settled batch, so its failure is reported here, never left unhandled. */
  readonly onError: (error: unknown) => void;
}

export function createSettleQueue(options: SettleQueueOptions): SettleQueue {
  let pending = new Set<string>();
  let lastChangeAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let tail: Promise<void> = Promise.resolve();

  const run = <T>(task: () => Promise<T>): Promise<T> => {
    const result = tail.then(task);
    tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  };

  const settle = (): void => {
    timer = undefined;
    const batch: SettledBatch = { paths: [...pending], lastChangeAt, settledAt: options.now() };
    pending = new Set();
    run(() => options.onSettled(batch)).catch(options.onError);
  };

  return {
    changed: (path) => {
      pending.add(path);
      lastChangeAt = options.now();
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(settle, options.settleMs);
    },
    run,
    cancel: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = new Set();
    },
    idle: () => tail,
  };
}
