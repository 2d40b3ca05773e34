import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { pause } from './daemon-events.js';

describe('pause', () => {
  it('leaves no abort listener behind once its time is up', async () => {
    const stop = new AbortController();
    for (let attempt = 0; attempt < 3; attempt += 1) await pause(1, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });

  it('ends early when the signal aborts, and at once when it already has', async () => {
    // Either pause would otherwise take a minute: far past the test's time limit.
    const stop = new AbortController();
    const waiting = pause(60_000, stop.signal);
    stop.abort();
    await waiting;
    await pause(60_000, stop.signal);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});
