import { describe, expect, it, vi } from 'vitest';
import { Cancellation } from './cancellation.js';

describe('Cancellation', () => {
  it('tells its listener once, with the reason, and aborts a signal asked for before', () => {
    const cancellation = new Cancellation();
    const listener = vi.fn();
    cancellation.onCancel = listener;
    const signal = cancellation.signal;
    expect(cancellation.cancelled).toBe(false);
    expect(signal.aborted).toBe(false);

    const reason = new Error('cancelled by the client');
    cancellation.cancel(reason);
    cancellation.cancel(new Error('again'));
    expect(cancellation.cancelled).toBe(true);
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener).toHaveBeenCalledWith(reason);
    expect(cancellation.onCancel).toBeUndefined();
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
    expect(cancellation.signal).toBe(signal);
  });

  it('hands out a signal aborted already when it is asked for after the cancellation', () => {
    const cancellation = new Cancellation();
    const reason = new Error('the client disconnected');
    cancellation.cancel(reason);
    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.signal.reason).toBe(reason);
  });

  it('calls no listener that was cleared', () => {
    const cancellation = new Cancellation();
    const listener = vi.fn();
    cancellation.onCancel = listener;
    cancellation.onCancel = undefined;
    cancellation.cancel(new Error('late'));
    expect(listener).not.toHaveBeenCalled();
  });
});
