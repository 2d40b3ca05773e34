import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSettleQueue, type SettledBatch } from './settle-queue.js';

describe('createSettleQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function queueWith(settleMs: number, onSettled: (batch: SettledBatch) => Promise<void> = () => Promise.resolve()) {
    const batches: SettledBatch[] = [];
    const errors: unknown[] = [];
    const queue = createSettleQueue({
      settleMs,
      now: () => Date.now(),
      onSettled: async (batch) => {
        batches.push(batch);
        await onSettled(batch);
      },
      onError: (error) => errors.push(error),
    });
    return { queue, batches, errors };
  }

  it('waits until nothing changed for the settle time, then hands over every path once', async () => {
    const { queue, batches } = queueWith(300);
    const start = Date.now();
    queue.changed('/a');
    await vi.advanceTimersByTimeAsync(200);
    queue.changed('/b');
    await vi.advanceTimersByTimeAsync(200);
    queue.changed('/a');
    // 299 ms after the last change: a person may still be typing.
    await vi.advanceTimersByTimeAsync(299);
    expect(batches).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([{ paths: ['/a', '/b'], lastChangeAt: start + 400, settledAt: start + 700 }]);
  });

  it('sets no timer while nothing changes', async () => {
    const { queue, batches } = queueWith(50);
    expect(vi.getTimerCount()).toBe(0);
    queue.changed('/a');
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('runs one task at a time: a batch settled during a run waits for it, and "run" tasks queue behind', async () => {
    const order: string[] = [];
    let finishFirst: () => void = () => undefined;
    const { queue, batches } = queueWith(10, (batch) => {
      order.push(`start ${batch.paths.join(',')}`);
      return batch.paths.includes('/first') ? new Promise<void>((resolve) => (finishFirst = () => { order.push('end /first'); resolve(); })) : Promise.resolve();
    });
    queue.changed('/first');
    await vi.advanceTimersByTimeAsync(10);
    queue.changed('/second');
    await vi.advanceTimersByTimeAsync(10);
    const manual = queue.run(() => {
      order.push('manual');
      return Promise.resolve('done');
    });
    expect(order).toEqual(['start /first']);
    finishFirst();
    await expect(manual).resolves.toBe('done');
    expect(order).toEqual(['start /first', 'end /first', 'start /second', 'manual']);
    expect(batches.map((batch) => batch.paths)).toEqual([['/first'], ['/second']]);
  });

  it('keeps going after a task fails, and idle() waits for the last one', async () => {
    const { queue } = queueWith(10);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    let ran = false;
    void queue.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ran = true;
    });
    const idle = queue.idle();
    await vi.advanceTimersByTimeAsync(100);
    await idle;
    expect(ran).toBe(true);
  });

  it('hands a settled batch that failed to onError, and goes on with the next', async () => {
    const { queue, batches, errors } = queueWith(10, (batch) => (batch.paths.includes('/bad') ? Promise.reject(new Error('boom')) : Promise.resolve()));
    queue.changed('/bad');
    await vi.advanceTimersByTimeAsync(10);
    queue.changed('/good');
    await vi.advanceTimersByTimeAsync(10);
    await queue.idle();
    expect(errors).toEqual([new Error('boom')]);
    expect(batches.map((batch) => batch.paths)).toEqual([['/bad'], ['/good']]);
  });

  it('cancel drops the pending batch', async () => {
    const { queue, batches } = queueWith(100);
    queue.changed('/a');
    queue.cancel();
    await vi.advanceTimersByTimeAsync(500);
    expect(batches).toEqual([]);
  });
});
